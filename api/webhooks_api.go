package api

import (
	"context"

	"github.com/monimekit/monime-go/gen/server"
)

// TEMPORARY: replaced by the real handlers of issue 23.

// ListWebhooks is not served yet (issue 23 in progress).
func (h *handlers) ListWebhooks(ctx context.Context, req server.ListWebhooksRequestObject) (server.ListWebhooksResponseObject, error) {
	return nil, errNotYet
}

// CreateWebhook is not served yet (issue 23 in progress).
func (h *handlers) CreateWebhook(ctx context.Context, req server.CreateWebhookRequestObject) (server.CreateWebhookResponseObject, error) {
	return nil, errNotYet
}

// GetWebhook is not served yet (issue 23 in progress).
func (h *handlers) GetWebhook(ctx context.Context, req server.GetWebhookRequestObject) (server.GetWebhookResponseObject, error) {
	return nil, errNotYet
}

// UpdateWebhook is not served yet (issue 23 in progress).
func (h *handlers) UpdateWebhook(ctx context.Context, req server.UpdateWebhookRequestObject) (server.UpdateWebhookResponseObject, error) {
	return nil, errNotYet
}

// DeleteWebhook is not served yet (issue 23 in progress).
func (h *handlers) DeleteWebhook(ctx context.Context, req server.DeleteWebhookRequestObject) (server.DeleteWebhookResponseObject, error) {
	return nil, errNotYet
}
