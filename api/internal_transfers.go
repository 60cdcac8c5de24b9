package api

import (
	"context"
	"fmt"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// objectTypeTransfer is the owner type of the ledger entries of an
// internal transfer. Monime names no events for transfers, so the fake
// sends none.
const objectTypeTransfer = "internal_transfer"

// InternalTransfer is one stored internal transfer: what the read API
// returns for it. Find and FindAll return snapshots of it; SaveState writes
// it as it is.
type InternalTransfer struct {
	Stored
	// InternalTransfer is exactly what GetInternalTransfer answers. An
	// update replaces Description, Metadata and UpdateTime, so a shallow
	// copy taken under the store's lock can be encoded without it.
	gen.InternalTransfer `json:"view"`
	// IdempotencyKey is the key the transfer was created with.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

func (t *InternalTransfer) recordID() string { return t.Id }

// transferAccounts finds the two accounts of a transfer body in space and
// checks that they can trade: two different accounts, both holding the
// amount's currency. Call it with mu held.
func (st *store) transferAccounts(space string, body *gen.CreateInternalTransferRequest) (from, to *FinancialAccount, e *apiError) {
	var ok bool
	if from, ok = st.accounts.get(space, body.SourceFinancialAccount.Id); !ok {
		return nil, nil, notFound("financial account", body.SourceFinancialAccount.Id, space)
	}
	if to, ok = st.accounts.get(space, body.DestinationFinancialAccount.Id); !ok {
		return nil, nil, notFound("financial account", body.DestinationFinancialAccount.Id, space)
	}
	var problems []gen.ErrorDetail
	if from.Id == to.Id {
		problems = append(problems, detail("destinationFinancialAccount.id", fmt.Sprintf("is the source account %s too; a transfer moves money between two different accounts", from.Id)))
	}
	for _, side := range []struct {
		field string
		a     *FinancialAccount
	}{{"sourceFinancialAccount.id", from}, {"destinationFinancialAccount.id", to}} {
		if side.a.Currency != string(body.Amount.Currency) {
			problems = append(problems, detail(side.field, fmt.Sprintf("financial account %s holds %s, not %s; a transfer moves one currency between two accounts that hold it", side.a.Id, side.a.Currency, body.Amount.Currency)))
		}
	}
	if len(problems) > 0 {
		return nil, nil, validation(problems)
	}
	return from, to, nil
}

// createTransfer files a transfer of a validated body in space, complete
// at once when its source covers it (a debit of the source and a credit
// of the destination, under one reference), else failed with
// fund_insufficient, having moved nothing. Call it with mu held.
func (st *store) createTransfer(space, key string, body *gen.CreateInternalTransferRequest, now time.Time) (*InternalTransfer, *apiError) {
	st.openSpaces([]string{space}, now)
	from, to, e := st.transferAccounts(space, body)
	if e != nil {
		return nil, e
	}
	t := &InternalTransfer{Stored: Stored{SpaceID: space}, IdempotencyKey: key, InternalTransfer: gen.InternalTransfer{
		Id:          newID("trn-", 14),
		Status:      gen.InternalTransferStatusCompleted,
		Amount:      body.Amount,
		Description: body.Description,
		CreateTime:  now,
		UpdateTime:  &now,
		Metadata:    copyMetadata(body.Metadata),
	}}
	t.SourceFinancialAccount.Id = from.Id
	t.DestinationFinancialAccount.Id = to.Id
	t.Seq = st.next()
	st.transfers.insert(t)
	fail := func(code gen.InternalTransferFailureDetailCode, message string) (*InternalTransfer, *apiError) {
		t.Status = gen.InternalTransferStatusFailed
		t.FailureDetail = &struct {
			Code    gen.InternalTransferFailureDetailCode `json:"code"`
			Message *string                               `json:"message,omitempty"`
		}{Code: code, Message: &message}
		return t, nil
	}
	if from.Available < body.Amount.Value {
		return fail(gen.InternalTransferFailureDetailCodeFundInsufficient, fmt.Sprintf(
			"Financial account %s holds %s %d minor units; the transfer takes %d.", from.Id, from.Currency, from.Available, body.Amount.Value))
	}
	if to.Available > (1<<63-1)-body.Amount.Value {
		return fail(gen.InternalTransferFailureDetailCodeUnknown, fmt.Sprintf(
			"Financial account %s holds %s %d minor units and cannot take %d more: a balance is at most %d.", to.Id, to.Currency, to.Available, body.Amount.Value, int64(1<<63-1)))
	}
	ref := newID("ftr-", 12)
	for _, leg := range []struct {
		a    *FinancialAccount
		kind string
	}{{from, EntryDebit}, {to, EntryCredit}} {
		entry := LedgerEntry{Type: leg.kind, Amount: body.Amount, Reference: ref, OwnerType: objectTypeTransfer, OwnerID: t.Id}
		if _, err := st.book(leg.a, entry, now); err != nil {
			panic(err) // covered and in the accounts' currency, checked above
		}
	}
	t.FinancialTransactionReference = &ref
	return t, nil
}

// ListInternalTransfers implements GET /v1/internal-transfers: newest
// first, limit 1 to 50 (default 10), filtered by status, source and
// destination account and financial transaction reference (exact matches;
// all given must match).
func (h *handlers) ListInternalTransfers(ctx context.Context, req server.ListInternalTransfersRequestObject) (server.ListInternalTransfersResponseObject, error) {
	info := infoFrom(ctx)
	space, q := req.Params.MonimeSpaceId, req.Params
	limit, after, e := pageRequest(space, q.Limit, q.After)
	if e != nil {
		return server.ListInternalTransfers400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	matches := func(want, got *string) bool { return want == nil || got != nil && *got == *want }
	var views []gen.InternalTransfer
	var pagination gen.Pagination
	h.s.store.within(func(time.Time) {
		page, last, more := h.s.store.transfers.page(space, limit, after, func(t *InternalTransfer) bool {
			return (q.Status == nil || t.Status == *q.Status) &&
				matches(q.SourceFinancialAccountId, &t.SourceFinancialAccount.Id) &&
				matches(q.DestinationFinancialAccountId, &t.DestinationFinancialAccount.Id) &&
				matches(q.FinancialTransactionReference, t.FinancialTransactionReference)
		})
		views = make([]gen.InternalTransfer, len(page))
		for i, t := range page {
			views[i] = t.InternalTransfer
		}
		pagination = pageInfo(space, len(page), last, more)
	})
	return server.ListInternalTransfers200JSONResponse{
		Body:    gen.InternalTransferListEnvelope{Success: true, Messages: &gen.Messages{}, Result: views, Pagination: pagination},
		Headers: server.ListInternalTransfers200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// CreateInternalTransfer implements POST /v1/internal-transfers: see
// store.createTransfer. Idempotency is handled around it (see
// Server.idempotent).
func (h *handlers) CreateInternalTransfer(ctx context.Context, req server.CreateInternalTransferRequestObject) (server.CreateInternalTransferResponseObject, error) {
	info := infoFrom(ctx)
	body := req.Body
	if body == nil {
		e := validation([]gen.ErrorDetail{detail("", "a JSON request body is required")})
		return server.CreateInternalTransfer400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	problems := append(checkMetadataKeys(body.Metadata), releaseCurrency("amount.currency", body.Amount.Currency, req.Params.MonimeVersion)...)
	if body.Amount.Value <= 0 {
		problems = append(problems, detail("amount.value", fmt.Sprintf("must be positive, got %d: a transfer moves an amount of money, in minor units", body.Amount.Value)))
	}
	if len(problems) > 0 {
		return server.CreateInternalTransfer400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	var view gen.InternalTransfer
	var e *apiError
	h.s.store.within(func(now time.Time) {
		var t *InternalTransfer
		if t, e = h.s.store.createTransfer(req.Params.MonimeSpaceId, req.Params.IdempotencyKey, body, now); e == nil {
			view = t.InternalTransfer
		}
	})
	switch {
	case e == nil:
	case e.status == 404:
		return server.CreateInternalTransfer404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	default:
		return server.CreateInternalTransfer400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	return server.CreateInternalTransfer200JSONResponse{
		Body:    gen.InternalTransferEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.CreateInternalTransfer200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetInternalTransfer implements GET /v1/internal-transfers/{id}.
func (h *handlers) GetInternalTransfer(ctx context.Context, req server.GetInternalTransferRequestObject) (server.GetInternalTransferResponseObject, error) {
	info := infoFrom(ctx)
	view, e := lookup(h.s.store, h.s.store.transfers, "internal transfer", req.Params.MonimeSpaceId, req.Id,
		func(t *InternalTransfer) gen.InternalTransfer { return t.InternalTransfer })
	if e != nil {
		return server.GetInternalTransfer404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetInternalTransfer200JSONResponse{
		Body:    gen.InternalTransferEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetInternalTransfer200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// PatchInternalTransfer implements PATCH /v1/internal-transfers/{id}: a
// new description and metadata, in any status (they move no money). A
// member left out, or sent as null, stays as it was; metadata, when sent,
// replaces the old metadata whole; updateTime becomes now.
func (h *handlers) PatchInternalTransfer(ctx context.Context, req server.PatchInternalTransferRequestObject) (server.PatchInternalTransferResponseObject, error) {
	info := infoFrom(ctx)
	body := req.Body
	if body == nil {
		body = &gen.UpdateInternalTransferRequest{}
	}
	if problems := checkMetadataKeys(body.Metadata); len(problems) > 0 {
		return server.PatchInternalTransfer400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	var view gen.InternalTransfer
	var ok bool
	h.s.store.within(func(now time.Time) {
		var t *InternalTransfer
		if t, ok = h.s.store.transfers.get(req.Params.MonimeSpaceId, req.Id); !ok {
			return
		}
		if body.Description != nil {
			t.Description = valueOf(*body.Description)
		}
		if body.Metadata != nil {
			t.Metadata = copyMetadata(body.Metadata)
		}
		t.UpdateTime = &now
		h.s.store.touched(t)
		view = t.InternalTransfer
	})
	if !ok {
		return server.PatchInternalTransfer404JSONResponse{NotFoundJSONResponse: notFound("internal transfer", req.Id, req.Params.MonimeSpaceId).notFound(info.id)}, nil
	}
	return server.PatchInternalTransfer200JSONResponse{
		Body:    gen.InternalTransferEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.PatchInternalTransfer200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// DeleteInternalTransfer implements DELETE /v1/internal-transfers/{id}:
// only a transfer "in a deletable state (e.g., pending)" goes. The fake
// settles every transfer when it is created, completed or failed, so a
// transfer it holds answers 409 internal_transfer_not_deletable.
func (h *handlers) DeleteInternalTransfer(ctx context.Context, req server.DeleteInternalTransferRequestObject) (server.DeleteInternalTransferResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	var e *apiError
	h.s.store.within(func(time.Time) {
		st := h.s.store
		t, ok := st.transfers.get(space, req.Id)
		switch {
		case !ok:
			e = notFound("internal transfer", req.Id, space)
		case t.Status != gen.InternalTransferStatusPending:
			e = conflict(ReasonTransferNotDeletable, fmt.Sprintf("internal transfer %s is %s; only a pending transfer can be deleted, and the money of a final one has moved (or never will)", t.Id, t.Status))
		default: // no transfer of the fake is ever pending; kept for states written by hand
			st.transfers.remove(t)
			st.touched()
		}
	})
	switch {
	case e == nil:
	case e.status == 404:
		return server.DeleteInternalTransfer404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	default:
		return server.DeleteInternalTransfer409JSONResponse{ConflictJSONResponse: e.conflict(info.id)}, nil
	}
	return server.DeleteInternalTransfer200JSONResponse{
		Body:    gen.EmptyEnvelope{Success: true, Messages: &gen.Messages{}},
		Headers: server.DeleteInternalTransfer200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
