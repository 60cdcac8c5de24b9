package monime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// FinancialAccountsService calls the financial-account operations. Reach it
// as Client.FinancialAccounts.
type FinancialAccountsService service

var accounts = resource[accountJSON, FinancialAccount, *accountJSON]{
	name: "FinancialAccounts", what: "financial account", path: "/v1/financial-accounts", idPrefix: "fac-",
	id: func(a *FinancialAccount) string { return a.ID },
}

// Create creates a financial account (CreateFinancialAccount, POST
// /v1/financial-accounts), with one Idempotency-Key for all its attempts.
func (s *FinancialAccountsService) Create(ctx context.Context, params *FinancialAccountCreateParams, opts ...CallOption) (*FinancialAccount, error) {
	return accounts.create(ctx, clientOf(s), params, func(server string) (*http.Request, error) {
		return gen.NewCreateFinancialAccountRequest(server, nil, gen.CreateFinancialAccountRequest{
			Name: params.Name, Currency: gen.Currency(params.Currency), Reference: optional(&params.Reference),
			Description: optional(&params.Description), Metadata: sentMetadata(params.Metadata)})
	}, opts)
}

// Get returns the financial account id (GetFinancialAccount,
// GET /v1/financial-accounts/{id}); params may be nil. An unknown id is an
// error matching ErrNotFound.
func (s *FinancialAccountsService) Get(ctx context.Context, id string, params *FinancialAccountGetParams, opts ...CallOption) (*FinancialAccount, error) {
	p := valueOr(params)
	return accounts.get(ctx, clientOf(s), id, &p, func(server string) (*http.Request, error) {
		return gen.NewGetFinancialAccountRequest(server, id, &gen.GetFinancialAccountParams{WithBalance: ifTrue(&p.WithBalance)})
	}, opts)
}

