package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"sort"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// ErrSessionNotPayable: the checkout session's line items add up to
// nothing a payment can carry (a negative total in a currency, or one over
// 64 bits of minor units), so it cannot be completed. Complete and
// CompleteWith wrap it; the hosted page answers it with 409.
var ErrSessionNotPayable = errors.New("checkout session cannot be paid")

// Payment is a snapshot of one stored payment: what the read API returns
// for it now, plus what only the fake knows. Changing a snapshot changes
// nothing in the Server.
type Payment struct {
	// Payment is exactly what GetPayment answers now.
	gen.Payment
	// SpaceID is the space the payment belongs to: its session's.
	SpaceID string
	// SessionID is the checkout session the payment paid for; the read API
	// shows it as ownershipGraph.owner.id.
	SessionID string
}

// payment is the stored state of one payment. Its view's nested values are
// never changed after it is stored; an update replaces Name, Metadata and
// UpdateTime, so a shallow copy taken under the lock can be encoded
// without it.
type payment struct {
	seq     uint64 // creation order, for newest-first lists and cursors
	space   string
	session string
	view    gen.Payment
}

func (p *payment) snapshot() Payment {
	return Payment{Payment: p.view, SpaceID: p.space, SessionID: p.session}
}

// sessionTotals returns what the line items cost in each currency, in the
// order the currencies first appear, leaving out currencies whose items
// total zero. It fails on a negative total or one that does not fit in an
// int64 of minor units, which no payment can carry.
func sessionTotals(items []gen.LineItem) ([]gen.Money, error) {
	var order []gen.Currency
	sums := map[gen.Currency]*big.Int{}
	for _, li := range items {
		c := li.Price.Currency
		if sums[c] == nil {
			sums[c] = new(big.Int)
			order = append(order, c)
		}
		line := new(big.Int).Mul(big.NewInt(li.Price.Value), big.NewInt(int64(li.Quantity)))
		sums[c].Add(sums[c], line)
	}
	var out []gen.Money
	for _, c := range order {
		sum := sums[c]
		switch {
		case sum.Sign() < 0:
			return nil, fmt.Errorf("%w: its %s items total %s minor units, and a payment's amount cannot be negative; give the session line items whose prices add up to zero or more", ErrSessionNotPayable, c, sum)
		case !sum.IsInt64():
			return nil, fmt.Errorf("%w: its %s items total %s minor units, more than a payment's amount can hold (64 bits); split the order into smaller sessions", ErrSessionNotPayable, c, sum)
		case sum.Sign() > 0:
			out = append(out, gen.Money{Currency: c, Value: sum.Int64()})
		}
	}
	return out, nil
}

// newPayments builds the payments of session s, paid by choice at now: one
// per currency its items total more than zero in (see sessionTotals), each
// with its own channel reference and the fees of rules. They get their
// order number and their place in the store when the session completes
// (see transition).
func newPayments(s *session, choice channelChoice, rules []feeRule, now time.Time) ([]*payment, error) {
	totals, err := sessionTotals(s.view.LineItems.Data)
	if err != nil {
		return nil, err
	}
	out := make([]*payment, 0, len(totals))
	for _, amount := range totals {
		channel, err := choice.channel(now)
		if err != nil {
			return nil, err
		}
		fees, err := applyFees(rules, amount)
		if err != nil {
			return nil, fmt.Errorf("%w: %v; configure a smaller WithFee", ErrSessionNotPayable, err)
		}
		ref := newID("ftr-", 12)
		owner := s.view.Id
		ownerType := "checkout_session"
		out = append(out, &payment{space: s.space, session: s.view.Id, view: gen.Payment{
			Id:                            newID("pay-", 14),
			Status:                        gen.PaymentStatusCompleted,
			Amount:                        amount,
			Channel:                       &channel,
			FinancialAccountId:            s.view.FinancialAccountId,
			FinancialTransactionReference: &ref,
			Fees:                          &fees,
			CreateTime:                    now,
			UpdateTime:                    &now,
			OwnershipGraph:                &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &owner, Type: &ownerType}},
		}})
	}
	return out, nil
}

