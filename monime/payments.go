package monime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// PaymentsService reads and updates payments: what a customer paid,
// through which channel, and the fees. Reach it as Client.Payments.
type PaymentsService service

var payments = resource[paymentJSON, Payment, *paymentJSON]{
	name: "Payments", what: "payment", path: "/v1/payments",
	id: func(p *Payment) string { return p.ID },
}

// Get returns the payment id (GetPayment, GET /v1/payments/{id}). An
// unknown id is an error matching ErrNotFound.
func (s *PaymentsService) Get(ctx context.Context, id string, opts ...CallOption) (*Payment, error) {
	return payments.get(ctx, clientOf(s), id, nil, func(server string) (*http.Request, error) {
		return gen.NewGetPaymentRequest(server, id, nil)
	}, opts)
}

// List returns one page of the space's payments, newest first, filtered
// by params (ListPayments, GET /v1/payments). params may be nil. Follow
// Page.Next, or use All.
func (s *PaymentsService) List(ctx context.Context, params *PaymentListParams, opts ...CallOption) (*Page[Payment], error) {
	p := valueOr(params)
	return payments.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		return gen.NewListPaymentsRequest(server, &gen.ListPaymentsParams{
			OrderNumber:                   optional(&p.OrderNumber),
			FinancialAccountId:            optional(&p.FinancialAccountID),
			FinancialTransactionReference: optional(&p.FinancialTransactionReference),
			Limit:                         positive(&p.Limit),
			After:                         optional(&p.After),
		})
	}, opts)
}

// All iterates over every payment params selects, newest first, fetching
// pages as the loop needs them; see CheckoutSessionsService.All.
func (s *PaymentsService) All(ctx context.Context, params *PaymentListParams, opts ...CallOption) iter.Seq2[*Payment, error] {
	p := valueOr(params)
	return payments.all(&p.After, func() (*Page[Payment], error) { return s.List(ctx, &p, opts...) })
}

// Update changes a payment's name and metadata (UpdatePayment,
// PATCH /v1/payments/{id}) and returns the payment as it now is.
//
// An update carries no Idempotency-Key (Monime takes none), so it is
// retried only when the failed attempt most likely did nothing: the
// connection was never made, or Monime answered 429 or 503 (which say the
// request was not handled; a proxy that answers 503 after forwarding would
// break that). After any other failure (a timeout, a lost or cut-off
// answer, another 5xx) it is not retried: read the payment with Get before
// sending the update again, as the *RequestError's text says.
func (s *PaymentsService) Update(ctx context.Context, id string, params *PaymentUpdateParams, opts ...CallOption) (*Payment, error) {
	p := valueOr(params)
	return payments.update(ctx, clientOf(s), id, &p, func(server string) (*http.Request, error) {
		return gen.NewUpdatePaymentRequest(server, id, nil, gen.UpdatePaymentRequest{Name: optional(&p.Name), Metadata: sentMetadata(p.Metadata)})
	}, opts)
}

