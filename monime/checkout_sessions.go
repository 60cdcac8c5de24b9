package monime

import (
	"context"
	"errors"
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
	// SuccessURL is where the customer lands after paying: an absolute URL
	// (an app may use its own scheme), at most 255 characters.
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

const sessionsPath = "/v1/checkout-sessions"

// Create creates a checkout session (CreateCheckoutSession,
// POST /v1/checkout-sessions). Send the customer to the result's RedirectURL.
//
// The call carries an Idempotency-Key: yours (WithIdempotencyKey), or one
// chosen for this call. Every retry sends the same key, so at most one
// session is ever created per call; use your order id as the key to make
// that hold across process restarts too.
func (s *CheckoutSessionsService) Create(ctx context.Context, params *CheckoutSessionCreateParams, opts ...CallOption) (*CheckoutSession, error) {
	cl, err := s.client().newCall(ctx, http.MethodPost, sessionsPath, opts)
	if err != nil {
		return nil, err
	}
	if params == nil {
		return nil, &ValidationError{Op: "CheckoutSessions.Create", Problems: []FieldError{{Field: "params", Problem: "required; pass a *CheckoutSessionCreateParams"}}}
	}
	if err := params.validate(cl.cfg.apiVersion); err != nil {
		return nil, err
	}
	req, err := gen.NewCreateCheckoutSessionRequest(cl.c.server, &gen.CreateCheckoutSessionParams{
		IdempotencyKey: cl.idempotencyKey(),
		MonimeSpaceId:  cl.cfg.spaceID,
		MonimeVersion:  (*gen.MonimeVersion)(&cl.cfg.apiVersion),
	}, params.toWire())
	ans, err := cl.send(ctx, req, err)
	return readOne[sessionJSON, CheckoutSession](cl, ans, err, "checkout session")
}

// Get returns the checkout session id (GetCheckoutSession,
// GET /v1/checkout-sessions/{id}). An unknown id is an error matching ErrNotFound.
func (s *CheckoutSessionsService) Get(ctx context.Context, id string, opts ...CallOption) (*CheckoutSession, error) {
	cl, err := s.client().newCall(ctx, http.MethodGet, sessionsPath+"/"+id, opts)
	if err != nil {
		return nil, err
	}
	if err := checkID("CheckoutSessions.Get", id); err != nil {
		return nil, err
	}
	req, err := gen.NewGetCheckoutSessionRequest(cl.c.server, id, &gen.GetCheckoutSessionParams{
		MonimeSpaceId: cl.cfg.spaceID,
		MonimeVersion: (*gen.MonimeVersion)(&cl.cfg.apiVersion),
	})
	ans, err := cl.send(ctx, req, err)
	return readOne[sessionJSON, CheckoutSession](cl, ans, err, "checkout session")
}

// List returns one page of the space's checkout sessions, newest first
// (ListCheckoutSessions, GET /v1/checkout-sessions). params may be nil.
// Follow Page.Next, or use All.
func (s *CheckoutSessionsService) List(ctx context.Context, params *CheckoutSessionListParams, opts ...CallOption) (*Page[CheckoutSession], error) {
	cl, err := s.client().newCall(ctx, http.MethodGet, sessionsPath, opts)
	if err != nil {
		return nil, err
	}
	var p CheckoutSessionListParams
	if params != nil {
		p = *params
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	hp := gen.ListCheckoutSessionsParams{MonimeSpaceId: cl.cfg.spaceID, MonimeVersion: (*gen.MonimeVersion)(&cl.cfg.apiVersion)}
	if p.Limit != 0 {
		hp.Limit = &p.Limit
	}
	if p.After != "" {
		hp.After = &p.After
	}
	req, err := gen.NewListCheckoutSessionsRequest(cl.c.server, &hp)
	ans, err := cl.send(ctx, req, err)
	return readPage[sessionJSON, CheckoutSession](cl, ans, err, "checkout session", func(s *CheckoutSession) string { return s.ID })
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
	return all("CheckoutSessions.All", p.After, func(after string) (*Page[CheckoutSession], error) {
		p.After = after
		return s.List(ctx, &p, opts...)
	}, func(s *CheckoutSession) string { return s.ID })
}

// Delete deletes a checkout session the customer has not started
// (DeleteCheckoutSession, DELETE /v1/checkout-sessions/{id}). A started or
// finished session is an error matching ErrConflict; an unknown id one
// matching ErrNotFound. When a retry answers 404 after an earlier attempt's
// answer was lost (a failed connection, a cut-off answer, a timeout, or a
// 408, 500, 502 or 504 — not a 503 or 429, which say nothing was done), that
// earlier attempt deleted the session and Delete returns nil.
func (s *CheckoutSessionsService) Delete(ctx context.Context, id string, opts ...CallOption) error {
	cl, err := s.client().newCall(ctx, http.MethodDelete, sessionsPath+"/"+id, opts)
	if err != nil {
		return err
	}
	if err := checkID("CheckoutSessions.Delete", id); err != nil {
		return err
	}
	req, err := gen.NewDeleteCheckoutSessionRequest(cl.c.server, id, &gen.DeleteCheckoutSessionParams{
		MonimeSpaceId: cl.cfg.spaceID,
		MonimeVersion: (*gen.MonimeVersion)(&cl.cfg.apiVersion),
	})
	ans, err := cl.send(ctx, req, err)
	if err == nil {
		_, err = cl.open(ans) // whatever result a delete carries, it is not needed
	}
	var apiErr *Error
	switch {
	case err == nil:
		return nil
	case cl.answerLost && errors.Is(err, ErrNotFound):
		return nil
	case errors.As(err, &apiErr) && apiErr.undecodable && apiErr.StatusCode >= 200 && apiErr.StatusCode <= 299:
		// A 2xx that is not a Monime envelope (no body at all, as in a 204,
		// or a proxy's "OK" page) still says the delete was done; only
		// success:false undoes that.
		return nil
	}
	return err
}

// client is the service's Client; nil for a zero service (newCall refuses it).
func (s *CheckoutSessionsService) client() *Client {
	if s == nil {
		return nil
	}
	return s.c
}

// toWire maps validated params onto the generated request body. The body
// points into p (no copies): the builder encodes it before Create returns,
// and p is never written.
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
