package api

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// ErrSessionNotPayable: the checkout session's line items add up to
// nothing a payment can carry (a negative total in a currency, or one over
// 64 bits of minor units), so it cannot be completed. Complete and
// CompleteWith wrap it; the hosted page answers it with 409.
var ErrSessionNotPayable = errors.New("checkout session cannot be paid")

// Payment is one stored payment: what the read API returns for it, plus
// what only the fake knows. Find and FindAll return snapshots of it;
// SaveState writes it as it is.
type Payment struct {
	Stored
	// Payment is exactly what GetPayment answers. Its nested values are
	// never changed once stored; an update replaces Name, Metadata and
	// UpdateTime, so a shallow copy taken under the store's lock can be
	// encoded without it.
	gen.Payment `json:"view"`
	// SessionID is the checkout session the payment paid for; the read API
	// shows it as ownershipGraph.owner.id.
	SessionID string `json:"session"`
	// PaymentCodeID is the payment code the payment paid into, for a
	// payment made by dialling one (see Server.PayCode); SessionID is
	// empty then. The read API shows it as ownershipGraph.owner.id.
	PaymentCodeID string `json:"paymentCode,omitempty"`
}

func (p *Payment) recordID() string { return p.Id }

// sessionTotals returns what the line items cost in each currency, in the
// order the currencies first appear, leaving out currencies whose items
// total zero. It fails on a negative total (a create refuses a negative
// price, but a state of an earlier release may hold one) or one that does
// not fit in an int64 of minor units, which no payment can carry.
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
// (see pay).
func newPayments(s *Session, choice channelChoice, rules []feeRule, now time.Time) ([]*Payment, error) {
	totals, err := sessionTotals(s.LineItems.Data)
	if err != nil {
		return nil, err
	}
	out := make([]*Payment, 0, len(totals))
	for _, amount := range totals {
		channel, err := choice.channel(now)
		if err != nil {
			return nil, err
		}
		fees, err := applyFees(rules, amount)
		if err != nil {
			return nil, fmt.Errorf("%w: %v; configure a smaller fee (WithFee, or monime-fake's -fee)", ErrSessionNotPayable, err)
		}
		ref := newID("ftr-", 12)
		owner := s.Id
		ownerType := objectTypeSession
		out = append(out, &Payment{Stored: Stored{SpaceID: s.SpaceID}, SessionID: s.Id, Payment: gen.Payment{
			Id:                            newID("pay-", 14),
			Status:                        gen.PaymentStatusCompleted,
			Amount:                        amount,
			Channel:                       &channel,
			FinancialAccountId:            s.FinancialAccountId,
			FinancialTransactionReference: &ref,
			Fees:                          &fees,
			CreateTime:                    now,
			UpdateTime:                    &now,
			OwnershipGraph:                &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &owner, Type: &ownerType}},
		}})
	}
	return out, nil
}

// pay completes the pending session id, in any space, paid by the
// customer's choice of method and provider (see chooseChannel): it files
// the session's payments, with the order number the session gets, books
// each on the account it settles into (see settleAccount), and the session
// becomes completed. The events say so in the order the money
// moved: payment.created and payment.completed of each payment, then
// checkout_session.completed.
func (st *store) pay(call, id string, method gen.PaymentChannelType, provider string) (err error) {
	st.within(func(now time.Time) {
		var s *Session
		if s, err = st.pendingSession(call, id); err != nil {
			return
		}
		var choice channelChoice
		if choice, err = chooseChannel(s.PaymentOptions, method, provider); err != nil {
			err = fmt.Errorf("api: %s(%q): %w", call, id, err)
			return
		}
		var payments []*Payment
		if payments, err = newPayments(s, choice, st.fees, now); err != nil {
			err = fmt.Errorf("api: %s(%q): %w", call, id, err)
			return
		}
		accounts := make([]*FinancialAccount, len(payments))
		for i, p := range payments {
			accounts[i] = st.settleAccount(s, p.Amount.Currency, now)
			p.FinancialAccountId = &accounts[i].Id
			if err = st.canSettle(p, accounts[i]); err != nil {
				err = fmt.Errorf("api: %s(%q): %w: %w", call, id, ErrSessionNotPayable, err)
				return
			}
		}
		order := newID("ord-", 12)
		s.Status = gen.CheckoutSessionStatusCompleted
		s.OrderNumber = &order
		for i, p := range payments {
			st.settle(p, accounts[i], now)
			p.OrderNumber = s.OrderNumber
			p.Seq = st.next()
			st.payments.insert(p)
			s.PaymentIDs = append(s.PaymentIDs, p.Id)
			st.emitPayment(p, now)
		}
		st.issueReceipt(s, now)
		st.touched(s)
		st.emitSession(s, sessionCompleted, now)
	})
	return err
}

