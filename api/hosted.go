package api

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/monimekit/monime-go/gen"
)

// The hosted checkout page simulates the page Monime shows at a session's
// redirectUrl; HostedPagePath documents its routes.

//go:embed templates/*.html
var templateFS embed.FS

// hostedTemplates are parsed once; they are embedded, so a parse error is
// a bug in this package that the tests catch.
var hostedTemplates = template.Must(template.New("hosted").ParseFS(templateFS, "templates/*.html"))

// maxFormBytes caps the body of a Pay or Cancel form.
const maxFormBytes = 64 << 10

// methodLabels and cardLabels are what the page shows for a method or a
// card scheme; banks, mobile money and wallets are named from the
// provider catalog (ProviderByID).
var (
	methodLabels = map[gen.PaymentChannelType]string{
		gen.PaymentChannelTypeMomo: "Mobile money", gen.PaymentChannelTypeCard: "Card",
		gen.PaymentChannelTypeBank: "Bank", gen.PaymentChannelTypeWallet: "Wallet",
	}
	cardLabels = map[string]string{"visa": "Visa", "mastercard": "Mastercard"}
)

// providerLabel is what the page shows for a provider code: its name and
// code, such as "Orange Money (m17)", or the code alone if unknown.
func providerLabel(code string) string {
	if label, ok := cardLabels[code]; ok {
		return label
	}
	if p, ok := ProviderByID(code); ok {
		return p.Name + " (" + code + ")"
	}
	return code
}

// hexColor is what the page accepts as brandingOptions.primaryColor.
var hexColor = regexp.MustCompile(`^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$`)

// checkoutPage is what templates/checkout.html shows.
type checkoutPage struct {
	Name, Description string
	Status            string
	Pending           bool
	ExpireTime        string
	OrderNumber       string
	Items             []pageItem
	Totals            []string // one per currency, in order of first appearance
	Methods           []pageMethod
	NotPayable        string        // why Pay is not offered, or ""
	Payments          []pagePayment // what a completed session was paid with
	PayAction         string
	CancelAction      string
	SuccessURL        string // for the "return" link of a final page; http(s) only
	CancelURL         string
	Color             string // a checked hex colour, or ""
}

type pageItem struct {
	Name, Description string
	Quantity          int
	UnitPrice         string
	LineTotal         string
}

type pageMethod struct {
	Value     string // momo, card, bank or wallet
	Label     string
	Providers []pageProvider
}

type pageProvider struct {
	Value string // the provider's code, or a card's scheme
	Label string
}

// pagePayment is one payment of a completed session, as the page shows it.
type pagePayment struct {
	Amount  string // such as "SLE 300.00"
	Channel string // such as "Mobile money, Orange Money (m17), +23276***456"
	Ref     string // the channel's reference, or ""
}

// messagePage is what templates/message.html shows: an error or a notice.
type messagePage struct {
	Title, Message string
	Link, LinkText string
}

// hostedRoute reports whether path belongs to the hosted pages and returns
// the part after HostedPagePath. When WithHostedPageBase has a path, the
// pages answer under it too (for a proxy that does not strip it).
func (s *Server) hostedRoute(path string) (string, bool) {
	if rest, ok := strings.CutPrefix(path, HostedPagePath); ok {
		return rest, true
	}
	if prefix := s.hostedBasePath(); prefix != "" {
		return strings.CutPrefix(path, prefix+HostedPagePath)
	}
	return "", false
}

// hostedBasePath is the path of WithHostedPageBase ("" without one), which
// prefixes the links and form actions of the pages.
func (s *Server) hostedBasePath() string {
	if s.cfg.hostedPageBase == "" {
		return ""
	}
	u, err := url.Parse(s.cfg.hostedPageBase) // checked by WithHostedPageBase
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.EscapedPath(), "/")
}

// hostedForms refuses a Pay or Cancel that a page on another site posted
// through the customer's browser, as monime-fake's dashboard does: a
// browser says where a form came from (Sec-Fetch-Site, or Origin against
// Host), and clients that are not browsers send neither and pass.
var hostedForms = http.NewCrossOriginProtection()

