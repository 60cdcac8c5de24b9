package monime

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// PayoutsService pays money out of the space's financial accounts to bank
// accounts, mobile-money numbers and wallets. Reach it as Client.Payouts.
type PayoutsService service

var payouts = resource[payoutJSON, Payout, *payoutJSON]{
	name: "Payouts", what: "payout", path: "/v1/payouts", idPrefix: "pyt-",
	id: func(p *Payout) string { return p.ID },
}

// Create pays out (CreatePayout, POST /v1/payouts), with one
// Idempotency-Key for all its attempts: Monime answers a repeated key with
// the first payout, so a retry, the client's or yours with the same
// WithIdempotencyKey, never pays twice. Give each payout a key of your own
// (a salary run's row id, say) to make your own retries safe too.
func (s *PayoutsService) Create(ctx context.Context, params *PayoutCreateParams, opts ...CallOption) (*Payout, error) {
	return payouts.create(ctx, clientOf(s), params, func(server string) (*http.Request, error) {
		body := gen.CreatePayoutRequest{Amount: wireMoney(params.Amount), Metadata: sentMetadata(params.Metadata)}
		if params.Source != nil {
			body.Source = &gen.PayoutSource{FinancialAccountId: params.Source.FinancialAccountID}
		}
		if err := params.Destination.wire(&body.Destination); err != nil {
			return nil, err
		}
		return gen.NewCreatePayoutRequest(server, nil, body)
	}, opts)
}

// Get returns the payout id (GetPayout, GET /v1/payouts/{id}). An unknown
// id is an error matching ErrNotFound.
func (s *PayoutsService) Get(ctx context.Context, id string, opts ...CallOption) (*Payout, error) {
	return payouts.get(ctx, clientOf(s), id, nil, func(server string) (*http.Request, error) {
		return gen.NewGetPayoutRequest(server, id, nil)
	}, opts)
}

