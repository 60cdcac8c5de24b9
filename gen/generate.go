// Package gen is the low-level client and models that oapi-codegen generates
// from spec/monime.yaml, for package monime and the fake in package api to
// build on; applications import package monime instead.
//
// The generated files are never edited: change the spec (or
// oapi-codegen.yaml) and run `go generate ./...`. This package's API is
// whatever oapi-codegen makes of the spec and may change with either, so it
// is outside the module's compatibility promise.
package gen

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml ../spec/monime.yaml
