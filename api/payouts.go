package api

import (
	"context"

	"github.com/monimekit/monime-go/gen/server"
)

// TEMPORARY: replaced by the real handlers of issue 22.

// ListPayouts is not served yet (issue 22 in progress).
func (h *handlers) ListPayouts(ctx context.Context, req server.ListPayoutsRequestObject) (server.ListPayoutsResponseObject, error) {
	return nil, errNotYet
}

// CreatePayout is not served yet (issue 22 in progress).
func (h *handlers) CreatePayout(ctx context.Context, req server.CreatePayoutRequestObject) (server.CreatePayoutResponseObject, error) {
	return nil, errNotYet
}

// GetPayout is not served yet (issue 22 in progress).
func (h *handlers) GetPayout(ctx context.Context, req server.GetPayoutRequestObject) (server.GetPayoutResponseObject, error) {
	return nil, errNotYet
}

// UpdatePayout is not served yet (issue 22 in progress).
func (h *handlers) UpdatePayout(ctx context.Context, req server.UpdatePayoutRequestObject) (server.UpdatePayoutResponseObject, error) {
	return nil, errNotYet
}

// DeletePayout is not served yet (issue 22 in progress).
func (h *handlers) DeletePayout(ctx context.Context, req server.DeletePayoutRequestObject) (server.DeletePayoutResponseObject, error) {
	return nil, errNotYet
}

// ListInternalTransfers is not served yet (issue 22 in progress).
func (h *handlers) ListInternalTransfers(ctx context.Context, req server.ListInternalTransfersRequestObject) (server.ListInternalTransfersResponseObject, error) {
	return nil, errNotYet
}

// CreateInternalTransfer is not served yet (issue 22 in progress).
func (h *handlers) CreateInternalTransfer(ctx context.Context, req server.CreateInternalTransferRequestObject) (server.CreateInternalTransferResponseObject, error) {
	return nil, errNotYet
}

// GetInternalTransfer is not served yet (issue 22 in progress).
func (h *handlers) GetInternalTransfer(ctx context.Context, req server.GetInternalTransferRequestObject) (server.GetInternalTransferResponseObject, error) {
	return nil, errNotYet
}

// PatchInternalTransfer is not served yet (issue 22 in progress).
func (h *handlers) PatchInternalTransfer(ctx context.Context, req server.PatchInternalTransferRequestObject) (server.PatchInternalTransferResponseObject, error) {
	return nil, errNotYet
}

// DeleteInternalTransfer is not served yet (issue 22 in progress).
func (h *handlers) DeleteInternalTransfer(ctx context.Context, req server.DeleteInternalTransferRequestObject) (server.DeleteInternalTransferResponseObject, error) {
	return nil, errNotYet
}

// ListFinancialTransactions is not served yet (issue 22 in progress).
func (h *handlers) ListFinancialTransactions(ctx context.Context, req server.ListFinancialTransactionsRequestObject) (server.ListFinancialTransactionsResponseObject, error) {
	return nil, errNotYet
}

// GetTransaction is not served yet (issue 22 in progress).
func (h *handlers) GetTransaction(ctx context.Context, req server.GetTransactionRequestObject) (server.GetTransactionResponseObject, error) {
	return nil, errNotYet
}
