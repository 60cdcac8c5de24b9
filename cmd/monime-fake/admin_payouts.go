package main

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
)

// The admin API of money out: payouts, which the fake's -payout-delay
// completes on their own unless these endpoints decide first, and the
// internal transfers, which settle when made. See admin.go for the list.

// payoutStatuses are the statuses of Monime's payouts; the fake's are
// pending, completed and failed (it never shows one processing).
var payoutStatuses = []string{"pending", "processing", "completed", "failed"}

// transferStatuses are the statuses of Monime's internal transfers; the
// fake's are completed and failed (each settles when made).
var transferStatuses = []string{"pending", "processing", "completed", "failed"}

// payoutFailureCodes are Monime's seven payout failure codes, in the order
// of the fake's test destinations (README, "Test payout destinations").
var payoutFailureCodes = []string{
	string(gen.PayoutFailureCodeUnknown),
	string(gen.PayoutFailureCodeFundInsufficient),
	string(gen.PayoutFailureCodeAuthorizationFailed),
	string(gen.PayoutFailureCodeProviderUnknown),
	string(gen.PayoutFailureCodeProviderAccountBlocked),
	string(gen.PayoutFailureCodeProviderAccountMissing),
	string(gen.PayoutFailureCodeProviderAccountQuotaExhausted),
}

// defaultFailureCode is the code POST /_fake/payouts/{id}/fail fails with
// when its body names none: Monime's "unclassified reason".
const defaultFailureCode = string(gen.PayoutFailureCodeUnknown)

