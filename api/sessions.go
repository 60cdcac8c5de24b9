package api

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// HostedPagePath is the path of the fake's hosted checkout pages: a
// session's redirectUrl is <base>/checkout/<id>. The Server answers there,
// without credentials, as Monime's page would:
//
//	GET  /checkout/{id}         the page: name, line items, totals per currency, the methods
//	                            and providers paymentOptions allow, Pay and Cancel (while
//	                            pending); once paid, what was paid and how. Opening a
//	                            pending session starts it (see Server.Start)
//	POST /checkout/{id}/pay     pays the session (Server.CompleteWith), then 303 to
//	                            successUrl (else the page)
//	POST /checkout/{id}/cancel  cancels it, then 303 to cancelUrl (else the page)
//
// The page offers mobile money first, then card, bank and wallet, each with
// its providers (a card's are its schemes), the first of each preselected.
// Its Pay form sends method=<momo|card|bank|wallet> and
// provider-<method>=<provider>; a script may send provider=<provider>
// instead, or leave either out for the preselected choice.
//
// Pay with a method or provider the session does not offer answers 400; Pay
// on a session whose items cannot be paid (ErrSessionNotPayable), and Pay or
// Cancel on one that is no longer pending, 409; an unknown id 404; all as
// HTML. Faults, rate limits and RequestCount apply to the API only.
const HostedPagePath = "/checkout/"

// Errors of the lifecycle controls (Complete, CompleteWith, Cancel, Expire,
// Start). They come wrapped with the call and the id; test for them with
// errors.Is.
var (
	// ErrSessionNotFound: the fake holds no session with this id (never
	// created, or deleted).
	ErrSessionNotFound = errors.New("no such checkout session (never created, or deleted)")
	// ErrSessionFinal: the session is already completed, cancelled or
	// expired, so its status can no longer change.
	ErrSessionFinal = errors.New("checkout session is already final")
)

// Session is one stored checkout session: what the read API returns for
// it, plus what that API hides and what only the fake knows. Find and
// FindAll return snapshots of it; SaveState writes it as it is.
type Session struct {
	Stored
	// CheckoutSession is exactly what GetCheckoutSession answers. Its
	// nested values are never changed once stored; a change replaces
	// Status, OrderNumber and ExpireTime, so a shallow copy taken under the
	// store's lock can be encoded without it.
	gen.CheckoutSession `json:"view"`
	// Deadline is when the session expires by itself if still pending: its
	// expireTime at create.
	Deadline time.Time `json:"deadline"`
	// Started reports whether the customer has opened the checkout (see
	// Server.Start); a started session can no longer be deleted.
	Started bool `json:"started,omitempty"`
	// CallbackState is the create field Monime echoes in callbacks only.
	CallbackState *string `json:"callbackState,omitempty"`
	// PaymentOptions is the create field the hosted page obeys; reads never
	// return it.
	PaymentOptions *gen.PaymentOptions `json:"paymentOptions,omitempty"`
	// IdempotencyKey is the key the session was created with.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	// PaymentIDs are the payments a completed session was paid with: one
	// per currency its line items total more than zero in, in the order the
	// currencies first appear; none before it is completed.
	PaymentIDs []string `json:"paymentIds,omitempty"`
}

func (s *Session) recordID() string { return s.Id }

// What can happen to a session; its events are named checkout_session.<it>.
// Monime documents completed, cancelled and expired, which webhooks carry;
// the others reach only the fake's own hooks.
const (
	sessionCreated   = "created"
	sessionStarted   = "started"
	sessionCompleted = "completed"
	sessionCancelled = "cancelled"
	sessionExpired   = "expired"
	sessionDeleted   = "deleted"
)

// emitSession queues the event of what happened to s. Call it with mu held.
func (st *store) emitSession(s *Session, what string, now time.Time) {
	snap := *s
	st.emit(event{name: objectTypeSession + "." + what, at: now, objectType: objectTypeSession, objectID: s.Id,
		data: snap.CheckoutSession, record: snap, sessionID: s.Id})
}

// isPending reports whether s is stored and pending. Call it with mu held.
func (st *store) isPending(s *Session) bool {
	stored, ok := st.sessions.get("", s.Id)
	return ok && stored == s && s.Status == gen.CheckoutSessionStatusPending
}

// expire makes the pending session s expired at now. Call it with mu held.
func (st *store) expire(s *Session, now time.Time) {
	s.Status = gen.CheckoutSessionStatusExpired
	if now.Before(s.ExpireTime) { // expired early, by Server.Expire
		s.ExpireTime = now
	}
	st.touched(s)
	st.emitSession(s, sessionExpired, now)
}

