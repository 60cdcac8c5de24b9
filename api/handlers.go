package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
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

// ListCheckoutSessions implements GET /v1/checkout-sessions: newest first,
// limit 1 to 50 (default 10), after = pagination.next of the previous page.
func (h *handlers) ListCheckoutSessions(ctx context.Context, req server.ListCheckoutSessionsRequestObject) (server.ListCheckoutSessionsResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	limit, after, e := pageRequest(space, req.Params.Limit, req.Params.After)
	if e != nil {
		return server.ListCheckoutSessions400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse{Body: e.envelope(), Headers: server.BadRequestResponseHeaders{MonimeRequestId: info.id}}}, nil
	}
	page, last, more := h.s.store.list(space, limit, after)
	pagination := pageInfo(space, len(page), last, more)
	return server.ListCheckoutSessions200JSONResponse{
		Body: gen.CheckoutSessionListEnvelope{
			Success:    true,
			Messages:   &gen.Messages{},
			Result:     page,
			Pagination: pagination,
		},
		Headers: server.ListCheckoutSessions200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// CreateCheckoutSession implements POST /v1/checkout-sessions. Idempotency
// is handled around it (see Server.idempotent).
func (h *handlers) CreateCheckoutSession(ctx context.Context, req server.CreateCheckoutSessionRequestObject) (server.CreateCheckoutSessionResponseObject, error) {
	info := infoFrom(ctx)
	var problems []gen.ErrorDetail
	if req.Body == nil {
		problems = append(problems, detail("", "a JSON request body is required"))
	} else {
		problems = checkCreateRules(req.Body, req.Params.MonimeVersion)
	}
	if len(problems) > 0 {
		e := validationError(summarize(problems), problems...)
		return server.CreateCheckoutSession400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse{Body: e.envelope(), Headers: server.BadRequestResponseHeaders{MonimeRequestId: info.id}}}, nil
	}
	created := h.s.store.create(req.Params.MonimeSpaceId, req.Params.IdempotencyKey, req.Body, info.hostedBase)
	return server.CreateCheckoutSession200JSONResponse{
		Body:    gen.CheckoutSessionEnvelope{Success: true, Messages: &gen.Messages{}, Result: created},
		Headers: server.CreateCheckoutSession200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetCheckoutSession implements GET /v1/checkout-sessions/{id}.
func (h *handlers) GetCheckoutSession(ctx context.Context, req server.GetCheckoutSessionRequestObject) (server.GetCheckoutSessionResponseObject, error) {
	info := infoFrom(ctx)
	found, ok := h.s.store.get(req.Params.MonimeSpaceId, req.Id)
	if !ok {
		return server.GetCheckoutSession404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: sessionNotFound(req.Id, req.Params.MonimeSpaceId).envelope(), Headers: server.NotFoundResponseHeaders{MonimeRequestId: info.id}}}, nil
	}
	return server.GetCheckoutSession200JSONResponse{
		Body:    gen.CheckoutSessionEnvelope{Success: true, Messages: &gen.Messages{}, Result: found},
		Headers: server.GetCheckoutSession200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// DeleteCheckoutSession implements DELETE /v1/checkout-sessions/{id}: only
// a pending session the customer has not started can go.
func (h *handlers) DeleteCheckoutSession(ctx context.Context, req server.DeleteCheckoutSessionRequestObject) (server.DeleteCheckoutSessionResponseObject, error) {
	info := infoFrom(ctx)
	err := h.s.store.remove(req.Params.MonimeSpaceId, req.Id)
	var nd *errNotDeletable
	switch {
	case err == nil:
		return server.DeleteCheckoutSession200JSONResponse{
			Body:    gen.EmptyEnvelope{Success: true, Messages: &gen.Messages{}},
			Headers: server.DeleteCheckoutSession200ResponseHeaders{MonimeRequestId: info.id},
		}, nil
	case errors.Is(err, ErrSessionNotFound):
		return server.DeleteCheckoutSession404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: sessionNotFound(req.Id, req.Params.MonimeSpaceId).envelope(), Headers: server.NotFoundResponseHeaders{MonimeRequestId: info.id}}}, nil
	case errors.As(err, &nd):
		e := &apiError{status: http.StatusConflict, reason: ReasonSessionNotDeletable, message: nd.reason}
		return server.DeleteCheckoutSession409JSONResponse{ConflictJSONResponse: server.ConflictJSONResponse{Body: e.envelope(), Headers: server.ConflictResponseHeaders{MonimeRequestId: info.id}}}, nil
	default:
		return nil, err
	}
}

func sessionNotFound(id, space string) *apiError {
	return &apiError{
		status:  http.StatusNotFound,
		reason:  ReasonNotFound,
		message: fmt.Sprintf("no checkout session %q in space %s; check the id and the Monime-Space-Id header", id, space),
	}
}

// checkCreateRules checks what Monime's document says of a create body
// that spec/ cannot express in OpenAPI 3.0: line-item references unique
// within the session ("Must be unique within the checkout session"), the
// currencies of the release the request names (caph.2025-06-20:
// "Currently supported: 'SLE'"; caph.2025-08-23 adds 'USD'), and the
// metadata key rules (see checkMetadataKeys).
func checkCreateRules(body *gen.CreateCheckoutSessionRequest, version *gen.MonimeVersion) []gen.ErrorDetail {
	problems := checkMetadataKeys(body.Metadata)
	if version != nil && *version == gen.MonimeVersionCaph20250620 {
		for i, item := range body.LineItems {
			if item.Price.Currency != gen.CurrencySLE {
				problems = append(problems, detail(fmt.Sprintf("lineItems[%d].price.currency", i),
					fmt.Sprintf("%s supports SLE only; send Monime-Version %s for USD", *version, gen.MonimeVersionCaph20250823)))
			}
		}
	}
	seen := make(map[string]int)
	for i, item := range body.LineItems {
		if item.Reference == nil {
			continue
		}
		if j, dup := seen[*item.Reference]; dup {
			problems = append(problems, detail(fmt.Sprintf("lineItems[%d].reference", i),
				fmt.Sprintf("must be unique within the session; lineItems[%d] has it too", j)))
			continue
		}
		seen[*item.Reference] = i
	}
	return problems
}

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
