//go:build !goexperiment.jsonv2

package monime

// jsonV2 says encoding/json is the experimental v2-backed one, which writes
// invalid UTF-8 as the raw U+FFFD character instead of \ufffd.
const jsonV2 = false
