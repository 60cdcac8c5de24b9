package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
)

// The admin API: JSON under adminPrefix, so that a test suite in any
// language can drive the fake as the dashboard does. Every answer is
// {"result": ...} or {"error": {"code": ..., "message": ...}}.
//
// The lists (sessions, payments, accounts, ledger, payouts, transfers,
// payment codes, USSD OTPs, receipts, deliveries) page like Monime's: limit (1 to 50, default 10) and after
// (the pagination.next of the page before), newest first, answering
// {"result": [...], "pagination": {"count": n, "next": "..."}}, next
// absent on the last page. Payout actions answer 404 for an id not in the
// space, 409 payout_not_pending for a completed or failed payout, and 400
// for a failure code that is not one of Monime's seven. The payment code
// and USSD OTP actions likewise answer 404 for an id not in the space, 409
// payment_code_not_payable for a code that takes no payment (disabled,
// expired, completed, cancelled) or ussd_otp_not_pending for an OTP
// verified or expired, and 400 payer_refused for a phone or provider the
// code or OTP does not authorize, or validation_error for an amount it
// does not take.
//
//	GET    /_fake/sessions[?status=pending]       the space's sessions, newest first
//	GET    /_fake/sessions/{id}                   one session, with what reads hide
//	POST   /_fake/sessions/{id}/complete          pay it: {"method":"momo","provider":"m18"} (both optional)
//	POST   /_fake/sessions/{id}/cancel            cancel it, as the customer would
//	POST   /_fake/sessions/{id}/expire            expire it now, as time would
//	GET    /_fake/accounts                        the space's financial accounts, newest first, with balances
//	POST   /_fake/accounts/{id}/fund              credit it, as money from outside: {"currency":"SLE","value":100000}
//	GET    /_fake/ledger[?account=fac-...]        the space's ledger entries (the books), newest first, of one account if given
//	GET    /_fake/payouts[?status=pending]        the space's payouts, newest first
//	GET    /_fake/payouts/{id}                    one payout, with its idempotencyKey
//	POST   /_fake/payouts/{id}/complete           pay it out, as the provider would (a test destination fails it instead)
//	POST   /_fake/payouts/{id}/fail               fail it, giving back what it held: {"code":"provider_account_blocked"} (optional; default unknown)
//	DELETE /_fake/payouts/{id}                    delete a pending one, giving back what it held, as DELETE /v1/payouts/{id} does
//	GET    /_fake/transfers[?status=completed]    the space's internal transfers, newest first
//	GET    /_fake/payments[?status=completed]     the space's payments, newest first
//	GET    /_fake/payment-codes[?status=pending]  the space's payment codes, newest first, with paymentIds, collected and idempotencyKey
//	GET    /_fake/payment-codes/{id}              one payment code
//	POST   /_fake/payment-codes/{id}/pay          pay it, as a payer dialling its USSD code: {"amount":{"currency":"SLE","value":75000},"phoneNumber":"+23276555000","provider":"m17"} (amount optional for a code of a fixed amount; phone and provider optional: the code's authorized ones)
//	GET    /_fake/ussd-otps[?status=pending]      the space's USSD OTPs, newest first
//	GET    /_fake/ussd-otps/{id}                  one USSD OTP
//	POST   /_fake/ussd-otps/{id}/dial             verify it, as its phone dialling it: {"phoneNumber":"+23276111222"} (optional; default its authorized phone)
//	GET    /_fake/receipts[?status=not_redeemed]  the space's receipts (one per completed checkout's order), newest first, with their entitlements
//	GET    /_fake/receipts/{orderNumber}          one receipt
//	GET    /_fake/deliveries[?session=scs-...]    webhook delivery attempts, newest first (paged too)
//	POST   /_fake/deliveries/{eventId}/redeliver  send an event again: {"url": "..."} (optional)
//	GET    /_fake/webhooks                        the receivers, those created through the API too
//	POST   /_fake/webhooks                        add one: {"url": "...", "secret": "...", "events": [...]}
//	DELETE /_fake/webhooks/{url}                  remove the receivers of url (percent-encoded as one path segment); 409 for a webhook created through the API, which DELETE /v1/webhooks/{id} deletes
//	POST   /_fake/faults                          fail the next calls: {"method":"POST","path":"/v1/checkout-sessions","count":2,"status":503}
//	DELETE /_fake/faults                          remove the faults not used up yet
//	POST   /_fake/reset                           forget sessions, payments, accounts (the main ones reopen empty), the ledger, payouts, transfers, payment codes, USSD OTPs, receipts, API webhooks, keys, deliveries and faults

