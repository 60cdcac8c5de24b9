package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// The prefixes of ledger entry ids: transactionIDPrefix, as Monime's
// financial transactions are named (GetTransaction's pattern is ^txn-),
// and the one releases before financial transactions were served made,
// which a state of theirs may still hold.
const (
	transactionIDPrefix       = "txn-"
	legacyTransactionIDPrefix = "ftx-"
)

// UnmarshalJSON decodes an entry as SaveState writes it. An id of an
// earlier release (ftx-...) becomes txn-... with the same characters after
// the prefix: no answer ever showed it, and GetTransaction only finds
// txn-... ids.
func (e *LedgerEntry) UnmarshalJSON(b []byte) error {
	type plain LedgerEntry
	if err := json.Unmarshal(b, (*plain)(e)); err != nil {
		return err
	}
	if rest, ok := strings.CutPrefix(e.ID, legacyTransactionIDPrefix); ok {
		e.ID = transactionIDPrefix + rest
	}
	return nil
}

// transaction is the entry as the read API shows it: a financial
// transaction, owned by what moved the money (none for test funding), its
// metadata null.
func (e *LedgerEntry) transaction() gen.FinancialTransaction {
	t := gen.FinancialTransaction{
		Id:        e.ID,
		Type:      gen.FinancialTransactionType(e.Type),
		Amount:    e.Amount,
		Timestamp: e.CreateTime,
		Reference: valueOf(e.Reference),
	}
	t.FinancialAccount.Id = valueOf(e.AccountID)
	t.FinancialAccount.Balance = &struct {
		After gen.Money `json:"after"`
	}{After: gen.Money{Currency: e.Amount.Currency, Value: e.BalanceAfter}}
	if e.FeeCode != "" {
		t.OriginatingFee = &struct {
			Code *string `json:"code,omitempty"`
		}{Code: valueOf(e.FeeCode)}
	}
	if e.Reverses != "" {
		t.OriginatingReversal = &struct {
			OriginTxnId  *string `json:"originTxnId,omitempty"`
			OriginTxnRef *string `json:"originTxnRef,omitempty"`
		}{OriginTxnId: valueOf(e.Reverses), OriginTxnRef: valueOf(e.Reference)}
	}
	if e.OwnerID != "" {
		t.OwnershipGraph = &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: valueOf(e.OwnerID), Type: valueOf(e.OwnerType)}}
	}
	return t
}

