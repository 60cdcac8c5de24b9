package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The credentials a Server accepts when no WithCredentials option is given.
const (
	// DefaultToken is the access token the fake accepts by default.
	DefaultToken = "mon_test_monimetest"
	// DefaultSpaceID is the space DefaultToken may act in.
	DefaultSpaceID = "spc-monimetest"
)

// Defaults of the options below.
const (
	// DefaultSessionTTL is how long a new session stays pending before it
	// expires. Monime does not document its value; 30 minutes is what the
	// example in spec/monime.yaml shows (createTime 12:00, expireTime 12:30).
	DefaultSessionTTL = 30 * time.Minute
	// DefaultIdempotencyRetention is how long a successful create is
	// remembered under its Idempotency-Key (Monime: about 24 hours).
	DefaultIdempotencyRetention = 24 * time.Hour
)

// Option configures a Server. Options panic in New when given a value that
// can never work (an empty token, a negative duration), naming the option and
// the value, because that is a bug in the test that uses them.
type Option func(*config)

type config struct {
	credentials        map[string]map[string]bool // token -> spaces it may use
	clock              func() time.Time
	ttl                time.Duration
	retention          time.Duration
	ratePerSecond      int
	validateRequests   bool
	validateResponses  bool
	logger             *slog.Logger
	hostedPageBase     string
	faultFunc          func(*http.Request) Fault
	maxRequestBodySize int64
	webhook            webhookConfig
}

func defaultConfig() config {
	return config{
		clock:              time.Now,
		ttl:                DefaultSessionTTL,
		retention:          DefaultIdempotencyRetention,
		validateRequests:   true,
		logger:             slog.New(slog.DiscardHandler),
		maxRequestBodySize: 1 << 20,
		webhook:            defaultWebhookConfig(),
	}
}

// WithCredentials lets token act in the given spaces. Repeat it for more
// tokens; repeating a token adds spaces. When no WithCredentials is given the
// Server accepts DefaultToken in DefaultSpaceID. A token given with no spaces
// is known (no 401) but may act in none (403).
func WithCredentials(token string, spaceIDs ...string) Option {
	return func(c *config) {
		if token == "" {
			panic("api: WithCredentials: the token is empty; pass the access token clients will send as 'Authorization: Bearer <token>'")
		}
		if c.credentials == nil {
			c.credentials = make(map[string]map[string]bool)
		}
		spaces := c.credentials[token]
		if spaces == nil {
			spaces = make(map[string]bool)
			c.credentials[token] = spaces
		}
		for _, id := range spaceIDs {
			if !strings.HasPrefix(id, "spc-") || len(id) > 64 {
				panic(fmt.Sprintf("api: WithCredentials: space id %q is not one the spec allows (spc-..., at most 64 characters)", id))
			}
			spaces[id] = true
		}
	}
}

// WithClock makes the Server read the time from now instead of time.Now: it
// stamps createTime and expireTime, decides expiry, idempotency retention and
// rate-limit windows. Tests use it to move time forward without sleeping.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			panic("api: WithClock: the clock function is nil")
		}
		c.clock = now
	}
}

// WithSessionTTL sets how long a new session stays pending before it expires
// (default DefaultSessionTTL).
func WithSessionTTL(ttl time.Duration) Option {
	return func(c *config) {
		if ttl <= 0 {
			panic(fmt.Sprintf("api: WithSessionTTL: the TTL must be positive, got %v", ttl))
		}
		c.ttl = ttl
	}
}

// WithIdempotencyRetention sets how long a successful create is replayed for
// a repeated Idempotency-Key (default DefaultIdempotencyRetention). After
// that the key may be used again.
func WithIdempotencyRetention(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			panic(fmt.Sprintf("api: WithIdempotencyRetention: the retention must be positive, got %v", d))
		}
		c.retention = d
	}
}

// WithRateLimit allows each token perSecond requests per endpoint in each
// second of the Server's clock; more answer 429 too_many_requests with
// Monime-Rate-Limit: endpoint-limit and Retry-After. Zero (the default) turns
// rate limiting off.
func WithRateLimit(perSecond int) Option {
	return func(c *config) {
		if perSecond < 0 {
			panic(fmt.Sprintf("api: WithRateLimit: the limit must be zero (off) or positive, got %d", perSecond))
		}
		c.ratePerSecond = perSecond
	}
}

// WithRequestValidation turns validation of requests against spec/ on (the
// default) or off. With it off the fake still checks credentials and the
// rules spec/ cannot express (metadata keys, unique line-item references),
// and answers 400 to a body that does not decode.
func WithRequestValidation(on bool) Option {
	return func(c *config) { c.validateRequests = on }
}

// WithResponseValidation turns validation of every response against spec/ on
// or off (the default). A response that breaks the spec is replaced by a 500
// internal_error naming the violation, logged, and recorded for
// ResponseViolations, so a test can assert that none happened.
func WithResponseValidation(on bool) Option {
	return func(c *config) { c.validateResponses = on }
}

// WithLogger makes the Server log each request at Debug, injected faults at
// Info and contract violations at Error. By default it logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
	}
}

// WithHostedPageBase sets the origin of the hosted checkout pages: a new
// session's redirectUrl is base + HostedPagePath + id. By default the base is
// the origin the create request was sent to (http://<Host>), so redirectUrl
// points at the fake itself.
func WithHostedPageBase(base string) Option {
	return func(c *config) {
		u, err := url.Parse(base)
		if err != nil || !u.IsAbs() || u.Host == "" {
			panic(fmt.Sprintf("api: WithHostedPageBase: %q is not an absolute URL such as http://127.0.0.1:8080", base))
		}
		c.hostedPageBase = strings.TrimRight(base, "/")
	}
}

// WithFaultFunc calls f for every request that no InjectFault rule matched
// and applies the Fault it returns (the zero Fault means none). f runs concurrently and must not read
// the request body. RandomFaults builds a seeded f.
func WithFaultFunc(f func(*http.Request) Fault) Option {
	return func(c *config) { c.faultFunc = f }
}
