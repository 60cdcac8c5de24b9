package api

import (
	"context"

	"github.com/monimekit/monime-go/gen/server"
)

// TEMPORARY: replaced by the real handlers of issue 23.

// ListCountries is not served yet (issue 23 in progress).
func (h *handlers) ListCountries(ctx context.Context, req server.ListCountriesRequestObject) (server.ListCountriesResponseObject, error) {
	return nil, errNotYet
}

// GetCountry is not served yet (issue 23 in progress).
func (h *handlers) GetCountry(ctx context.Context, req server.GetCountryRequestObject) (server.GetCountryResponseObject, error) {
	return nil, errNotYet
}