// List returns one page of the space's payouts, newest first, filtered by
// params, which may be nil (ListPayouts, GET /v1/payouts). Follow
// Page.Next, or use All.
func (s *PayoutsService) List(ctx context.Context, params *PayoutListParams, opts ...CallOption) (*Page[Payout], error) {
	p := valueOr(params)
	return payouts.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		status := (*gen.PayoutStatus)(&p.Status)
		if p.Status == "" {
			status = nil
		}
		return gen.NewListPayoutsRequest(server, &gen.ListPayoutsParams{Status: status,
			SourceFinancialAccountId: optional(&p.SourceFinancialAccountID), SourceTransactionReference: optional(&p.SourceTransactionReference),
			DestinationTransactionReference: optional(&p.DestinationTransactionReference), Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
}

// All iterates over every payout params selects, newest first, fetching
// pages as the loop needs them; see CheckoutSessionsService.All.
func (s *PayoutsService) All(ctx context.Context, params *PayoutListParams, opts ...CallOption) iter.Seq2[*Payout, error] {
	p := valueOr(params)
	return payouts.all(&p.After, func() (*Page[Payout], error) { return s.List(ctx, &p, opts...) })
}

// Update changes a payout's metadata while it has not been processed
// (UpdatePayout, PATCH /v1/payouts/{id}) and returns the payout as it now
// is. It is retried as PaymentsService.Update is.
func (s *PayoutsService) Update(ctx context.Context, id string, params *PayoutUpdateParams, opts ...CallOption) (*Payout, error) {
	p := valueOr(params)
	return payouts.update(ctx, clientOf(s), id, &p, func(server string) (*http.Request, error) {
		return gen.NewUpdatePayoutRequest(server, id, nil, gen.UpdatePayoutRequest{Metadata: sentMetadata(p.Metadata)})
	}, opts)
}

// Delete deletes a payout still pending (DeletePayout, DELETE
// /v1/payouts/{id}); what it held goes back to its source account. A
// payout already processing or done is an error matching ErrConflict. A
// 404 after an earlier attempt's answer was lost means that attempt
// deleted it, and Delete returns nil (see CheckoutSessionsService.Delete).
func (s *PayoutsService) Delete(ctx context.Context, id string, opts ...CallOption) error {
	return payouts.delete(ctx, clientOf(s), id, func(server string) (*http.Request, error) {
		return gen.NewDeletePayoutRequest(server, id, nil)
	}, opts)
}

// PayoutStatus is where a payout is in its life. Monime may add values;
// treat unknown ones as not final.
type PayoutStatus string

// The statuses Monime documents for payouts.
const (
	// PayoutPending: created, waiting to be processed; it can still be
	// updated or deleted.
	PayoutPending PayoutStatus = "pending"
	// PayoutProcessing: on its way to the provider.
	PayoutProcessing PayoutStatus = "processing"
	// PayoutCompleted: paid.
	PayoutCompleted PayoutStatus = "completed"
	// PayoutFailed: not paid; FailureDetail says why.
	PayoutFailed PayoutStatus = "failed"
)

// IsFinal reports whether the status can no longer change: completed or
// failed.
func (s PayoutStatus) IsFinal() bool { return s == PayoutCompleted || s == PayoutFailed }

// The destination types of a payout (PayoutDestination.Type).
const (
	PayoutDestinationBank   = "bank"   // a bank account: AccountNumber
	PayoutDestinationMomo   = "momo"   // a mobile-money number: PhoneNumber
	PayoutDestinationWallet = "wallet" // a digital wallet: WalletID
)

// The codes of FailureDetail.Code that Monime documents for a failed payout;
// an internal transfer fails with the first two only. Monime may add codes.
const (
	PayoutFailureUnknown                       = "unknown"                          // unclassified
	PayoutFailureFundInsufficient              = "fund_insufficient"                // the source account could not cover it
	PayoutFailureAuthorizationFailed           = "authorization_failed"             // the provider refused to authorize it
	PayoutFailureProviderUnknown               = "provider_unknown"                 // an unexpected error at the provider
	PayoutFailureProviderAccountBlocked        = "provider_account_blocked"         // the destination account is blocked
	PayoutFailureProviderAccountMissing        = "provider_account_missing"         // no such account at the provider
	PayoutFailureProviderAccountQuotaExhausted = "provider_account_quota_exhausted" // a daily or per-transaction limit
)

// Payout is money paid out of a financial account to a bank, mobile-money
// or wallet account.
type Payout struct {
	// ID is Monime's id for the payout, pyt-...
	ID string `json:"id"`
	// Status is pending, processing, completed or failed (see IsFinal).
	Status PayoutStatus `json:"status"`
	// Amount is what the destination receives.
	Amount Money `json:"amount"`
	// Source is the account paid from; nil when Monime did not say.
	Source *PayoutSource `json:"source"`
	// Destination is where the money goes.
	Destination PayoutDestination `json:"destination"`
	// Fees are what Monime charged for it, on top of Amount.
	Fees Fees `json:"fees"`
	// FailureDetail says why a failed payout failed; nil otherwise.
	FailureDetail *FailureDetail `json:"failureDetail"`
	// CreateTime is when the payout was created.
	CreateTime time.Time `json:"createTime"`
	// UpdateTime is when it last changed; zero when Monime did not say.
	UpdateTime time.Time `json:"updateTime"`
	// OwnershipGraph tells which resources own the payout, when Monime says.
	OwnershipGraph *OwnershipGraph `json:"ownershipGraph,omitempty"`
	// Metadata are your own key-value pairs.
	Metadata Metadata `json:"metadata"`
}

// PayoutSource is the financial account a payout is paid from.
type PayoutSource struct {
	// FinancialAccountID is the account's id, fac-...
	FinancialAccountID string `json:"financialAccountId"`
	// TransactionReference is the reference of the debit of the account,
	// set by Monime (and never sent by Create).
	TransactionReference string `json:"transactionReference,omitempty"`
}

// PayoutDestination is where a payout goes: Type says which kind of
// account, and the one account field that type needs is set.
type PayoutDestination struct {
	// Type is bank, momo or wallet (PayoutDestinationBank, ...).
	Type string `json:"type"`
	// ProviderID is the bank (slb001, slb004, slb007), the mobile-money
	// operator (m17, m18) or the wallet (dw001).
	ProviderID string `json:"providerId"`
	// AccountNumber is the bank account's number (bank only, required).
	AccountNumber string `json:"accountNumber,omitempty"`
	// PhoneNumber is the mobile-money number (momo only, required).
	PhoneNumber string `json:"phoneNumber,omitempty"`
	// WalletID is the wallet (wallet only, optional).
	WalletID string `json:"walletId,omitempty"`
	// TransactionReference is the provider's reference for the credit, set
	// by Monime once the payout completes (and never sent by Create).
	TransactionReference string `json:"transactionReference,omitempty"`
}

// FailureDetail says why a payout or an internal transfer failed.
type FailureDetail struct {
	// Code is one of the PayoutFailure... codes, or one Monime adds later.
	Code string `json:"code"`
	// Message explains the failure, when Monime gives one.
	Message string `json:"message,omitempty"`
}

// PayoutCreateParams is a payout to make: Amount and Destination are
// required; a nil Source pays from the space's main account.
type PayoutCreateParams struct {
	// Amount is what the destination receives: positive, SLE (or USD from
	// API release caph.2025-08-23 on).
	Amount Money
	// Source is the account to pay from; nil leaves it to Monime (the
	// space's main account). Its TransactionReference is not sent.
	Source *PayoutSource
	// Destination is where the money goes. Its TransactionReference is not
	// sent.
	Destination PayoutDestination
	// Metadata are your own key-value pairs (see Metadata for the rules).
	Metadata Metadata
}

// PayoutListParams filters and pages a space's payouts.
type PayoutListParams struct {
	// Status keeps payouts in this status.
	Status PayoutStatus
	// SourceFinancialAccountID keeps payouts paid from this account (fac-...).
	SourceFinancialAccountID string
	// SourceTransactionReference keeps the payout whose debit has this
	// reference.
	SourceTransactionReference string
	// DestinationTransactionReference keeps the payout the provider
	// credited under this reference.
	DestinationTransactionReference string
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// PayoutUpdateParams is what Update changes: the metadata, sent whole (an
// empty, non-nil Metadata clears it).
type PayoutUpdateParams struct {
	// Metadata replaces the payout's metadata; nil is nothing to update.
	Metadata Metadata
}

// Validate checks p as Create does, for the default API release.
func (p *PayoutCreateParams) Validate() error { return validate("Payouts.Create", p, APIVersion) }

func (p *PayoutCreateParams) check(ps *problems, apiVersion string) {
	checkAmount(ps, "amount", p.Amount, apiVersion)
	switch f := field("source.financialAccountId"); {
	case p.Source != nil && p.Source.FinancialAccountID == "":
		ps.add(f, "required; or leave Source nil to pay from the space's main account")
	case p.Source != nil:
		checkAccountID(ps, f, p.Source.FinancialAccountID, math.MaxInt, true)
	}
	p.Destination.check(ps)
	validateMetadata(ps, p.Metadata)
}

// destinationFields are the account fields of a destination, each with the
// one type that takes it.
var destinationFields = [...]struct{ name, of string }{
	{"accountNumber", PayoutDestinationBank}, {"phoneNumber", PayoutDestinationMomo}, {"walletId", PayoutDestinationWallet},
}

// check applies Monime's rules for a destination: a known type, one of the
// providers Monime lists for it, and the one account field of its type
// (required but for a wallet's), none of the others.
func (d *PayoutDestination) check(ps *problems) {
	valid, ok := validProviders[d.Type]
	if !ok {
		ps.add(field("destination.type"), "%s; want bank, momo or wallet", quotedOrRequired(d.Type))
		return
	}
	if !slices.Contains(valid, d.ProviderID) {
		ps.add(field("destination.providerId"), "%s; want one of the %s providers Monime lists: %s", quotedOrRequired(d.ProviderID), d.Type, strings.Join(valid, ", "))
	}
	for i, v := range [...]string{d.AccountNumber, d.PhoneNumber, d.WalletID} {
		f := destinationFields[i]
		switch at := field("destination." + f.name); {
		case f.of == d.Type && v == "" && d.Type != PayoutDestinationWallet:
			ps.add(at, "required for a %s destination", d.Type)
		case f.of == d.Type:
			ps.text(at, v, math.MaxInt, false)
		case v != "":
			ps.add(at, "is for a %s destination, not a %s one; leave it empty", f.of, d.Type)
		}
	}
}

// quotedOrRequired is how a problem starts for a value that is not one of
// a list: "required" when it is empty, the value quoted otherwise.
func quotedOrRequired(v string) string {
	if v == "" {
		return "required"
	}
	return fmt.Sprintf("%q is not known", excerpt([]byte(v), 20))
}

// wire sets the generated union to the destination, of its type.
func (d *PayoutDestination) wire(out *gen.PayoutDestination) error {
	switch d.Type {
	case PayoutDestinationBank:
		return out.FromBankDestination(gen.BankDestination{Type: gen.BankDestinationTypeBank,
			ProviderId: gen.BankDestinationProviderId(d.ProviderID), AccountNumber: d.AccountNumber})
	case PayoutDestinationMomo:
		return out.FromMomoDestination(gen.MomoDestination{Type: gen.MomoDestinationTypeMomo,
			ProviderId: gen.MomoDestinationProviderId(d.ProviderID), PhoneNumber: d.PhoneNumber})
	}
	return out.FromWalletDestination(gen.WalletDestination{Type: gen.WalletDestinationTypeWallet,
		ProviderId: gen.WalletDestinationProviderId(d.ProviderID), WalletId: optional(&d.WalletID)})
}

// Validate checks the filters, page size and cursor.
func (p *PayoutListParams) Validate() error { return validate("Payouts.List", p, APIVersion) }

func (p *PayoutListParams) check(ps *problems, _ string) {
	checkStatus(ps, p.Status, PayoutPending, PayoutProcessing, PayoutCompleted, PayoutFailed)
	checkAccountID(ps, field("sourceFinancialAccountId"), p.SourceFinancialAccountID, math.MaxInt, false)
	ps.text(field("sourceTransactionReference"), p.SourceTransactionReference, math.MaxInt, false)
	ps.text(field("destinationTransactionReference"), p.DestinationTransactionReference, math.MaxInt, false)
	checkPage(ps, p.Limit, p.After)
}

// Validate checks that p changes something, within Monime's limits.
func (p *PayoutUpdateParams) Validate() error { return validate("Payouts.Update", p, APIVersion) }

func (p *PayoutUpdateParams) check(ps *problems, _ string) {
	if p.Metadata == nil {
		ps.add(field("metadata"), "nothing to update; set Metadata (an empty, non-nil map clears it)")
	}
	validateMetadata(ps, p.Metadata)
}

type plainPayout Payout // Payout without its UnmarshalJSON

// payoutJSON is a payout as Monime sends it.
type payoutJSON struct {
	plainPayout
	ID     string       `json:"id" decode:"strict"`
	Status PayoutStatus `json:"status" decode:"strict"`
	Amount moneyJSON    `json:"amount" decode:"strict"`
	Fees   []feeJSON    `json:"fees" decode:"strict"`
}

// public checks a payout's id, status and amounts.
func (w *payoutJSON) public() (*Payout, error) {
	switch {
	case w.ID == "":
		return nil, errors.New("the id is missing")
	case w.Status == "":
		return nil, errors.New("the status is missing")
	}
	p := (*Payout)(&w.plainPayout)
	p.ID, p.Status = w.ID, w.Status
	var err error
	if p.Amount, err = w.Amount.money("the amount"); err != nil {
		return nil, err
	}
	if p.Fees, err = readFees(w.Fees); err != nil {
		return nil, err
	}
	return p, nil
}

// UnmarshalJSON reads a payout as Monime sends it, in an API result or a
// webhook's data: the id, status, amount and fee amounts must be there and
// have their type; any other field that does not fit is left zero.
func (p *Payout) UnmarshalJSON(b []byte) error {
	v, err := readWire[payoutJSON, Payout](b)
	if err != nil {
		return fmt.Errorf("payout: %w", err)
	}
	*p = *v
	return nil
}
