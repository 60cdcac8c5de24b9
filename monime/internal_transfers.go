package monime

import (
	"context"
	"errors"
	"iter"
	"math"
	"net/http"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// InternalTransfersService moves money between two financial accounts of
// the space, inside Monime's ledger. Reach it as Client.InternalTransfers.
type InternalTransfersService service

var transfers = resource[transferJSON, InternalTransfer, *transferJSON]{
	name: "InternalTransfers", what: "internal transfer", path: "/v1/internal-transfers", idPrefix: "trn-",
	id: func(t *InternalTransfer) string { return t.ID },
}

// Create moves money from one account to another (CreateInternalTransfer,
// POST /v1/internal-transfers), with one Idempotency-Key for all its
// attempts, so a retry never moves it twice.
func (s *InternalTransfersService) Create(ctx context.Context, params *InternalTransferCreateParams, opts ...CallOption) (*InternalTransfer, error) {
	return transfers.create(ctx, clientOf(s), params, func(server string) (*http.Request, error) {
		return gen.NewCreateInternalTransferRequest(server, nil, gen.CreateInternalTransferRequest{Amount: wireMoney(params.Amount),
			SourceFinancialAccount:      gen.AccountRef{Id: params.SourceFinancialAccountID},
			DestinationFinancialAccount: gen.AccountRef{Id: params.DestinationFinancialAccountID},
			Description:                 optional(&params.Description), Metadata: sentMetadata(params.Metadata)})
	}, opts)
}

// Get returns the internal transfer id (GetInternalTransfer,
// GET /v1/internal-transfers/{id}). An unknown id is an error matching
// ErrNotFound.
func (s *InternalTransfersService) Get(ctx context.Context, id string, opts ...CallOption) (*InternalTransfer, error) {
	return transfers.get(ctx, clientOf(s), id, nil, func(server string) (*http.Request, error) {
		return gen.NewGetInternalTransferRequest(server, id, nil)
	}, opts)
}

// List returns one page of the space's internal transfers, newest first,
// filtered by params, which may be nil (ListInternalTransfers,
// GET /v1/internal-transfers). Follow Page.Next, or use All.
func (s *InternalTransfersService) List(ctx context.Context, params *InternalTransferListParams, opts ...CallOption) (*Page[InternalTransfer], error) {
	p := valueOr(params)
	return transfers.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		status := (*gen.InternalTransferStatus)(&p.Status)
		if p.Status == "" {
			status = nil
		}
		return gen.NewListInternalTransfersRequest(server, &gen.ListInternalTransfersParams{Status: status,
			SourceFinancialAccountId: optional(&p.SourceFinancialAccountID), DestinationFinancialAccountId: optional(&p.DestinationFinancialAccountID),
			FinancialTransactionReference: optional(&p.FinancialTransactionReference), Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
}

// All iterates over every transfer params selects, newest first, fetching
// pages as the loop needs them; see CheckoutSessionsService.All.
func (s *InternalTransfersService) All(ctx context.Context, params *InternalTransferListParams, opts ...CallOption) iter.Seq2[*InternalTransfer, error] {
	p := valueOr(params)
	return transfers.all(&p.After, func() (*Page[InternalTransfer], error) { return s.List(ctx, &p, opts...) })
}

// Update changes a transfer's description and metadata
// (PatchInternalTransfer, PATCH /v1/internal-transfers/{id}) and returns
// the transfer as it now is. It is retried as PaymentsService.Update is.
func (s *InternalTransfersService) Update(ctx context.Context, id string, params *InternalTransferUpdateParams, opts ...CallOption) (*InternalTransfer, error) {
	p := valueOr(params)
	return transfers.update(ctx, clientOf(s), id, &p, func(server string) (*http.Request, error) {
		return gen.NewPatchInternalTransferRequest(server, id, nil, gen.UpdateInternalTransferRequest{
			Description: optional(&p.Description), Metadata: sentMetadata(p.Metadata)})
	}, opts)
}

// Delete deletes a transfer still pending (DeleteInternalTransfer,
// DELETE /v1/internal-transfers/{id}); one that moved or failed is an error
// matching ErrConflict. A 404 after an earlier attempt's answer was lost
// means that attempt deleted it, and Delete returns nil.
func (s *InternalTransfersService) Delete(ctx context.Context, id string, opts ...CallOption) error {
	return transfers.delete(ctx, clientOf(s), id, func(server string) (*http.Request, error) {
		return gen.NewDeleteInternalTransferRequest(server, id, nil)
	}, opts)
}

// InternalTransferStatus is where a transfer is in its life. Monime may
// add values; treat unknown ones as not final.
type InternalTransferStatus string

// The statuses Monime documents for internal transfers.
const (
	// InternalTransferPending: created, not yet processed.
	InternalTransferPending InternalTransferStatus = "pending"
	// InternalTransferProcessing: being processed.
	InternalTransferProcessing InternalTransferStatus = "processing"
	// InternalTransferCompleted: moved.
	InternalTransferCompleted InternalTransferStatus = "completed"
	// InternalTransferFailed: not moved; FailureDetail says why.
	InternalTransferFailed InternalTransferStatus = "failed"
)

// IsFinal reports whether the status can no longer change: completed or
// failed.
func (s InternalTransferStatus) IsFinal() bool {
	return s == InternalTransferCompleted || s == InternalTransferFailed
}

// InternalTransfer is money moved between two financial accounts of one
// space.
type InternalTransfer struct {
	// ID is Monime's id for the transfer, trn-...
	ID string `json:"id"`
	// Status is pending, processing, completed or failed (see IsFinal).
	Status InternalTransferStatus `json:"status"`
	// Amount is what moves.
	Amount Money `json:"amount"`
	// SourceFinancialAccountID is the account the money leaves (in
	// Monime's JSON, sourceFinancialAccount.id).
	SourceFinancialAccountID string `json:"sourceFinancialAccountId"`
	// DestinationFinancialAccountID is the account it enters (in Monime's
	// JSON, destinationFinancialAccount.id).
	DestinationFinancialAccountID string `json:"destinationFinancialAccountId"`
	// FinancialTransactionReference is the reference the transfer's
	// financial transactions share; empty unless it completed.
	FinancialTransactionReference string `json:"financialTransactionReference,omitempty"`
	// Description is a note on the transfer.
	Description string `json:"description,omitempty"`
	// FailureDetail says why a failed transfer failed (PayoutFailureUnknown
	// or PayoutFailureFundInsufficient); nil otherwise.
	FailureDetail *FailureDetail `json:"failureDetail"`
	// CreateTime is when the transfer was created.
	CreateTime time.Time `json:"createTime"`
	// UpdateTime is when it last changed; zero when Monime did not say.
	UpdateTime time.Time `json:"updateTime"`
	// OwnershipGraph tells which resources own the transfer, when Monime
	// says.
	OwnershipGraph *OwnershipGraph `json:"ownershipGraph,omitempty"`
	// Metadata are your own key-value pairs.
	Metadata Metadata `json:"metadata"`
}

// InternalTransferCreateParams is a transfer to make: Amount and both
// accounts are required.
type InternalTransferCreateParams struct {
	// Amount is what moves: positive, in the accounts' currency.
	Amount Money
	// SourceFinancialAccountID is the account to take it from (fac-...).
	SourceFinancialAccountID string
	// DestinationFinancialAccountID is the account to put it in (fac-...).
	DestinationFinancialAccountID string
	// Description is a note on the transfer (at most 150 characters).
	Description string
	// Metadata are your own key-value pairs (see Metadata for the rules).
	Metadata Metadata
}

// InternalTransferListParams filters and pages a space's transfers.
type InternalTransferListParams struct {
	// Status keeps transfers in this status.
	Status InternalTransferStatus
	// SourceFinancialAccountID keeps transfers out of this account.
	SourceFinancialAccountID string
	// DestinationFinancialAccountID keeps transfers into this account.
	DestinationFinancialAccountID string
	// FinancialTransactionReference keeps the transfer whose financial
	// transactions share this reference.
	FinancialTransactionReference string
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// InternalTransferUpdateParams is what Update changes. An empty
// Description and a nil Metadata are not sent, so they stay as they are; a
// non-nil Metadata is sent whole.
type InternalTransferUpdateParams struct {
	// Description is a new note (at most 255 characters).
	Description string
	// Metadata, when not nil, replaces the transfer's metadata.
	Metadata Metadata
}

// The limits Monime's document sets on an internal transfer: the
// description is longer on update than on create, as the document says.
const (
	maxTransferDescLen       = 150
	maxTransferUpdateDescLen = 255
	maxAccountRefLen         = 64
)

// Validate checks p as Create does, for the default API release.
func (p *InternalTransferCreateParams) Validate() error {
	return validate("InternalTransfers.Create", p, APIVersion)
}

func (p *InternalTransferCreateParams) check(ps *problems, apiVersion string) {
	checkAmount(ps, "amount", p.Amount, apiVersion)
	checkAccountID(ps, field("sourceFinancialAccountId"), p.SourceFinancialAccountID, maxAccountRefLen, true)
	checkAccountID(ps, field("destinationFinancialAccountId"), p.DestinationFinancialAccountID, maxAccountRefLen, true)
	ps.text(field("description"), p.Description, maxTransferDescLen, false)
	validateMetadata(ps, p.Metadata)
}

// Validate checks the filters, page size and cursor.
func (p *InternalTransferListParams) Validate() error {
	return validate("InternalTransfers.List", p, APIVersion)
}

func (p *InternalTransferListParams) check(ps *problems, _ string) {
	checkStatus(ps, p.Status, InternalTransferPending, InternalTransferProcessing, InternalTransferCompleted, InternalTransferFailed)
	checkAccountID(ps, field("sourceFinancialAccountId"), p.SourceFinancialAccountID, math.MaxInt, false)
	checkAccountID(ps, field("destinationFinancialAccountId"), p.DestinationFinancialAccountID, math.MaxInt, false)
	ps.text(field("financialTransactionReference"), p.FinancialTransactionReference, math.MaxInt, false)
	checkPage(ps, p.Limit, p.After)
}

// Validate checks that p changes something, within Monime's limits.
func (p *InternalTransferUpdateParams) Validate() error {
	return validate("InternalTransfers.Update", p, APIVersion)
}

func (p *InternalTransferUpdateParams) check(ps *problems, _ string) {
	if p.Description == "" && p.Metadata == nil {
		ps.add(field("params"), "nothing to update; set Description or Metadata")
	}
	ps.text(field("description"), p.Description, maxTransferUpdateDescLen, false)
	validateMetadata(ps, p.Metadata)
}

// transferJSON is an internal transfer as Monime sends it: the accounts as
// {"id": ...} objects.
type transferJSON struct {
	InternalTransfer
	ID                          string                 `json:"id" decode:"strict"`
	Status                      InternalTransferStatus `json:"status" decode:"strict"`
	Amount                      moneyJSON              `json:"amount" decode:"strict"`
	SourceFinancialAccount      accountRef             `json:"sourceFinancialAccount"`
	DestinationFinancialAccount accountRef             `json:"destinationFinancialAccount"`
}

// public checks a transfer's id, status and amount.
func (w *transferJSON) public() (*InternalTransfer, error) {
	switch {
	case w.ID == "":
		return nil, errors.New("the id is missing")
	case w.Status == "":
		return nil, errors.New("the status is missing")
	}
	t := &w.InternalTransfer
	t.ID, t.Status = w.ID, w.Status
	t.SourceFinancialAccountID, t.DestinationFinancialAccountID = w.SourceFinancialAccount.ID, w.DestinationFinancialAccount.ID
	var err error
	if t.Amount, err = w.Amount.money("the amount"); err != nil {
		return nil, err
	}
	return t, nil
}

// accountRef is a financial account as Monime names one: {"id": "fac-..."}.
type accountRef struct {
	ID string `json:"id"`
}
