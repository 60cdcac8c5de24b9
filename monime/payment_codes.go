package monime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/monimekit/monime-go/gen"
)

// PaymentCodesService makes USSD codes a payer dials on any phone, a
// feature phone too, to pay into one of the space's accounts. Reach it as
// Client.PaymentCodes.
type PaymentCodesService service

var paymentCodes = resource[paymentCodeJSON, PaymentCode, *paymentCodeJSON]{
	name: "PaymentCodes", what: "payment code", path: "/v1/payment-codes", idPrefix: "pmc-",
	id: func(p *PaymentCode) string { return p.ID },
}

// Create makes a payment code (CreatePaymentCode, POST /v1/payment-codes),
// with one Idempotency-Key for all its attempts, so a retry never makes a
// second code. Give the code's USSDCode to the payer.
func (s *PaymentCodesService) Create(ctx context.Context, params *PaymentCodeCreateParams, opts ...CallOption) (*PaymentCode, error) {
	return paymentCodes.create(ctx, clientOf(s), params, func(server string) (*http.Request, error) {
		p := params
		body := gen.CreatePaymentCodeRequest{Name: p.Name, Enable: p.Enable, Duration: wireDuration(p.Duration),
			Customer: wireCustomer(p.CustomerName), Reference: optional(&p.Reference), AuthorizedPhoneNumber: optional(&p.AuthorizedPhoneNumber),
			RecurrentPaymentTarget: p.RecurrentPaymentTarget.wire(), FinancialAccountId: optional(&p.FinancialAccountID),
			Metadata: sentMetadata(p.Metadata)}
		if p.Mode != "" {
			body.Mode = (*gen.CreatePaymentCodeRequestMode)(&p.Mode)
		}
		if p.Amount != (Money{}) {
			m := wireMoney(p.Amount)
			body.Amount = &m
		}
		if p.AuthorizedProviders != nil {
			body.AuthorizedProviders = convertAll[gen.CreatePaymentCodeRequestAuthorizedProviders](p.AuthorizedProviders)
		}
		return gen.NewCreatePaymentCodeRequest(server, nil, body)
	}, opts)
}

// Get returns the payment code id (GetPaymentCode, GET
// /v1/payment-codes/{id}). An unknown id is an error matching ErrNotFound.
func (s *PaymentCodesService) Get(ctx context.Context, id string, opts ...CallOption) (*PaymentCode, error) {
	return paymentCodes.get(ctx, clientOf(s), id, nil, func(server string) (*http.Request, error) {
		return gen.NewGetPaymentCodeRequest(server, id, nil)
	}, opts)
}

// List returns one page of the space's payment codes, newest first,
// filtered by params, which may be nil (ListPaymentCodes, GET
// /v1/payment-codes). Follow Page.Next, or use All.
func (s *PaymentCodesService) List(ctx context.Context, params *PaymentCodeListParams, opts ...CallOption) (*Page[PaymentCode], error) {
	p := valueOr(params)
	return paymentCodes.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		q := gen.ListPaymentCodesParams{UssdCode: optional(&p.USSDCode), Limit: positive(&p.Limit), After: optional(&p.After)}
		if p.Mode != "" {
			q.Mode = (*gen.PaymentCodeMode)(&p.Mode)
		}
		if p.Status != "" {
			q.Status = (*gen.PaymentCodeStatus)(&p.Status)
		}
		return gen.NewListPaymentCodesRequest(server, &q)
	}, opts)
}

// All iterates over every payment code params selects, newest first,
// fetching pages as the loop needs them; see CheckoutSessionsService.All.
func (s *PaymentCodesService) All(ctx context.Context, params *PaymentCodeListParams, opts ...CallOption) iter.Seq2[*PaymentCode, error] {
	p := valueOr(params)
	return paymentCodes.all(&p.After, func() (*Page[PaymentCode], error) { return s.List(ctx, &p, opts...) })
}

