package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// A completed checkout session pays through one payment: the fake records
// it when the session completes, with the session's total as its amount.

// payment is the stored state of one payment.
type payment struct {
	seq   uint64 // creation order, for newest-first lists and cursors
	space string
	view  gen.Payment
}

// recordPayment stores the payment of session s, completed at now. Call it
// with mu held.
func (st *store) recordPayment(s *session, now time.Time) {
	var amount gen.Money
	for i, li := range s.view.LineItems.Data {
		if i == 0 {
			amount.Currency = li.Price.Currency
		}
		if li.Price.Currency == amount.Currency {
			amount.Value += li.Price.Value * int64(li.Quantity)
		}
	}
	var channel gen.PaymentChannel
	_ = channel.FromMomoChannel(gen.MomoChannel{Type: gen.MomoChannelTypeMomo, Provider: valueOf("m17")})
	ownerType := "checkout_session"
	ref := newID("ftr-", 12)
	p := &payment{space: s.space, view: gen.Payment{
		Id:                            newID("pay-", 14),
		Status:                        gen.PaymentStatusCompleted,
		Amount:                        amount,
		Channel:                       &channel,
		OrderNumber:                   s.view.OrderNumber,
		FinancialAccountId:            s.view.FinancialAccountId,
		FinancialTransactionReference: &ref,
		Fees:                          &[]gen.PaymentFee{},
		CreateTime:                    now,
		UpdateTime:                    &now,
		OwnershipGraph:                &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &s.view.Id, Type: &ownerType}},
	}}
	st.seq++
	p.seq = st.seq
	if st.payments == nil {
		st.payments = make(map[string]*payment)
	}
	st.payments[p.view.Id] = p
	sp := st.space(s.space)
	sp.payments = append(sp.payments, p)
}

// valueOf returns a pointer to a copy of v.
func valueOf[T any](v T) *T { return &v }

// listPayments returns up to limit payments of space matching keep, newest
// first, older than the one numbered after (0: from the newest).
func (st *store) listPayments(space string, limit int, after uint64, keep func(*gen.Payment) bool) (page []gen.Payment, last uint64, more bool) {
	st.lock()
	defer st.unlock()
	all := st.space(space).payments
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

func paymentNotFound(id, space string) *apiError {
	return &apiError{
		status:  http.StatusNotFound,
		reason:  ReasonNotFound,
		message: fmt.Sprintf("no payment %q in space %s; check the id and the Monime-Space-Id header", id, space),
	}
}

// ListPayments implements GET /v1/payments: newest first, filtered by order
// number, financial account and financial transaction reference.
func (h *handlers) ListPayments(ctx context.Context, req server.ListPaymentsRequestObject) (server.ListPaymentsResponseObject, error) {
	info := infoFrom(ctx)
	space, p := req.Params.MonimeSpaceId, req.Params
	limit := defaultListLimit
	if p.Limit != nil {
		limit = *p.Limit
	}
	var after uint64
	if p.After != nil && *p.After != "" {
		var e *apiError
		if after, e = decodeCursor(space, *p.After); e != nil {
			return server.ListPayments400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse{Body: e.envelope(), Headers: server.BadRequestResponseHeaders{MonimeRequestId: info.id}}}, nil
		}
	}
	matches := func(want, got *string) bool { return want == nil || got != nil && *got == *want }
	page, last, more := h.s.store.listPayments(space, limit, after, func(v *gen.Payment) bool {
		return matches(p.OrderNumber, v.OrderNumber) && matches(p.FinancialAccountId, v.FinancialAccountId) &&
			matches(p.FinancialTransactionReference, v.FinancialTransactionReference)
	})
	pagination := gen.Pagination{Count: len(page)}
	if more {
		next := encodeCursor(space, last)
		pagination.Next = &next
	}
	return server.ListPayments200JSONResponse{
		Body:    gen.PaymentListEnvelope{Success: true, Messages: &gen.Messages{}, Result: page, Pagination: pagination},
		Headers: server.ListPayments200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetPayment implements GET /v1/payments/{id}.
func (h *handlers) GetPayment(ctx context.Context, req server.GetPaymentRequestObject) (server.GetPaymentResponseObject, error) {
	info := infoFrom(ctx)
	st := h.s.store
	st.lock()
	p := st.payments[req.Id]
	var view gen.Payment
	if p != nil && p.space == req.Params.MonimeSpaceId {
		view = p.view
	}
	st.unlock()
	if view.Id == "" {
		return server.GetPayment404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: paymentNotFound(req.Id, req.Params.MonimeSpaceId).envelope(), Headers: server.NotFoundResponseHeaders{MonimeRequestId: info.id}}}, nil
	}
	return server.GetPayment200JSONResponse{
		Body:    gen.PaymentEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetPayment200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// UpdatePayment implements PATCH /v1/payments/{id}: a new name and metadata;
// what the body leaves out stays as it was.
func (h *handlers) UpdatePayment(ctx context.Context, req server.UpdatePaymentRequestObject) (server.UpdatePaymentResponseObject, error) {
	info := infoFrom(ctx)
	st := h.s.store
	now := st.clock()
	st.lock()
	p := st.payments[req.Id]
	var view gen.Payment
	if p != nil && p.space == req.Params.MonimeSpaceId {
		if req.Body != nil && req.Body.Name != nil {
			p.view.Name = valueOf(*req.Body.Name)
		}
		if req.Body != nil && req.Body.Metadata != nil {
			m := make(map[string]any, len(*req.Body.Metadata))
			for k, v := range *req.Body.Metadata {
				m[k] = v
			}
			p.view.Metadata = &m
		}
		p.view.UpdateTime = &now
		view = p.view
	}
	st.unlock()
	if view.Id == "" {
		return server.UpdatePayment404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: paymentNotFound(req.Id, req.Params.MonimeSpaceId).envelope(), Headers: server.NotFoundResponseHeaders{MonimeRequestId: info.id}}}, nil
	}
	return server.UpdatePayment200JSONResponse{
		Body:    gen.PaymentEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.UpdatePayment200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
