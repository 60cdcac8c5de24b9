package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// FinancialAccount is one stored financial account: what the read API
// returns for it, plus its balance. Find and FindAll return snapshots of
// it; SaveState writes it as it is.
type FinancialAccount struct {
	Stored
	// FinancialAccount is what GetFinancialAccount answers without
	// withBalance (Balance nil).
	gen.FinancialAccount `json:"view"`
	// Available is the balance in minor units of Currency: always the sum
	// of the account's ledger entries (credits less debits), never
	// negative. A read with withBalance shows it as balance.available.
	Available int64 `json:"available"`
	// Main marks the main account of its space for its currency, which the
	// fake opens itself (see MainAccountID).
	Main bool `json:"main,omitempty"`
}

func (a *FinancialAccount) recordID() string { return a.Id }

// withBalance is the account as a read with withBalance=true shows it.
func (a *FinancialAccount) withBalance() gen.FinancialAccount {
	view := a.FinancialAccount
	view.Balance = &struct {
		Available gen.Money `json:"available"`
	}{Available: gen.Money{Currency: gen.Currency(a.Currency), Value: a.Available}}
	return view
}

// The types of a ledger entry, as Monime names financial transactions.
const (
	EntryCredit = "credit"
	EntryDebit  = "debit"
)

// LedgerEntry is one movement of money in or out of one financial account:
// the fake's books. An account's balance is the sum of its entries; the
// API shows each as one of Monime's financial transactions (GET
// /v1/financial-transactions). Find and FindAll return snapshots of them;
// SaveState writes them as they are.
type LedgerEntry struct {
	Stored
	// ID is the entry's id, txn-..., the financial transaction's id.
	// (Releases before financial transactions were served made ftx-...
	// ids, which no answer ever showed; they load as txn-... with the same
	// characters after the prefix.)
	ID string `json:"id"`
	// AccountID is the financial account the entry moves money in or out of.
	AccountID string `json:"account"`
	// Type is EntryCredit (money in) or EntryDebit (money out).
	Type string `json:"type"`
	// Amount is how much moved, never negative, in the account's currency.
	Amount gen.Money `json:"amount"`
	// BalanceAfter is the account's balance once the entry is booked.
	BalanceAfter int64 `json:"balanceAfter"`
	// Reference is shared by the entries of one movement: for a payment,
	// its financialTransactionReference.
	Reference string `json:"reference"`
	// OwnerType and OwnerID name what moved the money: "payment",
	// "payout" or "internal_transfer" and its id, or "funding" and "" for
	// Server.Fund. The financial transaction shows them as
	// ownershipGraph.owner.
	OwnerType string `json:"ownerType"`
	OwnerID   string `json:"ownerId,omitempty"`
	// FeeCode is set on the debit of a fee: the fee's code
	// (originatingFee.code).
	FeeCode string `json:"feeCode,omitempty"`
	// Reverses is set on an entry that gives back what another took: the
	// id of that entry (originatingReversal.originTxnId), whose reference
	// this entry shares.
	Reverses string `json:"reverses,omitempty"`
	// CreateTime is when the entry was booked, by the Server's clock.
	CreateTime time.Time `json:"createTime"`
}

func (e *LedgerEntry) recordID() string { return e.ID }

// The owner type of a ledger entry that Server.Fund books.
const ownerTypeFunding = "funding"

// ErrAccountNotFound: the fake holds no financial account with this id.
var ErrAccountNotFound = errors.New("no such financial account")

// mainAccountID is the id of the main account of space for currency:
// MainAccountID for SLE, and MainAccountID followed by "-" and the
// currency in lower case for any other, such as "fac-monimetest-usd".
func mainAccountID(space string, currency gen.Currency) string {
	if currency == gen.CurrencySLE {
		return MainAccountID(space)
	}
	return MainAccountID(space) + "-" + strings.ToLower(string(currency))
}

