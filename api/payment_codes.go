package api

import (
	"context"

	"github.com/monimekit/monime-go/gen/server"
)

// TEMPORARY: replaced by the real handlers of issue 23.

// ListPaymentCodes is not served yet (issue 23 in progress).
func (h *handlers) ListPaymentCodes(ctx context.Context, req server.ListPaymentCodesRequestObject) (server.ListPaymentCodesResponseObject, error) {
	return nil, errNotYet
}

// CreatePaymentCode is not served yet (issue 23 in progress).
func (h *handlers) CreatePaymentCode(ctx context.Context, req server.CreatePaymentCodeRequestObject) (server.CreatePaymentCodeResponseObject, error) {
	return nil, errNotYet
}

// GetPaymentCode is not served yet (issue 23 in progress).
func (h *handlers) GetPaymentCode(ctx context.Context, req server.GetPaymentCodeRequestObject) (server.GetPaymentCodeResponseObject, error) {
	return nil, errNotYet
}

// UpdatePaymentCode is not served yet (issue 23 in progress).
func (h *handlers) UpdatePaymentCode(ctx context.Context, req server.UpdatePaymentCodeRequestObject) (server.UpdatePaymentCodeResponseObject, error) {
	return nil, errNotYet
}

// DeletePaymentCode is not served yet (issue 23 in progress).
func (h *handlers) DeletePaymentCode(ctx context.Context, req server.DeletePaymentCodeRequestObject) (server.DeletePaymentCodeResponseObject, error) {
	return nil, errNotYet
}
