//go:build goexperiment.jsonv2

package monime

// jsonV2: see wire_jsonv1_test.go.
const jsonV2 = true
