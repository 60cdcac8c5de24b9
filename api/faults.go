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
	"sync"
	"time"
)

// Fault is what the fake does to one request instead of, or besides,
// answering it normally. The zero Fault does nothing. When several are set,
// Latency comes first, then the first of Reset, Status and Drop.
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

func (f Fault) check(call string) {
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		panic(fmt.Sprintf("api: %s: Fault.Status must be 400 to 599 (or 0 for none), got %d", call, f.Status))
	}
	if f.RetryAfter < 0 || f.Latency < 0 {
		panic(fmt.Sprintf("api: %s: Fault.RetryAfter and Fault.Latency must not be negative, got %d and %v", call, f.RetryAfter, f.Latency))
	}
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
// else fn's, else none.
func (fs *faults) next(r *http.Request) Fault {
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
		return rule.fault
	}
	fn := fs.fn
	fs.mu.Unlock()
	if fn == nil {
		return Fault{}
	}
	return fn(r)
}

// InjectFault applies f to the next times requests whose method is method
// ("" for any) and whose path matches pattern, as path.Match matches: an
// exact path such as "/v1/checkout-sessions", or "/v1/checkout-sessions/*"
// for any one session. Rules apply in the order they were added; a request
// uses up at most one. It panics on a malformed pattern, a times below 1 or
// a Status outside 400 to 599, which are bugs in the calling test.
//
//	srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 2, api.Fault{Status: 503, RetryAfter: 1})
//	srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 1, api.Fault{Drop: true})
func (s *Server) InjectFault(method, pattern string, times int, f Fault) {
	if _, err := path.Match(pattern, ""); err != nil {
		panic(fmt.Sprintf("api: InjectFault: pattern %q is malformed: %v", pattern, err))
	}
	if times < 1 {
		panic(fmt.Sprintf("api: InjectFault: times must be at least 1, got %d", times))
	}
	f.check("InjectFault")
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = append(s.faults.rules, &faultRule{method: method, pattern: pattern, left: times, fault: f})
}

// ClearFaults removes the rules of InjectFault that are not used up yet.
// The function of WithFaultFunc stays.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = nil
}

// RandomFaults returns a function for WithFaultFunc that gives a request,
// with probability rate (0 to 1), one of faults chosen at random, and no
// fault otherwise. The choices come from a generator seeded with seed, so
// the same sequence of requests meets the same faults on every run.
//
//	api.WithFaultFunc(api.RandomFaults(42, 0.3, api.Fault{Status: 503}, api.Fault{Reset: true}, api.Fault{Drop: true}))
func RandomFaults(seed uint64, rate float64, faults ...Fault) func(*http.Request) Fault {
	for _, f := range faults {
		f.check("RandomFaults")
	}
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
