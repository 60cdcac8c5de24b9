package api

import (
	"context"

	"github.com/monimekit/monime-go/gen/server"
)

// TEMPORARY: replaced by the real handlers of issue 23.

// ListUSSDOTPs is not served yet (issue 23 in progress).
func (h *handlers) ListUSSDOTPs(ctx context.Context, req server.ListUSSDOTPsRequestObject) (server.ListUSSDOTPsResponseObject, error) {
	return nil, errNotYet
}

// CreateUSSDOTP is not served yet (issue 23 in progress).
func (h *handlers) CreateUSSDOTP(ctx context.Context, req server.CreateUSSDOTPRequestObject) (server.CreateUSSDOTPResponseObject, error) {
	return nil, errNotYet
}

// GetUSSDOTP is not served yet (issue 23 in progress).
func (h *handlers) GetUSSDOTP(ctx context.Context, req server.GetUSSDOTPRequestObject) (server.GetUSSDOTPResponseObject, error) {
	return nil, errNotYet
}

// DeleteUSSDOTP is not served yet (issue 23 in progress).
func (h *handlers) DeleteUSSDOTP(ctx context.Context, req server.DeleteUSSDOTPRequestObject) (server.DeleteUSSDOTPResponseObject, error) {
	return nil, errNotYet
}