// maxAdminBody caps an admin request's body.
const maxAdminBody = 64 << 10

func (a *app) adminRoutes(mux *http.ServeMux) {
	p := strings.TrimSuffix(adminPrefix, "/")
	mux.HandleFunc("GET "+p+"/sessions", a.adminSessions)
	mux.HandleFunc("GET "+p+"/sessions/{id}", a.adminSession)
	mux.HandleFunc("POST "+p+"/sessions/{id}/{action}", a.adminSessionAction)
	mux.HandleFunc("GET "+p+"/payments", a.adminPayments)
	mux.HandleFunc("GET "+p+"/accounts", a.adminAccounts)
	mux.HandleFunc("POST "+p+"/accounts/{id}/fund", a.adminFund)
	mux.HandleFunc("GET "+p+"/ledger", a.adminLedger)
	mux.HandleFunc("GET "+p+"/payouts", a.adminPayouts)
	mux.HandleFunc("GET "+p+"/payouts/{id}", a.adminPayout)
	mux.HandleFunc("POST "+p+"/payouts/{id}/{action}", a.adminPayoutAction)
	mux.HandleFunc("DELETE "+p+"/payouts/{id}", a.adminDeletePayout)
	mux.HandleFunc("GET "+p+"/transfers", a.adminTransfers)
	mux.HandleFunc("GET "+p+"/payment-codes", a.adminPaymentCodes)
	mux.HandleFunc("GET "+p+"/payment-codes/{id}", a.adminPaymentCode)
	mux.HandleFunc("POST "+p+"/payment-codes/{id}/pay", a.adminPayCode)
	mux.HandleFunc("GET "+p+"/ussd-otps", a.adminOTPs)
	mux.HandleFunc("GET "+p+"/ussd-otps/{id}", a.adminOTP)
	mux.HandleFunc("POST "+p+"/ussd-otps/{id}/dial", a.adminDialOTP)
	mux.HandleFunc("GET "+p+"/receipts", a.adminReceipts)
	mux.HandleFunc("GET "+p+"/receipts/{order}", a.adminReceipt)
	mux.HandleFunc("GET "+p+"/deliveries", a.adminDeliveries)
	mux.HandleFunc("POST "+p+"/deliveries/{event}/redeliver", a.adminRedeliver)
	mux.HandleFunc("GET "+p+"/webhooks", a.adminWebhooks)
	mux.HandleFunc("POST "+p+"/webhooks", a.adminAddWebhook)
	mux.HandleFunc("DELETE "+p+"/webhooks/{url}", a.adminRemoveWebhook)
	mux.HandleFunc("POST "+p+"/faults", a.adminAddFault)
	mux.HandleFunc("DELETE "+p+"/faults", a.adminClearFaults)
	mux.HandleFunc("POST "+p+"/reset", a.adminReset)
	mux.HandleFunc(adminPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("the admin API has no %s %s; see the list of its endpoints in the README (section \"Run a local Monime for any language\")", r.Method, r.URL.Path))
	})
}

// sessionView is a session as the admin API shows it: what a read of the
// Monime API returns, plus what the fake knows besides.
type sessionView struct {
	gen.CheckoutSession
	SpaceID        string   `json:"spaceId"`
	Started        bool     `json:"started"`
	IdempotencyKey string   `json:"idempotencyKey,omitempty"`
	PaymentIDs     []string `json:"paymentIds"`
}

func viewSession(s api.Session) sessionView {
	ids := s.PaymentIDs
	if ids == nil {
		ids = []string{}
	}
	return sessionView{CheckoutSession: s.CheckoutSession, SpaceID: s.SpaceID, Started: s.Started, IdempotencyKey: s.IdempotencyKey, PaymentIDs: ids}
}