// ForCheckoutSession returns the payments of a completed checkout session:
// those with its order number, newest first (usually one). A session that
// was not paid has no order number, and is an error.
func (s *PaymentsService) ForCheckoutSession(ctx context.Context, session *CheckoutSession, opts ...CallOption) ([]Payment, error) {
	switch {
	case session == nil:
		return nil, errors.New("monime: Payments.ForCheckoutSession: the session is nil; pass one from CheckoutSessions.Get or a webhook")
	case session.OrderNumber == "":
		return nil, fmt.Errorf("monime: Payments.ForCheckoutSession: session %s has no order number (its status is %s): Monime sets one when the customer pays", session.ID, session.Status)
	}
	var out []Payment
	for p, err := range s.All(ctx, &PaymentListParams{OrderNumber: session.OrderNumber, Limit: maxLimit}, opts...) {
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

// PaymentStatus is where a payment is in its life. Monime may add values;
// treat unknown ones as not final.
type PaymentStatus string

// The statuses Monime documents for payments.
const (
	// PaymentStatusPending: created, not yet processed.
	PaymentStatusPending PaymentStatus = "pending"
	// PaymentStatusProcessing: being processed.
	PaymentStatusProcessing PaymentStatus = "processing"
	// PaymentStatusCompleted: paid.
	PaymentStatusCompleted PaymentStatus = "completed"
)

// IsFinal reports whether the status can no longer change: completed.
func (s PaymentStatus) IsFinal() bool { return s == PaymentStatusCompleted }

// PaymentChannelType is how a customer paid.
type PaymentChannelType string

// The channels Monime documents.
const (
	// PaymentChannelBank: from a bank account.
	PaymentChannelBank PaymentChannelType = "bank"
	// PaymentChannelCard: by debit or credit card.
	PaymentChannelCard PaymentChannelType = "card"
	// PaymentChannelMomo: by mobile money.
	PaymentChannelMomo PaymentChannelType = "momo"
	// PaymentChannelWallet: from a digital wallet.
	PaymentChannelWallet PaymentChannelType = "wallet"
)

// PaymentChannel is the channel a payment came through: Type says which,
// and the field of that name holds its details (the others are nil). A
// type Monime adds later has no field of its own.
type PaymentChannel struct {
	// Type is bank, card, momo or wallet, or a kind Monime adds later.
	Type PaymentChannelType
	// Bank holds a bank payment's details (Type bank).
	Bank *BankChannel
	// Card holds a card payment's details (Type card).
	Card *CardChannel
	// Momo holds a mobile-money payment's details (Type momo).
	Momo *MomoChannel
	// Wallet holds a digital-wallet payment's details (Type wallet).
	Wallet *WalletChannel
}

// BankChannel is a payment from a bank account.
type BankChannel struct {
	// Provider is the bank, e.g. BankProviderSLB001.
	Provider string `json:"provider,omitempty"`
	// Reference is the bank's transaction reference.
	Reference string `json:"reference,omitempty"`
	// AccountNumber is the payer's account, usually masked.
	AccountNumber string `json:"accountNumber,omitempty"`
	// Fingerprint is a hash of the account, stable across payments.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Metadata is what Monime attaches for audits.
	Metadata Metadata `json:"metadata,omitempty"`
}

// CardChannel is a payment by card.
type CardChannel struct {
	// Scheme is visa or mastercard.
	Scheme string `json:"scheme,omitempty"`
	// Last4 are the card number's last four digits.
	Last4 string `json:"last4,omitempty"`
	// Fingerprint is a hash of the card number, stable across payments.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Metadata is what Monime attaches for audits.
	Metadata Metadata `json:"metadata,omitempty"`
}

// MomoChannel is a mobile-money payment.
type MomoChannel struct {
	// Provider is the operator, e.g. MomoProviderM17.
	Provider string `json:"provider,omitempty"`
	// Reference is the operator's reference, often shown to the payer.
	Reference string `json:"reference,omitempty"`
	// PhoneNumber is the payer's number, usually masked.
	PhoneNumber string `json:"phoneNumber,omitempty"`
	// Fingerprint is a hash of the number, stable across payments.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Metadata is what Monime attaches for audits.
	Metadata Metadata `json:"metadata,omitempty"`
}

// WalletChannel is a payment from a digital wallet.
type WalletChannel struct {
	// Provider is the wallet, e.g. WalletProviderDW001.
	Provider string `json:"provider,omitempty"`
	// Reference is the wallet's transaction reference.
	Reference string `json:"reference,omitempty"`
	// WalletID is the payer's wallet, usually masked.
	WalletID string `json:"walletId,omitempty"`
	// Fingerprint is a hash of the wallet id, stable across payments.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Metadata is what Monime attaches for audits.
	Metadata Metadata `json:"metadata,omitempty"`
}

// Fee is one fee applied to a payment or a payout.
type Fee struct {
	// Code says what the fee is for, e.g. "processing_fee".
	Code string `json:"code"`
	// Amount is what the fee took.
	Amount Money `json:"amount"`
	// Metadata describes the fee further.
	Metadata Metadata `json:"metadata,omitempty"`
}

// Fees are the fees applied to a payment or a payout.
type Fees []Fee

// Total sums the fees. They must share one currency (an empty list totals
// zero, without a currency); it fails rather than report a wrong amount.
func (f Fees) Total() (Money, error) {
	var t Money
	for i, fee := range f {
		if i == 0 {
			t.Currency = fee.Amount.Currency
		}
		sum := t.Value + fee.Amount.Value
		if fee.Amount.Currency != t.Currency || fee.Amount.Value > 0 && sum < t.Value || fee.Amount.Value < 0 && sum > t.Value {
			return Money{}, fmt.Errorf("monime: fee %d (%s) cannot be added to %s", i, fee.Amount, t)
		}
		t.Value = sum
	}
	return t, nil
}

// MarshalJSON writes the channel as Monime does: one object with its type
// beside its fields.
func (c PaymentChannel) MarshalJSON() ([]byte, error) {
	fields := map[string]any{"type": c.Type}
	var details any
	switch {
	case c.Bank != nil:
		details = c.Bank
	case c.Card != nil:
		details = c.Card
	case c.Momo != nil:
		details = c.Momo
	case c.Wallet != nil:
		details = c.Wallet
	}
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil || json.Unmarshal(b, &fields) != nil {
			return nil, fmt.Errorf("monime: payment channel %s: %v", c.Type, err)
		}
		fields["type"] = c.Type
	}
	return json.Marshal(fields)
}

// Payment is what a customer paid, through which channel, and the fees.
type Payment struct {
	// ID is Monime's id for the payment.
	ID string `json:"id"`
	// Status is pending, processing or completed (see IsFinal).
	Status PaymentStatus `json:"status"`
	// Amount is what the payer paid.
	Amount Money `json:"amount"`
	// Channel is how they paid.
	Channel PaymentChannel `json:"channel"`
	// Fees are what Monime charged for it.
	Fees Fees `json:"fees,omitempty"`
	// Name is an optional label (see Update).
	Name string `json:"name,omitempty"`
	// Reference is an optional reference outside Monime.
	Reference string `json:"reference,omitempty"`
	// OrderNumber is that of the checkout session the payment paid for.
	OrderNumber string `json:"orderNumber,omitempty"`
	// FinancialAccountID is the account the money is credited to.
	FinancialAccountID string `json:"financialAccountId,omitempty"`
	// FinancialTransactionReference names the ledger entries the payment
	// produced.
	FinancialTransactionReference string `json:"financialTransactionReference,omitempty"`
	// CreateTime is when the payment was created.
	CreateTime time.Time `json:"createTime"`
	// UpdateTime is when it last changed; zero when Monime did not say.
	UpdateTime time.Time `json:"updateTime"`
	// OwnershipGraph tells which resources own the payment (a checkout
	// session, for one paid through hosted checkout).
	OwnershipGraph *OwnershipGraph `json:"ownershipGraph,omitempty"`
	// Metadata are key-value pairs (see Update).
	Metadata Metadata `json:"metadata,omitempty"`
}

// Net is what the payment leaves after its fees, in the payment's
// currency; it fails when a fee is in another currency.
func (p *Payment) Net() (Money, error) {
	fees, err := p.Fees.Total()
	if err != nil || len(p.Fees) == 0 {
		return p.Amount, err
	}
	if fees.Currency != p.Amount.Currency {
		return Money{}, fmt.Errorf("monime: payment %s: fees in %s, amount in %s", p.ID, fees.Currency, p.Amount.Currency)
	}
	net := p.Amount.Value - fees.Value
	if fees.Value > 0 && net > p.Amount.Value || fees.Value < 0 && net < p.Amount.Value {
		return Money{}, fmt.Errorf("monime: payment %s: %s less %s overflows", p.ID, p.Amount, fees)
	}
	return Money{Currency: p.Amount.Currency, Value: net}, nil
}

// PaymentListParams filters and pages a space's payments, newest first.
type PaymentListParams struct {
	// OrderNumber keeps the payments of one checkout session (its
	// OrderNumber).
	OrderNumber string
	// FinancialAccountID keeps payments credited to one account.
	FinancialAccountID string
	// FinancialTransactionReference keeps the payment that produced these
	// ledger entries.
	FinancialTransactionReference string
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// PaymentUpdateParams is what Update changes; an empty Name and a nil
// Metadata are not sent, so they stay as they are.
type PaymentUpdateParams struct {
	// Name is a new label (at most 100 characters).
	Name string
	// Metadata, when not nil, is sent whole as the payment's metadata (at
	// most 64 keys, with the key rules of Metadata and values of up to 100
	// characters); an empty, non-nil map sends {}.
	Metadata Metadata
}

// maxPaymentNameLen is the longest name Monime takes for a payment.
const maxPaymentNameLen = 100

// Validate checks the filters, page size and cursor.
func (p *PaymentListParams) Validate() error { return validate("Payments.List", p, APIVersion) }

func (p *PaymentListParams) check(ps *problems, _ string) {
	checkPage(ps, p.Limit, p.After)
	ps.text(field("orderNumber"), p.OrderNumber, math.MaxInt, false)
	ps.text(field("financialAccountId"), p.FinancialAccountID, math.MaxInt, false)
	ps.text(field("financialTransactionReference"), p.FinancialTransactionReference, math.MaxInt, false)
}

// Validate checks a payment update against Monime's limits: a name of at
// most 100 characters, metadata as for a checkout session, and something
// to change.
func (p *PaymentUpdateParams) Validate() error { return validate("Payments.Update", p, APIVersion) }

func (p *PaymentUpdateParams) check(ps *problems, _ string) {
	if p.Name == "" && p.Metadata == nil {
		ps.add(field("params"), "nothing to update; set Name or Metadata")
	}
	ps.text(field("name"), p.Name, maxPaymentNameLen, false)
	validateMetadata(ps, p.Metadata)
}

// checkID refuses an id that is empty, or that is "." or "..": a URL
// resolves those as dot segments (RFC 3986, section 5.2.4), so the request
// would reach another path. Any other id is escaped into the path.

type plainPayment Payment // Payment without its UnmarshalJSON

// paymentJSON is a payment as Monime sends it.
type paymentJSON struct {
	plainPayment
	ID          string        `json:"id" decode:"strict"`
	Status      PaymentStatus `json:"status" decode:"strict"`
	OrderNumber string        `json:"orderNumber" decode:"strict"`
	Amount      moneyJSON     `json:"amount" decode:"strict"`
	Fees        []feeJSON     `json:"fees" decode:"strict"`
	Channel     struct {
		Type          PaymentChannelType `json:"type" decode:"strict"`
		Provider      string             `json:"provider"`
		Reference     string             `json:"reference"`
		AccountNumber string             `json:"accountNumber"`
		PhoneNumber   string             `json:"phoneNumber"`
		WalletID      string             `json:"walletId"`
		Scheme        string             `json:"scheme"`
		Last4         string             `json:"last4"`
		Fingerprint   string             `json:"fingerprint"`
		Metadata      Metadata           `json:"metadata"`
	} `json:"channel"`
}

type feeJSON struct {
	Fee
	Amount moneyJSON `json:"amount" decode:"strict"`
}

// readFees checks the amount of every fee: a payment's or a payout's.
func readFees(ws []feeJSON) (Fees, error) {
	fees := make(Fees, len(ws))
	for i, f := range ws {
		fees[i] = f.Fee
		var err error
		if fees[i].Amount, err = f.Amount.money(fmt.Sprintf("fee %d", i)); err != nil {
			return nil, err
		}
	}
	return fees, nil
}

// public checks a payment's id, status and amounts, and sorts its channel
// by type.
func (w *paymentJSON) public() (*Payment, error) {
	switch {
	case w.ID == "":
		return nil, errors.New("the id is missing")
	case w.Status == "":
		return nil, errors.New("the status is missing")
	}
	p := (*Payment)(&w.plainPayment)
	p.ID, p.Status, p.OrderNumber = w.ID, w.Status, w.OrderNumber
	var err error
	if p.Amount, err = w.Amount.money("the amount"); err != nil {
		return nil, err
	}
	if p.Fees, err = readFees(w.Fees); err != nil {
		return nil, err
	}
	c := &w.Channel
	p.Channel = PaymentChannel{Type: c.Type}
	switch c.Type {
	case PaymentChannelBank:
		p.Channel.Bank = &BankChannel{c.Provider, c.Reference, c.AccountNumber, c.Fingerprint, c.Metadata}
	case PaymentChannelCard:
		p.Channel.Card = &CardChannel{c.Scheme, c.Last4, c.Fingerprint, c.Metadata}
	case PaymentChannelMomo:
		p.Channel.Momo = &MomoChannel{c.Provider, c.Reference, c.PhoneNumber, c.Fingerprint, c.Metadata}
	case PaymentChannelWallet:
		p.Channel.Wallet = &WalletChannel{c.Provider, c.Reference, c.WalletID, c.Fingerprint, c.Metadata}
	}
	return p, nil
}

// UnmarshalJSON reads a payment as Monime sends it, in an API result or a
// webhook's data: the id, status, amount and fee amounts must be there and
// have their type; any other field that does not fit is left zero.
func (p *Payment) UnmarshalJSON(b []byte) error {
	v, err := readWire[paymentJSON, Payment](b)
	if err != nil {
		return fmt.Errorf("payment: %w", err)
	}
	*p = *v
	return nil
}
