package monime

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ClientOption configures a Client in NewClient.
type ClientOption interface {
	applyClient(*Client) error
}

// CallOption configures one call, such as CheckoutSessions.Create. Options
// given to a call take precedence over the client's.
type CallOption interface {
	applyCall(*callConfig) error
}

// Option works both in NewClient, as the client's default, and on a single
// call, overriding that default for the call.
type Option interface {
	ClientOption
	CallOption
}

type clientOptionFunc func(*Client) error

func (f clientOptionFunc) applyClient(c *Client) error { return f(c) }

type callOptionFunc func(*callConfig) error

func (f callOptionFunc) applyCall(c *callConfig) error { return f(c) }

// bothOption applies one setting to the client or to a call.
type bothOption struct {
	client func(*Client) error
	call   func(*callConfig) error
}

func (o bothOption) applyClient(c *Client) error   { return o.client(c) }
func (o bothOption) applyCall(c *callConfig) error { return o.call(c) }

// WithBaseURL points the client at another Monime API root, such as the fake
// from package monimetest. It must be https, except for loopback hosts
// (localhost, 127.0.0.0/8, ::1), which may use http.
func WithBaseURL(rawURL string) ClientOption {
	return clientOptionFunc(func(c *Client) error {
		u, err := parseBaseURL(rawURL)
		if err != nil {
			return err
		}
		c.baseURL = u
		return nil
	})
}

// WithHTTPClient sends requests through hc (its Transport, Jar and
// CheckRedirect). Its Timeout, if any, bounds each attempt; prefer
// WithTimeout. The client never sends Authorization to another host on a
// redirect, whatever hc's CheckRedirect says.
func WithHTTPClient(hc *http.Client) ClientOption {
	return clientOptionFunc(func(c *Client) error {
		if hc == nil {
			return fmt.Errorf("monime: WithHTTPClient(nil): pass an *http.Client or leave the option out")
		}
		c.httpClient = hc
		return nil
	})
}

// WithMaxRetries sets how many times a failed attempt is retried (default 2,
// so at most 3 attempts). 0 turns retries off.
func WithMaxRetries(n int) Option {
	check := func() error {
		if n < 0 || n > 20 {
			return fmt.Errorf("monime: WithMaxRetries(%d): want 0 to 20", n)
		}
		return nil
	}
	return bothOption{
		client: func(c *Client) error { c.retry.maxRetries = n; return check() },
		call:   func(c *callConfig) error { c.retry.maxRetries = n; return check() },
	}
}

// WithRetryBackoff sets the backoff between attempts: the first wait is
// drawn from [0, initial), doubling each time, and no wait (including one a
// Retry-After header asks for) is longer than max. Defaults: 500ms and 8s.
func WithRetryBackoff(initial, max time.Duration) ClientOption {
	return clientOptionFunc(func(c *Client) error {
		if initial <= 0 || max < initial {
			return fmt.Errorf("monime: WithRetryBackoff(%v, %v): want 0 < initial <= max", initial, max)
		}
		c.retry.initial, c.retry.max = initial, max
		return nil
	})
}

// WithTimeout bounds each attempt (connect, send, and reading the whole
// response). Default 30s. Bound the whole call, retries included, with the
// context you pass.
func WithTimeout(d time.Duration) ClientOption {
	return clientOptionFunc(func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("monime: WithTimeout(%v): want a positive duration", d)
		}
		c.timeout = d
		return nil
	})
}

// WithAPIVersion sets the Monime-Version header: APIVersion (the default) or
// APIVersion20250620.
func WithAPIVersion(version string) Option {
	check := func() error {
		switch version {
		case APIVersion, APIVersion20250620:
			return nil
		}
		return fmt.Errorf("monime: WithAPIVersion(%q): want %q or %q", version, APIVersion, APIVersion20250620)
	}
	return bothOption{
		client: func(c *Client) error { c.apiVersion = version; return check() },
		call:   func(c *callConfig) error { c.apiVersion = version; return check() },
	}
}

// WithSpaceID sends a call to another space than the client's (platforms that
// serve many spaces keep one client and pass this per call).
func WithSpaceID(spaceID string) Option {
	return bothOption{
		client: func(c *Client) error { c.spaceID = spaceID; return checkSpaceID(spaceID) },
		call:   func(c *callConfig) error { c.spaceID = spaceID; return checkSpaceID(spaceID) },
	}
}