// deliveryView is a delivery attempt as the admin API shows it.
type deliveryView struct {
	EventID    string    `json:"eventId"`
	EventName  string    `json:"eventName"`
	ObjectID   string    `json:"objectId"`
	SessionID  string    `json:"sessionId"`
	URL        string    `json:"url"`
	Attempt    int       `json:"attempt"`
	OK         bool      `json:"ok"`
	StatusCode int       `json:"statusCode"`
	Error      string    `json:"error,omitempty"`
	Time       time.Time `json:"time"`
	DurationMS float64   `json:"durationMs"`
	Signature  string    `json:"signature"`
	Body       string    `json:"body"` // the exact bytes sent, which Signature signs
}

func viewDelivery(d api.Delivery) deliveryView {
	return deliveryView{
		EventID: d.EventID, EventName: d.EventName, ObjectID: d.ObjectID, SessionID: d.SessionID, URL: d.URL,
		Attempt: d.Attempt, OK: d.OK(), StatusCode: d.StatusCode, Error: d.Err, Time: d.Time,
		DurationMS: float64(d.Duration.Microseconds()) / 1000, Signature: d.Signature, Body: string(d.Body),
	}
}

var sessionStatuses = []string{"pending", "completed", "cancelled", "expired"}

// Paging of the admin lists: Monime's rules for limit.
const (
	adminDefaultLimit = 10
	adminMaxLimit     = 50
)

// parseLimit reads a list's limit: raw, a whole number from 1 to
// adminMaxLimit, or def when raw is empty. Its error says what is wrong.
func parseLimit(raw string, def int) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > adminMaxLimit {
		return 0, fmt.Errorf("limit %q is not a whole number from 1 to %d; omit it for %d", raw, adminMaxLimit, def)
	}
	return n, nil
}

// adminLimit reads the limit of an admin list from the query, or answers
// the 400 itself and returns false.
func adminLimit(w http.ResponseWriter, r *http.Request) (int, bool) {
	limit, err := parseLimit(r.URL.Query().Get("limit"), adminDefaultLimit)
	if err != nil {
		writeError(w, http.StatusBadRequest, "validation_error", err.Error())
		return 0, false
	}
	return limit, true
}

// writePage answers one page of an admin list: its items and its
// pagination, next absent on the last page.
func writePage[V any](w http.ResponseWriter, items []V, next string) {
	pagination := map[string]any{"count": len(items)}
	if next != "" {
		pagination["next"] = next
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": items, "pagination": pagination})
}

// adminList answers one page of the objects of kind T in the fake's
// space that keep accepts (nil: all), each shown by view, reading limit
// and after from the query as Monime's lists do.
func adminList[T any, P api.Record[T], V any](a *app, w http.ResponseWriter, r *http.Request, keep func(*T) bool, view func(T) V) {
	limit, ok := adminLimit(w, r)
	if !ok {
		return
	}
	page, err := api.FindPage[T, P](a.fake, a.cfg.space, limit, r.URL.Query().Get("after"), keep)
	if err != nil {
		writeError(w, http.StatusBadRequest, "validation_error", strings.TrimPrefix(err.Error(), "api: FindPage: "))
		return
	}
	out := make([]V, len(page.Items))
	for i, item := range page.Items {
		out[i] = view(item)
	}
	writePage(w, out, page.Next)
}

var paymentStatuses = []string{"pending", "processing", "completed"}

// withStatus keeps the sessions of status ("" keeps all).
func withStatus(status string) func(*api.Session) bool {
	if status == "" {
		return nil
	}
	return func(s *api.Session) bool { return string(s.Status) == status }
}

// paymentWithStatus keeps the payments of status ("" keeps all).
func paymentWithStatus(status string) func(*api.Payment) bool {
	if status == "" {
		return nil
	}
	return func(p *api.Payment) bool { return string(p.Status) == status }
}

func (a *app) adminSessions(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if status != "" && !slices.Contains(sessionStatuses, status) {
		writeError(w, http.StatusBadRequest, "validation_error", fmt.Sprintf("status %q is not a session status; pass one of %s, or none for all", status, strings.Join(sessionStatuses, ", ")))
		return
	}
	adminList(a, w, r, withStatus(status), viewSession)
}

func (a *app) adminSession(w http.ResponseWriter, r *http.Request) {
	s, ok := a.session(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no checkout session %q in space %s: it was never created here, or it was deleted", r.PathValue("id"), a.cfg.space))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": viewSession(s)})
}