// newSession builds a pending session from a validated create body.
func newSession(space, idempotencyKey string, body *gen.CreateCheckoutSessionRequest, hostedBase string, now time.Time, ttl time.Duration) *Session {
	id := newID("scs-", 14)
	owner := "space"
	items := make([]gen.LineItem, len(body.LineItems))
	for i, in := range body.LineItems {
		itemID := newID("sli-", 10)
		kind := gen.LineItemTypeCustom
		if in.Type != nil {
			kind = *in.Type
		}
		quantity := 1
		if in.Quantity != nil {
			quantity = *in.Quantity
		}
		reference := in.Reference
		if reference == nil { // "If not provided, a unique identifier will be generated."
			generated := newID("ref-", 10)
			reference = &generated
		}
		items[i] = gen.LineItem{
			Type:        kind,
			Id:          &itemID,
			Name:        in.Name,
			Price:       in.Price,
			Quantity:    quantity,
			Reference:   reference,
			Description: in.Description,
			Images:      in.Images,
		}
	}
	account := body.FinancialAccountId
	if account == nil { // "Defaults to the main account if omitted."
		account = valueOf(MainAccountID(space))
	}
	return &Session{
		Stored:   Stored{SpaceID: space},
		Deadline: now.Add(ttl),
		CheckoutSession: gen.CheckoutSession{
			Id:                 id,
			Name:               body.Name,
			Status:             gen.CheckoutSessionStatusPending,
			Reference:          body.Reference,
			Description:        body.Description,
			RedirectUrl:        hostedBase + HostedPagePath + id,
			CancelUrl:          body.CancelUrl,
			SuccessUrl:         body.SuccessUrl,
			LineItems:          gen.LineItemList{Data: items},
			FinancialAccountId: account,
			BrandingOptions:    body.BrandingOptions,
			CreateTime:         now,
			ExpireTime:         now.Add(ttl), // the same as Deadline
			OwnershipGraph:     &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &space, Type: &owner}},
			Metadata:           copyMetadata(body.Metadata),
		},
		CallbackState:  body.CallbackState,
		PaymentOptions: body.PaymentOptions,
		IdempotencyKey: idempotencyKey,
	}
}

// copyMetadata is metadata as reads show it, or nil for none.
func copyMetadata(in *gen.Metadata) *map[string]any {
	if in == nil {
		return nil
	}
	m := make(map[string]any, len(*in))
	for k, v := range *in {
		m[k] = v
	}
	return &m
}

// insertSession files a new session. Call it with mu held.
func (st *store) insertSession(s *Session, now time.Time) {
	s.Seq = st.next()
	st.sessions.insert(s)
	heap.Push(&st.deadline, s)
	st.emitSession(s, sessionCreated, now)
}

// errNotDeletable explains why a session cannot be deleted.
type errNotDeletable struct{ reason string }

func (e *errNotDeletable) Error() string { return e.reason }

// removeSession deletes a pending session the customer has not started.
// Call it with mu held.
func (st *store) removeSession(space, id string, now time.Time) error {
	s, ok := st.sessions.get(space, id)
	switch {
	case !ok:
		return ErrSessionNotFound
	case s.Status != gen.CheckoutSessionStatusPending:
		return &errNotDeletable{fmt.Sprintf("checkout session %s is %s; only a pending session the customer has not started can be deleted", id, s.Status)}
	case s.Started:
		return &errNotDeletable{fmt.Sprintf("the customer has started checkout session %s; it can no longer be deleted (it will complete, be cancelled or expire)", id)}
	}
	st.sessions.remove(s)
	st.touched()
	st.emitSession(s, sessionDeleted, now)
	return nil
}

// pendingSession returns the pending session id, in any space, for the
// control call, or an error wrapping ErrSessionNotFound or
// ErrSessionFinal. Call it with mu held.
func (st *store) pendingSession(call, id string) (*Session, error) {
	s, ok := st.sessions.get("", id)
	if !ok {
		return nil, fmt.Errorf("api: %s(%q): %w", call, id, ErrSessionNotFound)
	}
	if s.Status != gen.CheckoutSessionStatusPending {
		return nil, fmt.Errorf("api: %s(%q): %w: it is %s, and only a pending session can change", call, id, ErrSessionFinal, s.Status)
	}
	return s, nil
}

// control applies Cancel, Expire or Start to the pending session id, in any
// space (pay completes).
func (st *store) control(call, id, what string) (err error) {
	st.within(func(now time.Time) {
		var s *Session
		if s, err = st.pendingSession(call, id); err != nil {
			return
		}
		switch what {
		case sessionStarted:
			if s.Started {
				return
			}
			s.Started = true
		case sessionCancelled:
			s.Status = gen.CheckoutSessionStatusCancelled
		case sessionExpired:
			st.expire(s, now)
			return
		}
		st.touched(s)
		st.emitSession(s, what, now)
	})
	return err
}

