// Package spec embeds the hand-written OpenAPI 3.0.3 contract of the Monime
// checkout-sessions API (monime.yaml). The code generator, the fake API in
// api/ and the contract tests all read this one document.
package spec

import _ "embed"

// YAML is the raw text of spec/monime.yaml.
//
//go:embed monime.yaml
var YAML []byte