// session returns the session id if it is in the fake's space.
func (a *app) session(id string) (api.Session, bool) {
	s, ok := api.Find[api.Session](a.fake, id)
	if !ok || s.SpaceID != a.cfg.space {
		return api.Session{}, false
	}
	return s, true
}

// completeBody is the optional body of .../complete.
type completeBody struct {
	Method   string `json:"method"`
	Provider string `json:"provider"`
}

func (a *app) adminSessionAction(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	var body completeBody
	if action == "complete" {
		if !decodeBody(w, r, &body, true) {
			return
		}
	}
	err := a.act(id, action, body.Method, body.Provider)
	if err != nil {
		code, reason := actionError(err)
		writeError(w, code, reason, err.Error())
		return
	}
	s, _ := a.session(id)
	writeJSON(w, http.StatusOK, map[string]any{"result": viewSession(s)})
}

// errUnknownAction: the action is not complete, cancel or expire.
var errUnknownAction = errors.New("unknown action")

// act plays the customer or the clock on session id: complete (paying by
// method and provider, empty for the preselected ones), cancel or expire.
func (a *app) act(id, action, method, provider string) error {
	if _, ok := a.session(id); !ok {
		return fmt.Errorf("no checkout session %q in space %s: %w", id, a.cfg.space, api.ErrSessionNotFound)
	}
	switch action {
	case "complete", "pay":
		return a.fake.CompleteWith(id, gen.PaymentChannelType(method), provider)
	case "cancel":
		return a.fake.Cancel(id)
	case "expire":
		return a.fake.Expire(id)
	}
	return fmt.Errorf("%w %q: a session can be completed, cancelled or expired (POST .../complete, .../cancel or .../expire)", errUnknownAction, action)
}

// actionError is the status and reason for an error of act.
func actionError(err error) (int, string) {
	switch {
	case errors.Is(err, api.ErrSessionNotFound), errors.Is(err, errUnknownAction):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, api.ErrSessionFinal):
		return http.StatusConflict, "session_final"
	case errors.Is(err, api.ErrSessionNotPayable):
		return http.StatusConflict, "session_not_payable"
	case errors.Is(err, api.ErrChannelNotOffered):
		return http.StatusBadRequest, "channel_not_offered"
	}
	return http.StatusInternalServerError, "internal_error"
}

// paymentView is a payment as the admin API shows it: a read, plus the
// session it paid for.
type paymentView struct {
	gen.Payment
	SessionID     string `json:"sessionId"`
	PaymentCodeID string `json:"paymentCodeId,omitempty"` // for a payment into a payment code
}

func (a *app) adminPayments(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if status != "" && !slices.Contains(paymentStatuses, status) {
		writeError(w, http.StatusBadRequest, "validation_error", fmt.Sprintf("status %q is not a payment status; pass one of %s, or none for all", status, strings.Join(paymentStatuses, ", ")))
		return
	}
	adminList(a, w, r, paymentWithStatus(status), func(p api.Payment) paymentView {
		return paymentView{Payment: p.Payment, SessionID: p.SessionID, PaymentCodeID: p.PaymentCodeID}
	})
}

// accountView is a financial account as the admin API shows it: a read
// with withBalance, plus whether it is the space's main account for its
// currency.
type accountView struct {
	gen.FinancialAccount
	Main bool `json:"main"`
}

// viewAccount is an account as a read with withBalance shows it, plus
// whether it is the space's main account for its currency.
func viewAccount(acc api.FinancialAccount) accountView {
	view := acc.FinancialAccount
	view.Balance = &struct {
		Available gen.Money `json:"available"`
	}{Available: gen.Money{Currency: gen.Currency(acc.Currency), Value: acc.Available}}
	return accountView{FinancialAccount: view, Main: acc.Main}
}

func (a *app) adminAccounts(w http.ResponseWriter, r *http.Request) {
	adminList(a, w, r, nil, viewAccount)
}

