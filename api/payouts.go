package api

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// Errors of the payout controls (CompletePayout, FailPayout). They come
// wrapped with the call and the id; test for them with errors.Is.
var (
	// ErrPayoutNotFound: the fake holds no payout with this id (never
	// created, or deleted).
	ErrPayoutNotFound = errors.New("no such payout (never created, or deleted)")
	// ErrPayoutNotPending: the payout is already completed or failed, so
	// its status can no longer change.
	ErrPayoutNotPending = errors.New("payout is no longer pending")
	// ErrPayoutFailureCode: FailPayout was given a code that is not one of
	// Monime's seven payout failure codes.
	ErrPayoutFailureCode = errors.New("not a payout failure code of Monime's API")
)

// The events of a payout that Monime documents, and the object type of
// their payloads.
const (
	eventPayoutCompleted = "payout.completed"
	eventPayoutFailed    = "payout.failed"
	objectTypePayout     = "payout"
)

// Payout is one stored payout: what the read API returns for it, plus what
// only the fake knows. Find and FindAll return snapshots of it; SaveState
// writes it as it is. A deleted payout is not held.
type Payout struct {
	Stored
	// Payout is exactly what GetPayout answers. Its nested values are never
	// changed once stored; a change replaces them (Status, Source,
	// Destination, FailureDetail, Metadata, UpdateTime), so a shallow copy
	// taken under the store's lock can be encoded without it.
	gen.Payout `json:"view"`
	// Holds are the ids of the ledger entries (debits of the source
	// account: the amount, then one per fee) that hold what the payout
	// pays while it is pending and pay it once it completes; none for a
	// payout its source could not cover. Failing or deleting the payout
	// gives each back by a reversal credit.
	Holds []string `json:"holds,omitempty"`
	// IdempotencyKey is the key the payout was created with.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

func (p *Payout) recordID() string { return p.Id }

// WithPayoutDelay makes pending payouts complete on their own d after
// they were created, as Monime processes them (a payout to a test
// destination fails instead; see Server.CompletePayout). The Server's clock
// decides, and requests and Sweep complete those whose time has come. Zero
// (the default) leaves every payout pending until CompletePayout or
// FailPayout decides, as a test wants. New fails on a negative d.
func WithPayoutDelay(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return optionErrorf("WithPayoutDelay", "", "the delay must not be negative, got %v; pass 0 to leave payouts pending until CompletePayout or FailPayout, or how long a payout takes, such as 5s", d)
		}
		c.payoutDelay = d
		return nil
	}
}

// payoutFailureMessages are the failureDetail.message of each of Monime's
// payout failure codes, in the order of the test destinations (see
// testDestinationFailure): the destination ending in 1 fails with the
// first, ..., the one ending in 7 with the last.
var payoutFailureMessages = []struct {
	code    gen.PayoutFailureCode
	message string
}{
	{gen.PayoutFailureCodeUnknown, "The payout failed for an unclassified reason."},
	{gen.PayoutFailureCodeFundInsufficient, "The source financial account does not hold enough to cover the payout and its fees."},
	{gen.PayoutFailureCodeAuthorizationFailed, "The provider refused to authorize the payout."},
	{gen.PayoutFailureCodeProviderUnknown, "The provider answered with an unexpected error."},
	{gen.PayoutFailureCodeProviderAccountBlocked, "The destination account is blocked at the provider."},
	{gen.PayoutFailureCodeProviderAccountMissing, "The provider has no such destination account."},
	{gen.PayoutFailureCodeProviderAccountQuotaExhausted, "The destination account has reached a daily or per-transaction limit."},
}

// failureMessage is the message of a failure code.
func failureMessage(code gen.PayoutFailureCode) string {
	for _, m := range payoutFailureMessages {
		if m.code == code {
			return m.message
		}
	}
	return string(code)
}

// The test destinations: a payout to one of them fails, with the code its
// last digit names, when it would complete (see Server.CompletePayout).
const (
	testMomoNumberPrefix    = "+2327600000" // momo phoneNumber +23276000001 ... +23276000007
	testAccountNumberPrefix = "000000000"   // bank accountNumber and wallet walletId 0000000001 ... 0000000007
)