// serveHosted answers a request under HostedPagePath; rest is the path
// after it: "{id}", "{id}/pay" or "{id}/cancel".
func (s *Server) serveHosted(w http.ResponseWriter, r *http.Request, rest string) {
	id, action, _ := strings.Cut(rest, "/")
	if id == "" {
		s.notFoundPage(w, id)
		return
	}
	switch action {
	case "":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.methodNotAllowed(w, r, "GET, HEAD")
			return
		}
		s.showCheckout(w, r, id)
	case "pay", "cancel":
		if r.Method != http.MethodPost {
			s.methodNotAllowed(w, r, "POST")
			return
		}
		if err := hostedForms.Check(r); err != nil {
			s.render(w, http.StatusForbidden, "message.html", messagePage{
				Title:   "Refused: the form came from another site",
				Message: "The " + action + " request came from a page on another site (" + err.Error() + "), and a checkout is paid or cancelled only from its own page. Open the checkout page and use its buttons.",
				Link:    s.pagePath(id), LinkText: "Open the checkout",
			})
			return
		}
		s.finishCheckout(w, r, id, action)
	default:
		s.notFoundPage(w, id)
	}
}

// showCheckout renders the page of session id. Opening a pending session's
// page (GET) starts it, as the customer arriving on Monime's page would.
func (s *Server) showCheckout(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method == http.MethodGet {
		if err := s.Start(id); errors.Is(err, ErrSessionNotFound) {
			s.notFoundPage(w, id)
			return
		}
	}
	sess, ok := Find[Session](s, id)
	if !ok {
		s.notFoundPage(w, id)
		return
	}
	s.render(w, http.StatusOK, "checkout.html", s.checkoutPage(sess))
}

// finishCheckout pays or cancels session id for the customer and sends the
// browser on with 303 See Other.
func (s *Server) finishCheckout(w http.ResponseWriter, r *http.Request, id, action string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, "message.html", messagePage{
			Title:   "The form could not be read",
			Message: "The " + action + " request's form is malformed or over 64 KiB (" + err.Error() + "). Submit the form on the checkout page, or POST an empty or form-encoded body.",
			Link:    s.pagePath(id), LinkText: "Back to the checkout",
		})
		return
	}
	sess, ok := Find[Session](s, id)
	if !ok {
		s.notFoundPage(w, id)
		return
	}
	if sess.Status != gen.CheckoutSessionStatusPending {
		s.notPendingPage(w, id, action, sess.Status)
		return
	}
	method := r.PostForm.Get("method")
	provider := r.PostForm.Get("provider-" + method)
	if provider == "" {
		provider = r.PostForm.Get("provider")
	}
	var err error
	target := sess.CancelUrl
	if action == "pay" {
		err = s.CompleteWith(id, gen.PaymentChannelType(method), provider)
		target = sess.SuccessUrl
	} else {
		err = s.Cancel(id)
	}
	switch {
	case errors.Is(err, ErrSessionNotFound):
		s.notFoundPage(w, id)
		return
	case errors.Is(err, ErrSessionFinal): // it changed since the read above
		now, _ := Find[Session](s, id)
		s.notPendingPage(w, id, action, now.Status)
		return
	case errors.Is(err, ErrChannelNotOffered):
		s.render(w, http.StatusBadRequest, "message.html", messagePage{
			Title:   "This payment method is not offered",
			Message: "Nothing was paid: " + reasonOf(err, ErrChannelNotOffered) + ". Choose on the checkout page, or send no method for the preselected one.",
			Link:    s.pagePath(id), LinkText: "Back to the checkout",
		})
		return
	case errors.Is(err, ErrSessionNotPayable):
		s.render(w, http.StatusConflict, "message.html", messagePage{
			Title:   "This checkout cannot be paid",
			Message: "Nothing was paid: " + reasonOf(err, ErrSessionNotPayable) + ".",
			Link:    s.pagePath(id), LinkText: "Back to the checkout",
		})
		return
	case err != nil:
		s.log.Error("api: hosted page: "+action+" failed", "session_id", id, "err", err)
		s.render(w, http.StatusInternalServerError, "message.html", messagePage{Title: "The simulator failed", Message: err.Error()})
		return
	}
	s.log.Info("api: hosted page: customer finished the checkout", "session_id", id, "action", action, "method", method, "provider", provider)
	location := s.hostedBase(r) + HostedPagePath + url.PathEscape(id)
	if target != nil && isWebURL(*target) {
		location = *target
	}
	http.Redirect(w, r, location, http.StatusSeeOther)
}

