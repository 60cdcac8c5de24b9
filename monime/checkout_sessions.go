package monime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/bits"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// CheckoutSessionsService calls the checkout-session operations. Reach it as
// Client.CheckoutSessions.
type CheckoutSessionsService service

var sessions = resource[sessionJSON, CheckoutSession, *sessionJSON]{
	name: "CheckoutSessions", what: "checkout session", path: "/v1/checkout-sessions",
	id: func(s *CheckoutSession) string { return s.ID },
}

// Create creates a checkout session (CreateCheckoutSession,
// POST /v1/checkout-sessions). Send the customer to the result's RedirectURL.
//
// The call carries an Idempotency-Key: yours (WithIdempotencyKey), or one
// chosen for this call. Every retry sends the same key, so at most one
// session is ever created per call; use your order id as the key to make
// that hold across process restarts too.
func (s *CheckoutSessionsService) Create(ctx context.Context, params *CheckoutSessionCreateParams, opts ...CallOption) (*CheckoutSession, error) {
	return sessions.create(ctx, clientOf(s), params, func(server string) (*http.Request, error) {
		return gen.NewCreateCheckoutSessionRequest(server, nil, params.toWire())
	}, opts)
}

// Get returns the checkout session id (GetCheckoutSession,
// GET /v1/checkout-sessions/{id}). An unknown id is an error matching ErrNotFound.
func (s *CheckoutSessionsService) Get(ctx context.Context, id string, opts ...CallOption) (*CheckoutSession, error) {
	return sessions.get(ctx, clientOf(s), id, nil, func(server string) (*http.Request, error) {
		return gen.NewGetCheckoutSessionRequest(server, id, nil)
	}, opts)
}