// payoutView is a payout as the admin API shows it: a read, plus the
// Idempotency-Key it was made with.
type payoutView struct {
	gen.Payout
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

func viewPayout(p api.Payout) payoutView {
	return payoutView{Payout: p.Payout, IdempotencyKey: p.IdempotencyKey}
}

// transferView is an internal transfer as the admin API shows it: a read,
// plus the Idempotency-Key it was made with.
type transferView struct {
	gen.InternalTransfer
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

func viewTransfer(t api.InternalTransfer) transferView {
	return transferView{InternalTransfer: t.InternalTransfer, IdempotencyKey: t.IdempotencyKey}
}

// payoutWithStatus keeps the payouts of status ("" keeps all).
func payoutWithStatus(status string) func(*api.Payout) bool {
	if status == "" {
		return nil
	}
	return func(p *api.Payout) bool { return string(p.Status) == status }
}

// transferWithStatus keeps the transfers of status ("" keeps all).
func transferWithStatus(status string) func(*api.InternalTransfer) bool {
	if status == "" {
		return nil
	}
	return func(t *api.InternalTransfer) bool { return string(t.Status) == status }
}

// queryStatus reads a list's status filter, one of statuses of kind, or
// answers the 400 itself and returns false.
func queryStatus(w http.ResponseWriter, r *http.Request, statuses []string, kind string) (string, bool) {
	status := r.URL.Query().Get("status")
	if status != "" && !slices.Contains(statuses, status) {
		writeError(w, http.StatusBadRequest, "validation_error", fmt.Sprintf("status %q is not a status of %ss; pass one of %s, or none for all", status, kind, strings.Join(statuses, ", ")))
		return "", false
	}
	return status, true
}

func (a *app) adminPayouts(w http.ResponseWriter, r *http.Request) {
	if status, ok := queryStatus(w, r, payoutStatuses, "payout"); ok {
		adminList(a, w, r, payoutWithStatus(status), viewPayout)
	}
}

func (a *app) adminTransfers(w http.ResponseWriter, r *http.Request) {
	if status, ok := queryStatus(w, r, transferStatuses, "internal transfer"); ok {
		adminList(a, w, r, transferWithStatus(status), viewTransfer)
	}
}

// payout returns the payout id if it is in the fake's space.
func (a *app) payout(id string) (api.Payout, bool) {
	p, ok := api.Find[api.Payout](a.fake, id)
	if !ok || p.SpaceID != a.cfg.space {
		return api.Payout{}, false
	}
	return p, true
}

func (a *app) adminPayout(w http.ResponseWriter, r *http.Request) {
	p, ok := a.payout(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", errNoPayout(r.PathValue("id"), a.cfg.space).Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": viewPayout(p)})
}

// errUnknownPayoutAction: the action is not complete or fail.
var errUnknownPayoutAction = errors.New("unknown action")

// payoutError is an error of a payout action: its message says what to
// do, and it is the error of package api it stands for (errors.Is), whose
// own words it leaves out.
type payoutError struct {
	msg  string
	kind error
}

func (e *payoutError) Error() string { return e.msg }
func (e *payoutError) Unwrap() error { return e.kind }

// errNoPayout is the error of a payout id the fake's space lacks.
func errNoPayout(id, space string) error {
	return &payoutError{fmt.Sprintf("no payout %q in space %s: it was never created here, or it was deleted; GET /_fake/payouts lists those there are", id, space), api.ErrPayoutNotFound}
}

// actOnPayout plays the provider (or the merchant) on payout id: complete,
// fail with code ("" for defaultFailureCode) or delete. Its error wraps
// ErrPayoutNotFound, ErrPayoutNotPending, ErrPayoutFailureCode or
// errUnknownPayoutAction and says what to do.
func (a *app) actOnPayout(id, action, code string) error {
	p, ok := a.payout(id)
	if !ok {
		return errNoPayout(id, a.cfg.space)
	}
	var err error
	switch action {
	case "complete":
		err = a.fake.CompletePayout(id)
	case "fail":
		if code == "" {
			code = defaultFailureCode
		}
		if !slices.Contains(payoutFailureCodes, code) {
			return &payoutError{fmt.Sprintf("code %q is not one of Monime's payout failure codes; pass one of %s, or none for %s", code, strings.Join(payoutFailureCodes, ", "), defaultFailureCode), api.ErrPayoutFailureCode}
		}
		err = a.fake.FailPayout(id, code)
	case "delete":
		err = a.fake.DeletePayout(id)
	default:
		return fmt.Errorf("%w %q: a payout can be completed or failed (POST .../complete or .../fail), or deleted (DELETE /_fake/payouts/{id})", errUnknownPayoutAction, action)
	}
	switch {
	case errors.Is(err, api.ErrPayoutNotPending):
		if now, ok := a.payout(id); ok {
			p = now
		}
		return &payoutError{fmt.Sprintf("payout %s is %s, and only a pending payout can be completed, failed or deleted (a final payout's money has left, or gone back to its source); make a new payout instead", id, p.Status), api.ErrPayoutNotPending}
	case errors.Is(err, api.ErrPayoutNotFound):
		return errNoPayout(id, a.cfg.space)
	}
	return err
}

// payoutActionError is the status and reason for an error of actOnPayout.
func payoutActionError(err error) (int, string) {
	switch {
	case errors.Is(err, api.ErrPayoutNotFound), errors.Is(err, errUnknownPayoutAction):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, api.ErrPayoutNotPending):
		return http.StatusConflict, "payout_not_pending"
	case errors.Is(err, api.ErrPayoutFailureCode):
		return http.StatusBadRequest, "validation_error"
	}
	return http.StatusInternalServerError, "internal_error"
}

// failBody is the optional body of .../fail.
type failBody struct {
	Code string `json:"code"`
}

func (a *app) adminPayoutAction(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	var body failBody
	if action == "fail" && !decodeBody(w, r, &body, true) {
		return
	}
	if action == "delete" { // DELETE /_fake/payouts/{id} deletes
		action = "POST delete"
	}
	if err := a.actOnPayout(id, action, body.Code); err != nil {
		code, reason := payoutActionError(err)
		writeError(w, code, reason, err.Error())
		return
	}
	p, _ := a.payout(id)
	writeJSON(w, http.StatusOK, map[string]any{"result": viewPayout(p)})
}

func (a *app) adminDeletePayout(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p, _ := a.payout(id)
	if err := a.actOnPayout(id, "delete", ""); err != nil {
		code, reason := payoutActionError(err)
		writeError(w, code, reason, err.Error())
		return
	}
	result := map[string]any{"id": id, "deleted": true}
	if p.Source != nil {
		if acc, ok := api.Find[api.FinancialAccount](a.fake, p.Source.FinancialAccountId); ok {
			result["source"] = viewAccount(acc) // with the balance given back
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": result})
}