// mainAccount returns the main account of space for currency, opening it
// if the space has none yet. Call it with mu held.
func (st *store) mainAccount(space string, currency gen.Currency, now time.Time) *FinancialAccount {
	id := mainAccountID(space, currency)
	if a, ok := st.accounts.get(space, id); ok {
		return a
	}
	name := "Main account"
	if currency != gen.CurrencySLE {
		name = "Main " + string(currency) + " account"
	}
	st.seq++ // not next: a main account is no change a restart would lose
	a := &FinancialAccount{Stored: Stored{Seq: st.seq, SpaceID: space}, Main: true, FinancialAccount: gen.FinancialAccount{
		Id: id, Uvan: st.newUVAN(), Name: name, Currency: string(currency), CreateTime: now, UpdateTime: &now,
	}}
	st.accounts.insert(a)
	return a
}

// uvanLength is the length of the UVANs the fake makes: twelve random
// digits and two check digits, within Monime's sixteen.
const uvanLength = 14

// newUVAN returns a UVAN no account has: twelve random digits followed by
// two check digits (ISO 7064 MOD 97-10, as an IBAN's), so a mistyped one is
// caught. Call it with mu held.
func (st *store) newUVAN() string {
	for {
		digits := randomText("0123456789", uvanLength-2)
		rem := 0
		for _, c := range digits + "00" {
			rem = (rem*10 + int(c-'0')) % 97
		}
		uvan := digits + fmt.Sprintf("%02d", 98-rem)
		taken := false
		for _, a := range st.accounts.byID {
			taken = taken || a.Uvan == uvan
		}
		if !taken {
			return uvan
		}
	}
}

// openSpaces opens the main account of each space. Call it with mu held.
func (st *store) openSpaces(spaces []string, now time.Time) {
	for _, space := range spaces {
		st.mainAccount(space, gen.CurrencySLE, now)
	}
}

// book records one ledger entry on account a, moves its balance and
// returns the entry as filed. It refuses, changing nothing, a debit larger
// than the balance. Call it with mu held.
func (st *store) book(a *FinancialAccount, entry LedgerEntry, now time.Time) (*LedgerEntry, error) {
	if entry.Amount.Value < 0 {
		return nil, fmt.Errorf("api: a ledger entry of %d minor units is negative", entry.Amount.Value)
	}
	if string(entry.Amount.Currency) != a.Currency {
		return nil, fmt.Errorf("api: financial account %s holds %s, not %s", a.Id, a.Currency, entry.Amount.Currency)
	}
	balance := a.Available + entry.Amount.Value
	if entry.Type == EntryDebit {
		balance = a.Available - entry.Amount.Value
	}
	if balance < 0 || entry.Type == EntryCredit && balance < a.Available {
		return nil, fmt.Errorf("api: a %s of %s %d minor units would take financial account %s from %d to %d, out of what a balance holds", entry.Type, a.Currency, entry.Amount.Value, a.Id, a.Available, balance)
	}
	entry.Seq = st.next()
	entry.SpaceID = a.SpaceID
	entry.ID = newID(transactionIDPrefix, 14)
	entry.AccountID = a.Id
	entry.BalanceAfter = balance
	entry.CreateTime = now
	st.ledger.insert(&entry)
	a.Available = balance
	st.accounts.mark(a)
	return &entry, nil
}

// settleAccount is the account a payment of currency for session s
// settles into: the session's account when it holds currency, else the
// space's main account for currency. Call it with mu held.
func (st *store) settleAccount(s *Session, currency gen.Currency, now time.Time) *FinancialAccount {
	if s.FinancialAccountId != nil {
		if a, ok := st.accounts.get(s.SpaceID, *s.FinancialAccountId); ok && a.Currency == string(currency) {
			return a
		}
	}
	return st.mainAccount(s.SpaceID, currency, now)
}

// canSettle returns an error saying why when the fees of p would take
// account a below zero, which the books never allow; the caller names what
// cannot be paid.
func (st *store) canSettle(p *Payment, a *FinancialAccount) error {
	var fees int64
	for _, f := range *p.Fees {
		fees += f.Amount.Value
	}
	if a.Available+p.Amount.Value-fees < 0 {
		return fmt.Errorf("its %s fees (%d minor units) exceed the payment (%d) and what financial account %s holds (%d), and a balance is never negative; configure a smaller fee (WithFee, or monime-fake's -fee)", p.Amount.Currency, fees, p.Amount.Value, a.Id, a.Available)
	}
	return nil
}

