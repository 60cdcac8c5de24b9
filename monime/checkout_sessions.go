package monime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"

	"github.com/monimekit/monime-go/gen"
)

// CheckoutSessionsService calls the checkout-session operations. Reach it as
// Client.CheckoutSessions.
type CheckoutSessionsService struct{ c *Client }

// CheckoutSessionCreateParams is what a new checkout session is made of.
// Name and at least one line item are required; the rest is optional. The
// client checks every limit before sending (see Validate).
type CheckoutSessionCreateParams struct {
	// Name is shown to the customer, e.g. "Order #1042" (at most 150).
	Name string
	// Description is an optional longer text (at most 1000).
	Description string
	// LineItems are what the customer pays for: 1 to 16 items.
	LineItems []LineItem
	// SuccessURL is where the customer lands after paying (http or https, at most 255).
	SuccessURL string
	// CancelURL is where the customer lands after cancelling.
	CancelURL string
	// CallbackState is opaque to Monime, sent back in callbacks and never
	// shown by reads (at most 255).
	CallbackState string
	// Reference is your id for the order (at most 255).
	Reference string
	// FinancialAccountID is the account to settle into (fac-...); empty
	// means the space's main account.
	FinancialAccountID string
	// PaymentOptions restricts the payment methods offered.
	PaymentOptions *PaymentOptions
	// BrandingOptions styles the hosted page.
	BrandingOptions *BrandingOptions
	// Metadata are your own key-value pairs (see Metadata for the rules).
	Metadata Metadata
}

