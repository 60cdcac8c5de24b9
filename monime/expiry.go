package monime

import (
	"context"
	"sync"
	"time"
)

// Per-attempt timeouts with one timer per client.
//
// Every attempt of a client has the same timeout, so attempts expire in the
// order they started. expiry keeps the attempts in flight in that order and
// one timer for the first to expire; each attempt gets a plain cancelable
// context. context.WithTimeout would start, stop and clean up a runtime timer
// per attempt: about 0.5 µs more per call, 2-3% of a create
// (BenchmarkRatio/op=AttemptTimer, BENCHMARKS.md).

// expiry ends attempts that outlive timeout.
type expiry struct {
	// timeout is every attempt's: attempts are listed in the order they
	// start, which is then the order they expire in.
	timeout    time.Duration
	mu         sync.Mutex
	head, tail *expiring // in deadline order
	timer      *time.Timer
	// timerAt is when the timer will fire; zero while it is not set.
	timerAt time.Time
}

// expiring is one attempt in flight: its deadline and how to end it.
type expiring struct {
	deadline   time.Time
	cancel     context.CancelCauseFunc
	prev, next *expiring
	listed     bool
}

// add lists e with a deadline of x.timeout from now, and returns it;
// e.cancel is called with context.DeadlineExceeded when the deadline passes
// before remove(e).
func (x *expiry) add(e *expiring) time.Time {
	x.mu.Lock()
	// Taking the time under the lock keeps the list in deadline order.
	e.deadline = time.Now().Add(x.timeout)
	e.prev, e.next, e.listed = x.tail, nil, true
	if x.tail != nil {
		x.tail.next = e
	} else {
		x.head = e
	}
	x.tail = e
	if x.timerAt.IsZero() || e.deadline.Before(x.timerAt) {
		x.setTimer(e.deadline)
	}
	x.mu.Unlock()
	return e.deadline
}

// remove takes e off the list; a timer set for e's deadline stays and finds
// nothing to do (or the next attempt's deadline to wait for) when it fires.
func (x *expiry) remove(e *expiring) {
	x.mu.Lock()
	if e.listed {
		if e.prev != nil {
			e.prev.next = e.next
		} else {
			x.head = e.next
		}
		if e.next != nil {
			e.next.prev = e.prev
		} else {
			x.tail = e.prev
		}
		e.prev, e.next, e.listed = nil, nil, false
	}
	x.mu.Unlock()
}

// setTimer makes the timer fire at t. x.mu is held.
func (x *expiry) setTimer(t time.Time) {
	x.timerAt = t
	d := time.Until(t)
	if x.timer == nil {
		x.timer = time.AfterFunc(d, x.fire)
	} else {
		x.timer.Reset(d)
	}
}

// fire ends the attempts whose deadline has passed and sets the timer for
// the next one.
func (x *expiry) fire() {
	var due []context.CancelCauseFunc
	x.mu.Lock()
	now := time.Now()
	for x.head != nil && !now.Before(x.head.deadline) {
		e := x.head
		due = append(due, e.cancel)
		x.head = e.next
		e.prev, e.next, e.listed = nil, nil, false
	}
	if x.head != nil {
		x.head.prev = nil
		x.setTimer(x.head.deadline)
	} else {
		x.tail = nil
		x.timerAt = time.Time{}
	}
	x.mu.Unlock()
	for _, cancel := range due {
		cancel(context.DeadlineExceeded)
	}
}
