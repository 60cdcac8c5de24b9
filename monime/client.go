// Package monime is the Go client for Monime's hosted checkout and
// payments API: import it in a merchant's backend to create checkout
// sessions, learn their outcome and reconcile their payments, and to pay
// money out.
//
// Create a checkout session, send the customer to its RedirectURL, then learn
// the outcome by reading the session or from a signed webhook (package
// monime/webhook), and find what was paid with Payments.ForCheckoutSession.
// Every create carries an Idempotency-Key chosen once per call, so the
// client's retries can never charge a customer twice.
//
// Pay out to mobile money, banks and wallets with Payouts (check who holds
// the account first with ProviderKYC), move money between the space's
// accounts with InternalTransfers, and read every movement in the ledger
// with FinancialTransactions. A payout's Idempotency-Key works as a
// create's: give it one of your own (WithIdempotencyKey) and no retry,
// the client's or yours, pays twice.
//
// Collect from any phone, a feature phone too, with PaymentCodes (a USSD
// code the payer dials), check who holds a phone with USSDOTPs, redeem
// what paid orders entitle customers to with Receipts, and register
// webhook endpoints with Webhooks.
//
//	c, err := monime.NewClient(token, spaceID)
//	s, err := c.CheckoutSessions.Create(ctx, &monime.CheckoutSessionCreateParams{...})
//	http.Redirect(w, r, s.RedirectURL, http.StatusSeeOther)
//
// For tests, package monime/monimetest runs an in-process fake of the API.
package monime

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"
)

// Version is this library's version, sent in the User-Agent.
const Version = "0.1.0"

// DefaultBaseURL is Monime's API root.
const DefaultBaseURL = "https://api.monime.io"

// API releases for the Monime-Version header. For checkout sessions the two
// are identical but for currencies: caph.2025-08-23 adds USD.
const (
	// APIVersion is the release the client is built for and sends by default.
	APIVersion = "caph.2025-08-23"
	// APIVersion20250620 is the previous release of the caph line.
	APIVersion20250620 = "caph.2025-06-20"
)

const (
	defaultTimeout      = 30 * time.Second
	defaultMaxRetries   = 2
	defaultBackoff      = 500 * time.Millisecond
	defaultMaxBackoff   = 8 * time.Second
	maxResponseBytes    = 8 << 20
	maxIdempotencyKey   = 64
	maxSpaceIDLength    = 64
	defaultConnsPerHost = 64
)

// Client talks to the Monime API for one space (by default) with one access
// token. It is safe for concurrent use; make one and share it.
type Client struct {
	// CheckoutSessions creates, reads, lists and deletes checkout sessions.
	CheckoutSessions *CheckoutSessionsService
	// Payments reads and updates payments, for reconciliation.
	Payments *PaymentsService
	// FinancialAccounts creates, reads, lists and updates the accounts that
	// hold the space's money.
	FinancialAccounts *FinancialAccountsService
	// Payouts pays money out to banks, mobile money and wallets.
	Payouts *PayoutsService
	// InternalTransfers moves money between the space's accounts.
	InternalTransfers *InternalTransfersService
	// FinancialTransactions reads the ledger of the space's accounts.
	FinancialTransactions *FinancialTransactionsService
	// Banks and Momos read the banks and mobile-money operators Monime
	// supports; ProviderKYC looks up who holds an account at one.
	Banks       *BanksService
	Momos       *MomosService
	ProviderKYC *ProviderKYCService
	// PaymentCodes makes USSD codes payers dial to pay, from any phone.
	PaymentCodes *PaymentCodesService
	// USSDOTPs verifies that someone holds a phone.
	USSDOTPs *USSDOTPsService
	// Receipts reads and redeems what paid orders entitle customers to.
	Receipts *ReceiptsService
	// Webhooks registers the endpoints Monime sends events to (package
	// monime/webhook reads what arrives).
	Webhooks *WebhooksService
	// Countries reads the countries Monime operates in.
	Countries *CountriesService

	// authorize sets the Authorization header. The token lives only in this
	// closure, so no formatting of a Client, even of its struct value, can
	// print it.
	authorize func(http.Header)
	// cfg holds the client's settings: every call starts from a copy.
	cfg config
	// server is cfg.baseURL as the generated request builders take it.
	server    string
	userAgent []string
	maxBody   int64
}