// CheckoutSessionListParams pages through a space's sessions, newest first.
type CheckoutSessionListParams struct {
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// Page is one page of a list.
type Page[T any] struct {
	// Items on this page.
	Items []T
	// Next is the cursor of the following page, empty on the last page.
	// Pass it as After.
	Next string
}

// HasMore reports whether another page follows.
func (p *Page[T]) HasMore() bool { return p.Next != "" }

// Create creates a checkout session (CreateCheckoutSession,
// POST /v1/checkout-sessions). Send the customer to the result's RedirectURL.
//
// The call carries an Idempotency-Key: yours (WithIdempotencyKey), or one
// chosen for this call. Every retry sends the same key, so at most one
// session is ever created per call; use your order id as the key to make
// that hold across process restarts too.
func (s *CheckoutSessionsService) Create(ctx context.Context, params *CheckoutSessionCreateParams, opts ...CallOption) (*CheckoutSession, error) {
	const op = "CheckoutSessions.Create"
	if err := s.ready(); err != nil {
		return nil, err
	}
	if params == nil {
		return nil, &ValidationError{Op: op, Problems: []FieldError{{Field: "params", Problem: "required; pass a *CheckoutSessionCreateParams"}}}
	}
	if err := params.Validate(); err != nil {
		return nil, err
	}
	ctx, st, err := s.c.newCall(ctx, http.MethodPost, "/v1/checkout-sessions", "", opts)
	if err != nil {
		return nil, err
	}
	hp := gen.CreateCheckoutSessionParams{
		IdempotencyKey: st.ensureIdempotencyKey(),
		MonimeSpaceId:  st.spaceID,
		MonimeVersion:  (*gen.MonimeVersion)(&st.apiVersion),
	}
	// The generated request type, encoded as encoding/json would but
	// without reflection (see wire.go), then the generated builder.
	w := params.toWire()
	body := appendCreateBody(make([]byte, 0, createBodySize(&w)), &w)
	resp, err := s.c.gen.CreateCheckoutSessionWithBody(ctx, &hp, "application/json", bytes.NewReader(body))
	return sessionResult(s.c, st, resp, err)
}

// Get returns the checkout session id (GetCheckoutSession,
// GET /v1/checkout-sessions/{id}). An unknown id is an error matching ErrNotFound.
func (s *CheckoutSessionsService) Get(ctx context.Context, id string, opts ...CallOption) (*CheckoutSession, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	if err := checkID("CheckoutSessions.Get", id); err != nil {
		return nil, err
	}
	ctx, st, err := s.c.newCall(ctx, http.MethodGet, "/v1/checkout-sessions/", id, opts)
	if err != nil {
		return nil, err
	}
	hp := gen.GetCheckoutSessionParams{MonimeSpaceId: st.spaceID, MonimeVersion: (*gen.MonimeVersion)(&st.apiVersion)}
	resp, err := s.c.gen.GetCheckoutSession(ctx, id, &hp)
	return sessionResult(s.c, st, resp, err)
}

// List returns one page of the space's checkout sessions, newest first
// (ListCheckoutSessions, GET /v1/checkout-sessions). params may be nil.
// Follow Page.Next, or use All.
func (s *CheckoutSessionsService) List(ctx context.Context, params *CheckoutSessionListParams, opts ...CallOption) (*Page[CheckoutSession], error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	var p CheckoutSessionListParams
	if params != nil {
		p = *params
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ctx, st, err := s.c.newCall(ctx, http.MethodGet, "/v1/checkout-sessions", "", opts)
	if err != nil {
		return nil, err
	}
	hp := gen.ListCheckoutSessionsParams{MonimeSpaceId: st.spaceID, MonimeVersion: (*gen.MonimeVersion)(&st.apiVersion)}
	if p.Limit != 0 {
		hp.Limit = &p.Limit
	}
	if p.After != "" {
		hp.After = &p.After
	}
	resp, err := s.c.gen.ListCheckoutSessions(ctx, &hp)
	env, err := finish[[]CheckoutSession](s.c, st, resp, err)
	if err != nil {
		return nil, err
	}
	page := &Page[CheckoutSession]{Items: env.Result}
	if env.Pagination != nil && env.Pagination.Next != nil {
		page.Next = *env.Pagination.Next
	}
	return page, nil
}

// All iterates over every checkout session of the space, newest first,
// fetching pages lazily as the loop needs them (params.Limit sets the page
// size; params.After where to start). On an error it yields (nil, err) once
// and stops; breaking out of the loop stops fetching. params is not modified.
//
//	for s, err := range c.CheckoutSessions.All(ctx, nil) {
//		if err != nil { return err }
//		fmt.Println(s.ID, s.Status)
//	}
func (s *CheckoutSessionsService) All(ctx context.Context, params *CheckoutSessionListParams, opts ...CallOption) iter.Seq2[*CheckoutSession, error] {
	var p CheckoutSessionListParams
	if params != nil {
		p = *params
	}
	return func(yield func(*CheckoutSession, error) bool) {
		seen := map[string]bool{p.After: true}
		for {
			page, err := s.List(ctx, &p, opts...)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page.Items {
				if !yield(&page.Items[i], nil) {
					return
				}
			}
			if page.Next == "" {
				return
			}
			if seen[page.Next] {
				yield(nil, fmt.Errorf("monime: CheckoutSessions.All: Monime returned the cursor %q twice; stopping rather than fetching a page again", truncate(page.Next, 40)))
				return
			}
			seen[page.Next] = true
			p.After = page.Next
		}
	}
}

// Delete deletes a checkout session the customer has not started
// (DeleteCheckoutSession, DELETE /v1/checkout-sessions/{id}). A started or
// finished session is an error matching ErrConflict; an unknown id one
// matching ErrNotFound. When a retry answers 404 after an earlier attempt's
// answer was lost (a failed connection, a cut-off answer, a timeout, or a
// 500, 502 or 504 — not a 503 or 429, which say nothing was done), that
// earlier attempt deleted the session and Delete returns nil.
func (s *CheckoutSessionsService) Delete(ctx context.Context, id string, opts ...CallOption) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := checkID("CheckoutSessions.Delete", id); err != nil {
		return err
	}
	ctx, st, err := s.c.newCall(ctx, http.MethodDelete, "/v1/checkout-sessions/", id, opts)
	if err != nil {
		return err
	}
	hp := gen.DeleteCheckoutSessionParams{MonimeSpaceId: st.spaceID, MonimeVersion: (*gen.MonimeVersion)(&st.apiVersion)}
	resp, err := s.c.gen.DeleteCheckoutSession(ctx, id, &hp)
	_, err = finish[json.RawMessage](s.c, st, resp, err) // whatever result a delete carries, it is not needed
	var apiErr *Error
	switch {
	case err == nil:
		return nil
	case st.uncertain && errors.Is(err, ErrNotFound):
		return nil
	case errors.As(err, &apiErr) && apiErr.undecodable && apiErr.StatusCode >= 200 && apiErr.StatusCode <= 299:
		// A 2xx that is not a Monime envelope (no body at all, as in a 204,
		// or a proxy's "OK" page) still says the delete was done; only
		// success:false undoes that.
		return nil
	}
	return err
}

// ready refuses a service that did not come from NewClient (a zero Client
// or CheckoutSessionsService), which has no credentials to send.
func (s *CheckoutSessionsService) ready() error {
	if s == nil || s.c == nil || s.c.gen == nil {
		return errors.New("monime: CheckoutSessions used on a Client not made by NewClient; create the client with monime.NewClient(token, spaceID)")
	}
	return nil
}

func sessionResult(c *Client, st *callState, resp *http.Response, err error) (*CheckoutSession, error) {
	env, err := finish[CheckoutSession](c, st, resp, err)
	if err != nil {
		return nil, err
	}
	if env.Result.ID == "" {
		e := st.newError(resp, nil, "the response carries no checkout session (result.id is missing)")
		return nil, e
	}
	return &env.Result, nil
}

// toWire maps validated params onto the generated request body. The body
// points into p (no copies): it is encoded before Create returns and p is
// never written.
func (p *CheckoutSessionCreateParams) toWire() gen.CreateCheckoutSessionRequest {
	body := gen.CreateCheckoutSessionRequest{
		Name:               p.Name,
		Description:        optional(&p.Description),
		SuccessUrl:         optional(&p.SuccessURL),
		CancelUrl:          optional(&p.CancelURL),
		CallbackState:      optional(&p.CallbackState),
		Reference:          optional(&p.Reference),
		FinancialAccountId: optional(&p.FinancialAccountID),
		LineItems:          make([]gen.LineItemInput, len(p.LineItems)),
	}
	for i := range p.LineItems {
		li := &p.LineItems[i]
		w := gen.LineItemInput{
			Name:        li.Name,
			Price:       gen.Money{Currency: gen.Currency(li.Price.Currency), Value: li.Price.Value},
			Reference:   optional(&li.Reference),
			Description: optional(&li.Description),
		}
		if li.Quantity != 0 {
			w.Quantity = &li.Quantity
		}
		if li.Type != "" {
			w.Type = (*gen.LineItemType)(&li.Type)
		}
		if len(li.Images) > 0 {
			w.Images = &li.Images
		}
		body.LineItems[i] = w
	}
	if len(p.Metadata) > 0 {
		body.Metadata = (*gen.Metadata)(&p.Metadata)
	}
	if b := p.BrandingOptions; b != nil && b.PrimaryColor != "" {
		body.BrandingOptions = &gen.BrandingOptions{PrimaryColor: &b.PrimaryColor}
	}
	if po := p.PaymentOptions; po != nil {
		w := &gen.PaymentOptions{}
		if po.Card != nil {
			w.Card = &gen.CardOptions{Disable: &po.Card.Disable}
		}
		if po.Bank != nil {
			w.Bank = &gen.BankOptions{Disable: &po.Bank.Disable,
				EnabledProviders: providers[gen.BankProvider](po.Bank.EnabledProviders), DisabledProviders: providers[gen.BankProvider](po.Bank.DisabledProviders)}
		}
		if po.Momo != nil {
			w.Momo = &gen.MomoOptions{Disable: &po.Momo.Disable,
				EnabledProviders: providers[gen.MomoProvider](po.Momo.EnabledProviders), DisabledProviders: providers[gen.MomoProvider](po.Momo.DisabledProviders)}
		}
		if po.Wallet != nil {
			w.Wallet = &gen.WalletOptions{Disable: &po.Wallet.Disable,
				EnabledProviders: providers[gen.WalletProvider](po.Wallet.EnabledProviders), DisabledProviders: providers[gen.WalletProvider](po.Wallet.DisabledProviders)}
		}
		body.PaymentOptions = w
	}
	return body
}

// optional is nil for an empty string, so it is left out of the JSON.
func optional(s *string) *string {
	if *s == "" {
		return nil
	}
	return s
}

func providers[T ~string](ids []string) *[]T {
	if len(ids) == 0 {
		return nil
	}
	out := make([]T, len(ids))
	for i, id := range ids {
		out[i] = T(id)
	}
	return &out
}