// notPendingPage answers 409: session id is final, so action cannot happen.
func (s *Server) notPendingPage(w http.ResponseWriter, id, action string, status gen.CheckoutSessionStatus) {
	verb := map[string]string{"pay": "paid", "cancel": "cancelled"}[action]
	s.render(w, http.StatusConflict, "message.html", messagePage{
		Title:   "This checkout is already " + string(status),
		Message: fmt.Sprintf("Checkout session %s is %s, so it can no longer be %s. Nothing was changed.", id, status, verb),
		Link:    s.pagePath(id), LinkText: "See the checkout",
	})
}

func (s *Server) notFoundPage(w http.ResponseWriter, id string) {
	s.render(w, http.StatusNotFound, "message.html", messagePage{
		Title:   "No such checkout",
		Message: fmt.Sprintf("This simulator holds no checkout session %q: it was never created here, or it was deleted. Open the redirectUrl a create returned.", id),
	})
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	s.render(w, http.StatusMethodNotAllowed, "message.html", messagePage{
		Title:   "Method not allowed",
		Message: fmt.Sprintf("%s is not allowed on %s; use %s.", r.Method, r.URL.Path, allow),
	})
}

// render executes a template into a buffer first, so that a failure gives
// a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := hostedTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("api: hosted page: rendering failed", "template", name, "err", err)
		http.Error(w, "the simulator failed to render the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // Back must show the current status
	h.Set("X-Content-Type-Options", "nosniff")
	// No scripts, no external assets: only the inline stylesheet may load.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// pagePath is the path of session id's page, under WithHostedPageBase's path.
func (s *Server) pagePath(id string) string {
	return s.hostedBasePath() + HostedPagePath + url.PathEscape(id)
}

// checkoutPage builds what the page shows for sess.
func (s *Server) checkoutPage(sess Session) checkoutPage {
	p := checkoutPage{
		Name:         sess.Name,
		Status:       string(sess.Status),
		Pending:      sess.Status == gen.CheckoutSessionStatusPending,
		ExpireTime:   sess.ExpireTime.UTC().Format("2 Jan 2006 15:04:05 UTC"),
		Methods:      pageMethods(offeredMethods(sess.PaymentOptions)),
		PayAction:    s.pagePath(sess.Id) + "/pay",
		CancelAction: s.pagePath(sess.Id) + "/cancel",
	}
	if sess.Description != nil {
		p.Description = *sess.Description
	}
	if sess.OrderNumber != nil {
		p.OrderNumber = *sess.OrderNumber
	}
	if sess.SuccessUrl != nil && isWebURL(*sess.SuccessUrl) {
		p.SuccessURL = *sess.SuccessUrl
	}
	if sess.CancelUrl != nil && isWebURL(*sess.CancelUrl) {
		p.CancelURL = *sess.CancelUrl
	}
	if b := sess.BrandingOptions; b != nil && b.PrimaryColor != nil && hexColor.MatchString(*b.PrimaryColor) {
		p.Color = *b.PrimaryColor
	}
	var currencies []string
	totals := map[string]*big.Int{}
	for _, li := range sess.LineItems.Data {
		currency := string(li.Price.Currency)
		unit := big.NewInt(li.Price.Value)
		line := new(big.Int).Mul(unit, big.NewInt(int64(li.Quantity)))
		item := pageItem{
			Name:      li.Name,
			Quantity:  li.Quantity,
			UnitPrice: FormatMoney(currency, unit),
			LineTotal: FormatMoney(currency, line),
		}
		if li.Description != nil {
			item.Description = *li.Description
		}
		p.Items = append(p.Items, item)
		if totals[currency] == nil {
			totals[currency] = new(big.Int)
			currencies = append(currencies, currency)
		}
		totals[currency].Add(totals[currency], line)
	}
	for _, c := range currencies {
		p.Totals = append(p.Totals, FormatMoney(c, totals[c]))
	}
	if _, err := sessionTotals(sess.LineItems.Data); err != nil {
		p.NotPayable = reasonOf(err, ErrSessionNotPayable)
	}
	for _, id := range sess.PaymentIDs {
		if pay, ok := Find[Payment](s, id); ok {
			p.Payments = append(p.Payments, describePayment(pay.Payment))
		}
	}
	return p
}

// reasonOf is the message of err after the text of the sentinel it wraps:
// what the customer needs to read, without the call and the id.
func reasonOf(err, sentinel error) string {
	if _, why, ok := strings.Cut(err.Error(), sentinel.Error()+": "); ok {
		return why
	}
	return err.Error()
}

// pageMethods turns the offered methods into what the page lists.
func pageMethods(offered []offeredMethod) []pageMethod {
	out := make([]pageMethod, len(offered))
	for i, o := range offered {
		m := pageMethod{Value: string(o.method), Label: methodLabels[o.method]}
		for _, code := range o.providers {
			m.Providers = append(m.Providers, pageProvider{Value: code, Label: providerLabel(code)})
		}
		out[i] = m
	}
	return out
}

// describePayment says what was paid and how, for the page of a completed
// session.
func describePayment(p gen.Payment) pagePayment {
	out := pagePayment{Amount: FormatMoney(string(p.Amount.Currency), big.NewInt(p.Amount.Value))}
	if p.Channel == nil {
		return out
	}
	kind, _ := p.Channel.Discriminator()
	parts := []string{methodLabels[gen.PaymentChannelType(kind)]}
	var provider, masked, ref *string
	switch gen.PaymentChannelType(kind) {
	case gen.PaymentChannelTypeMomo:
		c, _ := p.Channel.AsMomoChannel()
		provider, masked, ref = c.Provider, c.PhoneNumber, c.Reference
	case gen.PaymentChannelTypeCard:
		c, _ := p.Channel.AsCardChannel()
		if c.Scheme != nil {
			provider = valueOf(string(*c.Scheme))
		}
		if c.Last4 != nil {
			masked = valueOf("ending " + *c.Last4)
		}
	case gen.PaymentChannelTypeBank:
		c, _ := p.Channel.AsBankChannel()
		provider, ref = c.Provider, c.Reference
		if c.AccountNumber != nil {
			masked = valueOf("account " + *c.AccountNumber)
		}
	case gen.PaymentChannelTypeWallet:
		c, _ := p.Channel.AsWalletChannel()
		provider, ref = c.Provider, c.Reference
		if c.WalletId != nil {
			masked = valueOf("wallet " + *c.WalletId)
		}
	}
	if provider != nil {
		parts = append(parts, providerLabel(*provider))
	}
	if masked != nil {
		parts = append(parts, *masked)
	}
	if ref != nil {
		out.Ref = *ref
	}
	out.Channel = strings.Join(parts, ", ")
	return out
}

// FormatMoney writes an amount in minor units for a person to read, as
// the hosted page and the fake's dashboard show it: the currency, then the
// major units grouped in thousands by commas and two decimals, such as
// "SLE 1,234,567.89" for 123456789 (monime.Money's String prints the
// same without the commas, "SLE 1234567.89"). It takes a big integer, so
// a total past int64 (a price times a quantity may be) prints whole.
func FormatMoney(currency string, minor *big.Int) string {
	sign := ""
	if minor.Sign() < 0 {
		sign = "-"
	}
	major, cents := new(big.Int).QuoRem(new(big.Int).Abs(minor), big.NewInt(100), new(big.Int))
	digits := major.String()
	var grouped strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			grouped.WriteByte(',')
		}
		grouped.WriteRune(d)
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s%s.%02d", currency, sign, grouped.String(), cents.Int64()))
}

func isTrue(b *bool) bool { return b != nil && *b }

// isWebURL reports whether s is an absolute http(s) URL, the only kind the
// page links or redirects to.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
