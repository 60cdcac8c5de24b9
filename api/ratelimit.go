package api

import (
	"sync"
	"time"
)

// rateLimiter allows limit requests per token and endpoint in each second
// of the Server's clock (a fixed window).
type rateLimiter struct {
	limit int

	mu      sync.Mutex
	windows map[rateKey]*rateWindow
}

type rateKey struct{ token, operation string }

type rateWindow struct {
	second int64 // Unix second the window covers
	count  int
}

func newRateLimiter(limit int) *rateLimiter {
	return &rateLimiter{limit: limit, windows: make(map[rateKey]*rateWindow)}
}

// allow counts one request and reports whether it is within the limit and,
// if not, how many seconds to wait (at least 1).
func (l *rateLimiter) allow(token, operation string, now time.Time) (ok bool, retryAfter int) {
	if l.limit <= 0 {
		return true, 0
	}
	sec := now.Unix()
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[rateKey{token, operation}]
	if w == nil {
		w = &rateWindow{}
		l.windows[rateKey{token, operation}] = w
	}
	if w.second != sec {
		w.second, w.count = sec, 0
	}
	w.count++
	if w.count <= l.limit {
		return true, 0
	}
	return false, 1 // the window ends within the next second
}
