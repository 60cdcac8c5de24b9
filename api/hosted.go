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
	"slices"
	"strings"

	"github.com/monimekit/monime-go/gen"
)

// The hosted checkout page simulates the page Monime shows at a session's
// redirectUrl; HostedPagePath documents its routes.

//go:embed templates/*.html
var templateFS embed.FS

// hostedTemplates are parsed once; they are embedded, so a parse error is
// a bug in this package that the tests catch.
var hostedTemplates = template.Must(template.New("hosted").
	Funcs(template.FuncMap{"join": strings.Join}).
	ParseFS(templateFS, "templates/*.html"))

// maxFormBytes caps the body of a Pay or Cancel form.
const maxFormBytes = 64 << 10

// The payment methods the page offers, as the value of its "method" radio
// inputs.
const (
	methodCard   = "card"
	methodBank   = "bank"
	methodMomo   = "momo"
	methodWallet = "wallet"
)

// The providers of each method that spec/ knows, in the order the page
// lists them.
var (
	bankProviders   = []gen.BankProvider{gen.BankProviderSlb001, gen.BankProviderSlb004, gen.BankProviderSlb007}
	momoProviders   = []gen.MomoProvider{gen.MomoProviderM17, gen.MomoProviderM18}
	walletProviders = []gen.WalletProvider{gen.WalletProviderDw001}
)

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
	Value     string // card, bank, momo or wallet
	Label     string
	Providers []string
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
	sess, ok := s.Session(id)
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
	sess, ok := s.Session(id)
	if !ok {
		s.notFoundPage(w, id)
		return
	}
	if sess.Status != gen.CheckoutSessionStatusPending {
		s.notPendingPage(w, id, action, sess.Status)
		return
	}
	method := r.PostForm.Get("method")
	if action == "pay" && method != "" {
		offered := offeredMethods(sess.PaymentOptions)
		if !slices.ContainsFunc(offered, func(m pageMethod) bool { return m.Value == method }) {
			s.render(w, http.StatusBadRequest, "message.html", messagePage{
				Title:   "This payment method is not offered",
				Message: fmt.Sprintf("The method %q is not one this checkout offers (%s); its paymentOptions decide which are. Choose one on the checkout page, or send no method.", method, methodNames(offered)),
				Link:    s.pagePath(id), LinkText: "Back to the checkout",
			})
			return
		}
	}
	var err error
	target := sess.CancelUrl
	if action == "pay" {
		err = s.Complete(id)
		target = sess.SuccessUrl
	} else {
		err = s.Cancel(id)
	}
	switch {
	case errors.Is(err, ErrSessionNotFound):
		s.notFoundPage(w, id)
		return
	case errors.Is(err, ErrSessionFinal): // it changed since the read above
		now, _ := s.Session(id)
		s.notPendingPage(w, id, action, now.Status)
		return
	case err != nil:
		s.log.Error("api: hosted page: "+action+" failed", "session_id", id, "err", err)
		s.render(w, http.StatusInternalServerError, "message.html", messagePage{Title: "The simulator failed", Message: err.Error()})
		return
	}
	s.log.Info("api: hosted page: customer finished the checkout", "session_id", id, "action", action, "method", method)
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
		Methods:      offeredMethods(sess.PaymentOptions),
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
			UnitPrice: formatMoney(currency, unit),
			LineTotal: formatMoney(currency, line),
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
		p.Totals = append(p.Totals, formatMoney(c, totals[c]))
	}
	return p
}

// formatMoney writes an amount in minor units as "<currency> <major>.<minor>",
// such as "SLE 150.00" for 15000. Both currencies Monime settles in (SLE and
// USD) have two decimals. Big integers, because a price times a quantity
// may not fit in an int64.
func formatMoney(currency string, minor *big.Int) string {
	sign := ""
	if minor.Sign() < 0 {
		sign = "-"
	}
	major, cents := new(big.Int).QuoRem(new(big.Int).Abs(minor), big.NewInt(100), new(big.Int))
	return fmt.Sprintf("%s %s%s.%02d", currency, sign, major, cents.Int64())
}

// offeredMethods applies a session's paymentOptions: card unless disabled;
// bank, momo and wallet unless disabled, each with its allowed providers
// (enabledProviders, when not empty, wins over disabledProviders) and
// left out when none is allowed.
func offeredMethods(po *gen.PaymentOptions) []pageMethod {
	if po == nil {
		po = &gen.PaymentOptions{}
	}
	var out []pageMethod
	if po.Card == nil || !isTrue(po.Card.Disable) {
		out = append(out, pageMethod{Value: methodCard, Label: "Card"})
	}
	var bank gen.BankOptions
	if po.Bank != nil {
		bank = *po.Bank
	}
	out = appendMethod(out, methodBank, "Bank", bank.Disable, bankProviders, bank.EnabledProviders, bank.DisabledProviders)
	var momo gen.MomoOptions
	if po.Momo != nil {
		momo = *po.Momo
	}
	out = appendMethod(out, methodMomo, "Mobile money", momo.Disable, momoProviders, momo.EnabledProviders, momo.DisabledProviders)
	var wallet gen.WalletOptions
	if po.Wallet != nil {
		wallet = *po.Wallet
	}
	return appendMethod(out, methodWallet, "Wallet", wallet.Disable, walletProviders, wallet.EnabledProviders, wallet.DisabledProviders)
}

// appendMethod adds a provider-based method to out unless it is disabled
// or no provider of it is allowed.
func appendMethod[P ~string](out []pageMethod, value, label string, disable *bool, all []P, enabled, disabled *[]P) []pageMethod {
	if isTrue(disable) {
		return out
	}
	var allowed []string
	if enabled != nil && len(*enabled) > 0 {
		for _, p := range *enabled {
			if !slices.Contains(allowed, string(p)) {
				allowed = append(allowed, string(p))
			}
		}
	} else {
		for _, p := range all {
			if disabled == nil || !slices.Contains(*disabled, p) {
				allowed = append(allowed, string(p))
			}
		}
	}
	if len(allowed) == 0 {
		return out
	}
	return append(out, pageMethod{Value: value, Label: label, Providers: allowed})
}

func methodNames(ms []pageMethod) string {
	if len(ms) == 0 {
		return "none"
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Value
	}
	return strings.Join(names, ", ")
}

func isTrue(b *bool) bool { return b != nil && *b }

// isWebURL reports whether s is an absolute http(s) URL, the only kind the
// page links or redirects to.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
