// Package server holds the strict net/http server interfaces generated from
// spec/monime.yaml, for the fake Monime API in package api only;
// applications do not import it. It shares its models with package gen. Do
// not edit the generated file.
package server

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml ../../spec/monime.yaml