// storePayment files p, with the order number of the session it paid for.
// Call it with mu held.
func (st *store) storePayment(p *payment, orderNumber *string) {
	p.view.OrderNumber = orderNumber
	st.seq++
	p.seq = st.seq
	st.payments[p.view.Id] = p
	sp := st.space(p.space)
	sp.payments = append(sp.payments, p)
}

// pay completes the pending session id, in any space, paid by the customer's
// choice of method and provider (see chooseChannel): it records the
// session's payments, then the session becomes completed.
func (st *store) pay(call, id string, method gen.PaymentChannelType, provider string) error {
	now := st.clock()
	st.lock()
	defer st.unlock()
	st.sweepLocked(now)
	s := st.byID[id]
	if s == nil {
		return fmt.Errorf("api: %s(%q): %w", call, id, ErrSessionNotFound)
	}
	if !s.pending() {
		return fmt.Errorf("api: %s(%q): %w: it is %s, and only a pending session can change", call, id, ErrSessionFinal, s.view.Status)
	}
	choice, err := chooseChannel(s.paymentOptions, method, provider)
	if err != nil {
		return fmt.Errorf("api: %s(%q): %w", call, id, err)
	}
	payments, err := newPayments(s, choice, st.fees, now)
	if err != nil {
		return fmt.Errorf("api: %s(%q): %w", call, id, err)
	}
	s.payments = payments
	st.transition(s, transitionCompleted, now)
	return nil
}

// valueOf returns a pointer to a copy of v.
func valueOf[T any](v T) *T { return &v }

// listPayments returns up to limit payments of space matching keep, newest
// first, older than the one numbered after (0: from the newest), and
// whether more follow.
func (st *store) listPayments(space string, limit int, after uint64, keep func(*gen.Payment) bool) (page []gen.Payment, last uint64, more bool) {
	now := st.clock()
	st.lock()
	defer st.unlock()
	st.sweepLocked(now)
	var all []*payment
	if sp := st.spaces[space]; sp != nil {
		all = sp.payments
	}
	i := len(all)
	if after > 0 {
		i = sort.Search(len(all), func(i int) bool { return all[i].seq >= after })
	}
	page = []gen.Payment{}
	for i--; i >= 0; i-- {
		p := all[i]
		if !keep(&p.view) {
			continue
		}
		if len(page) == limit {
			return page, last, true
		}
		page = append(page, p.view)
		last = p.seq
	}
	return page, last, false
}

// getPayment returns what a read of payment id in space answers.
func (st *store) getPayment(space, id string) (gen.Payment, bool) {
	now := st.clock()
	st.lock()
	defer st.unlock()
	st.sweepLocked(now)
	p := st.payments[id]
	if p == nil || p.space != space {
		return gen.Payment{}, false
	}
	return p.view, true
}

// updatePayment applies an update body to payment id in space: a name and
// metadata that is not absent replace the old; updateTime becomes now.
func (st *store) updatePayment(space, id string, body *gen.UpdatePaymentRequest) (gen.Payment, bool) {
	now := st.clock()
	st.lock()
	defer st.unlock()
	st.sweepLocked(now)
	p := st.payments[id]
	if p == nil || p.space != space {
		return gen.Payment{}, false
	}
	if body != nil && body.Name != nil {
		p.view.Name = valueOf(*body.Name)
	}
	if body != nil && body.Metadata != nil {
		m := make(map[string]any, len(*body.Metadata))
		for k, v := range *body.Metadata {
			m[k] = v
		}
		p.view.Metadata = &m
	}
	p.view.UpdateTime = &now
	st.changes.Add(1)
	return p.view, true
}

// paymentSnapshots returns deep copies of the payments of space, oldest
// first.
func (st *store) paymentSnapshots(space string) []Payment {
	st.lock()
	var out []Payment
	if sp := st.spaces[space]; sp != nil {
		out = make([]Payment, len(sp.payments))
		for i, p := range sp.payments {
			out[i] = p.snapshot()
		}
	}
	st.unlock()
	for i := range out {
		out[i] = deepCopyPayment(out[i])
	}
	return out
}

