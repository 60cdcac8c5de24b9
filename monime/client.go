// Package monime is a Go client for Monime's hosted checkout API.
//
// Create a checkout session, send the customer to its RedirectURL, then learn
// the outcome by reading the session or from a signed webhook (package
// monime/webhook). Every create carries an Idempotency-Key chosen once per
// call, so the client's retries can never charge a customer twice.
//
//	c, err := monime.NewClient(token, spaceID)
//	s, err := c.CheckoutSessions.Create(ctx, &monime.CheckoutSessionCreateParams{...})
//	http.Redirect(w, r, s.RedirectURL, http.StatusSeeOther)
//
// For tests, package monime/monimetest runs an in-process fake of the API.
package monime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// Version is this library's version, sent in the User-Agent.
const Version = "0.1.0"

// DefaultBaseURL is Monime's API root.
const DefaultBaseURL = "https://api.monime.io"

// API releases for the Monime-Version header. For checkout sessions the two
// are identical; caph.2025-08-23 adds USD.
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
	defaultIdleConnsPer = 64
)

// Client talks to the Monime API for one space (by default) with one access
// token. It is safe for concurrent use; make one and share it.
type Client struct {
	// CheckoutSessions creates, reads, lists and deletes checkout sessions.
	CheckoutSessions *CheckoutSessionsService

	// authorize sets the Authorization header. The token lives only in this
	// closure, so no formatting of a Client, even of its struct value, can
	// print it.
	authorize  func(http.Header)
	spaceID    string
	apiVersion string
	userAgent  string
	// userAgentValue is the header value, built once; requests share it
	// read-only.
	userAgentValue []string
	baseURL        *url.URL
	httpClient     *http.Client
	timeout        time.Duration
	expiry         *expiry // ends attempts that outlive timeout
	retry          retryPolicy
	logger         *slog.Logger
	headers        [][2]string
	gen            *gen.Client
	maxBody        int64
}

// NewClient returns a client that authenticates with token (mon_test_... or
// mon_...) and acts in the space spaceID (spc-...). It refuses an empty
// token, a malformed space id and options with bad values, and sends nothing.
func NewClient(token, spaceID string, opts ...ClientOption) (*Client, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errors.New("monime: NewClient: the access token is empty; create one in the Monime dashboard (mon_test_... or mon_...)")
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return nil, errors.New("monime: NewClient: the access token contains white space; pass the token alone, without \"Bearer \"")
	}
	if !isVisibleASCII(token) {
		return nil, errors.New("monime: NewClient: the access token contains control or non-ASCII characters; copy it again from the Monime dashboard")
	}
	if err := checkSpaceID(spaceID); err != nil {
		return nil, err
	}
	bearer := []string{"Bearer " + token}
	c := &Client{
		authorize:  func(h http.Header) { h["Authorization"] = bearer },
		spaceID:    spaceID,
		apiVersion: APIVersion,
		userAgent:  defaultUserAgent(),
		timeout:    defaultTimeout,
		retry:      retryPolicy{maxRetries: defaultMaxRetries, initial: defaultBackoff, max: defaultMaxBackoff},
		logger:     slog.New(slog.DiscardHandler),
		maxBody:    maxResponseBytes,
	}
	c.baseURL, _ = parseBaseURL(DefaultBaseURL)
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyClient(c); err != nil {
			return nil, err
		}
	}
	c.httpClient = safeHTTPClient(c.httpClient)
	c.expiry = &expiry{timeout: c.timeout}
	c.userAgentValue = []string{c.userAgent}
	g, err := gen.NewClient(c.baseURL.String(),
		gen.WithHTTPClient(&retryDoer{c: c}),
		gen.WithRequestEditorFn(c.editRequest))
	if err != nil {
		return nil, fmt.Errorf("monime: NewClient: %w", err)
	}
	c.gen = g
	c.CheckoutSessions = &CheckoutSessionsService{c: c}
	return c, nil
}

// String describes the client without its token.
func (c *Client) String() string {
	if c == nil {
		return "monime.Client(nil)"
	}
	return fmt.Sprintf("monime.Client{baseURL: %s, space: %s, version: %s, token: [redacted]}", c.BaseURL(), c.spaceID, c.apiVersion)
}

// GoString is String, so %#v never prints the token either.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb, so no formatting of a Client (%v,
// %+v, %#v, %s) can reveal the token.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// SpaceID is the space the client acts in unless a call says otherwise.
func (c *Client) SpaceID() string {
	if c == nil {
		return ""
	}
	return c.spaceID
}

// BaseURL is the API root the client sends to ("" for a Client not made by
// NewClient).
func (c *Client) BaseURL() string {
	if c == nil || c.baseURL == nil {
		return ""
	}
	return c.baseURL.String()
}

// editRequest is the one place that adds the credentials and client-wide
// headers to a request, once per logical call (retries reuse the request).
func (c *Client) editRequest(ctx context.Context, req *http.Request) error {
	c.authorize(req.Header)
	req.Header["User-Agent"] = c.userAgentValue
	for _, h := range c.headers {
		req.Header.Add(h[0], h[1])
	}
	if st, ok := stateOf(ctx); ok {
		for _, h := range st.headers {
			req.Header.Add(h[0], h[1])
		}
	}
	return nil
}

func defaultUserAgent() string {
	return "monime-go/" + Version + " go/" + strings.TrimPrefix(runtime.Version(), "go")
}

// isVisibleASCII reports whether s holds only printable ASCII other than
// space, as header values such as tokens and ids must.
func isVisibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func checkSpaceID(id string) error {
	if !strings.HasPrefix(id, "spc-") || len(id) > maxSpaceIDLength || len(id) == len("spc-") || !isVisibleASCII(id) {
		return fmt.Errorf("monime: space id %q: want spc-... (at most %d characters), as shown in the Monime dashboard", truncate(id, 80), maxSpaceIDLength)
	}
	return nil
}

// safeHTTPClient copies hc (or makes a default one) so that redirects never
// carry the token to another origin and idle connections are kept for
// concurrent callers.
func safeHTTPClient(hc *http.Client) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
	} else if t, ok := http.DefaultTransport.(*http.Transport); ok {
		// Go keeps 2 idle connections per host by default, so concurrent
		// callers would keep opening new ones; keep enough for them.
		t = t.Clone()
		t.MaxIdleConnsPerHost = defaultIdleConnsPer
		out.Transport = t
	} else {
		out.Transport = http.DefaultTransport // replaced by the program; use it as it is
	}
	userCheck := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
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

var errTooManyRedirects = errors.New("monime: stopped after 10 redirects")

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