// WithLogger logs each attempt, retry and failure at Debug, Info and Warn.
// Logs never hold the token, bodies or metadata. Silent by default.
func WithLogger(l *slog.Logger) ClientOption {
	return clientOptionFunc(func(c *Client) error {
		if l == nil {
			return fmt.Errorf("monime: WithLogger(nil): pass a *slog.Logger or leave the option out")
		}
		c.logger = l
		return nil
	})
}

// WithUserAgent appends s to the User-Agent, e.g. "myshop/1.4".
func WithUserAgent(s string) ClientOption {
	return clientOptionFunc(func(c *Client) error {
		if !isHeaderValue(s) {
			return fmt.Errorf("monime: WithUserAgent: the suffix must be one line of text without control characters")
		}
		if s != "" {
			c.userAgent = defaultUserAgent() + " " + s
		}
		return nil
	})
}

// WithHeader adds a header to every request (client) or to one call. It may
// not replace the headers the client manages: Authorization,
// Monime-Space-Id, Monime-Version, Idempotency-Key, Content-Type.
func WithHeader(name, value string) Option {
	check := func() error {
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", "Monime-Space-Id", "Monime-Version", "Idempotency-Key", "Content-Type", "Content-Length", "Host":
			return fmt.Errorf("monime: WithHeader(%q): the client sets this header; use its own option", name)
		case "User-Agent":
			return fmt.Errorf("monime: WithHeader(%q): use WithUserAgent, which appends to the client's own", name)
		}
		if !isHeaderName(name) {
			return fmt.Errorf("monime: WithHeader(%q): a header name is letters, digits and !#$%%&'*+-.^_`|~ only", name)
		}
		if !isHeaderValue(value) {
			return fmt.Errorf("monime: WithHeader(%q): the value has control characters; pass one line of text", name)
		}
		return nil
	}
	return bothOption{
		client: func(c *Client) error { c.headers = appendHeader(c.headers, name, value); return check() },
		call:   func(c *callConfig) error { c.headers = appendHeader(c.headers, name, value); return check() },
	}
}

// isHeaderName reports whether s is an HTTP token (RFC 9110).
func isHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isHeaderValue reports whether s is a field value net/http will send: no
// control characters but tab.
func isHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func appendHeader(h [][2]string, name, value string) [][2]string {
	return append(h, [2]string{http.CanonicalHeaderKey(name), value})
}

// WithIdempotencyKey sets the Idempotency-Key of a create: at most 64
// characters, unique per logical operation in the space (an order id works
// well). Without it the client picks a random key once per call, so its own
// retries are safe; pass your own to make retries across process restarts
// safe too.
func WithIdempotencyKey(key string) CallOption {
	return callOptionFunc(func(c *callConfig) error {
		if key == "" || len(key) > maxIdempotencyKey || !isVisibleASCII(key) {
			return fmt.Errorf("monime: WithIdempotencyKey: want 1 to %d printable ASCII characters without spaces (an order id works well), got %d bytes", maxIdempotencyKey, len(key))
		}
		c.idempotencyKey = key
		return nil
	})
}

// ResponseInfo receives what a call learned beyond its result. Pass one with
// WithResponseInfo; it is filled whether the call succeeds or fails.
type ResponseInfo struct {
	// StatusCode of the final attempt (0 when no response came back).
	StatusCode int
	// RequestID is Monime's id for the final attempt (Monime-Request-Id).
	RequestID string
	// IdempotencyKey is the key sent on a create, the same on every attempt.
	IdempotencyKey string
	// Replayed is true when Monime answered from its idempotency cache
	// (Monime-Cache: irc): the result is that of an earlier request.
	Replayed bool
	// RateLimit names the limit hit on a 429 (Monime-Rate-Limit).
	RateLimit string
	// Attempts is how many attempts were made, retries included.
	Attempts int
	// Header holds the final response's headers.
	Header http.Header
}

// WithResponseInfo fills info when the call returns.
func WithResponseInfo(info *ResponseInfo) CallOption {
	return callOptionFunc(func(c *callConfig) error {
		c.info = info
		return nil
	})
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("monime: the base URL is not a URL; want an absolute URL such as %s", DefaultBaseURL)
	}
	shown := u.Redacted() // never echo a password
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("monime: base URL %q: want an absolute URL such as %s", shown, DefaultBaseURL)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("monime: base URL %q: plain http is allowed only for loopback hosts; use https", shown)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("monime: base URL %q: must not carry credentials, a query or a fragment", shown)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	return u, nil
}
