package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// Receipt is the stored receipt of a completed checkout session's order:
// what the read API returns for it, plus what only the fake knows. Find
// and FindAll return snapshots of it, by order number; SaveState writes
// it as it is.
type Receipt struct {
	Stored
	// Receipt is exactly what RetrieveReceipt answers. Its nested values
	// are never changed once stored; a redemption replaces Entitlements,
	// Status, Metadata and UpdateTime.
	gen.Receipt `json:"view"`
	// SessionID is the checkout session whose order the receipt records.
	SessionID string `json:"session"`
}

func (r *Receipt) recordID() string { return r.OrderNumber }

// issueReceipt files the receipt of the session s, just completed with its
// order number: orderName is the session's name, orderAmount what its
// line items total in the currency they first appear in (the other
// currencies' totals are left out), and one entitlement per line item,
// keyed by the item's reference, named after it, of its quantity. Call it
// with mu held.
func (st *store) issueReceipt(s *Session, now time.Time) {
	amount := gen.Money{Currency: gen.CurrencySLE}
	if len(s.LineItems.Data) > 0 {
		amount.Currency = s.LineItems.Data[0].Price.Currency
	}
	if totals, err := sessionTotals(s.LineItems.Data); err == nil {
		for _, t := range totals {
			if t.Currency == amount.Currency {
				amount = t
			}
		}
	}
	entitlements := make([]gen.Entitlement, len(s.LineItems.Data))
	for i, li := range s.LineItems.Data {
		key := ""
		if li.Reference != nil {
			key = *li.Reference
		} else if li.Id != nil {
			key = *li.Id
		}
		entitlements[i] = gen.Entitlement{Key: key, Name: valueOf(li.Name), Limit: li.Quantity, Remaining: li.Quantity, Exhausted: li.Quantity <= 0}
	}
	r := &Receipt{Stored: Stored{SpaceID: s.SpaceID}, SessionID: s.Id, Receipt: gen.Receipt{
		OrderNumber:  *s.OrderNumber,
		OrderName:    valueOf(s.Name),
		OrderAmount:  amount,
		Status:       gen.ReceiptStatusNotRedeemed,
		Entitlements: &entitlements,
		CreateTime:   now,
		UpdateTime:   now,
		Metadata:     s.Metadata,
	}}
	r.Status = receiptStatus(entitlements)
	r.Seq = st.next()
	st.receipts.insert(r)
}

// issueMissingReceipts issues the receipt of every completed session that
// has none: one a state of an earlier release completed. Call it with mu
// held.
func (st *store) issueMissingReceipts(now time.Time) {
	for _, s := range st.sessions.all("") {
		if s.Status == gen.CheckoutSessionStatusCompleted && s.OrderNumber != nil && !st.receipts.has(*s.OrderNumber) {
			st.issueReceipt(s, now)
		}
	}
}

// receiptStatus is the status entitlements give a receipt.
func receiptStatus(entitlements []gen.Entitlement) gen.ReceiptStatus {
	used, exhausted := false, true
	for _, e := range entitlements {
		used = used || e.Current > 0
		exhausted = exhausted && e.Exhausted
	}
	switch {
	case exhausted && used:
		return gen.ReceiptStatusFullyRedeemed
	case used:
		return gen.ReceiptStatusPartiallyRedeemed
	}
	return gen.ReceiptStatusNotRedeemed
}

// noReceipts is the 404 of a receipt operation under a release that has
// none, or nil.
func noReceipts(version *gen.MonimeVersion) *apiError {
	if version == nil || *version != gen.MonimeVersionCaph20250620 {
		return nil
	}
	return &apiError{status: http.StatusNotFound, reason: ReasonNotFound, message: fmt.Sprintf(
		"Monime-Version %s has no receipts; they arrived in %s: send Monime-Version: %s", *version, gen.MonimeVersionCaph20250823, gen.MonimeVersionCaph20250823)}
}

