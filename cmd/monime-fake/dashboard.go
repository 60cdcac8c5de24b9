package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
)

// The dashboard: server-rendered pages at /, no scripts and no external
// assets. Its forms post to handlers that act through package api and
// redirect back (303), so the browser's Back and Reload stay harmless.

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.New("pages").ParseFS(templateFS, "templates/*.html"))

func (a *app) dashboardRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", a.pageSessions)
	mux.HandleFunc("GET /sessions/{id}", a.pageSession)
	mux.HandleFunc("POST /sessions/{id}/{action}", a.formSessionAction)
	mux.HandleFunc("GET /payments", a.pagePayments)
	mux.HandleFunc("GET /accounts", a.pageAccounts)
	mux.HandleFunc("GET /accounts/{id}", a.pageAccount)
	mux.HandleFunc("POST /accounts/{id}/fund", a.formFund)
	mux.HandleFunc("GET /payouts", a.pagePayouts)
	mux.HandleFunc("POST /payouts/{id}/{action}", a.formPayoutAction)
	mux.HandleFunc("GET /transfers", a.pageTransfers)
	mux.HandleFunc("GET /payment-codes", a.pagePaymentCodes)
	mux.HandleFunc("POST /payment-codes/{id}/pay", a.formPayCode)
	mux.HandleFunc("GET /ussd-otps", a.pageOTPs)
	mux.HandleFunc("POST /ussd-otps/{id}/dial", a.formDialOTP)
	mux.HandleFunc("GET /receipts", a.pageReceipts)
	mux.HandleFunc("GET /webhooks", a.pageWebhooks)
	mux.HandleFunc("POST /webhooks", a.formAddWebhook)
	mux.HandleFunc("POST /webhooks/remove", a.formRemoveWebhook)
	mux.HandleFunc("POST /webhooks/redeliver", a.formRedeliver)
}

// page is what every template gets.
type page struct {
	Title, Nav      string
	Base, Space     string
	Token           string
	Notice, Problem string
	Back            string // where a form on the page comes back to
	Filter          string
	Statuses        []string
	Next            string // the link to the next page of the list, "" on the last
	NextAccounts    string // the same for the accounts of the accounts page
	Sessions        []sessionRow
	Session         *sessionDetail
	Channels        []channelOption
	Deliveries      []deliveryRow
	Secret          string // the fake's -webhook-secret
	Webhooks        []api.Webhook
	Payments        []paymentRow
	Accounts        []accountRow
	Entries         []entryRow
	Account         *accountRow // the account of an account's page
	Payouts         []payoutRow
	FailureCodes    []string // the choices of a payout's Fail form
	Transfers       []transferRow
	PaymentCodes    []codeRow
	OTPs            []otpRow
	Receipts        []receiptRow
}

// dashboardPageSize is how many rows a list of the dashboard shows at
// once unless the query's limit says otherwise.
const dashboardPageSize = 50

// dashLimit reads the limit of the page's lists from the query (1 to 50,
// default dashboardPageSize), or answers a 400 page that says what is
// wrong and returns false.
func (a *app) dashLimit(w http.ResponseWriter, r *http.Request) (int, bool) {
	limit, err := parseLimit(r.URL.Query().Get("limit"), dashboardPageSize)
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, "Nothing to show: "+err.Error()+" rows a page.", r.URL.Path)
		return 0, false
	}
	return limit, true
}

// dashList returns a page of up to limit objects of kind T in the fake's
// space that keep accepts (nil: all), from the cursor in the query
// parameter param, and the link to the next page ("" on the last). A
// cursor that is not one the page issued shows the first page, with a
// problem that says so.
func dashList[T any, P api.Record[T]](a *app, r *http.Request, p *page, limit int, param string, keep func(*T) bool) []T {
	pg, err := api.FindPage[T, P](a.fake, a.cfg.space, limit, r.URL.Query().Get(param), keep)
	if err != nil {
		p.Problem = "That page link is out of date or mistyped; showing the newest first."
		pg, _ = api.FindPage[T, P](a.fake, a.cfg.space, limit, "", keep)
	}
	next := nextPage(r, param, pg.Next)
	if param == "accounts" {
		p.NextAccounts = next
	} else {
		p.Next = next
	}
	return pg.Items
}

// nextPage is the link to the page of the list whose cursor is in the
// query parameter param that starts after cursor: "" when cursor is.
func nextPage(r *http.Request, param, cursor string) string {
	if cursor == "" {
		return ""
	}
	q := r.URL.Query()
	q.Del("notice")
	q.Set(param, cursor)
	return r.URL.Path + "?" + q.Encode()
}

