package api

import (
	"context"

	"github.com/monimekit/monime-go/gen/server"
)

// TEMPORARY: replaced by the real handlers of issue 22.

// ListBanks is not served yet (issue 22 in progress).
func (h *handlers) ListBanks(ctx context.Context, req server.ListBanksRequestObject) (server.ListBanksResponseObject, error) {
	return nil, errNotYet
}

// GetBank is not served yet (issue 22 in progress).
func (h *handlers) GetBank(ctx context.Context, req server.GetBankRequestObject) (server.GetBankResponseObject, error) {
	return nil, errNotYet
}

// ListMomos is not served yet (issue 22 in progress).
func (h *handlers) ListMomos(ctx context.Context, req server.ListMomosRequestObject) (server.ListMomosResponseObject, error) {
	return nil, errNotYet
}

// GetMomo is not served yet (issue 22 in progress).
func (h *handlers) GetMomo(ctx context.Context, req server.GetMomoRequestObject) (server.GetMomoResponseObject, error) {
	return nil, errNotYet
}

// GetProviderKYC is not served yet (issue 22 in progress).
func (h *handlers) GetProviderKYC(ctx context.Context, req server.GetProviderKYCRequestObject) (server.GetProviderKYCResponseObject, error) {
	return nil, errNotYet
}
