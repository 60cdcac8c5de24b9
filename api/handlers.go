package api

import (
	"context"
	"maps"
	"slices"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
	"github.com/monimekit/monime-go/internal/metadata"
)

// handlers implements the generated strict server: one method per spec
// operation, taking and returning the generated types.
type handlers struct{ s *Server }

var _ server.StrictServerInterface = (*handlers)(nil)

// requestInfo is what the outer layers of the Server know about a request
// that the strict handlers need.
type requestInfo struct {
	id         string // Monime-Request-Id
	hostedBase string // origin of the hosted checkout pages
}

type requestInfoKey struct{}

func infoFrom(ctx context.Context) requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(requestInfo)
	return info
}

const (
	defaultListLimit = 10
	maxListLimit     = 50
)

// checkMetadataKeys checks metadata keys as package monime does before
// sending (internal/metadata holds the rules).
func checkMetadataKeys(m *gen.Metadata) []gen.ErrorDetail {
	if m == nil {
		return nil
	}
	var problems []gen.ErrorDetail
	for _, k := range slices.Sorted(maps.Keys(*m)) {
		if msg := metadata.KeyProblem(k); msg != "" {
			problems = append(problems, detail("metadata."+metadata.ShownKey(k), "metadata "+msg))
		}
	}
	return problems
}