// settle books a completed payment on account a, which canSettle
// accepted: a credit of its amount and a debit per fee, all under its
// financialTransactionReference, so the balance rises by the amount less
// the fees. Call it with mu held.
func (st *store) settle(p *Payment, a *FinancialAccount, now time.Time) {
	entries := []LedgerEntry{{Type: EntryCredit, Amount: p.Amount}}
	for _, f := range *p.Fees {
		entries = append(entries, LedgerEntry{Type: EntryDebit, Amount: f.Amount, FeeCode: f.Code})
	}
	for _, e := range entries {
		e.Reference, e.OwnerType, e.OwnerID = *p.FinancialTransactionReference, objectTypePayment, p.Id
		if _, err := st.book(a, e, now); err != nil {
			panic(err) // canSettle checked the balance; the currency is a's by settleAccount
		}
	}
}

// Fund credits amount to the financial account id, in any space, as money
// arriving from outside would: a ledger entry of its own (owner type
// "funding"), so that a test can give an account a balance to spend. The
// amount must be positive and in the account's currency. It returns an
// error wrapping ErrAccountNotFound for an unknown id, and an error for
// any other amount, changing nothing.
func (s *Server) Fund(id string, amount gen.Money) (err error) {
	s.store.within(func(now time.Time) {
		a, ok := s.store.accounts.get("", id)
		switch {
		case !ok:
			err = fmt.Errorf("api: Fund(%q): %w; fund one that Find or the API shows, such as MainAccountID(space)", id, ErrAccountNotFound)
		case amount.Value <= 0:
			err = fmt.Errorf("api: Fund(%q): the amount must be positive, got %d minor units", id, amount.Value)
		case string(amount.Currency) != a.Currency:
			err = fmt.Errorf("api: Fund(%q): the account holds %s; fund it in %s, not %s", id, a.Currency, a.Currency, amount.Currency)
		case a.Available > math.MaxInt64-amount.Value:
			err = fmt.Errorf("api: Fund(%q): the account holds %s, and can take at most %s more; fund it with less",
				id, FormatMoney(a.Currency, big.NewInt(a.Available)), FormatMoney(a.Currency, big.NewInt(math.MaxInt64-a.Available)))
		default:
			ref := newID("ftr-", 12)
			_, err = s.store.book(a, LedgerEntry{Type: EntryCredit, Amount: amount, Reference: ref, OwnerType: ownerTypeFunding}, now)
		}
	})
	return err
}

// CheckBooks checks the invariant of the fake's books and returns an error
// naming every breach, or nil: each account's balance is the sum of its
// ledger entries (credits less debits), each entry's BalanceAfter is the
// running sum up to it, no balance is ever negative, and every entry is in
// its account's currency. It also checks that each payout's and transfer's
// entries agree with its status: a pending or completed payout holds
// exactly its amount and fees, a failed one (or a deleted one) nets to
// nothing, a completed transfer debits and credits its amount once each,
// and any other transfer moved nothing. A test may call it at any time.
func (s *Server) CheckBooks() (err error) {
	s.store.within(func(time.Time) { err = s.store.checkBooksLocked() })
	return err
}

