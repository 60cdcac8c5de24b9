// Package gen is the low-level Monime client generated from spec/monime.yaml
// by oapi-codegen. Do not edit the generated files: change the spec and run
// `go generate ./...`. Users import package monime instead.
package gen

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml ../spec/monime.yaml