func (a *app) adminFund(w http.ResponseWriter, r *http.Request) {
	var amount gen.Money
	if !decodeBody(w, r, &amount, false) {
		return
	}
	id := r.PathValue("id")
	if acc, ok := api.Find[api.FinancialAccount](a.fake, id); !ok || acc.SpaceID != a.cfg.space {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("space %s has no financial account %q; fund one that GET /_fake/accounts lists", a.cfg.space, id))
		return
	}
	if err := a.fake.Fund(id, amount); err != nil {
		writeError(w, http.StatusBadRequest, "validation_error", err.Error())
		return
	}
	acc, _ := api.Find[api.FinancialAccount](a.fake, id)
	writeJSON(w, http.StatusOK, map[string]any{"result": viewAccount(acc)})
}

func (a *app) adminLedger(w http.ResponseWriter, r *http.Request) {
	account := r.URL.Query().Get("account")
	if account != "" {
		if acc, ok := api.Find[api.FinancialAccount](a.fake, account); !ok || acc.SpaceID != a.cfg.space {
			writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("space %s has no financial account %q; pass one that GET /_fake/accounts lists, or no account for the whole ledger", a.cfg.space, account))
			return
		}
	}
	adminList(a, w, r, ofAccount(account), func(e api.LedgerEntry) api.LedgerEntry { return e })
}

// ofAccount keeps the ledger entries of account ("" keeps all).
func ofAccount(account string) func(*api.LedgerEntry) bool {
	if account == "" {
		return nil
	}
	return func(e *api.LedgerEntry) bool { return e.AccountID == account }
}

// ofSession keeps the delivery attempts of session ("" keeps all).
func ofSession(session string) func(*api.Delivery) bool {
	if session == "" {
		return nil
	}
	return func(d *api.Delivery) bool { return d.SessionID == session }
}

func (a *app) adminDeliveries(w http.ResponseWriter, r *http.Request) {
	limit, ok := adminLimit(w, r)
	if !ok {
		return
	}
	page, err := a.fake.DeliveriesPage(limit, r.URL.Query().Get("after"), ofSession(r.URL.Query().Get("session")))
	if err != nil {
		writeError(w, http.StatusBadRequest, "validation_error", strings.TrimPrefix(err.Error(), "api: DeliveriesPage: "))
		return
	}
	out := make([]deliveryView, len(page.Items))
	for i, d := range page.Items {
		out[i] = viewDelivery(d)
	}
	writePage(w, out, page.Next)
}

func (a *app) adminRedeliver(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URL string `json:"url"`
	}
	if !decodeBody(w, r, &body, true) {
		return
	}
	if err := a.fake.Redeliver(r.PathValue("event"), body.URL); err != nil {
		code, reason := http.StatusConflict, "not_redeliverable"
		if errors.Is(err, api.ErrDeliveryNotFound) {
			code, reason = http.StatusNotFound, "not_found"
		}
		writeError(w, code, reason, err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"result": map[string]string{"eventId": r.PathValue("event"), "status": "queued"}})
}

func (a *app) adminWebhooks(w http.ResponseWriter, _ *http.Request) {
	type webhookView struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
		// A webhook created through the API (POST /v1/webhooks) says so:
		// its id and space, and whether it is disabled.
		ID       string `json:"id,omitempty"`
		Space    string `json:"space,omitempty"`
		Disabled bool   `json:"disabled,omitempty"`
	}
	out := []webhookView{}
	for _, h := range a.fake.Webhooks() {
		out = append(out, webhookView{URL: h.URL, Events: h.Events, ID: h.ID, Space: h.SpaceID, Disabled: h.Disabled})
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": out})
}

func (a *app) adminRemoveWebhook(w http.ResponseWriter, r *http.Request) {
	if err := a.fake.RemoveWebhook(r.PathValue("url")); err != nil {
		if id := a.apiWebhookAt(r.PathValue("url")); id != "" {
			writeError(w, http.StatusConflict, "created_through_the_api", fmt.Sprintf("the webhook at %q was created through the API (%s): delete it with DELETE /v1/webhooks/%s, as your app would", r.PathValue("url"), id, id))
			return
		}
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no webhook receiver has the URL %q; pass a URL GET /_fake/webhooks lists, percent-encoded as one path segment", r.PathValue("url")))
		return
	}
	a.adminWebhooks(w, r)
}