// dashDeliveries returns a page of up to limit delivery attempts, newest
// first, of session ("" for all), from the cursor in the query's after,
// and sets the link to the next page; a cursor the page did not issue
// shows the first page, with a problem that says so.
func dashDeliveries(a *app, r *http.Request, p *page, limit int, session string) []deliveryRow {
	pg, err := a.fake.DeliveriesPage(limit, r.URL.Query().Get("after"), ofSession(session))
	if err != nil {
		p.Problem = "That page link is out of date or mistyped; showing the newest deliveries first."
		pg, _ = a.fake.DeliveriesPage(limit, "", ofSession(session))
	}
	p.Next = nextPage(r, "after", pg.Next)
	return deliveryRows(pg.Items)
}

// accountRow is one financial account on the accounts page.
type accountRow struct {
	ID, Name, Description, Currency string
	UVAN, Reference, Balance        string
	Main                            bool
}

// entryRow is one ledger entry on the accounts page.
type entryRow struct {
	ID, Booked, Account, Type string
	Amount, BalanceAfter, For string
	Reference                 string
}

// statusFilter reads a list page's status filter: one of statuses (of a
// kind of object), or none, with a problem shown for any other value.
func (p *page) statusFilter(r *http.Request, statuses []string, kind string) {
	p.Statuses = statuses
	p.Filter = r.URL.Query().Get("status")
	if p.Filter != "" && !slices.Contains(statuses, p.Filter) {
		p.Problem = fmt.Sprintf("%q is not a %s status; showing all %ss.", p.Filter, kind, kind)
		p.Filter = ""
	}
}

func (a *app) newPage(r *http.Request, title, nav string) page {
	return page{Title: title, Nav: nav, Base: a.base, Space: a.cfg.space, Token: a.cfg.token, Notice: r.URL.Query().Get("notice"), Back: r.URL.RequestURI()}
}

type sessionRow struct {
	ID, Name, Status, Reference string
	Totals                      []string
	Created, Expires            string
}

type sessionDetail struct {
	sessionRow
	Pending                  bool
	OrderNumber, RedirectURL string
	SuccessURL, CancelURL    string
	IdempotencyKey           string
	Items                    []itemRow
	Metadata                 []keyValue
	Payments                 []paymentRow
}

type itemRow struct {
	Name, Description, Price, Total string
	Quantity                        int
}

type keyValue struct{ Key, Value string }

type paymentRow struct {
	ID, Status, Amount, Channel, Fees string
	Session, PaymentCode, Created     string // what it paid for: a checkout session or a payment code
}

type deliveryRow struct {
	api.Delivery
	OK   bool
	Sent string
	Took string
	Body string
}

// channelOption is one choice of the Pay form: value method:provider.
type channelOption struct{ Value, Label string }

// payChannels are every method and provider the fake knows, from its
// provider catalog and the two card schemes; one the session does not
// offer is refused with the reason.
var payChannels = func() []channelOption {
	kinds := map[string]string{api.ProviderMomo: "Mobile money", api.ProviderBank: "Bank", api.ProviderWallet: "Wallet"}
	var opts []channelOption
	for _, p := range api.Providers() {
		opts = append(opts, channelOption{p.Type + ":" + p.ID, kinds[p.Type] + " · " + p.Name + " (" + p.ID + ")"})
	}
	return append(opts, channelOption{"card:visa", "Card · Visa"}, channelOption{"card:mastercard", "Card · Mastercard"})
}()

// money formats an amount as the hosted page does: SLE 1,234,567.89.
func money(m gen.Money) string {
	return api.FormatMoney(string(m.Currency), big.NewInt(m.Value))
}

// totals sums the line items per currency, in the order currencies
// appear, formatted, in big integers: a sum past 64 bits shows whole.
func totals(items []gen.LineItem) []string {
	var order []gen.Currency
	sums := map[gen.Currency]*big.Int{}
	for _, li := range items {
		if sums[li.Price.Currency] == nil {
			sums[li.Price.Currency] = new(big.Int)
			order = append(order, li.Price.Currency)
		}
		sums[li.Price.Currency].Add(sums[li.Price.Currency], new(big.Int).Mul(big.NewInt(li.Price.Value), big.NewInt(int64(li.Quantity))))
	}
	out := make([]string, 0, len(order))
	for _, c := range order {
		out = append(out, api.FormatMoney(string(c), sums[c]))
	}
	return out
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func rowOf(s api.Session) sessionRow {
	return sessionRow{
		ID: s.Id, Name: s.Name, Status: string(s.Status), Reference: deref(s.Reference),
		Totals: totals(s.LineItems.Data), Created: when(s.CreateTime), Expires: when(s.ExpireTime),
	}
}

func (a *app) pageSessions(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, "Sessions", "sessions")
	p.statusFilter(r, sessionStatuses, "session")
	for _, s := range dashList[api.Session](a, r, &p, limit, "after", withStatus(p.Filter)) {
		p.Sessions = append(p.Sessions, rowOf(s))
	}
	a.render(w, http.StatusOK, "sessions.html", p)
}