// RetrieveReceipt implements GET /v1/receipts/{orderNumber}: the receipt
// of a completed checkout session's order. Under Monime-Version
// caph.2025-06-20, which has no receipts, it answers 404 saying so.
func (h *handlers) RetrieveReceipt(ctx context.Context, req server.RetrieveReceiptRequestObject) (server.RetrieveReceiptResponseObject, error) {
	info := infoFrom(ctx)
	if e := noReceipts(req.Params.MonimeVersion); e != nil {
		return server.RetrieveReceipt404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	view, e := lookup(h.s.store, h.s.store.receipts, "receipt of order", req.Params.MonimeSpaceId, req.OrderNumber,
		func(r *Receipt) gen.Receipt { return r.Receipt })
	if e != nil {
		return server.RetrieveReceipt404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.RetrieveReceipt200JSONResponse{
		Body:    gen.ReceiptEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.RetrieveReceipt200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// redeemUnits returns how many units of each entitlement (by index) body
// asks for, or the 400 of a body that asks for none or for an entitlement
// the receipt lacks, or names one twice.
func redeemUnits(entitlements []gen.Entitlement, body *gen.RedeemReceiptRequest) (map[int]int, *apiError) {
	want := map[int]int{}
	if body.Entitlements == nil { // "When set, it takes precedence over the 'redeemAll' flag."
		if body.RedeemAll == nil || !*body.RedeemAll {
			return nil, validation([]gen.ErrorDetail{detail("", "name the entitlements to redeem, or send redeemAll: true to redeem all that remain")})
		}
		for i, e := range entitlements {
			if e.Remaining > 0 {
				want[i] = e.Remaining
			}
		}
		return want, nil
	}
	if len(*body.Entitlements) == 0 {
		return nil, validation([]gen.ErrorDetail{detail("entitlements", "is empty; name at least one entitlement, or leave it out and send redeemAll: true")})
	}
	keys := make([]string, len(entitlements))
	for i, e := range entitlements {
		keys[i] = e.Key
	}
	var problems []gen.ErrorDetail
	for n, asked := range *body.Entitlements {
		i := slices.Index(keys, asked.Key)
		switch _, twice := want[i]; {
		case i < 0:
			problems = append(problems, detail(fmt.Sprintf("entitlements[%d].key", n), fmt.Sprintf("the receipt has no entitlement %q; it has %s", asked.Key, strings.Join(keys, ", "))))
			continue
		case twice:
			problems = append(problems, detail(fmt.Sprintf("entitlements[%d].key", n), fmt.Sprintf("%q is named twice; name it once with the units to redeem", asked.Key)))
			continue
		}
		units := 1
		if asked.Units != nil {
			units = *asked.Units
		}
		want[i] = units
	}
	if len(problems) > 0 {
		return nil, validation(problems)
	}
	return want, nil
}

// redeem applies a redemption to r, all or nothing: false, changing
// nothing, when an entitlement it names is exhausted (or, for redeemAll,
// when nothing remains); a 400, changing nothing, when it asks for more
// units than one has left. Call it with mu held.
func (st *store) redeem(r *Receipt, body *gen.RedeemReceiptRequest, now time.Time) (bool, *apiError) {
	entitlements := slices.Clone(*r.Entitlements)
	want, e := redeemUnits(entitlements, body)
	if e != nil {
		return false, e
	}
	if len(want) == 0 {
		return false, nil // redeemAll with nothing left
	}
	for i := range want {
		if entitlements[i].Exhausted {
			return false, nil // "if any entitlement is already exhausted, the entire operation is rejected"
		}
	}
	var problems []gen.ErrorDetail
	for i, units := range want {
		if units > entitlements[i].Remaining {
			problems = append(problems, detail("entitlements", fmt.Sprintf("%q has %d unit(s) left of %d; redeem at most %d", entitlements[i].Key, entitlements[i].Remaining, entitlements[i].Limit, entitlements[i].Remaining)))
		}
	}
	if len(problems) > 0 {
		slices.SortFunc(problems, func(a, b gen.ErrorDetail) int { return strings.Compare(*a.Message, *b.Message) })
		return false, validation(problems)
	}
	for i, units := range want {
		en := &entitlements[i]
		en.Current += units
		en.Remaining -= units
		en.Exhausted = en.Remaining == 0
	}
	r.Entitlements = &entitlements
	r.Status = receiptStatus(entitlements)
	if body.Metadata != nil {
		r.Metadata = copyMetadata(body.Metadata)
	}
	r.UpdateTime = now
	st.touched(r)
	return true, nil
}

// RedeemReceipt implements POST /v1/receipts/{orderNumber}/redeem: the
// named entitlements (units default 1), or with redeemAll every unit left,
// all or nothing. When an entitlement it names is already exhausted it
// answers 200 with redeem: false and the receipt unchanged, as Monime's
// document says; asking for more units than are left, or for an
// entitlement the receipt lacks, is a 400. Under Monime-Version
// caph.2025-06-20 it answers 404, as RetrieveReceipt does. Idempotency is
// handled around it.
func (h *handlers) RedeemReceipt(ctx context.Context, req server.RedeemReceiptRequestObject) (server.RedeemReceiptResponseObject, error) {
	info := infoFrom(ctx)
	if e := noReceipts(req.Params.MonimeVersion); e != nil {
		return server.RedeemReceipt404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	body := req.Body
	if body == nil {
		body = &gen.RedeemReceiptRequest{}
	}
	if problems := checkMetadataKeys(body.Metadata); len(problems) > 0 {
		return server.RedeemReceipt400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	space := req.Params.MonimeSpaceId
	var view gen.Receipt
	var redeemed bool
	var e *apiError
	h.s.store.within(func(now time.Time) {
		st := h.s.store
		st.openSpaces([]string{space}, now)
		r, ok := st.receipts.get(space, req.OrderNumber)
		if !ok {
			e = notFound("receipt of order", req.OrderNumber, space)
			return
		}
		redeemed, e = st.redeem(r, body, now)
		view = r.Receipt
	})
	switch {
	case e == nil:
	case e.status == 404:
		return server.RedeemReceipt404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	default:
		return server.RedeemReceipt400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	var env gen.RedemptionEnvelope
	env.Success, env.Messages = true, &gen.Messages{}
	env.Result.Receipt, env.Result.Redeem = view, redeemed
	return server.RedeemReceipt200JSONResponse{
		Body:    env,
		Headers: server.RedeemReceipt200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