// checkBooksLocked is CheckBooks. Call it with mu held.
func (st *store) checkBooksLocked() error {
	var problems []error
	running := map[string]int64{}
	for _, e := range st.ledger.all("") {
		a, ok := st.accounts.get(e.SpaceID, e.AccountID)
		if !ok {
			problems = append(problems, fmt.Errorf("ledger entry %s books on financial account %s, which space %s does not have", e.ID, e.AccountID, e.SpaceID))
			continue
		}
		if string(e.Amount.Currency) != a.Currency || e.Amount.Value < 0 {
			problems = append(problems, fmt.Errorf("ledger entry %s moves %s %d on financial account %s, which holds %s", e.ID, e.Amount.Currency, e.Amount.Value, a.Id, a.Currency))
		}
		switch e.Type {
		case EntryCredit:
			running[a.Id] += e.Amount.Value
		case EntryDebit:
			running[a.Id] -= e.Amount.Value
		default:
			problems = append(problems, fmt.Errorf("ledger entry %s has type %q, neither credit nor debit", e.ID, e.Type))
		}
		if running[a.Id] != e.BalanceAfter || e.BalanceAfter < 0 {
			problems = append(problems, fmt.Errorf("ledger entry %s says financial account %s holds %d after it, but its entries sum to %d", e.ID, a.Id, e.BalanceAfter, running[a.Id]))
		}
	}
	for _, a := range st.accounts.all("") {
		if a.Available != running[a.Id] || a.Available < 0 {
			problems = append(problems, fmt.Errorf("financial account %s has a balance of %d, but its ledger entries sum to %d", a.Id, a.Available, running[a.Id]))
		}
	}
	problems = append(problems, st.checkMovementsLocked()...)
	return errors.Join(problems...)
}

// accountView is a as a read shows it, with its balance when asked for.
func accountView(a *FinancialAccount, withBalance *gen.WithBalance) gen.FinancialAccount {
	if withBalance != nil && *withBalance {
		return a.withBalance()
	}
	return a.FinancialAccount
}

// referenceTaken reports whether an account of space other than except
// has reference. Call it with mu held.
func (st *store) referenceTaken(space, reference, except string) bool {
	for _, a := range st.accounts.bySpace[space] {
		if a.Id != except && a.Reference != nil && *a.Reference == reference {
			return true
		}
	}
	return false
}

func referenceInUse(reference, space string) *apiError {
	return conflict(ReasonReferenceInUse, fmt.Sprintf("another financial account of space %s has the reference %q, and a reference is unique among the accounts of a space; choose another, or find that account with GET /v1/financial-accounts?reference=", space, reference))
}