// List returns one page of the space's financial accounts
// (ListFinancialAccounts, GET /v1/financial-accounts), filtered by params,
// which may be nil. Follow Page.Next, or use All.
func (s *FinancialAccountsService) List(ctx context.Context, params *FinancialAccountListParams, opts ...CallOption) (*Page[FinancialAccount], error) {
	p := valueOr(params)
	return accounts.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		return gen.NewListFinancialAccountsRequest(server, &gen.ListFinancialAccountsParams{Uvan: optional(&p.UVAN),
			Reference: optional(&p.Reference), WithBalance: ifTrue(&p.WithBalance), Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
}

// All iterates over every account params selects, fetching pages as the
// loop needs them; see CheckoutSessionsService.All.
func (s *FinancialAccountsService) All(ctx context.Context, params *FinancialAccountListParams, opts ...CallOption) iter.Seq2[*FinancialAccount, error] {
	p := valueOr(params)
	return accounts.all(&p.After, func() (*Page[FinancialAccount], error) { return s.List(ctx, &p, opts...) })
}

// Update changes an account's name, reference, description and metadata
// (UpdateFinancialAccount, PATCH /v1/financial-accounts/{id}) and returns
// the account as it now is. It is retried as PaymentsService.Update is.
func (s *FinancialAccountsService) Update(ctx context.Context, id string, params *FinancialAccountUpdateParams, opts ...CallOption) (*FinancialAccount, error) {
	p := valueOr(params)
	return accounts.update(ctx, clientOf(s), id, &p, func(server string) (*http.Request, error) {
		return gen.NewUpdateFinancialAccountRequest(server, id, nil, gen.UpdateFinancialAccountRequest{Name: optional(&p.Name),
			Reference: optional(&p.Reference), Description: optional(&p.Description), Metadata: sentMetadata(p.Metadata)})
	}, opts)
}

// FinancialAccount holds money of one currency in a space: checkout
// payments settle into it; payouts and transfers draw on it.
type FinancialAccount struct {
	// ID is Monime's id for the account, fac-...
	ID string `json:"id"`
	// UVAN is the Universal Virtual Account Number, an alias for paying in.
	UVAN string `json:"uvan"`
	// Name labels the account, e.g. "Payroll".
	Name string `json:"name"`
	// Currency is the account's one currency.
	Currency Currency `json:"currency"`
	// Reference is your id for the account, unique in the space.
	Reference string `json:"reference,omitempty"`
	// Description says what the account is for.
	Description string `json:"description,omitempty"`
	// Balance is the available balance; nil unless the call asked for it
	// (WithBalance). In JSON it is {"available": {...}}, as Monime sends it.
	Balance *Money `json:"-"`
	// CreateTime is when the account was created.
	CreateTime time.Time `json:"createTime"`
	// UpdateTime is when it last changed; zero when Monime did not say.
	UpdateTime time.Time `json:"updateTime"`
	// Metadata are your own key-value pairs.
	Metadata Metadata `json:"metadata,omitempty"`
}

// FinancialAccountCreateParams is what a new account is made of: Name and
// Currency are required.
type FinancialAccountCreateParams struct {
	// Name labels the account (at most 100 characters).
	Name string
	// Currency is SLE, or USD from API release caph.2025-08-23 on.
	Currency Currency
	// Reference is your id for the account, unique in the space (at most 64).
	Reference string
	// Description says what the account is for (at most 150).
	Description string
	// Metadata are your own key-value pairs (see Metadata for the rules).
	Metadata Metadata
}

// FinancialAccountGetParams asks for more than the account itself.
type FinancialAccountGetParams struct {
	// WithBalance asks for the account's available balance.
	WithBalance bool
}

// FinancialAccountListParams filters and pages a space's accounts.
type FinancialAccountListParams struct {
	// UVAN keeps the account with this number (at most 16 characters).
	UVAN string
	// Reference keeps the account with this reference (at most 64).
	Reference string
	// WithBalance asks for each account's available balance.
	WithBalance bool
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// FinancialAccountUpdateParams is what Update changes. An empty string and
// a nil Metadata are not sent, so they stay as they are; a non-nil
// Metadata is sent whole.
type FinancialAccountUpdateParams struct {
	// Name is a new label (at most 100 characters).
	Name string
	// Reference is a new reference, unique in the space (at most 64).
	Reference string
	// Description is a new description (at most 150).
	Description string
	// Metadata, when not nil, replaces the account's metadata.
	Metadata Metadata
}

// The limits Monime's document sets on a financial account.
const (
	maxAccountNameLen      = 100
	maxAccountReferenceLen = 64
	maxAccountDescLen      = 150
	maxUVANLen             = 16
)

// Validate checks p against Monime's limits for the default API release.
func (p *FinancialAccountCreateParams) Validate() error {
	return validate("FinancialAccounts.Create", p, APIVersion)
}

func (p *FinancialAccountCreateParams) check(ps *problems, apiVersion string) {
	ps.text(field("name"), p.Name, maxAccountNameLen, true)
	checkCurrency(ps, field("currency"), p.Currency, apiVersion)
	ps.text(field("reference"), p.Reference, maxAccountReferenceLen, false)
	ps.text(field("description"), p.Description, maxAccountDescLen, false)
	validateMetadata(ps, p.Metadata)
}

func (p *FinancialAccountGetParams) check(*problems, string) {}

// Validate checks the filters, page size and cursor.
func (p *FinancialAccountListParams) Validate() error {
	return validate("FinancialAccounts.List", p, APIVersion)
}

func (p *FinancialAccountListParams) check(ps *problems, _ string) {
	ps.text(field("uvan"), p.UVAN, maxUVANLen, false)
	ps.text(field("reference"), p.Reference, maxAccountReferenceLen, false)
	checkPage(ps, p.Limit, p.After)
}

// Validate checks p against Monime's limits, and that it changes something.
func (p *FinancialAccountUpdateParams) Validate() error {
	return validate("FinancialAccounts.Update", p, APIVersion)
}

func (p *FinancialAccountUpdateParams) check(ps *problems, _ string) {
	if p.Name == "" && p.Reference == "" && p.Description == "" && p.Metadata == nil {
		ps.add(field("params"), "nothing to update; set Name, Reference, Description or Metadata")
	}
	ps.text(field("name"), p.Name, maxAccountNameLen, false)
	ps.text(field("reference"), p.Reference, maxAccountReferenceLen, false)
	ps.text(field("description"), p.Description, maxAccountDescLen, false)
	validateMetadata(ps, p.Metadata)
}

// checkAccountID checks a field that names a financial account: its id
// starts as every account id does, and has at most max characters.
func checkAccountID(ps *problems, f fieldPath, id string, max int, required bool) {
	if ps.text(f, id, max, required) && id != "" && !strings.HasPrefix(id, accounts.idPrefix) {
		ps.add(f, "%q is not a financial account id, which starts with %s", excerpt([]byte(id), 40), accounts.idPrefix)
	}
}

type plainAccount FinancialAccount // FinancialAccount without its JSON methods

// accountJSON is a financial account as Monime sends it: the balance, when
// there is one, wrapped as {"available": Money}.
type accountJSON struct {
	plainAccount
	ID      string `json:"id" decode:"strict"`
	Balance *struct {
		Available moneyJSON `json:"available" decode:"strict"`
	} `json:"balance" decode:"strict"`
}

// UnmarshalJSON reads an account as Monime sends it: the id, and a balance
// if any, must have their type; any other odd field is left zero.
func (a *FinancialAccount) UnmarshalJSON(b []byte) error {
	v, err := readWire[accountJSON, FinancialAccount](b)
	if err != nil {
		return fmt.Errorf("financial account: %w", err)
	}
	*a = *v
	return nil
}

// MarshalJSON writes the account as Monime sends it, so that what it
// writes UnmarshalJSON reads back the same.
func (a FinancialAccount) MarshalJSON() ([]byte, error) {
	w := struct {
		plainAccount
		Balance map[string]*Money `json:"balance,omitempty"`
	}{plainAccount: plainAccount(a)}
	if a.Balance != nil {
		w.Balance = map[string]*Money{"available": a.Balance}
	}
	return json.Marshal(w)
}

// public checks the id and, when there is a balance, its amount.
func (w *accountJSON) public() (*FinancialAccount, error) {
	if w.ID == "" {
		return nil, errors.New("the id is missing")
	}
	a := (*FinancialAccount)(&w.plainAccount)
	a.ID, a.Balance = w.ID, nil
	if w.Balance != nil {
		m, err := w.Balance.Available.money("the available balance")
		if err != nil {
			return nil, err
		}
		a.Balance = &m
	}
	return a, nil
}
