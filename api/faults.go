package api

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is what the fake does to one request instead of, or besides,
// answering it normally. The zero Fault does nothing. When several are set,
// Latency comes first, then the first of Reset, Status and Drop. Status must
// be 0 or 400 to 599, and RetryAfter and Latency must not be negative.
type Fault struct {
	// Latency delays the request before anything else happens (or until the
	// client gives up).
	Latency time.Duration
	// Reset closes the connection with a TCP reset before the request is
	// handled: nothing is stored and nothing is answered.
	Reset bool
	// Status, when not zero, answers with this status (400 to 599) and the
	// Monime error envelope without handling the request.
	Status int
	// RetryAfter, with Status, adds Retry-After: <RetryAfter> (seconds); with
	// Status 429 it also adds Monime-Rate-Limit: endpoint-limit.
	RetryAfter int
	// Drop handles the request (a create is stored and its idempotency
	// record kept) and then closes the connection instead of answering, as
	// when a response is lost on the way back.
	Drop bool
}

func (f Fault) zero() bool { return f == Fault{} }

// String describes the fault for logs.
func (f Fault) String() string {
	s := ""
	if f.Latency > 0 {
		s += "latency " + f.Latency.String() + " "
	}
	switch {
	case f.Reset:
		s += "reset"
	case f.Status != 0:
		s += "status " + strconv.Itoa(f.Status)
	case f.Drop:
		s += "drop"
	}
	return s
}

// check says what makes f a Fault the fake cannot apply, or returns nil.
func (f Fault) check() error {
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return fmt.Errorf("Fault.Status must be 400 to 599 (or 0 for none), got %d", f.Status)
	}
	if f.RetryAfter < 0 {
		return fmt.Errorf("Fault.RetryAfter must not be negative, got %d", f.RetryAfter)
	}
	if f.Latency < 0 {
		return fmt.Errorf("Fault.Latency must not be negative, got %v", f.Latency)
	}
	return nil
}

// faultRule applies a Fault to the next requests that match it.
type faultRule struct {
	method  string // "" matches any
	pattern string // path.Match pattern
	left    int
	fault   Fault
}

// faults holds the rules of InjectFault and the function of WithFaultFunc.
type faults struct {
	mu    sync.Mutex
	rules []*faultRule
	fn    func(*http.Request) Fault
}

// next returns the fault for r: the first matching rule's (using it up),
// else fn's, else none. It returns an error instead when fn returns a Fault
// that check refuses.
func (fs *faults) next(r *http.Request) (Fault, error) {
	fs.mu.Lock()
	for i, rule := range fs.rules {
		if rule.method != "" && rule.method != r.Method {
			continue
		}
		if ok, _ := path.Match(rule.pattern, r.URL.Path); !ok {
			continue
		}
		rule.left--
		if rule.left == 0 {
			fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
		}
		fs.mu.Unlock()
		return rule.fault, nil
	}
	fn := fs.fn
	fs.mu.Unlock()
	if fn == nil {
		return Fault{}, nil
	}
	f := fn(r)
	if err := f.check(); err != nil {
		return Fault{}, fmt.Errorf("api: the WithFaultFunc function returned a Fault the fake cannot apply to %s %s: %w", r.Method, r.URL.Path, err)
	}
	return f, nil
}

// InjectFault applies f to the next n requests whose method is method ("" for
// any) and whose path matches pattern, as path.Match matches: an exact path
// such as "/v1/checkout-sessions", or "/v1/checkout-sessions/*" for any one
// session. Rules apply in the order they were added; a request uses up at
// most one.
//
// It returns an error, and adds nothing, for a method that is not upper case,
// a pattern that is malformed or does not start with "/", an n below 1, or a
// Fault outside its rules (see Fault).
//
//	err := srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 2, api.Fault{Status: 503, RetryAfter: 1})
//	err = srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 1, api.Fault{Drop: true})
func (s *Server) InjectFault(method, pattern string, n int, f Fault) error {
	op := s.cfg.label("InjectFault", "api: InjectFault")
	if method != strings.ToUpper(method) {
		return fmt.Errorf("%s: method %q would match no request: HTTP methods are case-sensitive; pass %q, or \"\" for any method", op, method, strings.ToUpper(method))
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("%s: pattern %q is malformed (%v); pass a path.Match pattern such as \"/v1/checkout-sessions/*\"", op, pattern, err)
	}
	if !strings.HasPrefix(pattern, "/") {
		return fmt.Errorf("%s: pattern %q would match no request: request paths start with \"/\"; pass a pattern such as \"/v1/checkout-sessions/*\"", op, pattern)
	}
	if n < 1 {
		return fmt.Errorf("%s: n must be at least 1, got %d; pass how many of the next matching requests the fault applies to", op, n)
	}
	if err := f.check(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = append(s.faults.rules, &faultRule{method: method, pattern: pattern, left: n, fault: f})
	return nil
}

// ClearFaults removes the rules of InjectFault that are not used up yet.
// The function of WithFaultFunc stays.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = nil
}

// RandomFaults returns a function for WithFaultFunc that gives a request,
// with probability rate (0 or less: never; 1 or more: always), one of faults
// chosen at random, and no fault otherwise. The choices come from a generator
// seeded with seed, so the same sequence of requests meets the same faults
// on every run. A fault outside Fault's rules is not applied when drawn: the
// request gets a 500 naming it (see WithFaultFunc).
//
//	api.WithFaultFunc(api.RandomFaults(42, 0.3, api.Fault{Status: 503}, api.Fault{Reset: true}, api.Fault{Drop: true}))
func RandomFaults(seed uint64, rate float64, faults ...Fault) func(*http.Request) Fault {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(*http.Request) Fault {
		if len(faults) == 0 {
			return Fault{}
		}
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() >= rate {
			return Fault{}
		}
		return faults[rng.IntN(len(faults))]
	}
}

// wait sleeps for d or until ctx is done, and reports whether it slept the
// whole time.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// abortConnection ends the exchange without an answer: it takes over the
// connection and closes it, with a TCP reset when reset is true. Where the
// connection cannot be taken over (HTTP/2, a recorder) it aborts the
// handler with http.ErrAbortHandler, which net/http turns into a broken
// response.
func abortConnection(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if reset {
		raw := conn
		if tc, ok := conn.(*tls.Conn); ok {
			raw = tc.NetConn()
		}
		if tcp, ok := raw.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0) // close sends RST instead of FIN
		}
	}
	_ = conn.Close()
}