// ListFinancialAccounts implements GET /v1/financial-accounts: newest
// first, limit 1 to 50 (default 10), filtered by uvan and reference (exact
// matches; all given must match), each with its balance when withBalance
// is true.
func (h *handlers) ListFinancialAccounts(ctx context.Context, req server.ListFinancialAccountsRequestObject) (server.ListFinancialAccountsResponseObject, error) {
	info := infoFrom(ctx)
	space, p := req.Params.MonimeSpaceId, req.Params
	limit, after, e := pageRequest(space, p.Limit, p.After)
	if e != nil {
		return server.ListFinancialAccounts400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	var views []gen.FinancialAccount
	var pagination gen.Pagination
	h.s.store.within(func(now time.Time) {
		h.s.store.openSpaces([]string{space}, now)
		page, last, more := h.s.store.accounts.page(space, limit, after, func(a *FinancialAccount) bool {
			return (p.Uvan == nil || a.Uvan == *p.Uvan) && (p.Reference == nil || a.Reference != nil && *a.Reference == *p.Reference)
		})
		views = make([]gen.FinancialAccount, len(page))
		for i, a := range page {
			views[i] = accountView(a, p.WithBalance)
		}
		pagination = pageInfo(space, len(page), last, more)
	})
	return server.ListFinancialAccounts200JSONResponse{
		Body:    gen.FinancialAccountListEnvelope{Success: true, Messages: &gen.Messages{}, Result: views, Pagination: pagination},
		Headers: server.ListFinancialAccounts200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// CreateFinancialAccount implements POST /v1/financial-accounts: a new
// account with a generated id and UVAN and a balance of zero. Idempotency
// is handled around it (see Server.idempotent).
func (h *handlers) CreateFinancialAccount(ctx context.Context, req server.CreateFinancialAccountRequestObject) (server.CreateFinancialAccountResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	if req.Body == nil {
		e := validation([]gen.ErrorDetail{detail("", "a JSON request body is required")})
		return server.CreateFinancialAccount400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	body := req.Body
	if problems := checkMetadataKeys(body.Metadata); len(problems) > 0 {
		return server.CreateFinancialAccount400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	var view gen.FinancialAccount
	var e *apiError
	st := h.s.store
	st.within(func(now time.Time) {
		st.openSpaces([]string{space}, now)
		if body.Reference != nil && st.referenceTaken(space, *body.Reference, "") {
			e = referenceInUse(*body.Reference, space)
			return
		}
		a := &FinancialAccount{Stored: Stored{Seq: st.next(), SpaceID: space}, FinancialAccount: gen.FinancialAccount{
			Id: newID("fac-", 14), Uvan: st.newUVAN(), Name: body.Name, Currency: string(body.Currency),
			Reference: body.Reference, Description: body.Description, Metadata: copyMetadata(body.Metadata),
			CreateTime: now, UpdateTime: &now,
		}}
		st.accounts.insert(a)
		st.emitAccount(a, "created", now)
		view = a.FinancialAccount
	})
	if e != nil {
		return server.CreateFinancialAccount409JSONResponse{ConflictJSONResponse: e.conflict(info.id)}, nil
	}
	return server.CreateFinancialAccount200JSONResponse{
		Body:    gen.FinancialAccountEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.CreateFinancialAccount200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// emitAccount queues financial_account.<what> for a; Monime documents no
// account events, so only the fake's own hooks see it. Call it with mu
// held.
func (st *store) emitAccount(a *FinancialAccount, what string, now time.Time) {
	snap := *a
	st.emit(event{name: objectTypeAccount + "." + what, at: now, objectType: objectTypeAccount, objectID: a.Id, data: snap.FinancialAccount, record: snap})
}

// GetFinancialAccount implements GET /v1/financial-accounts/{id}, with the
// balance when withBalance is true.
func (h *handlers) GetFinancialAccount(ctx context.Context, req server.GetFinancialAccountRequestObject) (server.GetFinancialAccountResponseObject, error) {
	info := infoFrom(ctx)
	view, e := lookup(h.s.store, h.s.store.accounts, "financial account", req.Params.MonimeSpaceId, req.Id,
		func(a *FinancialAccount) gen.FinancialAccount { return accountView(a, req.Params.WithBalance) })
	if e != nil {
		return server.GetFinancialAccount404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetFinancialAccount200JSONResponse{
		Body:    gen.FinancialAccountEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetFinancialAccount200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// UpdateFinancialAccount implements PATCH /v1/financial-accounts/{id}: a
// new name, reference, description and metadata. A member the body leaves
// out, or sends as null, stays as it was; metadata, when sent, replaces
// the old metadata whole, as for payments. The id, UVAN, currency and
// balance never change; updateTime becomes now.
func (h *handlers) UpdateFinancialAccount(ctx context.Context, req server.UpdateFinancialAccountRequestObject) (server.UpdateFinancialAccountResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	body := req.Body
	if body == nil {
		body = &gen.UpdateFinancialAccountRequest{}
	}
	if problems := checkMetadataKeys(body.Metadata); len(problems) > 0 {
		return server.UpdateFinancialAccount400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	var view gen.FinancialAccount
	var e *apiError
	st := h.s.store
	st.within(func(now time.Time) {
		st.openSpaces([]string{space}, now)
		a, ok := st.accounts.get(space, req.Id)
		if !ok {
			e = notFound("financial account", req.Id, space)
			return
		}
		if body.Reference != nil && st.referenceTaken(space, *body.Reference, a.Id) {
			e = referenceInUse(*body.Reference, space)
			return
		}
		if body.Name != nil {
			a.Name = *body.Name
		}
		if body.Reference != nil {
			a.Reference = valueOf(*body.Reference)
		}
		if body.Description != nil {
			a.Description = valueOf(*body.Description)
		}
		if body.Metadata != nil {
			a.Metadata = copyMetadata(body.Metadata)
		}
		a.UpdateTime = &now
		st.touched(a)
		st.emitAccount(a, "updated", now)
		view = a.FinancialAccount
	})
	switch {
	case e != nil && e.status == http.StatusNotFound:
		return server.UpdateFinancialAccount404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	case e != nil:
		return server.UpdateFinancialAccount409JSONResponse{ConflictJSONResponse: e.conflict(info.id)}, nil
	}
	return server.UpdateFinancialAccount200JSONResponse{
		Body:    gen.FinancialAccountEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.UpdateFinancialAccount200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
