package monime

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// callConfig is what a call's options may set.
type callConfig struct {
	spaceID        string
	apiVersion     string
	idempotencyKey string
	headers        [][2]string
	retry          retryPolicy
	info           *ResponseInfo
}

// callState travels with one logical call from the facade through the
// generated client into the retrying doer and back. It is the context the
// first attempt's request carries (the first attempt's context, see
// attemptContext, plus itself as a value), which saves a context.WithValue.
type callState struct {
	context.Context // the first attempt's context
	callConfig
	// verb, route and id name the operation for errors and logs: the
	// request path is route+id (id is empty for a path without one). They
	// are joined only when an error or a log line needs them.
	verb, route, id string
	attempts        int
	// uncertain is set once an attempt may have reached Monime without its
	// answer reaching us (a transport error after sending, or a 5xx).
	uncertain bool
	// retryErr is the error of the last attempt that was retried, kept in
	// case the context ends while waiting.
	retryErr error

	// parent is the caller's context: it bounds the whole call, waits
	// included. Each attempt is bounded by the client's timeout too (see
	// attemptContext); the first attempt's context is made in newCall, so
	// the generated client builds the request with it and no copy of the
	// request is needed.
	parent context.Context
	// expiry ends the current attempt at its deadline (nil when the
	// caller's sooner deadline bounds it, or once the attempt is
	// released); exp is the attempt's entry there, reused by each attempt
	// in turn. first is the first attempt's context, when expiry watches it.
	expiry *expiry
	exp    expiring
	first  attemptCtx
	// body wraps the current attempt's response body (one attempt's body
	// is always closed before the next starts, so one wrapper serves all).
	body releaseOnClose
	// respBody is the final response's body, read by the doer (keepBody);
	// bodyErr says it was over the size cap.
	respBody []byte
	bodyErr  error
	bodyKept bool
	// lostHeader and lostStatus are those of a final answer whose body was
	// cut off, for ResponseInfo.
	lostHeader http.Header
	lostStatus int
}

func (st *callState) method() string { return st.verb }
func (st *callState) path() string   { return st.route + st.id }

// opName is "POST /v1/checkout-sessions", for errors and logs.
func (st *callState) opName() string { return st.verb + " " + st.path() }

type callKey struct{}

// newCall applies the client's defaults and the call's options, and returns
// a context that carries the call's state. The request path is route+id.
func (c *Client) newCall(ctx context.Context, method, route, id string, opts []CallOption) (context.Context, *callState, error) {
	st := &callState{
		callConfig: callConfig{spaceID: c.spaceID, apiVersion: c.apiVersion, retry: c.retry},
		verb:       method, route: route, id: id,
	}
	if ctx == nil {
		return nil, nil, fmt.Errorf("monime: %s: nil context; pass context.Background() or a request's context", st.opName())
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyCall(&st.callConfig); err != nil {
			return nil, nil, fmt.Errorf("%w (in %s)", err, st.opName())
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("monime: %s: %w", st.opName(), err)
	}
	st.parent = ctx
	st.Context = c.attemptContext(st, &st.first)
	return st, st, nil
}

// attemptContext starts an attempt of st and returns its context, which
// ends with the caller's, or when the client's timeout passes (see expiry),
// or at st.release; into holds it. When the caller's deadline comes first
// it already bounds the attempt, and the caller's context is used as it is.
func (c *Client) attemptContext(st *callState, into *attemptCtx) context.Context {
	if d, ok := st.parent.Deadline(); ok && time.Until(d) <= c.timeout {
		st.expiry = nil
		return st.parent
	}
	ctx, cancel := context.WithCancelCause(st.parent)
	st.expiry, st.exp.cancel = c.expiry, cancel
	*into = attemptCtx{Context: ctx, deadline: c.expiry.add(&st.exp)}
	return into
}

// attemptCtx is the context of an attempt that expiry watches: a
// cancelable context that also reports the attempt's deadline, and that
// reads context.DeadlineExceeded once expiry has ended it.
type attemptCtx struct {
	context.Context
	deadline time.Time
}

func (a *attemptCtx) Deadline() (time.Time, bool) { return a.deadline, true }

// Err is context.DeadlineExceeded for an attempt that expiry ended: the
// cancelable context records the deadline only as the cause, and net/http's
// HTTP/2 transport reports Err, not the cause, so a timed-out attempt would
// otherwise read as context.Canceled, like a caller's cancellation.
func (a *attemptCtx) Err() error {
	err := a.Context.Err()
	if err == context.Canceled && context.Cause(a.Context) == context.DeadlineExceeded {
		return context.DeadlineExceeded
	}
	return err
}

// Value makes the call state reachable from its context (see stateOf).
func (st *callState) Value(key any) any {
	if key == (callKey{}) {
		return st
	}
	return st.Context.Value(key)
}

// stateOf returns the call state a request's context carries, if any.
func stateOf(ctx context.Context) (*callState, bool) {
	st, ok := ctx.Value(callKey{}).(*callState)
	return st, ok
}

// release ends the current attempt and its timeout. Closing the response
// body does it too; release covers the paths that never got a body.
func (st *callState) release() {
	if st.expiry != nil {
		st.expiry.remove(&st.exp)
		st.exp.cancel(context.Canceled)
		st.expiry = nil
	}
}

// idempotencyKey returns the caller's key or a new random UUIDv4, chosen
// once per logical call so that every retry carries the same one.
func (st *callState) ensureIdempotencyKey() string {
	if st.idempotencyKey == "" {
		st.idempotencyKey = newUUID()
	}
	return st.idempotencyKey
}

// newUUID returns a random (version 4) UUID from crypto/rand.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexdigits = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hexdigits[v>>4], hexdigits[v&0x0f]
		j += 2
	}
	return string(out[:])
}

// fillInfo copies what the final response said into the caller's ResponseInfo.
func (st *callState) fillInfo(resp *http.Response) {
	info := st.info
	if info == nil {
		return
	}
	*info = ResponseInfo{IdempotencyKey: st.idempotencyKey, Attempts: st.attempts}
	if resp == nil {
		if st.lostHeader != nil {
			resp = &http.Response{StatusCode: st.lostStatus, Header: st.lostHeader}
		} else {
			return
		}
	}
	info.StatusCode = resp.StatusCode
	info.Header = resp.Header
	info.RequestID = resp.Header.Get("Monime-Request-Id")
	info.Replayed = resp.Header.Get("Monime-Cache") == "irc"
	info.RateLimit = resp.Header.Get("Monime-Rate-Limit")
}

// transportError wraps a failure that left no usable answer.
func (st *callState) transportError(err error) error {
	var apiErr *Error
	var reqErr *RequestError
	if errors.As(err, &apiErr) || errors.As(err, &reqErr) {
		return err
	}
	return st.requestError(err)
}

// requestError is the call's *RequestError, failing with err.
func (st *callState) requestError(err error) *RequestError {
	return &RequestError{Method: st.method(), Path: st.path(), IdempotencyKey: st.idempotencyKey, Attempts: st.attempts, Err: err}
}