// paymentSnapshot returns a deep copy of payment id, in any space.
func (st *store) paymentSnapshot(id string) (Payment, bool) {
	st.lock()
	p := st.payments[id]
	var snap Payment
	if p != nil {
		snap = p.snapshot()
	}
	st.unlock()
	if p == nil {
		return Payment{}, false
	}
	return deepCopyPayment(snap), true
}

// deepCopyPayment gives a snapshot memory of its own, so a test that
// changes it cannot change the store.
func deepCopyPayment(p Payment) Payment {
	if b, err := json.Marshal(p.Payment); err == nil {
		var view gen.Payment
		if json.Unmarshal(b, &view) == nil {
			p.Payment = view
		}
	}
	return p
}

func paymentNotFound(id, space string) *apiError {
	return &apiError{
		status:  http.StatusNotFound,
		reason:  ReasonNotFound,
		message: fmt.Sprintf("no payment %q in space %s; check the id and the Monime-Space-Id header", id, space),
	}
}

// ListPayments implements GET /v1/payments: newest first, limit 1 to 50
// (default 10), filtered by order number, financial account and financial
// transaction reference (each an exact match; all given must match).
func (h *handlers) ListPayments(ctx context.Context, req server.ListPaymentsRequestObject) (server.ListPaymentsResponseObject, error) {
	info := infoFrom(ctx)
	space, p := req.Params.MonimeSpaceId, req.Params
	limit, after, e := pageRequest(space, p.Limit, p.After)
	if e != nil {
		return server.ListPayments400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse{Body: e.envelope(), Headers: server.BadRequestResponseHeaders{MonimeRequestId: info.id}}}, nil
	}
	matches := func(want, got *string) bool { return want == nil || got != nil && *got == *want }
	page, last, more := h.s.store.listPayments(space, limit, after, func(v *gen.Payment) bool {
		return matches(p.OrderNumber, v.OrderNumber) && matches(p.FinancialAccountId, v.FinancialAccountId) &&
			matches(p.FinancialTransactionReference, v.FinancialTransactionReference)
	})
	pagination := pageInfo(space, len(page), last, more)
	return server.ListPayments200JSONResponse{
		Body:    gen.PaymentListEnvelope{Success: true, Messages: &gen.Messages{}, Result: page, Pagination: pagination},
		Headers: server.ListPayments200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetPayment implements GET /v1/payments/{id}.
func (h *handlers) GetPayment(ctx context.Context, req server.GetPaymentRequestObject) (server.GetPaymentResponseObject, error) {
	info := infoFrom(ctx)
	view, ok := h.s.store.getPayment(req.Params.MonimeSpaceId, req.Id)
	if !ok {
		return server.GetPayment404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: paymentNotFound(req.Id, req.Params.MonimeSpaceId).envelope(), Headers: server.NotFoundResponseHeaders{MonimeRequestId: info.id}}}, nil
	}
	return server.GetPayment200JSONResponse{
		Body:    gen.PaymentEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetPayment200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// UpdatePayment implements PATCH /v1/payments/{id}: a new name and
// metadata. A field the body leaves out, or sends as null, stays as it was;
// metadata, when sent, replaces the old metadata whole. Nothing else of a
// payment changes.
func (h *handlers) UpdatePayment(ctx context.Context, req server.UpdatePaymentRequestObject) (server.UpdatePaymentResponseObject, error) {
	info := infoFrom(ctx)
	if req.Body != nil {
		if problems := checkMetadataKeys(req.Body.Metadata); len(problems) > 0 {
			e := validationError(summarize(problems), problems...)
			return server.UpdatePayment400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse{Body: e.envelope(), Headers: server.BadRequestResponseHeaders{MonimeRequestId: info.id}}}, nil
		}
	}
	view, ok := h.s.store.updatePayment(req.Params.MonimeSpaceId, req.Id, req.Body)
	if !ok {
		return server.UpdatePayment404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: paymentNotFound(req.Id, req.Params.MonimeSpaceId).envelope(), Headers: server.NotFoundResponseHeaders{MonimeRequestId: info.id}}}, nil
	}
	return server.UpdatePayment200JSONResponse{
		Body:    gen.PaymentEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.UpdatePayment200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