// Update changes a payment code (UpdatePaymentCode, PATCH
// /v1/payment-codes/{id}): what params leaves zero stays as it is. It
// returns the code as it now is, and is retried as PaymentsService.Update
// is.
func (s *PaymentCodesService) Update(ctx context.Context, id string, params *PaymentCodeUpdateParams, opts ...CallOption) (*PaymentCode, error) {
	p := valueOr(params)
	return paymentCodes.update(ctx, clientOf(s), id, &p, func(server string) (*http.Request, error) {
		body := gen.UpdatePaymentCodeRequest{Name: optional(&p.Name), Duration: wireDuration(p.Duration), Enable: p.Enable,
			Customer: wireCustomer(p.CustomerName), Reference: optional(&p.Reference), AuthorizedPhoneNumber: optional(&p.AuthorizedPhoneNumber),
			RecurrentPaymentTarget: p.RecurrentPaymentTarget.wire(), FinancialAccountId: optional(&p.FinancialAccountID),
			Metadata: sentMetadata(p.Metadata)}
		if p.Amount != nil {
			m := wireMoney(*p.Amount)
			body.Amount = &m
		}
		if p.AuthorizedProviders != nil {
			body.AuthorizedProviders = convertAll[gen.UpdatePaymentCodeRequestAuthorizedProviders](p.AuthorizedProviders)
		}
		return gen.NewUpdatePaymentCodeRequest(server, id, nil, body)
	}, opts)
}

// Delete deletes a payment code no one has used yet (DeletePaymentCode,
// DELETE /v1/payment-codes/{id}); one already used is an error matching
// ErrConflict. A 404 after an earlier attempt's answer was lost means that
// attempt deleted it, and Delete returns nil.
func (s *PaymentCodesService) Delete(ctx context.Context, id string, opts ...CallOption) error {
	return paymentCodes.delete(ctx, clientOf(s), id, func(server string) (*http.Request, error) {
		return gen.NewDeletePaymentCodeRequest(server, id, nil)
	}, opts)
}

// PaymentCodeMode says how often a code takes payments.
type PaymentCodeMode string

// The modes Monime documents for payment codes.
const (
	// PaymentCodeOneTime: paid once, then completed (Monime's default).
	PaymentCodeOneTime PaymentCodeMode = "one_time"
	// PaymentCodeRecurrent: paid until its RecurrentPaymentTarget is met or
	// it expires.
	PaymentCodeRecurrent PaymentCodeMode = "recurrent"
)

// PaymentCodeStatus is where a payment code is in its life. Monime may add
// values; treat unknown ones as not final.
type PaymentCodeStatus string

// The statuses Monime documents for payment codes.
const (
	// PaymentCodePending: created, not used yet.
	PaymentCodePending PaymentCodeStatus = "pending"
	// PaymentCodeProcessing: in use.
	PaymentCodeProcessing PaymentCodeStatus = "processing"
	// PaymentCodeCompleted: paid (one_time) or its target met (recurrent).
	PaymentCodeCompleted PaymentCodeStatus = "completed"
	// PaymentCodeExpired: its duration passed.
	PaymentCodeExpired PaymentCodeStatus = "expired"
	// PaymentCodeCancelled: called off.
	PaymentCodeCancelled PaymentCodeStatus = "cancelled"
)

// IsFinal reports whether the status can no longer change: completed,
// expired or cancelled.
func (s PaymentCodeStatus) IsFinal() bool {
	return s == PaymentCodeCompleted || s == PaymentCodeExpired || s == PaymentCodeCancelled
}

// PaymentCode is a USSD code a payer dials to pay into a financial account.
type PaymentCode struct {
	// ID is Monime's id for the code, pmc-...
	ID string `json:"id"`
	// Mode is one_time or recurrent.
	Mode PaymentCodeMode `json:"mode"`
	// Status is pending, processing, completed, expired or cancelled (see
	// IsFinal).
	Status PaymentCodeStatus `json:"status"`
	// Name is shown to the payer.
	Name string `json:"name"`
	// Amount is what each payment must be; nil lets the payer choose.
	Amount *Money `json:"amount,omitempty"`
	// Enable is whether the code takes payments.
	Enable bool `json:"enable"`
	// ExpireTime is when the code stops taking payments.
	ExpireTime time.Time `json:"expireTime"`
	// CustomerName is who the code is for, shown in the USSD prompt. In
	// JSON it is {"customer": {"name": ...}}, as Monime sends it.
	CustomerName string `json:"-"`
	// USSDCode is what the payer dials, such as *715*1*482916#.
	USSDCode string `json:"ussdCode"`
	// Reference is your id for the code.
	Reference string `json:"reference"`
	// AuthorizedProviders are the mobile-money operators it may be paid
	// through (m17, m18); empty for any.
	AuthorizedProviders []string `json:"authorizedProviders"`
	// AuthorizedPhoneNumber is the one number that may pay it; empty for any.
	AuthorizedPhoneNumber string `json:"authorizedPhoneNumber"`
	// RecurrentPaymentTarget is when a recurrent code is complete; nil for none.
	RecurrentPaymentTarget *RecurrentPaymentTarget `json:"recurrentPaymentTarget"`
	// ProcessedPaymentData is the payment just made with the code: set only
	// in a payment_code.processed webhook event.
	ProcessedPaymentData *ProcessedPaymentData `json:"processedPaymentData"`
	// FinancialAccountID is the account payments go to, fac-...; empty for
	// the space's main account.
	FinancialAccountID string `json:"financialAccountId"`
	// CreateTime is when the code was created.
	CreateTime time.Time `json:"createTime"`
	// UpdateTime is when it last changed; zero when Monime did not say.
	UpdateTime time.Time `json:"updateTime"`
	// OwnershipGraph tells which resources own the code, when Monime says.
	OwnershipGraph *OwnershipGraph `json:"ownershipGraph,omitempty"`
	// Metadata are your own key-value pairs.
	Metadata Metadata `json:"metadata"`
}

