package monime

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// config is everything an option can set. The Client keeps the defaults;
// each call copies them and applies its own options to the copy, so an
// option is written once and means the same in both places.
type config struct {
	// Client-wide only.
	baseURL    *url.URL
	httpClient *http.Client
	timeout    time.Duration
	logger     *slog.Logger
	userAgent  string

	// Client-wide defaults that a call may override.
	spaceID    string
	apiVersion string
	headers    [][2]string
	maxRetries int
	backoff    time.Duration // the first retry's ceiling, doubling each time
	maxBackoff time.Duration

	// Per call only.
	idempotencyKey string
	info           *ResponseInfo
}

// ClientOption configures a Client in NewClient.
type ClientOption interface {
	applyClient(*config) error
}

// CallOption configures one call, such as CheckoutSessions.Create. Options
// given to a call take precedence over the client's.
type CallOption interface {
	applyCall(*config) error
}

// Option works both in NewClient, as the client's default, and on a single
// call, overriding that default for the call.
type Option interface {
	ClientOption
	CallOption
}

// clientOnly, callOnly and anywhere wrap one setter: where it may be used
// is the only difference between them.
type (
	clientOnly func(*config) error
	callOnly   func(*config) error
	anywhere   func(*config) error
)

func (f clientOnly) applyClient(c *config) error { return f(c) }
func (f callOnly) applyCall(c *config) error     { return f(c) }
func (f anywhere) applyClient(c *config) error   { return f(c) }
func (f anywhere) applyCall(c *config) error     { return f(c) }