// ListCheckoutSessions implements GET /v1/checkout-sessions: newest first,
// limit 1 to 50 (default 10), after = pagination.next of the previous page.
func (h *handlers) ListCheckoutSessions(ctx context.Context, req server.ListCheckoutSessionsRequestObject) (server.ListCheckoutSessionsResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	limit, after, e := pageRequest(space, req.Params.Limit, req.Params.After)
	if e != nil {
		return server.ListCheckoutSessions400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	var views []gen.CheckoutSession
	var pagination gen.Pagination
	h.s.store.within(func(time.Time) {
		page, last, more := h.s.store.sessions.page(space, limit, after, nil)
		views = make([]gen.CheckoutSession, len(page))
		for i, s := range page {
			views[i] = s.CheckoutSession
		}
		pagination = pageInfo(space, len(page), last, more)
	})
	return server.ListCheckoutSessions200JSONResponse{
		Body:    gen.CheckoutSessionListEnvelope{Success: true, Messages: &gen.Messages{}, Result: views, Pagination: pagination},
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
		return server.CreateCheckoutSession400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	st := h.s.store
	space := req.Params.MonimeSpaceId
	var created gen.CheckoutSession
	var e *apiError
	st.within(func(now time.Time) {
		st.openSpaces([]string{space}, now)
		if id := req.Body.FinancialAccountId; id != nil {
			if _, ok := st.accounts.get(space, *id); !ok {
				e = validation([]gen.ErrorDetail{detail("financialAccountId", fmt.Sprintf(
					"space %s has no financial account %q; name one that GET /v1/financial-accounts lists, or leave financialAccountId out to settle into the main account", space, *id))})
				return
			}
		}
		s := newSession(space, req.Params.IdempotencyKey, req.Body, info.hostedBase, now, st.ttl)
		st.insertSession(s, now)
		created = s.CheckoutSession
	})
	if e != nil {
		return server.CreateCheckoutSession400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	return server.CreateCheckoutSession200JSONResponse{
		Body:    gen.CheckoutSessionEnvelope{Success: true, Messages: &gen.Messages{}, Result: created},
		Headers: server.CreateCheckoutSession200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetCheckoutSession implements GET /v1/checkout-sessions/{id}.
func (h *handlers) GetCheckoutSession(ctx context.Context, req server.GetCheckoutSessionRequestObject) (server.GetCheckoutSessionResponseObject, error) {
	info := infoFrom(ctx)
	found, e := lookup(h.s.store, h.s.store.sessions, "checkout session", req.Params.MonimeSpaceId, req.Id,
		func(s *Session) gen.CheckoutSession { return s.CheckoutSession })
	if e != nil {
		return server.GetCheckoutSession404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
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
	var err error
	h.s.store.within(func(now time.Time) { err = h.s.store.removeSession(req.Params.MonimeSpaceId, req.Id, now) })
	var nd *errNotDeletable
	switch {
	case err == nil:
		return server.DeleteCheckoutSession200JSONResponse{
			Body:    gen.EmptyEnvelope{Success: true, Messages: &gen.Messages{}},
			Headers: server.DeleteCheckoutSession200ResponseHeaders{MonimeRequestId: info.id},
		}, nil
	case errors.Is(err, ErrSessionNotFound):
		return server.DeleteCheckoutSession404JSONResponse{NotFoundJSONResponse: notFound("checkout session", req.Id, req.Params.MonimeSpaceId).notFound(info.id)}, nil
	case errors.As(err, &nd):
		return server.DeleteCheckoutSession409JSONResponse{ConflictJSONResponse: conflict(ReasonSessionNotDeletable, nd.reason).conflict(info.id)}, nil
	default:
		return nil, err
	}
}

// checkCreateRules checks what Monime's document says of a create body
// that spec/ cannot express in OpenAPI 3.0: prices that are money, in
// minor units, so never negative (zero is a free item), line-item
// references unique within the session ("Must be unique within the
// checkout session"), the
// currencies of the release the request names (caph.2025-06-20:
// "Currently supported: 'SLE'"; caph.2025-08-23 adds 'USD'), and the
// metadata key rules (see checkMetadataKeys).
// releaseCurrency refuses, as field, a currency the release version names
// does not support: caph.2025-06-20 supports SLE only ("Currently
// supported: 'SLE'"); caph.2025-08-23 adds USD.
func releaseCurrency(field string, currency gen.Currency, version *gen.MonimeVersion) []gen.ErrorDetail {
	if version == nil || *version != gen.MonimeVersionCaph20250620 || currency == gen.CurrencySLE {
		return nil
	}
	return []gen.ErrorDetail{detail(field, fmt.Sprintf("%s supports SLE only; send Monime-Version %s for %s", *version, gen.MonimeVersionCaph20250823, currency))}
}

func checkCreateRules(body *gen.CreateCheckoutSessionRequest, version *gen.MonimeVersion) []gen.ErrorDetail {
	problems := checkMetadataKeys(body.Metadata)
	for i, item := range body.LineItems {
		problems = append(problems, releaseCurrency(fmt.Sprintf("lineItems[%d].price.currency", i), item.Price.Currency, version)...)
	}
	for i, item := range body.LineItems {
		if item.Price.Value < 0 {
			problems = append(problems, detail(fmt.Sprintf("lineItems[%d].price.value", i),
				fmt.Sprintf("must not be negative, got %d: a price is an amount of money in minor units; for a discount, lower the prices it applies to", item.Price.Value)))
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