// NewClient returns a client that authenticates with token (mon_test_... or
// mon_...) and acts in the space spaceID (spc-...). It refuses an empty
// token, a malformed space id and options with bad values, and sends nothing.
// Its errors never repeat the token.
func NewClient(token, spaceID string, opts ...ClientOption) (*Client, error) {
	token = strings.TrimSpace(token)
	switch {
	case token == "":
		return nil, errors.New("monime: NewClient: the access token is empty; create one in the Monime dashboard (mon_test_... or mon_...)")
	case strings.HasPrefix(token, "spc-"):
		return nil, errors.New("monime: NewClient: the access token looks like a space id (spc-...); the token comes first: NewClient(token, spaceID)")
	case strings.ContainsAny(token, " \t\r\n"):
		return nil, errors.New("monime: NewClient: the access token contains white space; pass the token alone, without \"Bearer \"")
	case !isVisibleASCII(token):
		return nil, errors.New("monime: NewClient: the access token contains control or non-ASCII characters; copy it again from the Monime dashboard")
	}
	if err := checkSpaceID(spaceID); err != nil {
		return nil, err
	}
	bearer := []string{"Bearer " + token}
	c := &Client{
		authorize: func(h http.Header) { h["Authorization"] = bearer },
		maxBody:   maxResponseBytes,
		cfg: config{
			spaceID:    spaceID,
			apiVersion: APIVersion,
			userAgent:  defaultUserAgent(),
			timeout:    defaultTimeout,
			maxRetries: defaultMaxRetries,
			backoff:    defaultBackoff,
			maxBackoff: defaultMaxBackoff,
			logger:     slog.New(slog.DiscardHandler),
		},
	}
	c.cfg.baseURL, _ = parseBaseURL(DefaultBaseURL)
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyClient(&c.cfg); err != nil {
			return nil, err
		}
	}
	c.cfg.httpClient = safeHTTPClient(c.cfg.httpClient)
	c.server = c.cfg.baseURL.String()
	c.userAgent = []string{c.cfg.userAgent}
	c.CheckoutSessions = &CheckoutSessionsService{c}
	c.Payments = &PaymentsService{c}
	c.FinancialAccounts = &FinancialAccountsService{c}
	c.Payouts = &PayoutsService{c}
	c.InternalTransfers = &InternalTransfersService{c}
	c.FinancialTransactions = &FinancialTransactionsService{c}
	c.Banks, c.Momos, c.ProviderKYC = &BanksService{c}, &MomosService{c}, &ProviderKYCService{c}
	c.PaymentCodes, c.USSDOTPs, c.Receipts = &PaymentCodesService{c}, &USSDOTPsService{c}, &ReceiptsService{c}
	c.Webhooks, c.Countries = &WebhooksService{c}, &CountriesService{c}
	return c, nil
}

// String describes the client without its token.
func (c *Client) String() string {
	if c == nil {
		return "monime.Client(nil)"
	}
	return fmt.Sprintf("monime.Client{baseURL: %s, space: %s, version: %s, token: [redacted]}", c.BaseURL(), c.cfg.spaceID, c.cfg.apiVersion)
}

// Format prints String for every verb, so no formatting of a Client (%v,
// %+v, %#v, %s) can reveal the token.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// SpaceID is the space the client acts in unless a call says otherwise.
func (c *Client) SpaceID() string {
	if c == nil {
		return ""
	}
	return c.cfg.spaceID
}

// BaseURL is the API root the client sends to ("" for a Client not made by
// NewClient).
func (c *Client) BaseURL() string {
	if c == nil || c.cfg.baseURL == nil {
		return ""
	}
	return c.cfg.baseURL.String()
}

func defaultUserAgent() string {
	return "monime-go/" + Version + " go/" + strings.TrimPrefix(runtime.Version(), "go")
}

// isVisibleASCII reports whether s holds only printable ASCII other than
// space, as tokens and space ids do.
func isVisibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// checkSpaceID checks a space id as Monime's document describes it. Its
// error shows the value's shape, never the value: a swapped argument may
// put the access token here.
func checkSpaceID(id string) error {
	if strings.HasPrefix(id, "spc-") && len(id) > len("spc-") && len(id) <= maxSpaceIDLength && isVisibleASCII(id) {
		return nil
	}
	hint := ""
	if strings.HasPrefix(strings.TrimSpace(id), "mon_") {
		hint = " (it looks like an access token: NewClient takes the token first, then the space id)"
	}
	return fmt.Errorf("monime: the space id is %s%s; want spc-... (at most %d characters), as shown in the Monime dashboard", describe(id), hint, maxSpaceIDLength)
}

// describe tells a value's shape (its length, and whether it holds spaces or
// control characters) without showing it, for errors about values that may
// be secrets.
func describe(v string) string {
	switch {
	case v == "":
		return "empty"
	case !isHeaderValue(v):
		return fmt.Sprintf("%d bytes with control characters", len(v))
	case strings.ContainsAny(v, " \t"):
		return fmt.Sprintf("%d bytes with spaces", len(v))
	}
	return fmt.Sprintf("%d bytes long", len(v))
}

// safeHTTPClient copies hc (or makes a default one) so that redirects never
// carry the credentials to another origin, a create, delete or update never
// follows one, and idle connections are kept for concurrent callers.
func safeHTTPClient(hc *http.Client) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
	} else if t, ok := http.DefaultTransport.(*http.Transport); ok {
		// Go keeps 2 idle connections per host: concurrent callers would
		// keep opening new ones. Keep 64, and open no more than that.
		t = t.Clone()
		t.MaxIdleConnsPerHost, t.MaxConnsPerHost = defaultConnsPerHost, defaultConnsPerHost
		out.Transport = t
	} else {
		out.Transport = http.DefaultTransport // replaced by the program; use it as it is
	}
	userCheck := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		// A create, delete or update follows no redirect: a 307 or 308
		// would send its body again, and a 301, 302 or 303 would turn it
		// into a GET whose answer would read as the call's own.
		if m := via[0].Method; m != http.MethodGet && m != http.MethodHead {
			return errWriteRedirected
		}
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
			req.Header.Del("Authorization")
			req.Header.Del("Monime-Space-Id")
			req.Header.Del("Idempotency-Key")
		}
		if userCheck != nil {
			return userCheck(req, via)
		}
		if len(via) >= 10 {
			return errTooManyRedirects
		}
		return nil
	}
	return &out
}

var (
	errTooManyRedirects = errors.New("monime: stopped after 10 redirects")
	errWriteRedirected  = errors.New("monime: the answer was a redirect, which a create, delete or update never follows (Monime's API does not redirect: check the base URL and any proxy in between)")
)

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