// emitPayment queues payment.created, with the payment as it was created
// (pending, without the financialTransactionReference only a completed
// payment has), and payment.completed, with it as reads show it. Call it
// with mu held.
func (st *store) emitPayment(p *Payment, now time.Time) {
	snap := *p
	created := snap.Payment
	created.Status = gen.PaymentStatusPending
	created.FinancialTransactionReference = nil
	for _, ev := range []struct {
		name string
		data gen.Payment
	}{{eventPaymentCreated, created}, {eventPaymentCompleted, snap.Payment}} {
		st.emit(event{name: ev.name, at: now, objectType: objectTypePayment, objectID: p.Id, data: ev.data, record: snap, sessionID: p.SessionID})
	}
}

// valueOf returns a pointer to a copy of v.
func valueOf[T any](v T) *T { return &v }

// ListPayments implements GET /v1/payments: newest first, limit 1 to 50
// (default 10), filtered by order number, financial account and financial
// transaction reference (each an exact match; all given must match).
func (h *handlers) ListPayments(ctx context.Context, req server.ListPaymentsRequestObject) (server.ListPaymentsResponseObject, error) {
	info := infoFrom(ctx)
	space, p := req.Params.MonimeSpaceId, req.Params
	limit, after, e := pageRequest(space, p.Limit, p.After)
	if e != nil {
		return server.ListPayments400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	matches := func(want, got *string) bool { return want == nil || got != nil && *got == *want }
	var views []gen.Payment
	var pagination gen.Pagination
	h.s.store.within(func(time.Time) {
		page, last, more := h.s.store.payments.page(space, limit, after, func(v *Payment) bool {
			return matches(p.OrderNumber, v.OrderNumber) && matches(p.FinancialAccountId, v.FinancialAccountId) &&
				matches(p.FinancialTransactionReference, v.FinancialTransactionReference)
		})
		views = make([]gen.Payment, len(page))
		for i, v := range page {
			views[i] = v.Payment
		}
		pagination = pageInfo(space, len(page), last, more)
	})
	return server.ListPayments200JSONResponse{
		Body:    gen.PaymentListEnvelope{Success: true, Messages: &gen.Messages{}, Result: views, Pagination: pagination},
		Headers: server.ListPayments200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetPayment implements GET /v1/payments/{id}.
func (h *handlers) GetPayment(ctx context.Context, req server.GetPaymentRequestObject) (server.GetPaymentResponseObject, error) {
	info := infoFrom(ctx)
	view, e := lookup(h.s.store, h.s.store.payments, "payment", req.Params.MonimeSpaceId, req.Id,
		func(p *Payment) gen.Payment { return p.Payment })
	if e != nil {
		return server.GetPayment404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetPayment200JSONResponse{
		Body:    gen.PaymentEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetPayment200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// UpdatePayment implements PATCH /v1/payments/{id}: a new name and
// metadata. A field the body leaves out, or sends as null, stays as it was;
// metadata, when sent, replaces the old metadata whole. Nothing else of a
// payment changes; updateTime becomes now.
func (h *handlers) UpdatePayment(ctx context.Context, req server.UpdatePaymentRequestObject) (server.UpdatePaymentResponseObject, error) {
	info := infoFrom(ctx)
	body := req.Body
	if body == nil {
		body = &gen.UpdatePaymentRequest{}
	}
	if problems := checkMetadataKeys(body.Metadata); len(problems) > 0 {
		return server.UpdatePayment400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	var view gen.Payment
	var ok bool
	h.s.store.within(func(now time.Time) {
		var p *Payment
		if p, ok = h.s.store.payments.get(req.Params.MonimeSpaceId, req.Id); !ok {
			return
		}
		if body.Name != nil {
			p.Name = valueOf(*body.Name)
		}
		if body.Metadata != nil {
			p.Metadata = copyMetadata(body.Metadata)
		}
		p.UpdateTime = &now
		h.s.store.touched(p)
		view = p.Payment
	})
	if !ok {
		return server.UpdatePayment404JSONResponse{NotFoundJSONResponse: notFound("payment", req.Id, req.Params.MonimeSpaceId).notFound(info.id)}, nil
	}
	return server.UpdatePayment200JSONResponse{
		Body:    gen.PaymentEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.UpdatePayment200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
