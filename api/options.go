package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
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

// MainAccountID is the id of the main financial account of a space, in
// SLE, which every space of the fake starts with and which a checkout
// session settles into when its create names no account, as Monime
// settles into the space's main account: "fac-" and the space id without
// its "spc-", so DefaultSpaceID's is "fac-monimetest". A space's main
// account for USD, which the fake opens the first time something needs it
// (a USD payment, payout or payment code with no USD account named), is
// this id followed by "-usd".
func MainAccountID(spaceID string) string {
	return "fac-" + strings.TrimPrefix(spaceID, "spc-")
}

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

// Option configures a Server. An option given a value that can never work
// (an empty token, a negative duration) makes New return an error that names
// the option, says what is wrong and what to pass instead. Errors describe a
// credential's shape, never its value.
type Option func(*config) error

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
	fees               []feeRule         // WithFee, in the order given
	payoutFees         []feeRule         // WithPayoutFee, in the order given
	payoutDelay        time.Duration     // WithPayoutDelay; 0: payouts wait for a control
	state              *loadedState      // WithState's or WithChanges', loaded and checked
	names              map[string]string // WithOptionNames
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
//
// New fails on a token that cannot arrive in "Authorization: Bearer <token>"
// (empty, white space at either end, a control character) and on a space id
// that is not spc-... of at most 64 characters. Its error quotes neither,
// since either may be a token.
func WithCredentials(token string, spaceIDs ...string) Option {
	return func(c *config) error {
		if problem := tokenProblem(token); problem != "" {
			e := optionErrorf("WithCredentials", "", "%s; pass the access token exactly as clients send it after 'Authorization: Bearer '", problem)
			e.part = "token"
			return e
		}
		for i, id := range spaceIDs {
			if problem := spaceIDProblem(id); problem != "" {
				e := optionErrorf("WithCredentials", "", "space id %d of %d %s; pass space ids as the Monime dashboard shows them (spc-..., at most %d characters)", i+1, len(spaceIDs), problem, maxSpaceIDLength)
				e.part = "space"
				return e
			}
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
			spaces[id] = true
		}
		return nil
	}
}

// maxSpaceIDLength is the spec's maxLength of Monime-Space-Id.
const maxSpaceIDLength = 64

// tokenProblem says why token can never arrive in an "Authorization: Bearer
// <token>" header, or returns "". It describes the token without quoting it.
func tokenProblem(token string) string {
	switch {
	case token == "":
		return "the token is empty"
	case strings.TrimSpace(token) != token:
		return "the token starts or ends with white space, which the Authorization header does not keep"
	case strings.ContainsFunc(token, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }):
		return "the token contains a control character, which no HTTP header can carry"
	}
	return ""
}

// spaceIDProblem says why id is not a space id the spec allows, or returns
// "". It describes the id without quoting it.
func spaceIDProblem(id string) string {
	switch {
	case !strings.HasPrefix(id, "spc-"):
		return `does not start with "spc-"`
	case len(id) > maxSpaceIDLength:
		return fmt.Sprintf("is %d characters long", len(id))
	}
	return ""
}

// WithClock makes the Server read the time from now instead of time.Now: it
// stamps createTime and expireTime, decides expiry, idempotency retention and
// rate-limit windows. Tests use it to move time forward without sleeping.
// New fails on a nil now.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("api: WithClock: the clock function is nil; pass a func() time.Time such as a test clock's Now, or leave the option out to use time.Now")
		}
		c.clock = now
		return nil
	}
}

// WithSessionTTL sets how long a new session stays pending before it expires
// (default DefaultSessionTTL). New fails on a TTL that is not positive.
func WithSessionTTL(ttl time.Duration) Option {
	return func(c *config) error {
		if ttl <= 0 {
			return optionErrorf("WithSessionTTL", "", "the TTL must be positive, got %v; pass how long a new session stays pending, such as %v (DefaultSessionTTL)", ttl, DefaultSessionTTL)
		}
		c.ttl = ttl
		return nil
	}
}