// RecurrentPaymentTarget is when a recurrent code is complete: after a
// number of payments, or once they reach a total.
type RecurrentPaymentTarget struct {
	// ExpectedPaymentCount is the number of payments; 0 for none.
	ExpectedPaymentCount int `json:"expectedPaymentCount,omitempty"`
	// ExpectedPaymentTotal is the total; nil for none.
	ExpectedPaymentTotal *Money `json:"expectedPaymentTotal,omitempty"`
}

// ProcessedPaymentData is a payment made with a code, as the
// payment_code.processed webhook event carries it.
type ProcessedPaymentData struct {
	// Amount is what was paid.
	Amount Money
	// OrderID and OrderNumber are the order Monime made for the payment.
	OrderID, OrderNumber string
	// PaymentID is the payment (readable with Client.Payments), pay-...
	PaymentID string
	// ProviderID is the operator paid through, such as m17.
	ProviderID string
	// AccountID is the account paid from, such as the payer's number.
	AccountID string
	// ChannelReference is the operator's reference for the payment.
	ChannelReference string
	// FinancialTransactionReference is the reference of the credit of the
	// code's account.
	FinancialTransactionReference string
	// Metadata is what Monime adds.
	Metadata Metadata
}

// PaymentCodeCreateParams is a payment code to make: Name is required.
// Zero fields are not sent, so Monime's defaults apply.
type PaymentCodeCreateParams struct {
	// Name is shown to the payer: 3 to 64 characters.
	Name string
	// Mode is one_time (Monime's default) or recurrent.
	Mode PaymentCodeMode
	// Amount is what each payment must be: positive, SLE (or USD from API
	// release caph.2025-08-23 on). Zero lets the payer choose.
	Amount Money
	// Duration is how long the code takes payments, in whole seconds; 0 for
	// Monime's default, 10 minutes.
	Duration time.Duration
	// Enable says whether the code takes payments at once; nil for Monime's
	// default, true.
	Enable *bool
	// CustomerName is who the code is for (at most 100 characters).
	CustomerName string
	// Reference is your id for the code (at most 64 characters).
	Reference string
	// AuthorizedProviders restricts the operators it may be paid through:
	// 1 to 10 of m17 and m18, each once; nil for any.
	AuthorizedProviders []string
	// AuthorizedPhoneNumber is the one number that may pay it.
	AuthorizedPhoneNumber string
	// RecurrentPaymentTarget is when a recurrent code is complete.
	RecurrentPaymentTarget *RecurrentPaymentTarget
	// FinancialAccountID is the account payments go to, fac-...; empty for
	// the space's main account.
	FinancialAccountID string
	// Metadata are your own key-value pairs (see Metadata for the rules).
	Metadata Metadata
}