// destination is what the fake reads of a payout's destination.
type destination struct {
	Type          string  `json:"type"`
	ProviderID    string  `json:"providerId"`
	PhoneNumber   string  `json:"phoneNumber"`
	AccountNumber string  `json:"accountNumber"`
	WalletID      *string `json:"walletId"`
}

// readDestination decodes d.
func readDestination(d gen.PayoutDestination) destination {
	var out destination
	if b, err := json.Marshal(d); err == nil {
		_ = json.Unmarshal(b, &out) // a stored destination always decodes
	}
	return out
}

// testDestinationFailure returns the failure code of a test destination,
// or false for any other: momo +2327600000N, bank accountNumber 000000000N
// and wallet walletId 000000000N, for N from 1 to 7, fail with
// unknown, fund_insufficient, authorization_failed, provider_unknown,
// provider_account_blocked, provider_account_missing and
// provider_account_quota_exhausted.
func testDestinationFailure(d gen.PayoutDestination) (gen.PayoutFailureCode, bool) {
	dst := readDestination(d)
	account, prefix := dst.AccountNumber, testAccountNumberPrefix
	switch dst.Type {
	case string(gen.MomoDestinationTypeMomo):
		account, prefix = dst.PhoneNumber, testMomoNumberPrefix
	case string(gen.WalletDestinationTypeWallet):
		account = ""
		if dst.WalletID != nil {
			account = *dst.WalletID
		}
	}
	rest, ok := strings.CutPrefix(account, prefix)
	if !ok || len(rest) != 1 || rest[0] < '1' || rest[0] > '7' {
		return "", false
	}
	return payoutFailureMessages[rest[0]-'1'].code, true
}

// withTransactionReference returns d with transactionReference set to ref,
// or left out when ref is "" (what a create sends is never kept).
func withTransactionReference(d gen.PayoutDestination, ref string) gen.PayoutDestination {
	var m map[string]any
	if b, err := json.Marshal(d); err != nil || json.Unmarshal(b, &m) != nil || m == nil {
		return d
	}
	delete(m, "transactionReference")
	if ref != "" {
		m["transactionReference"] = ref
	}
	var out gen.PayoutDestination
	if b, err := json.Marshal(m); err == nil && out.UnmarshalJSON(b) == nil {
		return out
	}
	return d
}

// payoutTotal is what a payout takes from its source: its amount and
// fees, or false when that does not fit in 64 bits.
func payoutTotal(p *Payout) (int64, bool) {
	total := p.Amount.Value
	for _, f := range *p.Fees {
		if f.Amount.Value > math.MaxInt64-total {
			return 0, false
		}
		total += f.Amount.Value
	}
	return total, true
}

// holdPayout books what the pending payout p takes from its source a,
// which covers it: a debit of the amount and one per fee, under a new
// reference that becomes source.transactionReference. Call it with mu held.
func (st *store) holdPayout(p *Payout, a *FinancialAccount, now time.Time) {
	ref := newID("ftr-", 12)
	entries := []LedgerEntry{{Type: EntryDebit, Amount: p.Amount}}
	for _, f := range *p.Fees {
		entries = append(entries, LedgerEntry{Type: EntryDebit, Amount: f.Amount, FeeCode: f.Code})
	}
	for _, e := range entries {
		e.Reference, e.OwnerType, e.OwnerID = ref, objectTypePayout, p.Id
		held, err := st.book(a, e, now)
		if err != nil {
			panic(err) // the caller checked that a covers the total, in its currency
		}
		p.Holds = append(p.Holds, held.ID)
	}
	source := *p.Source
	source.TransactionReference = &ref
	p.Source = &source
}

// releasePayout gives back what payout p holds: a reversal credit of each
// held debit, under the same reference. Call it with mu held.
func (st *store) releasePayout(p *Payout, now time.Time) {
	for _, id := range p.Holds {
		held, ok := st.ledger.get(p.SpaceID, id)
		if !ok {
			panic(fmt.Sprintf("api: payout %s holds ledger entry %s, which the books do not have", p.Id, id)) // checked when loaded
		}
		a, ok := st.accounts.get(p.SpaceID, held.AccountID)
		if !ok {
			panic(fmt.Sprintf("api: ledger entry %s books on financial account %s, which is gone", id, held.AccountID)) // accounts are never deleted
		}
		e := LedgerEntry{Type: EntryCredit, Amount: held.Amount, Reference: held.Reference, OwnerType: objectTypePayout, OwnerID: p.Id, Reverses: held.ID}
		if _, err := st.book(a, e, now); err != nil {
			panic(err) // a credit of what was debited fits
		}
	}
}