// apiWebhookAt is the id of a webhook created through the API whose URL
// is url, or "".
func (a *app) apiWebhookAt(url string) string {
	for _, h := range a.fake.Webhooks() {
		if h.ID != "" && h.URL == url {
			return h.ID
		}
	}
	return ""
}

// webhookBody is the body of POST /_fake/webhooks.
type webhookBody struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"` // default: the fake's -webhook-secret
	Events []string `json:"events"` // default: the checkout_session.* events
}

func (a *app) adminAddWebhook(w http.ResponseWriter, r *http.Request) {
	var body webhookBody
	if !decodeBody(w, r, &body, false) {
		return
	}
	if err := a.addWebhook(body); err != nil {
		writeError(w, http.StatusBadRequest, "validation_error", err.Error())
		return
	}
	a.adminWebhooks(w, r)
}

// addWebhook adds a receiver, signed with the fake's secret unless the
// body names another.
func (a *app) addWebhook(body webhookBody) error {
	if problem := webURLProblem(body.URL); problem != "" {
		return fmt.Errorf("url %q %s; pass the absolute http or https URL of your receiver", body.URL, problem)
	}
	if body.Secret == "" {
		body.Secret = a.cfg.webhookSecret
	}
	return a.fake.AddWebhook(body.URL, body.Secret, body.Events...)
}

// faultBody is the body of POST /_fake/faults.
type faultBody struct {
	Method     string `json:"method"` // "" for any
	Path       string `json:"path"`   // a path.Match pattern, such as /v1/checkout-sessions/*
	Count      int    `json:"count"`  // default 1
	Status     int    `json:"status"`
	RetryAfter int    `json:"retryAfter"`
	LatencyMS  int    `json:"latencyMs"`
	Reset      bool   `json:"reset"`
	Drop       bool   `json:"drop"`
}

func (a *app) adminAddFault(w http.ResponseWriter, r *http.Request) {
	var body faultBody
	if !decodeBody(w, r, &body, false) {
		return
	}
	if body.Count == 0 {
		body.Count = 1
	}
	if body.Path == "" {
		writeError(w, http.StatusBadRequest, "validation_error", "path is missing; pass the path the fault applies to, such as /v1/checkout-sessions, or a pattern such as /v1/checkout-sessions/*")
		return
	}
	f := api.Fault{Status: body.Status, RetryAfter: body.RetryAfter, Latency: time.Duration(body.LatencyMS) * time.Millisecond, Reset: body.Reset, Drop: body.Drop}
	if f == (api.Fault{}) {
		writeError(w, http.StatusBadRequest, "validation_error", "the fault does nothing; set status (400 to 599), latencyMs, reset or drop")
		return
	}
	if err := a.fake.InjectFault(body.Method, body.Path, body.Count, f); err != nil {
		writeError(w, http.StatusBadRequest, "validation_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": map[string]any{"method": body.Method, "path": body.Path, "count": body.Count, "fault": f.String()}})
}

func (a *app) adminClearFaults(w http.ResponseWriter, _ *http.Request) {
	a.fake.ClearFaults()
	writeJSON(w, http.StatusOK, map[string]any{"result": map[string]string{"status": "cleared"}})
}

func (a *app) adminReset(w http.ResponseWriter, _ *http.Request) {
	a.fake.Reset()
	writeJSON(w, http.StatusOK, map[string]any{"result": map[string]string{"status": "reset"}})
}

// decodeBody decodes a JSON body into v, refusing unknown fields; an empty
// body is accepted when optional. It answers the error itself and reports
// whether to go on.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, optional bool) bool {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "request_too_large", fmt.Sprintf("the body could not be read or is over %d bytes: %v", maxAdminBody, err))
		return false
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		if optional {
			return true
		}
		writeError(w, http.StatusBadRequest, "validation_error", "the body is empty; send a JSON object (see the README's admin API section)")
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil || dec.More() {
		if err == nil {
			err = errors.New("data after the JSON object")
		}
		writeError(w, http.StatusBadRequest, "validation_error", "the body is not the JSON object this endpoint takes: "+err.Error())
		return false
	}
	return true
}