// PaymentCodeListParams filters and pages a space's payment codes.
type PaymentCodeListParams struct {
	// USSDCode keeps the code with this dial string.
	USSDCode string
	// Mode keeps codes of this mode.
	Mode PaymentCodeMode
	// Status keeps codes in this status.
	Status PaymentCodeStatus
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// PaymentCodeUpdateParams is what Update changes: zero fields (nil, "", 0)
// are not sent and stay as they are; a non-nil Metadata is sent whole.
type PaymentCodeUpdateParams struct {
	// Name is a new name: 3 to 64 characters.
	Name string
	// Amount is a new amount for each payment.
	Amount *Money
	// Duration is a new duration. Monime does not say from when it counts;
	// the fake counts it from the code's creation.
	Duration time.Duration
	// Enable turns the code on or off.
	Enable *bool
	// CustomerName is a new customer name (at most 100 characters).
	CustomerName string
	// Reference is a new reference (at most 64 characters).
	Reference string
	// AuthorizedProviders replaces the operators it may be paid through.
	AuthorizedProviders []string
	// AuthorizedPhoneNumber is a new number that alone may pay it.
	AuthorizedPhoneNumber string
	// RecurrentPaymentTarget is a new target.
	RecurrentPaymentTarget *RecurrentPaymentTarget
	// FinancialAccountID is a new account for payments, fac-...
	FinancialAccountID string
	// Metadata, when not nil, replaces the code's metadata.
	Metadata Metadata
}

// The limits Monime's document sets on a payment code.
const (
	minCodeNameLen         = 3
	maxCodeNameLen         = 64
	maxCodeReferenceLen    = 64
	maxCustomerNameLen     = 100
	maxAuthorizedProviders = 10
	maxCodeAccountLen      = 64
)

// codeProviders are the operators a code may be restricted to.
var codeProviders = []string{MomoProviderM17, MomoProviderM18}

// Validate checks p against Monime's limits for the default API release.
func (p *PaymentCodeCreateParams) Validate() error {
	return validate("PaymentCodes.Create", p, APIVersion)
}

func (p *PaymentCodeCreateParams) check(ps *problems, apiVersion string) {
	checkCodeName(ps, p.Name, true)
	if p.Mode != "" {
		checkEnum(ps, field("mode"), p.Mode, PaymentCodeOneTime, PaymentCodeRecurrent)
	}
	if p.Amount != (Money{}) {
		checkAmount(ps, "amount", p.Amount, apiVersion)
	}
	checkCodeFields(ps, apiVersion, p.Duration, p.CustomerName, p.Reference, p.AuthorizedProviders, p.AuthorizedPhoneNumber,
		p.RecurrentPaymentTarget, p.FinancialAccountID, p.Metadata)
}

// Validate checks the filters, page size and cursor.
func (p *PaymentCodeListParams) Validate() error { return validate("PaymentCodes.List", p, APIVersion) }

func (p *PaymentCodeListParams) check(ps *problems, _ string) {
	ps.text(field("ussd_code"), p.USSDCode, math.MaxInt, false)
	if p.Mode != "" {
		checkEnum(ps, field("mode"), p.Mode, PaymentCodeOneTime, PaymentCodeRecurrent)
	}
	checkStatus(ps, p.Status, PaymentCodePending, PaymentCodeProcessing, PaymentCodeCompleted, PaymentCodeExpired, PaymentCodeCancelled)
	checkPage(ps, p.Limit, p.After)
}

// Validate checks p against Monime's limits, and that it changes something.
func (p *PaymentCodeUpdateParams) Validate() error {
	return validate("PaymentCodes.Update", p, APIVersion)
}

func (p *PaymentCodeUpdateParams) check(ps *problems, apiVersion string) {
	if p.Name == "" && p.Amount == nil && p.Duration == 0 && p.Enable == nil && p.CustomerName == "" && p.Reference == "" &&
		p.AuthorizedProviders == nil && p.AuthorizedPhoneNumber == "" && p.RecurrentPaymentTarget == nil &&
		p.FinancialAccountID == "" && p.Metadata == nil {
		ps.add(field("params"), "nothing to update; set Name, Amount, Duration, Enable, CustomerName, Reference, "+
			"AuthorizedProviders, AuthorizedPhoneNumber, RecurrentPaymentTarget, FinancialAccountID or Metadata")
	}
	checkCodeName(ps, p.Name, false)
	if p.Amount != nil {
		checkAmount(ps, "amount", *p.Amount, apiVersion)
	}
	checkCodeFields(ps, apiVersion, p.Duration, p.CustomerName, p.Reference, p.AuthorizedProviders, p.AuthorizedPhoneNumber,
		p.RecurrentPaymentTarget, p.FinancialAccountID, p.Metadata)
}

// checkCodeName checks a code's name: 3 to 64 characters.
func checkCodeName(ps *problems, name string, required bool) {
	f := field("name")
	if ps.text(f, name, maxCodeNameLen, required) && name != "" && utf8.RuneCountInString(name) < minCodeNameLen {
		ps.add(f, "is %d characters long; want %d to %d", utf8.RuneCountInString(name), minCodeNameLen, maxCodeNameLen)
	}
}

// checkCodeFields checks what a create and an update of a code share.
func checkCodeFields(ps *problems, apiVersion string, d time.Duration, customer, ref string, providers []string, phone string,
	target *RecurrentPaymentTarget, account string, m Metadata) {
	checkDuration(ps, field("duration"), d)
	ps.text(field("customer.name"), customer, maxCustomerNameLen, false)
	ps.text(field("reference"), ref, maxCodeReferenceLen, false)
	checkList(ps, "authorizedProviders", providers, 1, maxAuthorizedProviders, func(f fieldPath, v string) {
		checkEnum(ps, f, v, codeProviders...)
	})
	ps.text(field("authorizedPhoneNumber"), phone, math.MaxInt, false)
	if target != nil {
		if target.ExpectedPaymentCount < 0 {
			ps.add(field("recurrentPaymentTarget.expectedPaymentCount"), "is %d; want at least 1, or 0 for no count", target.ExpectedPaymentCount)
		}
		if target.ExpectedPaymentTotal != nil {
			checkAmount(ps, "recurrentPaymentTarget.expectedPaymentTotal", *target.ExpectedPaymentTotal, apiVersion)
		}
	}
	checkAccountID(ps, field("financialAccountId"), account, maxCodeAccountLen, false)
	validateMetadata(ps, m)
}

// checkEnum checks a value is one of valid.
func checkEnum[S ~string](ps *problems, f fieldPath, v S, valid ...S) {
	if !slices.Contains(valid, v) {
		names := make([]string, len(valid))
		for i, ok := range valid {
			names[i] = string(ok)
		}
		ps.add(f, "%s; want one of %s", quotedOrRequired(string(v)), strings.Join(names, ", "))
	}
}

// wire is the target as the generated builders take it; nil for nil.
func (t *RecurrentPaymentTarget) wire() *gen.RecurrentPaymentTarget {
	if t == nil {
		return nil
	}
	w := &gen.RecurrentPaymentTarget{ExpectedPaymentCount: positive(&t.ExpectedPaymentCount)}
	if t.ExpectedPaymentTotal != nil {
		m := wireMoney(*t.ExpectedPaymentTotal)
		w.ExpectedPaymentTotal = &m
	}
	return w
}

// wireCustomer is {"name": name}, or nil for no name.
func wireCustomer(name string) *gen.PaymentCodeCustomer {
	if name == "" {
		return nil
	}
	return &gen.PaymentCodeCustomer{Name: &name}
}

// convertAll is list with each item converted to E.
func convertAll[E ~string](list []string) *[]E {
	out := make([]E, len(list))
	for i, v := range list {
		out[i] = E(v)
	}
	return &out
}

type plainPaymentCode PaymentCode // PaymentCode without its JSON methods

// customerJSON is a code's customer as Monime sends it.
type customerJSON struct {
	Name string `json:"name"`
}

// paymentCodeJSON is a payment code as Monime sends it: the customer's
// name nested, every amount strict.
type paymentCodeJSON struct {
	plainPaymentCode
	ID                     string            `json:"id" decode:"strict"`
	Status                 PaymentCodeStatus `json:"status" decode:"strict"`
	Amount                 *moneyJSON        `json:"amount" decode:"strict"`
	Customer               *customerJSON     `json:"customer"`
	RecurrentPaymentTarget *struct {
		ExpectedPaymentCount int        `json:"expectedPaymentCount"`
		ExpectedPaymentTotal *moneyJSON `json:"expectedPaymentTotal" decode:"strict"`
	} `json:"recurrentPaymentTarget"`
	ProcessedPaymentData json.RawMessage `json:"processedPaymentData"`
}

// processedOf reads a code's processedPaymentData: nil when it is absent,
// null, empty or not an object (nothing a reader can act on), else the
// processed payment, whose amount must then be whole: it is money a
// payment moved.
func processedOf(raw json.RawMessage) (*ProcessedPaymentData, error) {
	var members map[string]json.RawMessage
	if len(raw) == 0 || isNull(raw) || json.Unmarshal(raw, &members) != nil || len(members) == 0 {
		return nil, nil
	}
	var d ProcessedPaymentData
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("processedPaymentData: %w", err)
	}
	return &d, nil
}