// WithIdempotencyRetention sets how long a successful create is replayed for
// a repeated Idempotency-Key (default DefaultIdempotencyRetention). After
// that the key may be used again. New fails on a retention that is not
// positive.
func WithIdempotencyRetention(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("api: WithIdempotencyRetention: the retention must be positive, got %v; pass how long a create is replayed for its key, such as %v (DefaultIdempotencyRetention)", d, DefaultIdempotencyRetention)
		}
		c.retention = d
		return nil
	}
}

// WithRateLimit allows each token perSecond requests per endpoint in each
// second of the Server's clock; more answer 429 too_many_requests with
// Monime-Rate-Limit: endpoint-limit and Retry-After. Zero (the default) turns
// rate limiting off. New fails on a negative limit.
func WithRateLimit(perSecond int) Option {
	return func(c *config) error {
		if perSecond < 0 {
			return fmt.Errorf("api: WithRateLimit: the limit must not be negative, got %d; pass 0 to turn rate limiting off, or the requests per second each token may send to each endpoint", perSecond)
		}
		c.ratePerSecond = perSecond
		return nil
	}
}

// WithRequestValidation turns validation of requests against spec/ on (the
// default) or off. With it off the fake still checks credentials and the
// rules spec/ cannot express (unique line-item references, currencies per
// release), and answers 400 to a body that does not decode.
func WithRequestValidation(on bool) Option {
	return func(c *config) error {
		c.validateRequests = on
		return nil
	}
}

// WithResponseValidation turns validation of every response against spec/ on
// or off (the default). A response that breaks the spec is replaced by a 500
// internal_error naming the violation, logged, and recorded for
// ResponseViolations, so a test can assert that none happened.
func WithResponseValidation(on bool) Option {
	return func(c *config) error {
		c.validateResponses = on
		return nil
	}
}

// WithLogger makes the Server log each request at Debug, injected faults at
// Info and contract violations at Error. By default, or with a nil l, it
// logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
		return nil
	}
}

// WithHostedPageBase sets the origin of the hosted checkout pages: a new
// session's redirectUrl is base + HostedPagePath + id. By default the base is
// the origin the create request was sent to (http://<Host>), so redirectUrl
// points at the fake itself. New fails on a base that is not an absolute
// http or https URL with a host.
func WithHostedPageBase(base string) Option {
	return func(c *config) error {
		if problem := webURLProblem(base); problem != "" {
			return fmt.Errorf("api: WithHostedPageBase: the base URL %s; pass the origin customers' browsers reach the fake at, such as http://127.0.0.1:8080", problem)
		}
		c.hostedPageBase = strings.TrimRight(base, "/")
		return nil
	}
}

// webURLProblem says why raw is not an absolute http or https URL with a
// host, or returns "". It describes the URL without quoting it: a URL may
// carry a token in its query or user information.
func webURLProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "is empty"
	case err != nil:
		return "does not parse as a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "does not start with http:// or https://"
	case u.Host == "":
		return "has no host"
	}
	return ""
}

// WithFaultFunc calls f for every request that no InjectFault rule matched
// and applies the Fault it returns (the zero Fault means none). f runs
// concurrently and must not read the request body. RandomFaults builds a
// seeded f. A Fault that InjectFault would refuse (see Fault) is not
// applied: the request gets a 500 internal_error naming the problem, which
// is also recorded for ResponseViolations.
func WithFaultFunc(f func(*http.Request) Fault) Option {
	return func(c *config) error {
		c.faultFunc = f
		return nil
	}
}

// spaces returns every space the credentials name, sorted.
func (c config) spaces() []string {
	var out []string
	for _, spaces := range c.credentials {
		for space := range spaces {
			if !slices.Contains(out, space) {
				out = append(out, space)
			}
		}
	}
	slices.Sort(out)
	return out
}
