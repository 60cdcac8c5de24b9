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

// FinancialTransactionsService reads the ledger: every movement of money
// into or out of the space's financial accounts. Reach it as
// Client.FinancialTransactions.
type FinancialTransactionsService service

var transactions = resource[transactionJSON, FinancialTransaction, *transactionJSON]{
	name: "FinancialTransactions", what: "financial transaction", path: "/v1/financial-transactions", idPrefix: "txn-",
	id: func(t *FinancialTransaction) string { return t.ID },
}

// Get returns the financial transaction id (GetTransaction,
// GET /v1/financial-transactions/{id}). An unknown id is an error matching
// ErrNotFound.
func (s *FinancialTransactionsService) Get(ctx context.Context, id string, opts ...CallOption) (*FinancialTransaction, error) {
	return transactions.get(ctx, clientOf(s), id, nil, func(server string) (*http.Request, error) {
		return gen.NewGetTransactionRequest(server, id, nil)
	}, opts)
}

// List returns one page of the space's financial transactions, newest
// first, filtered by params, which may be nil (ListFinancialTransactions,
// GET /v1/financial-transactions). Follow Page.Next, or use All.
func (s *FinancialTransactionsService) List(ctx context.Context, params *FinancialTransactionListParams, opts ...CallOption) (*Page[FinancialTransaction], error) {
	p := valueOr(params)
	return transactions.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		return gen.NewListFinancialTransactionsRequest(server, &gen.ListFinancialTransactionsParams{
			FinancialAccountId: optional(&p.FinancialAccountID), Reference: optional(&p.Reference),
			Type: (*gen.FinancialTransactionType)(optional(&p.Type)), Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
}

// All iterates over every transaction params selects, newest first,
// fetching pages as the loop needs them; see CheckoutSessionsService.All.
func (s *FinancialTransactionsService) All(ctx context.Context, params *FinancialTransactionListParams, opts ...CallOption) iter.Seq2[*FinancialTransaction, error] {
	p := valueOr(params)
	return transactions.all(&p.After, func() (*Page[FinancialTransaction], error) { return s.List(ctx, &p, opts...) })
}

// The types of a financial transaction (FinancialTransaction.Type).
const (
	FinancialTransactionCredit = "credit" // money into the account
	FinancialTransactionDebit  = "debit"  // money out of it
)

// FinancialTransaction is one movement of money into or out of one
// financial account: a payment's credit, a payout's debit, a fee, a
// transfer's two legs, a reversal. The transactions of one payment, payout
// or transfer share a Reference.
type FinancialTransaction struct {
	// ID is Monime's id for the transaction, txn-...
	ID string `json:"id"`
	// Type is credit (into the account) or debit (out of it).
	Type string `json:"type"`
	// Amount is how much moved, always positive: Type gives the direction.
	Amount Money `json:"amount"`
	// Timestamp is when it moved.
	Timestamp time.Time `json:"timestamp"`
	// Reference is shared by the transactions of one payment, payout or
	// transfer.
	Reference string `json:"reference,omitempty"`
	// FinancialAccountID is the account that moved (in Monime's JSON,
	// financialAccount.id).
	FinancialAccountID string `json:"financialAccountId"`
	// BalanceAfter is the account's balance right after this transaction;
	// nil when Monime did not say (financialAccount.balance.after).
	BalanceAfter *Money `json:"balanceAfter,omitempty"`
	// OriginatingReversal is set when this transaction reverses another.
	OriginatingReversal *OriginatingReversal `json:"originatingReversal,omitempty"`
	// FeeCode says which fee this transaction is, as "payout_fee"; empty
	// when it is not a fee (originatingFee.code).
	FeeCode string `json:"feeCode,omitempty"`
	// OwnershipGraph tells which resource made the transaction: a payment,
	// a payout, a transfer.
	OwnershipGraph *OwnershipGraph `json:"ownershipGraph,omitempty"`
	// Metadata are key-value pairs Monime attaches.
	Metadata Metadata `json:"metadata,omitempty"`
}

// OriginatingReversal names the transaction a reversal undoes.
type OriginatingReversal struct {
	// OriginTxnID is the id of the transaction reversed.
	OriginTxnID string `json:"originTxnId,omitempty"`
	// OriginTxnRef is its reference.
	OriginTxnRef string `json:"originTxnRef,omitempty"`
}

// FinancialTransactionListParams filters and pages the ledger.
type FinancialTransactionListParams struct {
	// FinancialAccountID keeps the transactions of this account (fac-...).
	FinancialAccountID string
	// Reference keeps the transactions of one payment, payout or transfer.
	Reference string
	// Type keeps credits or debits (FinancialTransactionCredit, ...).
	Type string
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// Validate checks the filters, page size and cursor.
func (p *FinancialTransactionListParams) Validate() error {
	return validate("FinancialTransactions.List", p, APIVersion)
}

func (p *FinancialTransactionListParams) check(ps *problems, _ string) {
	checkAccountID(ps, field("financialAccountId"), p.FinancialAccountID, math.MaxInt, false)
	ps.text(field("reference"), p.Reference, math.MaxInt, false)
	if p.Type != "" && p.Type != FinancialTransactionCredit && p.Type != FinancialTransactionDebit {
		ps.add(field("type"), "%q is not a transaction type; want credit or debit, or empty for both", excerpt([]byte(p.Type), 20))
	}
	checkPage(ps, p.Limit, p.After)
}

// transactionJSON is a financial transaction as Monime sends it: its
// account and balance nested, its fee as {"code": ...}. The type is read
// as strictly as the amount: it is the amount's sign.
type transactionJSON struct {
	FinancialTransaction
	ID               string    `json:"id" decode:"strict"`
	Type             string    `json:"type" decode:"strict"`
	Amount           moneyJSON `json:"amount" decode:"strict"`
	FinancialAccount struct {
		ID      string `json:"id"`
		Balance *struct {
			After moneyJSON `json:"after" decode:"strict"`
		} `json:"balance" decode:"strict"`
	} `json:"financialAccount" decode:"strict"`
	OriginatingFee *struct {
		Code string `json:"code"`
	} `json:"originatingFee"`
}

// public checks a transaction's id, type and amounts.
func (w *transactionJSON) public() (*FinancialTransaction, error) {
	switch {
	case w.ID == "":
		return nil, errors.New("the id is missing")
	case w.Type == "":
		return nil, errors.New("the type is missing")
	}
	t := &w.FinancialTransaction
	t.ID, t.Type, t.FinancialAccountID, t.BalanceAfter, t.FeeCode = w.ID, w.Type, w.FinancialAccount.ID, nil, ""
	var err error
	if t.Amount, err = w.Amount.money("the amount"); err != nil {
		return nil, err
	}
	if b := w.FinancialAccount.Balance; b != nil {
		after, err := b.After.money("the balance after")
		if err != nil {
			return nil, err
		}
		t.BalanceAfter = &after
	}
	if w.OriginatingFee != nil {
		t.FeeCode = w.OriginatingFee.Code
	}
	return t, nil
}
