// Package spec embeds monime.yaml, the hand-written OpenAPI 3.0.3 contract
// of Monime's checkout-session and payment API, for this module's own code
// generator, fake and tests; applications do not import it.
package spec

import _ "embed"

// YAML is the raw text of spec/monime.yaml.
//
//go:embed monime.yaml
var YAML []byte