// public checks the code's id, status and amounts.
func (w *paymentCodeJSON) public() (*PaymentCode, error) {
	switch {
	case w.ID == "":
		return nil, errors.New("the id is missing")
	case w.Status == "":
		return nil, errors.New("the status is missing")
	}
	processed, err := processedOf(w.ProcessedPaymentData)
	if err != nil {
		return nil, err
	}
	p := (*PaymentCode)(&w.plainPaymentCode)
	p.ID, p.Status, p.ProcessedPaymentData = w.ID, w.Status, processed
	p.Amount, p.RecurrentPaymentTarget, p.CustomerName = nil, nil, ""
	if w.Customer != nil {
		p.CustomerName = w.Customer.Name
	}
	if w.Amount != nil {
		m, err := w.Amount.money("the amount")
		if err != nil {
			return nil, err
		}
		p.Amount = &m
	}
	if t := w.RecurrentPaymentTarget; t != nil {
		p.RecurrentPaymentTarget = &RecurrentPaymentTarget{ExpectedPaymentCount: t.ExpectedPaymentCount}
		if t.ExpectedPaymentTotal != nil {
			m, err := t.ExpectedPaymentTotal.money("the recurrent payment target's total")
			if err != nil {
				return nil, err
			}
			p.RecurrentPaymentTarget.ExpectedPaymentTotal = &m
		}
	}
	return p, nil
}