func (a *app) pageSession(w http.ResponseWriter, r *http.Request) {
	s, ok := a.session(r.PathValue("id"))
	if !ok {
		a.problem(w, r, http.StatusNotFound, fmt.Sprintf("There is no checkout session %q in space %s: it was never created here, or it was deleted.", r.PathValue("id"), a.cfg.space), "/")
		return
	}
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, s.Name, "sessions")
	d := &sessionDetail{
		sessionRow: rowOf(s), Pending: s.Status == gen.CheckoutSessionStatusPending,
		OrderNumber: deref(s.OrderNumber), RedirectURL: s.RedirectUrl,
		SuccessURL: deref(s.SuccessUrl), CancelURL: deref(s.CancelUrl), IdempotencyKey: s.IdempotencyKey,
	}
	for _, li := range s.LineItems.Data {
		d.Items = append(d.Items, itemRow{Name: li.Name, Description: deref(li.Description), Price: money(li.Price), Quantity: li.Quantity, Total: totals([]gen.LineItem{li})[0]})
	}
	if s.Metadata != nil {
		for k, v := range *s.Metadata {
			d.Metadata = append(d.Metadata, keyValue{k, fmt.Sprint(v)})
		}
		sort.Slice(d.Metadata, func(i, j int) bool { return d.Metadata[i].Key < d.Metadata[j].Key })
	}
	for _, id := range s.PaymentIDs {
		if pay, ok := api.Find[api.Payment](a.fake, id); ok {
			d.Payments = append(d.Payments, paymentRowOf(pay))
		}
	}
	p.Session = d
	p.Channels = payChannels
	p.Deliveries = dashDeliveries(a, r, &p, limit, s.Id)
	a.render(w, http.StatusOK, "session.html", p)
}

func paymentRowOf(p api.Payment) paymentRow {
	row := paymentRow{ID: p.Id, Status: string(p.Status), Amount: money(p.Amount), Channel: "—", Fees: "—", Session: p.SessionID, PaymentCode: p.PaymentCodeID, Created: when(p.CreateTime)}
	if p.Channel != nil {
		var ch map[string]any
		if raw, err := json.Marshal(p.Channel); err == nil && json.Unmarshal(raw, &ch) == nil {
			parts := []string{fmt.Sprint(ch["type"])}
			for _, k := range []string{"provider", "scheme", "last4", "phoneNumber", "accountNumber", "walletId", "reference"} {
				if v, ok := ch[k]; ok {
					parts = append(parts, fmt.Sprint(v))
				}
			}
			row.Channel = strings.Join(parts, " · ")
		}
	}
	if p.Fees != nil && len(*p.Fees) > 0 {
		var fees []string
		for _, f := range *p.Fees {
			fees = append(fees, f.Code+" "+money(f.Amount))
		}
		row.Fees = strings.Join(fees, ", ")
	}
	return row
}

func deliveryRows(ds []api.Delivery) []deliveryRow {
	out := make([]deliveryRow, len(ds))
	for i, d := range ds {
		body := string(d.Body)
		var pretty bytes.Buffer
		if json.Indent(&pretty, d.Body, "", "  ") == nil {
			body = pretty.String()
		}
		out[i] = deliveryRow{Delivery: d, OK: d.OK(), Sent: when(d.Time), Took: d.Duration.Round(100 * time.Microsecond).String(), Body: body}
	}
	return out
}

func (a *app) pagePayments(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, "Payments", "payments")
	p.statusFilter(r, paymentStatuses, "payment")
	for _, pay := range dashList[api.Payment](a, r, &p, limit, "after", paymentWithStatus(p.Filter)) {
		p.Payments = append(p.Payments, paymentRowOf(pay))
	}
	a.render(w, http.StatusOK, "payments.html", p)
}

func (a *app) pageAccounts(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, "Accounts", "accounts")
	for _, acc := range dashList[api.FinancialAccount](a, r, &p, limit, "accounts", nil) {
		p.Accounts = append(p.Accounts, accountRowOf(acc))
	}
	for _, e := range dashList[api.LedgerEntry](a, r, &p, limit, "after", nil) {
		p.Entries = append(p.Entries, entryRowOf(e))
	}
	a.render(w, http.StatusOK, "accounts.html", p)
}

