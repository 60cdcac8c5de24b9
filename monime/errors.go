package monime

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors for errors.Is. A *Error matches the one for its status.
var (
	// ErrInvalidRequest: 400 (or 422): the request broke a rule; see Details.
	// A *ValidationError, found before sending, matches it too.
	ErrInvalidRequest = errors.New("monime: invalid request")
	// ErrUnauthorized: 401: the access token is missing, wrong or expired.
	ErrUnauthorized = errors.New("monime: unauthorized")
	// ErrForbidden: 403: the token may not act in this space or lacks the scope.
	ErrForbidden = errors.New("monime: forbidden")
	// ErrNotFound: 404: no object with this id in this space.
	ErrNotFound = errors.New("monime: not found")
	// ErrConflict: 409: the Idempotency-Key was used for another request,
	// or the object's state or a unique field forbids the change (a session
	// that can no longer be deleted, say).
	ErrConflict = errors.New("monime: conflict")
	// ErrRateLimited: 429: too many requests; RetryAfter says how long to wait.
	ErrRateLimited = errors.New("monime: rate limited")
	// ErrServer: 5xx: Monime failed; safe to retry later.
	ErrServer = errors.New("monime: server error")
)

// ReasonIdempotencyKeyInUse is the Reason of a 409 for an Idempotency-Key
// already used with a different request: choose a new key for a new order.
const ReasonIdempotencyKeyInUse = "idempotency_key_in_use"

// Error is an error answer from Monime (or a response the client could not
// understand). Use errors.As to read it and errors.Is with the sentinels to
// branch on its kind.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Reason is Monime's snake_case cause, e.g. "idempotency_key_in_use".
	Reason string
	// Message is Monime's explanation for a person.
	Message string
	// Details are Monime's specifics (for a 400, typically one per field).
	Details []any
	// Messages are the envelope's notes, if any.
	Messages []any
	// RequestID is Monime-Request-Id: quote it to Monime support.
	RequestID string
	// IdempotencyKey is the key the failed create was sent with; retry the
	// same order with the same key.
	IdempotencyKey string
	// RetryAfter is how long Monime asked to wait (429 and some 503s).
	RetryAfter time.Duration
	// RateLimit names the limit hit on a 429: token-limit, space-limit or
	// endpoint-limit.
	RateLimit string
	// Method and Path of the request.
	Method, Path string
	// Attempts is how many attempts were made, retries included.
	Attempts int
	// AnswerLost is true when an earlier attempt of this call got no usable
	// answer (a failed connection, a cut-off answer, a timeout or a 5xx), so
	// Monime may have acted on it. A 409 idempotency_key_in_use then most
	// likely means that attempt is still being processed: retry later with
	// the same key, never with a new one.
	AnswerLost bool

	// undecodable: the body was not a Monime envelope at all.
	undecodable bool
}

// Error reads like
// "monime: POST /v1/checkout-sessions: 409 idempotency_key_in_use: <message> (request <id>)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("monime: ")
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	fmt.Fprintf(&b, "%d", e.StatusCode)
	if reason := cmp.Or(e.Reason, http.StatusText(e.StatusCode)); reason != "" {
		b.WriteString(" " + reason)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.AnswerLost && e.StatusCode == http.StatusConflict && e.Reason == ReasonIdempotencyKeyInUse {
		b.WriteString("; an earlier attempt's answer was lost and Monime may still be processing it: retry later with the same Idempotency-Key, not a new one")
	}
	return b.String()
}

// Is matches the sentinel for e's status code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInvalidRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// FieldError is one problem with a parameter, found before sending.
type FieldError struct {
	// Field is the path to the value, e.g. "lineItems[2].price.currency".
	Field string
	// Problem says what is wrong and what is allowed.
	Problem string
}

// String reads "field: problem".
func (f FieldError) String() string { return f.Field + ": " + f.Problem }

// ValidationError lists every problem found in a call's parameters before
// anything was sent. It matches ErrInvalidRequest.
type ValidationError struct {
	// Op is the operation, e.g. "CheckoutSessions.Create".
	Op string
	// Problems are all the problems, in field order.
	Problems []FieldError
}

// Error lists every problem: "monime: CheckoutSessions.Create: 2 invalid
// parameters (nothing was sent): name: required; ...".
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "monime: %s: %d invalid parameter", e.Op, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteByte('s')
	}
	b.WriteString(" (nothing was sent): ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Is makes a ValidationError match ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// Field returns the first problem with the named field path, if any.
func (e *ValidationError) Field(path string) (FieldError, bool) {
	for _, p := range e.Problems {
		if p.Field == path {
			return p, true
		}
	}
	return FieldError{}, false
}

// RequestError is a call that got no usable answer from Monime: the
// connection failed, the answer was cut off, an attempt timed out, or the
// context ended while waiting to retry. Whether Monime acted on the request
// is unknown, so retry a create with the same IdempotencyKey: Monime then
// answers with the first result instead of creating a second object (a
// second session, a second payout).
//
// When the context ended while waiting to retry, Err wraps both the
// context's error and the last attempt's (often a *Error): check for
// *RequestError first to learn that no final answer came.
type RequestError struct {
	// Method and Path of the request.
	Method, Path string
	// IdempotencyKey is the key a create was sent with (empty otherwise).
	IdempotencyKey string
	// Attempts is how many attempts were made.
	Attempts int
	// Err is the last attempt's failure.
	Err error
}

// Error reads like "monime: POST /v1/checkout-sessions: failed after 3
// attempts (Idempotency-Key k; retry with the same key): <cause>".
func (e *RequestError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "monime: %s %s: failed", e.Method, e.Path)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.IdempotencyKey != "" {
		fmt.Fprintf(&b, " (Idempotency-Key %s; retry with the same key)", e.IdempotencyKey)
	}
	if e.Method == http.MethodPatch {
		b.WriteString(" (an update carries no Idempotency-Key and may have been applied: read it again before sending the update again)")
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the cause, for errors.Is(err, context.Canceled) and the like.
func (e *RequestError) Unwrap() error { return e.Err }