// UnmarshalJSON reads a payment code as Monime sends it, in an API result
// or a webhook's data: the id, status and amounts must be there (the
// amount and target total when present) and have their type; any other
// field that does not fit is left zero.
func (p *PaymentCode) UnmarshalJSON(b []byte) error {
	v, err := readWire[paymentCodeJSON, PaymentCode](b)
	if err != nil {
		return fmt.Errorf("payment code: %w", err)
	}
	*p = *v
	return nil
}

// MarshalJSON writes the code as Monime sends it, so that what it writes
// UnmarshalJSON reads back the same.
func (p PaymentCode) MarshalJSON() ([]byte, error) {
	w := struct {
		plainPaymentCode
		Customer *customerJSON `json:"customer"`
	}{plainPaymentCode: plainPaymentCode(p)}
	if p.CustomerName != "" {
		w.Customer = &customerJSON{p.CustomerName}
	}
	return json.Marshal(w)
}

// processedJSON is a processed payment as Monime sends it: the channel's
// details nested, the amount strict.
type processedJSON struct {
	Amount      moneyJSON `json:"amount" decode:"strict"`
	OrderID     string    `json:"orderId"`
	PaymentID   string    `json:"paymentId"`
	OrderNumber string    `json:"orderNumber"`
	ChannelData struct {
		ProviderID string `json:"providerId"`
		AccountID  string `json:"accountId"`
		Reference  string `json:"reference"`
	} `json:"channelData"`
	FinancialTransactionReference string   `json:"financialTransactionReference"`
	Metadata                      Metadata `json:"metadata"`
}

func (w *processedJSON) public() (*ProcessedPaymentData, error) {
	m, err := w.Amount.money("the processed payment's amount")
	if err != nil {
		return nil, err
	}
	return &ProcessedPaymentData{Amount: m, OrderID: w.OrderID, OrderNumber: w.OrderNumber, PaymentID: w.PaymentID,
		ProviderID: w.ChannelData.ProviderID, AccountID: w.ChannelData.AccountID, ChannelReference: w.ChannelData.Reference,
		FinancialTransactionReference: w.FinancialTransactionReference, Metadata: w.Metadata}, nil
}

// UnmarshalJSON reads a processed payment as Monime sends it: the amount
// must be there and whole; any other field that does not fit is left zero.
func (d *ProcessedPaymentData) UnmarshalJSON(b []byte) error {
	v, err := readWire[processedJSON, ProcessedPaymentData](b)
	if err != nil {
		return err
	}
	*d = *v
	return nil
}

// MarshalJSON writes the payment as Monime sends it, its channel's
// details nested.
func (d ProcessedPaymentData) MarshalJSON() ([]byte, error) {
	w := processedJSON{Amount: moneyJSON{d.Amount.Currency, &d.Amount.Value}, OrderID: d.OrderID, PaymentID: d.PaymentID,
		OrderNumber: d.OrderNumber, FinancialTransactionReference: d.FinancialTransactionReference, Metadata: d.Metadata}
	w.ChannelData.ProviderID, w.ChannelData.AccountID, w.ChannelData.Reference = d.ProviderID, d.AccountID, d.ChannelReference
	return json.Marshal(w)
}