// WithBaseURL points the client at another Monime API root, such as the fake
// from package monimetest. It must be https, except for loopback hosts
// (localhost, 127.0.0.0/8, ::1), which may use http.
func WithBaseURL(rawURL string) ClientOption {
	return clientOnly(func(c *config) error {
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
	return clientOnly(func(c *config) error {
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
	return anywhere(func(c *config) error {
		if n < 0 || n > 20 {
			return fmt.Errorf("monime: WithMaxRetries(%d): want 0 to 20", n)
		}
		c.maxRetries = n
		return nil
	})
}

// WithRetryBackoff sets the backoff between attempts: the first wait is
// drawn from [0, initial), doubling each time, and no wait (including one a
// Retry-After header asks for) is longer than max. Defaults: 500ms and 8s.
func WithRetryBackoff(initial, max time.Duration) ClientOption {
	return clientOnly(func(c *config) error {
		if initial <= 0 || max < initial {
			return fmt.Errorf("monime: WithRetryBackoff(%v, %v): want 0 < initial <= max", initial, max)
		}
		c.backoff, c.maxBackoff = initial, max
		return nil
	})
}

// WithTimeout bounds each attempt (connect, send, and reading the whole
// response). Default 30s. Bound the whole call, retries included, with the
// context you pass.
func WithTimeout(d time.Duration) ClientOption {
	return clientOnly(func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("monime: WithTimeout(%v): want a positive duration", d)
		}
		c.timeout = d
		return nil
	})
}

// WithAPIVersion sets the Monime-Version header: APIVersion (the default) or
// APIVersion20250620. Validation follows the release: USD prices need
// APIVersion.
func WithAPIVersion(version string) Option {
	return anywhere(func(c *config) error {
		switch version {
		case APIVersion, APIVersion20250620:
			c.apiVersion = version
			return nil
		}
		return fmt.Errorf("monime: WithAPIVersion: %s is not a release this client knows; want %q or %q", describe(version), APIVersion, APIVersion20250620)
	})
}

// WithSpaceID sends a call to another space than the client's (platforms that
// serve many spaces keep one client and pass this per call).
func WithSpaceID(spaceID string) Option {
	return anywhere(func(c *config) error {
		if err := checkSpaceID(spaceID); err != nil {
			return err
		}
		c.spaceID = spaceID
		return nil
	})
}

// WithLogger logs each attempt at Debug, each retry at Info and giving up
// at Warn. Logs never hold the token, bodies or metadata. Silent by default.
func WithLogger(l *slog.Logger) ClientOption {
	return clientOnly(func(c *config) error {
		if l == nil {
			return fmt.Errorf("monime: WithLogger(nil): pass a *slog.Logger or leave the option out")
		}
		c.logger = l
		return nil
	})
}

// WithUserAgent appends s to the User-Agent, e.g. "myshop/1.4".
func WithUserAgent(s string) ClientOption {
	return clientOnly(func(c *config) error {
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
// not replace the headers the client or net/http manage: Authorization,
// Monime-Space-Id, Monime-Version, Idempotency-Key, Content-Type,
// Content-Length and Host; for User-Agent, use WithUserAgent.
func WithHeader(name, value string) Option {
	return anywhere(func(c *config) error {
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", "Monime-Space-Id", "Monime-Version", "Idempotency-Key", "Content-Type", "Content-Length", "Host":
			return fmt.Errorf("monime: WithHeader(%q): the client sets this header; use its own option", name)
		case "User-Agent":
			return fmt.Errorf("monime: WithHeader(%q): use WithUserAgent, which appends to the client's own", name)
		}
		if !isHeaderName(name) {
			return fmt.Errorf("monime: WithHeader: the name is not a header name (letters, digits and !#$%%&'*+-.^_`|~ only)")
		}
		if !isHeaderValue(value) {
			return fmt.Errorf("monime: WithHeader(%q): the value has control characters; pass one line of text", name)
		}
		c.headers = append(c.headers[:len(c.headers):len(c.headers)], [2]string{http.CanonicalHeaderKey(name), value})
		return nil
	})
}

// WithIdempotencyKey sets the Idempotency-Key of a create (other calls
// refuse it: Monime takes none on them): at most 64
// characters, unique per logical operation in the space (an order id works
// well). Without it the client picks a random key once per call, so its own
// retries are safe; pass your own to make retries across process restarts
// safe too.
func WithIdempotencyKey(key string) CallOption {
	return callOnly(func(c *config) error {
		n := len([]rune(key))
		if n == 0 || n > maxIdempotencyKey || !isHeaderValue(key) || strings.TrimSpace(key) != key {
			return fmt.Errorf("monime: WithIdempotencyKey: want 1 to %d characters, no control characters or surrounding spaces (an order id works well); got %s", maxIdempotencyKey, describe(key))
		}
		c.idempotencyKey = key
		return nil
	})
}

// ResponseInfo receives what a call learned beyond its result. Pass one with
// WithResponseInfo: the call empties it when it starts and, once it sent a
// request, fills it whether it succeeds or fails.
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
	// Duration is how long the call took, from its first attempt to its
	// answer, the waits between attempts included.
	Duration time.Duration
	// Waited is how much of Duration was spent waiting between attempts.
	Waited time.Duration
	// Header holds the final response's headers.
	Header http.Header
}

// WithResponseInfo fills info when the call returns.
func WithResponseInfo(info *ResponseInfo) CallOption {
	return callOnly(func(c *config) error {
		c.info = info
		return nil
	})
}

// isHeaderName reports whether s is an HTTP token (RFC 9110, section 5.6.2).
func isHeaderName(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c))
	})
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

// parseBaseURL checks an API root. Its errors name the URL's shape only:
// a URL may carry a token in its user name, query or fragment.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("monime: the base URL is not an absolute http(s) URL; want one such as %s", DefaultBaseURL)
	}
	shown := u.Scheme + "://" + u.Host
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("monime: base URL %s: plain http is allowed only for loopback hosts; use https", shown)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#") {
		return nil, fmt.Errorf("monime: base URL %s...: must not carry credentials, a query or a fragment; pass the API root alone", shown)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	if u.RawPath != "" {
		u.RawPath = strings.TrimSuffix(u.RawPath, "/") + "/"
	}
	return u, nil
}
