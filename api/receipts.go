package api

import (
	"context"

	"github.com/monimekit/monime-go/gen/server"
)

// TEMPORARY: replaced by the real handlers of issue 23.

// RetrieveReceipt is not served yet (issue 23 in progress).
func (h *handlers) RetrieveReceipt(ctx context.Context, req server.RetrieveReceiptRequestObject) (server.RetrieveReceiptResponseObject, error) {
	return nil, errNotYet
}

// RedeemReceipt is not served yet (issue 23 in progress).
func (h *handlers) RedeemReceipt(ctx context.Context, req server.RedeemReceiptRequestObject) (server.RedeemReceiptResponseObject, error) {
	return nil, errNotYet
}