// ListFinancialTransactions implements GET /v1/financial-transactions:
// newest first, limit 1 to 50 (default 10), filtered by financial account,
// reference and type (exact matches; all given must match).
func (h *handlers) ListFinancialTransactions(ctx context.Context, req server.ListFinancialTransactionsRequestObject) (server.ListFinancialTransactionsResponseObject, error) {
	info := infoFrom(ctx)
	space, p := req.Params.MonimeSpaceId, req.Params
	limit, after, e := pageRequest(space, p.Limit, p.After)
	if e != nil {
		return server.ListFinancialTransactions400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	var views []gen.FinancialTransaction
	var pagination gen.Pagination
	h.s.store.within(func(time.Time) {
		page, last, more := h.s.store.ledger.page(space, limit, after, func(l *LedgerEntry) bool {
			return (p.FinancialAccountId == nil || l.AccountID == *p.FinancialAccountId) &&
				(p.Reference == nil || l.Reference == *p.Reference) &&
				(p.Type == nil || l.Type == string(*p.Type))
		})
		views = make([]gen.FinancialTransaction, len(page))
		for i, l := range page {
			views[i] = l.transaction()
		}
		pagination = pageInfo(space, len(page), last, more)
	})
	return server.ListFinancialTransactions200JSONResponse{
		Body:    gen.FinancialTransactionListEnvelope{Success: true, Messages: &gen.Messages{}, Result: views, Pagination: pagination},
		Headers: server.ListFinancialTransactions200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetTransaction implements GET /v1/financial-transactions/{id}.
func (h *handlers) GetTransaction(ctx context.Context, req server.GetTransactionRequestObject) (server.GetTransactionResponseObject, error) {
	info := infoFrom(ctx)
	view, e := lookup(h.s.store, h.s.store.ledger, "financial transaction", req.Params.MonimeSpaceId, req.Id,
		(*LedgerEntry).transaction)
	if e != nil {
		return server.GetTransaction404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetTransaction200JSONResponse{
		Body:    gen.FinancialTransactionEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetTransaction200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// checkMovementsLocked checks that the ledger entries of each payout and
// internal transfer agree with its status (see CheckBooks). Call it with
// mu held.
func (st *store) checkMovementsLocked() []error {
	type sums struct{ debits, credits int64 }
	owned := map[string]*sums{} // owner id -> what its entries moved
	kinds := map[string]string{}
	for _, e := range st.ledger.all("") {
		if e.OwnerType != objectTypePayout && e.OwnerType != objectTypeTransfer {
			continue
		}
		s := owned[e.OwnerID]
		if s == nil {
			s = &sums{}
			owned[e.OwnerID], kinds[e.OwnerID] = s, e.OwnerType
		}
		if e.Type == EntryDebit {
			s.debits += e.Amount.Value
		} else {
			s.credits += e.Amount.Value
		}
	}
	var problems []error
	for _, p := range st.payouts.all("") {
		s := owned[p.Id]
		if s == nil {
			s = &sums{}
		}
		delete(owned, p.Id)
		var total int64
		if p.Fees != nil {
			total, _ = payoutTotal(p)
		}
		switch held := s.debits - s.credits; p.Status {
		case gen.PayoutStatusPending, gen.PayoutStatusProcessing, gen.PayoutStatusCompleted:
			if held != total || s.credits != 0 {
				problems = append(problems, fmt.Errorf("payout %s is %s, so its entries should hold %d (its amount and fees), but they debit %d and credit %d", p.Id, p.Status, total, s.debits, s.credits))
			}
		default:
			if held != 0 {
				problems = append(problems, fmt.Errorf("payout %s is %s, so its entries should net to nothing, but they debit %d and credit %d", p.Id, p.Status, s.debits, s.credits))
			}
		}
		// What a pending payout holds is what failing or deleting it gives
		// back, entry by entry: each hold once, and together its amount and
		// fees, or a reversal would create or destroy money.
		seen, heldByHolds := map[string]bool{}, int64(0)
		for _, id := range p.Holds {
			e, ok := st.ledger.get(p.SpaceID, id)
			switch {
			case seen[id]:
				problems = append(problems, fmt.Errorf("payout %s holds ledger entry %s twice", p.Id, id))
			case !ok || e.OwnerID != p.Id || e.Type != EntryDebit || e.AccountID != p.Source.FinancialAccountId:
				problems = append(problems, fmt.Errorf("payout %s holds ledger entry %s, which is no debit of its source account %s for it", p.Id, id, p.Source.FinancialAccountId))
			default:
				heldByHolds += e.Amount.Value
			}
			seen[id] = true
		}
		if (p.Status == gen.PayoutStatusPending || p.Status == gen.PayoutStatusProcessing) && heldByHolds != total {
			problems = append(problems, fmt.Errorf("payout %s is %s, so its holds should come to %d (its amount and fees), but they come to %d", p.Id, p.Status, total, heldByHolds))
		}
	}
	for _, t := range st.transfers.all("") {
		s := owned[t.Id]
		if s == nil {
			s = &sums{}
		}
		delete(owned, t.Id)
		want := int64(0)
		if t.Status == gen.InternalTransferStatusCompleted {
			want = t.Amount.Value
		}
		if s.debits != want || s.credits != want {
			problems = append(problems, fmt.Errorf("internal transfer %s is %s, so its entries should debit and credit %d each, but they debit %d and credit %d", t.Id, t.Status, want, s.debits, s.credits))
		}
	}
	for id, s := range owned { // deleted payouts (and transfers) must have given back what they held
		if s.debits != s.credits {
			problems = append(problems, fmt.Errorf("the %s %s is gone, but its ledger entries debit %d and credit %d", kinds[id], id, s.debits, s.credits))
		}
	}
	return problems
}
