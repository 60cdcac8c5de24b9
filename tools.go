//go:build tools

// Package tools pins the code generator so that `go generate ./...` runs a
// known version through `go run` with nothing installed.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