// List returns one page of the space's checkout sessions, newest first
// (ListCheckoutSessions, GET /v1/checkout-sessions). params may be nil.
// Follow Page.Next, or use All.
func (s *CheckoutSessionsService) List(ctx context.Context, params *CheckoutSessionListParams, opts ...CallOption) (*Page[CheckoutSession], error) {
	p := valueOr(params)
	return sessions.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		return gen.NewListCheckoutSessionsRequest(server, &gen.ListCheckoutSessionsParams{Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
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
	p := valueOr(params)
	return sessions.all(&p.After, func() (*Page[CheckoutSession], error) { return s.List(ctx, &p, opts...) })
}

// Delete deletes a checkout session the customer has not started
// (DeleteCheckoutSession, DELETE /v1/checkout-sessions/{id}). A started or
// finished session is an error matching ErrConflict; an unknown id one
// matching ErrNotFound. When a retry answers 404 after an earlier attempt's
// answer was lost (a failed connection, a cut-off answer, a timeout, or a
// 408, 500, 502 or 504 — not a 503 or 429, which say nothing was done), that
// earlier attempt deleted the session and Delete returns nil.
func (s *CheckoutSessionsService) Delete(ctx context.Context, id string, opts ...CallOption) error {
	return sessions.delete(ctx, clientOf(s), id, func(server string) (*http.Request, error) {
		return gen.NewDeleteCheckoutSessionRequest(server, id, nil)
	}, opts)
}

// CheckoutSession is a Monime-hosted payment page for a set of line items.
// Send the customer to RedirectURL; the outcome shows in Status.
type CheckoutSession struct {
	// ID is Monime's id for the session, scs-...
	ID string `json:"id"`
	// Name is shown to the customer.
	Name string `json:"name"`
	// Status is pending, completed, cancelled or expired (see IsFinal).
	Status CheckoutSessionStatus `json:"status"`
	// OrderNumber is set once the customer paid; it ties the session to
	// its payment.
	OrderNumber string `json:"orderNumber,omitempty"`
	// Reference is your id for the order, as sent at creation.
	Reference string `json:"reference,omitempty"`
	// Description is the longer text sent at creation.
	Description string `json:"description,omitempty"`
	// RedirectURL is the hosted checkout page: send the customer there.
	RedirectURL string `json:"redirectUrl"`
	// CancelURL is where the customer lands after cancelling.
	CancelURL string `json:"cancelUrl,omitempty"`
	// SuccessURL is where the customer lands after paying. Landing there
	// proves nothing: confirm by webhook or Get.
	SuccessURL string `json:"successUrl,omitempty"`
	// LineItems are what the customer pays for.
	LineItems LineItems `json:"lineItems"`
	// FinancialAccountID is the account the money settles into.
	FinancialAccountID string `json:"financialAccountId,omitempty"`
	// BrandingOptions style the hosted page.
	BrandingOptions *BrandingOptions `json:"brandingOptions,omitempty"`
	// ExpireTime is when a pending session expires; zero when Monime did
	// not say (see ExpiresAt), which must not be read as long past.
	ExpireTime time.Time `json:"expireTime"`
	// CreateTime is when the session was created.
	CreateTime time.Time `json:"createTime"`
	// OwnershipGraph tells which resources own the session.
	OwnershipGraph *OwnershipGraph `json:"ownershipGraph,omitempty"`
	// Metadata are your own key-value pairs, as sent at creation.
	Metadata Metadata `json:"metadata,omitempty"`
}

// ExpiresAt returns when the session expires, and false when that is
// unknown (Monime sent no readable expireTime).
func (s *CheckoutSession) ExpiresAt() (time.Time, bool) {
	return s.ExpireTime, !s.ExpireTime.IsZero()
}

// Totals sums the session's line items per currency (price times quantity,
// a quantity of 0 counting as 1). It fails, rather than report a wrong
// amount, when a sum does not fit in an int64 or a line is negative, which
// only a broken or hostile answer can cause.
func (s *CheckoutSession) Totals() (map[Currency]int64, error) {
	out := make(map[Currency]int64)
	for i, li := range s.LineItems {
		q := int64(max(li.Quantity, 1))
		hi, line := bits.Mul64(uint64(li.Price.Value), uint64(q))
		sum := out[li.Price.Currency] + int64(line)
		if li.Price.Value < 0 || li.Quantity < 0 || hi != 0 || line > math.MaxInt64 || sum < out[li.Price.Currency] {
			return nil, fmt.Errorf("monime: session %s: line item %d (%d x %d %s) makes the total overflow or go negative", s.ID, i, q, li.Price.Value, li.Price.Currency)
		}
		out[li.Price.Currency] = sum
	}
	return out, nil
}

// CheckoutSessionStatus is where a checkout session is in its life. Monime may
// add values; compare with the constants and treat unknown ones as not final.
type CheckoutSessionStatus string

// The statuses Monime documents for checkout sessions.
const (
	// CheckoutSessionStatusPending: waiting for the customer to pay.
	CheckoutSessionStatusPending CheckoutSessionStatus = "pending"
	// CheckoutSessionStatusCompleted: the customer paid; OrderNumber is set.
	CheckoutSessionStatusCompleted CheckoutSessionStatus = "completed"
	// CheckoutSessionStatusCancelled: the customer cancelled on the hosted page.
	CheckoutSessionStatusCancelled CheckoutSessionStatus = "cancelled"
	// CheckoutSessionStatusExpired: the session timed out unpaid.
	CheckoutSessionStatusExpired CheckoutSessionStatus = "expired"
)

// IsFinal reports whether the status can no longer change: completed,
// cancelled or expired.
func (s CheckoutSessionStatus) IsFinal() bool {
	switch s {
	case CheckoutSessionStatusCompleted, CheckoutSessionStatusCancelled, CheckoutSessionStatusExpired:
		return true
	}
	return false
}

// LineItemTypeCustom is the only line-item type Monime has: one you describe yourself.
const LineItemTypeCustom = "custom"

// LineItem is one line of a checkout session. On create, leave ID empty and
// Type empty (meaning "custom"); Quantity 0 means 1.
type LineItem struct {
	// ID is assigned by Monime and read-only.
	ID string `json:"id,omitempty"`
	// Type is LineItemTypeCustom (empty means the same).
	Type string `json:"type,omitempty"`
	// Name is shown to the customer (at most 100 characters).
	Name string `json:"name"`
	// Price is the unit price.
	Price Money `json:"price"`
	// Quantity is 1 to 100000; 0 means 1.
	Quantity int `json:"quantity,omitempty"`
	// Reference is your id for the line, unique within the session (at most
	// 100); Monime generates one when you leave it empty.
	Reference string `json:"reference,omitempty"`
	// Description is an optional line of text (at most 100).
	Description string `json:"description,omitempty"`
	// Images are up to 3 distinct image URLs.
	Images []string `json:"images,omitempty"`
}

// LineItems is a session's list of line items. On the wire Monime wraps it in
// an object, {"data": [...]}, which CheckoutSession reads and writes.
type LineItems []LineItem

// MarshalJSON writes the wire form, {"data": [...]}.
func (l LineItems) MarshalJSON() ([]byte, error) {
	items := []LineItem(l)
	if items == nil {
		items = []LineItem{}
	}
	return json.Marshal(struct {
		Data []LineItem `json:"data"`
	}{items})
}

// BrandingOptions changes the look of the hosted checkout page.
type BrandingOptions struct {
	// PrimaryColor is a hex colour such as "#0A7CFF".
	PrimaryColor string `json:"primaryColor,omitempty"`
}

// PaymentOptions chooses which payment methods the hosted page offers. A nil
// field leaves that method as Monime configures it for the space.
type PaymentOptions struct {
	// Card configures card payments.
	Card *CardOptions `json:"card,omitempty"`
	// Bank configures bank payments (providers BankProviderSLB001...).
	Bank *MethodOptions `json:"bank,omitempty"`
	// Momo configures mobile money (providers MomoProviderM17, MomoProviderM18).
	Momo *MethodOptions `json:"momo,omitempty"`
	// Wallet configures digital wallets (provider WalletProviderDW001).
	Wallet *MethodOptions `json:"wallet,omitempty"`
}

// CardOptions configures card payments.
type CardOptions struct {
	// Disable hides card payments.
	Disable bool `json:"disable,omitempty"`
}

// MethodOptions configures a provider-based payment method (bank, mobile
// money or wallet). When both lists are given Monime uses EnabledProviders.
type MethodOptions struct {
	// Disable hides the whole method.
	Disable bool `json:"disable,omitempty"`
	// EnabledProviders, when set, lists the only providers offered.
	EnabledProviders []string `json:"enabledProviders,omitempty"`
	// DisabledProviders lists providers to hide.
	DisabledProviders []string `json:"disabledProviders,omitempty"`
}

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

// The limits Monime's document sets on a new checkout session.
const (
	maxNameLen          = 150
	maxDescriptionLen   = 1000
	maxURLLen           = 255
	maxCallbackStateLen = 255
	maxReferenceLen     = 255
	maxFinancialAcctLen = 100
	minLineItems        = 1
	maxLineItems        = 16
	maxItemNameLen      = 100
	maxItemReferenceLen = 100
	maxItemDescLen      = 100
	minQuantity         = 1
	maxQuantity         = 100000
	maxImages           = 3
	maxPrimaryColorLen  = 255
)

var validProviders = map[string][]string{
	"bank":   {BankProviderSLB001, BankProviderSLB004, BankProviderSLB007},
	"momo":   {MomoProviderM17, MomoProviderM18},
	"wallet": {WalletProviderDW001},
}

// Validate checks p against every limit Monime's document sets on a new
// checkout session, for the default API release (APIVersion), and returns a
// *ValidationError listing all problems, or nil. Create checks the same for
// the release the call is sent with.
func (p *CheckoutSessionCreateParams) Validate() error {
	return validate("CheckoutSessions.Create", p, APIVersion)
}

func (p *CheckoutSessionCreateParams) check(ps *problems, apiVersion string) {
	ps.text(field("name"), p.Name, maxNameLen, true)
	ps.text(field("description"), p.Description, maxDescriptionLen, false)
	ps.uri(field("successUrl"), p.SuccessURL, maxURLLen)
	ps.uri(field("cancelUrl"), p.CancelURL, maxURLLen)
	ps.text(field("callbackState"), p.CallbackState, maxCallbackStateLen, false)
	ps.text(field("reference"), p.Reference, maxReferenceLen, false)
	ps.text(field("financialAccountId"), p.FinancialAccountID, maxFinancialAcctLen, false)
	validateLineItems(ps, p.LineItems, apiVersion)
	if po := p.PaymentOptions; po != nil {
		validateMethod(ps, "bank", po.Bank)
		validateMethod(ps, "momo", po.Momo)
		validateMethod(ps, "wallet", po.Wallet)
	}
	if b := p.BrandingOptions; b != nil {
		ps.text(field("brandingOptions.primaryColor"), b.PrimaryColor, maxPrimaryColorLen, false)
	}
	validateMetadata(ps, p.Metadata)
}

func validateLineItems(ps *problems, items []LineItem, apiVersion string) {
	if n := len(items); n < minLineItems || n > maxLineItems {
		ps.add(field("lineItems"), "has %d items; want %d to %d", n, minLineItems, maxLineItems)
	}
	// Past the limit the list is refused anyway; checking every item of a
	// huge list would only cost time (the uniqueness checks are quadratic).
	items = items[:min(len(items), maxLineItems)]
	for i := range items {
		li := &items[i]
		at := func(rest string) fieldPath { return fieldPath{"lineItems", i, rest} }
		if li.ID != "" {
			ps.add(at(".id"), "is assigned by Monime; leave it empty")
		}
		if li.Type != "" && li.Type != LineItemTypeCustom {
			ps.add(at(".type"), "%q is not a line-item type; want %q or empty", excerpt([]byte(li.Type), 40), LineItemTypeCustom)
		}
		ps.text(at(".name"), li.Name, maxItemNameLen, true)
		checkCurrency(ps, at(".price.currency"), li.Price.Currency, apiVersion)
		if q := li.Quantity; q != 0 && (q < minQuantity || q > maxQuantity) {
			ps.add(at(".quantity"), "is %d; want %d to %d (0 means 1)", q, minQuantity, maxQuantity)
		}
		ps.text(at(".reference"), li.Reference, maxItemReferenceLen, false)
		if li.Reference != "" {
			if j := slices.IndexFunc(items[:i], func(o LineItem) bool { return o.Reference == li.Reference }); j >= 0 {
				ps.add(at(".reference"), "repeats lineItems[%d].reference; references must be unique within a session", j)
			}
		}
		ps.text(at(".description"), li.Description, maxItemDescLen, false)
		if len(li.Images) > maxImages {
			ps.add(at(".images"), "has %d images; at most %d allowed", len(li.Images), maxImages)
		}
		for k, img := range li.Images[:min(len(li.Images), maxImages+1)] {
			f := fieldPath{at(".images").String(), k, ""}
			if img == "" {
				ps.add(f, "is empty; want an image URL")
				continue
			}
			ps.uri(f, img, len(img))
			if j := slices.Index(li.Images[:k], img); j >= 0 {
				ps.add(f, "repeats images[%d]; images must be distinct", j)
			}
		}
	}
}

func validateMethod(ps *problems, method string, o *MethodOptions) {
	if o == nil {
		return
	}
	valid := validProviders[method]
	lists := [2][]string{o.EnabledProviders, o.DisabledProviders}
	for l, name := range [2]string{"enabledProviders", "disabledProviders"} {
		ids := lists[l]
		for i, id := range ids {
			f := fieldPath{"paymentOptions." + method + "." + name, i, ""}
			if !slices.Contains(valid, id) {
				ps.add(f, "%q is not a %s provider; want one of %s", excerpt([]byte(id), 20), method, strings.Join(valid, ", "))
			} else if slices.Contains(ids[:i], id) {
				ps.add(f, "repeats %q; providers must be distinct", id)
			}
		}
	}
}

// Validate checks the page size and cursor.
func (p *CheckoutSessionListParams) Validate() error {
	return validate("CheckoutSessions.List", p, APIVersion)
}

func (p *CheckoutSessionListParams) check(ps *problems, _ string) { checkPage(ps, p.Limit, p.After) }

type plainSession CheckoutSession // CheckoutSession without its UnmarshalJSON

// sessionJSON is a checkout session as Monime sends it.
type sessionJSON struct {
	plainSession
	ID          string                `json:"id" decode:"strict"`
	Status      CheckoutSessionStatus `json:"status" decode:"strict"`
	OrderNumber string                `json:"orderNumber" decode:"strict"`
	LineItems   struct {
		Data []lineItemJSON `json:"data" decode:"strict"`
	} `json:"lineItems" decode:"strict"`
	Metadata map[string]string `json:"metadata"` // else plainSession's, read tolerantly
}

type lineItemJSON struct {
	LineItem
	Price    moneyJSON `json:"price" decode:"strict"`
	Quantity rawView   `json:"quantity"` // absent: 1, Monime's default
}

// quantity reads a line item's quantity: absent, it is 1, as Monime's
// document gives; anything but a whole number of at least 1 is an error,
// never a guess.
func (li *lineItemJSON) quantity() (int, error) {
	if len(li.Quantity) == 0 {
		return 1, nil
	}
	var q int
	if isNull(li.Quantity) || json.Unmarshal(li.Quantity, &q) != nil || q < 1 {
		return 0, fmt.Errorf("the quantity %s is not a whole number of at least 1", excerpt(li.Quantity, 20))
	}
	return q, nil
}

// public checks what a payments engineer acts on: an id, a status, and
// for every line item a quantity and an amount with its currency.
func (w *sessionJSON) public() (*CheckoutSession, error) {
	switch {
	case w.ID == "":
		return nil, errors.New("the id is missing")
	case w.Status == "":
		return nil, errors.New("the status is missing")
	}
	s := (*CheckoutSession)(&w.plainSession) // converted in place, not copied
	s.ID, s.Status, s.OrderNumber = w.ID, w.Status, w.OrderNumber
	if w.Metadata != nil {
		s.Metadata = w.Metadata
	}
	s.LineItems = make(LineItems, len(w.LineItems.Data))
	for i, li := range w.LineItems.Data {
		price, err := li.Price.money(fmt.Sprintf("line item %d: the price", i))
		if err != nil {
			return nil, err
		}
		quantity, err := li.quantity()
		if err != nil {
			return nil, fmt.Errorf("line item %d: %w", i, err)
		}
		s.LineItems[i] = li.LineItem
		s.LineItems[i].Price, s.LineItems[i].Quantity = price, quantity
	}
	return s, nil
}

// UnmarshalJSON reads a checkout session as Monime sends it, in an API
// result or a webhook's data: the id and status must be there, the order
// number and line items must have their type when present (a pending
// session has no order number), and every line item needs an amount with
// its currency and a whole quantity of at least 1 (absent, it is 1); any
// other field that does not fit is left zero (an unreadable expireTime
// reads as unknown, see ExpiresAt).
func (s *CheckoutSession) UnmarshalJSON(b []byte) error {
	v, err := readWire[sessionJSON, CheckoutSession](b)
	if err != nil {
		return fmt.Errorf("checkout session: %w", err)
	}
	*s = *v
	return nil
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
	body.Metadata = sentMetadata(p.Metadata)
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