// entryPurpose says what moved the money of a ledger entry.
func entryPurpose(e api.LedgerEntry) string {
	switch {
	case e.Reverses != "":
		return "given back: " + e.OwnerType + " " + e.OwnerID + " (reverses " + e.Reverses + ")"
	case e.FeeCode != "":
		return "fee " + e.FeeCode + " of " + e.OwnerType + " " + e.OwnerID
	case e.OwnerType == "payment":
		return "payment " + e.OwnerID
	case e.OwnerType == "funding":
		return "funding"
	}
	return e.OwnerType + " " + e.OwnerID
}

func (a *app) pageWebhooks(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, "Webhooks", "webhooks")
	p.Secret = a.cfg.webhookSecret
	p.Webhooks = a.fake.Webhooks()
	p.Deliveries = dashDeliveries(a, r, &p, limit, "")
	a.render(w, http.StatusOK, "webhooks.html", p)
}

// formSessionAction is the Pay, Cancel and Expire buttons.
func (a *app) formSessionAction(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	back := "/sessions/" + url.PathEscape(id)
	if !a.parseForm(w, r, back) {
		return
	}
	method, provider, _ := strings.Cut(r.PostForm.Get("channel"), ":")
	if err := a.act(id, action, method, provider); err != nil {
		code, _ := actionError(err)
		a.problem(w, r, code, "Nothing changed: "+err.Error(), back)
		return
	}
	done := map[string]string{"pay": "Paid", "cancel": "Cancelled", "expire": "Expired"}[action]
	http.Redirect(w, r, back+"?notice="+url.QueryEscape(done+"; webhooks are on their way."), http.StatusSeeOther)
}

func (a *app) formAddWebhook(w http.ResponseWriter, r *http.Request) {
	if !a.parseForm(w, r, "/webhooks") {
		return
	}
	body := webhookBody{URL: strings.TrimSpace(r.PostForm.Get("url"))}
	if r.PostForm.Get("payments") != "" {
		body.Events = []string{"payment.created", "payment.completed", "checkout_session.completed", "checkout_session.cancelled", "checkout_session.expired"}
	}
	if err := a.addWebhook(body); err != nil {
		a.problem(w, r, http.StatusBadRequest, "The endpoint was not added: "+err.Error(), "/webhooks")
		return
	}
	http.Redirect(w, r, "/webhooks?notice="+url.QueryEscape("Endpoint added."), http.StatusSeeOther)
}

func (a *app) formRemoveWebhook(w http.ResponseWriter, r *http.Request) {
	if !a.parseForm(w, r, "/webhooks") {
		return
	}
	if err := a.fake.RemoveWebhook(r.PostForm.Get("url")); err != nil {
		if id := a.apiWebhookAt(r.PostForm.Get("url")); id != "" {
			a.problem(w, r, http.StatusConflict, fmt.Sprintf("Nothing was removed: webhook %s was created through the API; delete it there (DELETE /v1/webhooks/%s).", id, id), "/webhooks")
			return
		}
		a.problem(w, r, http.StatusNotFound, "Nothing was removed: no endpoint has that URL any more.", "/webhooks")
		return
	}
	http.Redirect(w, r, "/webhooks?notice="+url.QueryEscape("Endpoint removed; it gets no more events."), http.StatusSeeOther)
}

func (a *app) formRedeliver(w http.ResponseWriter, r *http.Request) {
	if !a.parseForm(w, r, "/webhooks") {
		return
	}
	back := r.PostForm.Get("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/webhooks" // only a path on this site
	}
	back, _, _ = strings.Cut(back, "?")
	if err := a.fake.Redeliver(r.PostForm.Get("event"), r.PostForm.Get("url")); err != nil {
		a.problem(w, r, http.StatusNotFound, "Nothing was sent: "+err.Error(), back)
		return
	}
	http.Redirect(w, r, back+"?notice="+url.QueryEscape("Redelivery queued; reload to see its outcome."), http.StatusSeeOther)
}

// parseForm reads a small form body, answering the problem itself.
func (a *app) parseForm(w http.ResponseWriter, r *http.Request, back string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxAdminBody)
	if err := r.ParseForm(); err != nil {
		a.problem(w, r, http.StatusBadRequest, "The form could not be read: "+err.Error(), back)
		return false
	}
	return true
}

// problem renders an error page with a way back.
func (a *app) problem(w http.ResponseWriter, r *http.Request, status int, message, back string) {
	p := a.newPage(r, http.StatusText(status), "")
	p.Notice = ""
	p.Problem = message
	p.Back = back
	a.render(w, status, "message.html", p)
}

// render executes a template into a buffer first, so that a failure gives
// a clean 500 instead of half a page.
func (a *app) render(w http.ResponseWriter, status int, name string, p page) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, p); err != nil {
		a.log.Error("monime-fake: rendering the dashboard failed", "template", name, "err", err)
		http.Error(w, "the dashboard failed to render: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