// emitPayout queues the event name of payout p. Call it with mu held.
func (st *store) emitPayout(p *Payout, name string, now time.Time) {
	snap := *p
	st.emit(event{name: name, at: now, objectType: objectTypePayout, objectID: p.Id, data: snap.Payout, record: snap})
}

// failPayout makes the payout p failed with code, giving back what it
// holds. Call it with mu held.
func (st *store) failPayout(p *Payout, code gen.PayoutFailureCode, now time.Time) {
	st.releasePayout(p, now)
	p.Status = gen.PayoutStatusFailed
	p.FailureDetail = &struct {
		Code    gen.PayoutFailureCode `json:"code"`
		Message *string               `json:"message,omitempty"`
	}{Code: code, Message: valueOf(failureMessage(code))}
	p.UpdateTime = now
	st.touched(p)
	st.emitPayout(p, eventPayoutFailed, now)
}

// completePayout processes the pending payout p: the money it holds leaves
// for good and the provider's reference becomes
// destination.transactionReference; a test destination fails it instead.
// Call it with mu held.
func (st *store) completePayout(p *Payout, now time.Time) {
	if code, ok := testDestinationFailure(p.Destination); ok {
		st.failPayout(p, code, now)
		return
	}
	p.Destination = withTransactionReference(p.Destination, randomText("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 12))
	p.Status = gen.PayoutStatusCompleted
	p.UpdateTime = now
	st.touched(p)
	st.emitPayout(p, eventPayoutCompleted, now)
}

// payoutPending reports whether p is stored and pending. Call it with mu
// held.
func (st *store) payoutPending(p *Payout) bool {
	stored, ok := st.payouts.get("", p.Id)
	return ok && stored == p && p.Status == gen.PayoutStatusPending
}

// pendingPayout returns the pending payout id, in any space, for the
// control call, or an error wrapping ErrPayoutNotFound or
// ErrPayoutNotPending. Call it with mu held.
func (st *store) pendingPayout(call, id string) (*Payout, error) {
	p, ok := st.payouts.get("", id)
	if !ok {
		return nil, fmt.Errorf("api: %s(%q): %w", call, id, ErrPayoutNotFound)
	}
	if p.Status != gen.PayoutStatusPending {
		return nil, fmt.Errorf("api: %s(%q): %w: it is %s, and only a pending payout can change", call, id, ErrPayoutNotPending, p.Status)
	}
	return p, nil
}

// CompletePayout processes the pending payout id, in any space, as the
// provider paying it would: its status becomes completed, the money it
// holds (its amount and fees, debited from its source when it was
// created) leaves for good, destination.transactionReference gets the
// provider's reference, and payout.completed is emitted.
//
// A payout to a test destination fails instead, with the failure code the
// destination's last digit names, as WithPayoutDelay's processing does;
// what it held goes back to its source and payout.failed is emitted, and
// CompletePayout returns nil (it processed the payout):
//
//	last digit  momo phoneNumber  bank accountNumber  wallet walletId  failureDetail.code
//	1           +23276000001      0000000001          0000000001       unknown
//	2           +23276000002      0000000002          0000000002       fund_insufficient
//	3           +23276000003      0000000003          0000000003       authorization_failed
//	4           +23276000004      0000000004          0000000004       provider_unknown
//	5           +23276000005      0000000005          0000000005       provider_account_blocked
//	6           +23276000006      0000000006          0000000006       provider_account_missing
//	7           +23276000007      0000000007          0000000007       provider_account_quota_exhausted
//
// It returns an error wrapping ErrPayoutNotFound or ErrPayoutNotPending
// when it cannot, and changes nothing then.
func (s *Server) CompletePayout(id string) (err error) {
	s.store.within(func(now time.Time) {
		var p *Payout
		if p, err = s.store.pendingPayout("CompletePayout", id); err == nil {
			s.store.completePayout(p, now)
		}
	})
	return err
}

// FailPayout fails the pending payout id, in any space, with code, one of
// Monime's payout failure codes: unknown, fund_insufficient,
// authorization_failed, provider_unknown, provider_account_blocked,
// provider_account_missing or provider_account_quota_exhausted. What the
// payout held goes back to its source by reversal credits (financial
// transactions with originatingReversal set, under the payout's
// reference), failureDetail says why, and payout.failed is emitted.
//
// It returns an error wrapping ErrPayoutFailureCode for any other code,
// and one wrapping ErrPayoutNotFound or ErrPayoutNotPending when it
// cannot, and changes nothing then.
func (s *Server) FailPayout(id, code string) (err error) {
	if !gen.PayoutFailureCode(code).Valid() {
		codes := make([]string, len(payoutFailureMessages))
		for i, m := range payoutFailureMessages {
			codes[i] = string(m.code)
		}
		return fmt.Errorf("api: FailPayout(%q): %q is %w; pass one of %s", id, code, ErrPayoutFailureCode, strings.Join(codes, ", "))
	}
	s.store.within(func(now time.Time) {
		var p *Payout
		if p, err = s.store.pendingPayout("FailPayout", id); err == nil {
			s.store.failPayout(p, gen.PayoutFailureCode(code), now)
		}
	})
	return err
}

// payoutQueue orders pending payouts by creation time, earliest first:
// the order WithPayoutDelay completes them in.
type payoutQueue []*Payout

func (q payoutQueue) Len() int           { return len(q) }
func (q payoutQueue) Less(i, j int) bool { return q[i].CreateTime.Before(q[j].CreateTime) }
func (q payoutQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *payoutQueue) Push(x any)        { *q = append(*q, x.(*Payout)) }
func (q *payoutQueue) Pop() any {
	old := *q
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return p
}

// queuePayout queues the pending payout p for WithPayoutDelay. Call it
// with mu held.
func (st *store) queuePayout(p *Payout) {
	if st.payoutDelay > 0 {
		heap.Push(&st.payoutQueue, p)
	}
}

// processDuePayoutsLocked completes every pending payout created at least
// the payout delay before now. Call it with mu held.
func (st *store) processDuePayoutsLocked(now time.Time) {
	for len(st.payoutQueue) > 0 {
		p := st.payoutQueue[0]
		if !st.payoutPending(p) {
			heap.Pop(&st.payoutQueue)
			continue
		}
		if now.Before(p.CreateTime.Add(st.payoutDelay)) {
			return
		}
		heap.Pop(&st.payoutQueue)
		st.completePayout(p, now)
	}
}

// payoutProblems checks what Monime's document says of a create body that
// spec/ does not: a positive amount, a currency of the release version
// names, and the metadata key rules.
func payoutProblems(body *gen.CreatePayoutRequest, version *gen.MonimeVersion) []gen.ErrorDetail {
	problems := append(checkMetadataKeys(body.Metadata), releaseCurrency("amount.currency", body.Amount.Currency, version)...)
	if body.Amount.Value <= 0 {
		problems = append(problems, detail("amount.value", fmt.Sprintf("must be positive, got %d: a payout pays an amount of money, in minor units", body.Amount.Value)))
	}
	return problems
}

// createPayout files a payout of a validated body in space: pending and
// holding its amount and fees when its source covers them, else failed
// with fund_insufficient, having moved nothing. Call it with mu held.
func (st *store) createPayout(space, key string, body *gen.CreatePayoutRequest, now time.Time) (*Payout, *apiError) {
	st.openSpaces([]string{space}, now)
	var a *FinancialAccount
	if body.Source != nil {
		var ok bool
		if a, ok = st.accounts.get(space, body.Source.FinancialAccountId); !ok {
			return nil, notFound("financial account", body.Source.FinancialAccountId, space)
		}
		if a.Currency != string(body.Amount.Currency) {
			return nil, validation([]gen.ErrorDetail{detail("amount.currency", fmt.Sprintf(
				"financial account %s holds %s; pay out %s from it, or name an account that holds %s", a.Id, a.Currency, a.Currency, body.Amount.Currency))})
		}
	} else { // "the space's main account" for the amount's currency
		a = st.mainAccount(space, body.Amount.Currency, now)
	}
	fees, err := applyFees(st.payoutFees, body.Amount)
	if err != nil {
		return nil, validation([]gen.ErrorDetail{detail("amount.value", err.Error())})
	}
	p := &Payout{Stored: Stored{SpaceID: space}, IdempotencyKey: key, Payout: gen.Payout{
		Id:          newID("pyt-", 14),
		Status:      gen.PayoutStatusPending,
		Amount:      body.Amount,
		Destination: withTransactionReference(body.Destination, ""),
		Fees:        &fees,
		CreateTime:  now,
		UpdateTime:  now,
		Metadata:    copyMetadata(body.Metadata),
	}}
	p.Source = &struct {
		FinancialAccountId   string  `json:"financialAccountId"`
		TransactionReference *string `json:"transactionReference,omitempty"`
	}{FinancialAccountId: a.Id}
	total, fits := payoutTotal(p)
	if !fits {
		return nil, validation([]gen.ErrorDetail{detail("amount.value", "the amount and its fees do not fit in 64 bits of minor units")})
	}
	p.Seq = st.next()
	st.payouts.insert(p)
	if a.Available < total {
		p.Status = gen.PayoutStatusFailed
		p.FailureDetail = &struct {
			Code    gen.PayoutFailureCode `json:"code"`
			Message *string               `json:"message,omitempty"`
		}{Code: gen.PayoutFailureCodeFundInsufficient, Message: valueOf(fmt.Sprintf(
			"Financial account %s holds %s %d minor units; the payout and its fees take %d.", a.Id, a.Currency, a.Available, total))}
		st.emitPayout(p, eventPayoutFailed, now)
		return p, nil
	}
	st.holdPayout(p, a, now)
	st.queuePayout(p)
	return p, nil
}

// ListPayouts implements GET /v1/payouts: newest first, limit 1 to 50
// (default 10), filtered by status, source account and the source's and
// destination's transaction references (exact matches; all given must
// match).
func (h *handlers) ListPayouts(ctx context.Context, req server.ListPayoutsRequestObject) (server.ListPayoutsResponseObject, error) {
	info := infoFrom(ctx)
	space, q := req.Params.MonimeSpaceId, req.Params
	limit, after, e := pageRequest(space, q.Limit, q.After)
	if e != nil {
		return server.ListPayouts400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	matches := func(want, got *string) bool { return want == nil || got != nil && *got == *want }
	var views []gen.Payout
	var pagination gen.Pagination
	h.s.store.within(func(time.Time) {
		page, last, more := h.s.store.payouts.page(space, limit, after, func(p *Payout) bool {
			if q.Status != nil && p.Status != *q.Status || q.SourceFinancialAccountId != nil && p.Source.FinancialAccountId != *q.SourceFinancialAccountId ||
				!matches(q.SourceTransactionReference, p.Source.TransactionReference) {
				return false
			}
			if q.DestinationTransactionReference == nil {
				return true
			}
			var d struct {
				Ref *string `json:"transactionReference"`
			}
			b, _ := json.Marshal(p.Destination)
			return json.Unmarshal(b, &d) == nil && matches(q.DestinationTransactionReference, d.Ref)
		})
		views = make([]gen.Payout, len(page))
		for i, p := range page {
			views[i] = p.Payout
		}
		pagination = pageInfo(space, len(page), last, more)
	})
	return server.ListPayouts200JSONResponse{
		Body:    gen.PayoutListEnvelope{Success: true, Messages: &gen.Messages{}, Result: views, Pagination: pagination},
		Headers: server.ListPayouts200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// CreatePayout implements POST /v1/payouts from the account source names,
// or from the space's main account for the amount's currency: see
// store.createPayout. Idempotency is handled around it (see
// Server.idempotent), so a repeated key replays the first payout and never
// pays twice.
func (h *handlers) CreatePayout(ctx context.Context, req server.CreatePayoutRequestObject) (server.CreatePayoutResponseObject, error) {
	info := infoFrom(ctx)
	if req.Body == nil {
		e := validation([]gen.ErrorDetail{detail("", "a JSON request body is required")})
		return server.CreatePayout400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	if problems := payoutProblems(req.Body, req.Params.MonimeVersion); len(problems) > 0 {
		return server.CreatePayout400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	var view gen.Payout
	var e *apiError
	h.s.store.within(func(now time.Time) {
		var p *Payout
		if p, e = h.s.store.createPayout(req.Params.MonimeSpaceId, req.Params.IdempotencyKey, req.Body, now); e == nil {
			view = p.Payout
		}
	})
	switch {
	case e == nil:
	case e.status == 404:
		return server.CreatePayout404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	default:
		return server.CreatePayout400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	return server.CreatePayout200JSONResponse{
		Body:    gen.PayoutEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.CreatePayout200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetPayout implements GET /v1/payouts/{id}.
func (h *handlers) GetPayout(ctx context.Context, req server.GetPayoutRequestObject) (server.GetPayoutResponseObject, error) {
	info := infoFrom(ctx)
	view, e := lookup(h.s.store, h.s.store.payouts, "payout", req.Params.MonimeSpaceId, req.Id,
		func(p *Payout) gen.Payout { return p.Payout })
	if e != nil {
		return server.GetPayout404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetPayout200JSONResponse{
		Body:    gen.PayoutEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetPayout200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// notPending is the 409 of a change to a payout that is no longer pending.
func notPending(reason string, p *Payout, what string) *apiError {
	return conflict(reason, fmt.Sprintf("payout %s is %s; only a pending payout (not yet processed) can be %s", p.Id, p.Status, what))
}

// UpdatePayout implements PATCH /v1/payouts/{id}: new metadata, which
// replaces the old whole; left out, it stays. Only a pending payout can be
// updated ("only if the payout has not yet been processed"): a completed
// or failed one answers 409 payout_not_updatable.
func (h *handlers) UpdatePayout(ctx context.Context, req server.UpdatePayoutRequestObject) (server.UpdatePayoutResponseObject, error) {
	info := infoFrom(ctx)
	body := req.Body
	if body == nil {
		body = &gen.UpdatePayoutRequest{}
	}
	if problems := checkMetadataKeys(body.Metadata); len(problems) > 0 {
		return server.UpdatePayout400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	space := req.Params.MonimeSpaceId
	var view gen.Payout
	var e *apiError
	h.s.store.within(func(now time.Time) {
		p, ok := h.s.store.payouts.get(space, req.Id)
		switch {
		case !ok:
			e = notFound("payout", req.Id, space)
			return
		case p.Status != gen.PayoutStatusPending:
			e = notPending(ReasonPayoutNotUpdatable, p, "updated")
			return
		}
		if body.Metadata != nil {
			p.Metadata = copyMetadata(body.Metadata)
		}
		p.UpdateTime = now
		h.s.store.touched(p)
		view = p.Payout
	})
	switch {
	case e == nil:
	case e.status == 404:
		return server.UpdatePayout404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	default:
		return server.UpdatePayout409JSONResponse{ConflictJSONResponse: e.conflict(info.id)}, nil
	}
	return server.UpdatePayout200JSONResponse{
		Body:    gen.PayoutEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.UpdatePayout200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// DeletePayout implements DELETE /v1/payouts/{id}: a pending payout goes,
// and what it held goes back to its source by reversal credits; a
// completed or failed one answers 409 payout_not_deletable.
func (h *handlers) DeletePayout(ctx context.Context, req server.DeletePayoutRequestObject) (server.DeletePayoutResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	var e *apiError
	h.s.store.within(func(now time.Time) {
		st := h.s.store
		p, ok := st.payouts.get(space, req.Id)
		switch {
		case !ok:
			e = notFound("payout", req.Id, space)
		case p.Status != gen.PayoutStatusPending:
			e = notPending(ReasonPayoutNotDeletable, p, "deleted")
		default:
			st.deletePayout(p, now)
		}
	})
	switch {
	case e == nil:
	case e.status == 404:
		return server.DeletePayout404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	default:
		return server.DeletePayout409JSONResponse{ConflictJSONResponse: e.conflict(info.id)}, nil
	}
	return server.DeletePayout200JSONResponse{
		Body:    gen.EmptyEnvelope{Success: true, Messages: &gen.Messages{}},
		Headers: server.DeletePayout200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
