package monime

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// The request path, in one file from top to bottom. Every operation reads
// the same way:
//
//	s.client().newCall(ctx, ...)  the client's settings plus this call's options
//	params.validate(...)          nothing is sent when a limit is broken
//	gen.New...Request(...)        the generated builder makes the *http.Request
//	cl.send(ctx, req, err)        one loop owns every attempt
//	readOne / readPage            the answer's result, or its error
//
// Below them: fail, the one place a call's error is made; the retry rules;
// and the decoding of Monime's objects (strict where a payments engineer
// acts on a value, tolerant elsewhere).

// call is one logical API call: its settings and what its attempts learned.
type call struct {
	c            *Client
	cfg          config
	method, path string // the operation, for errors and logs
	attempts     int
	start        time.Time     // when the first attempt began
	waited       time.Duration // between attempts
	// answerLost is set once an attempt may have reached Monime without its
	// answer reaching us (a transport failure after sending, or a 5xx).
	answerLost bool
}

// answer is one attempt's response, its body read in full unless over the cap.
type answer struct {
	status   int
	header   http.Header
	body     []byte
	tooLarge bool
}

// newCall applies the client's settings and then the call's options.
func (c *Client) newCall(ctx context.Context, method, path string, opts []CallOption) (*call, error) {
	if c == nil || c.authorize == nil {
		return nil, errors.New("monime: a Client not made by NewClient has no credentials; create it with monime.NewClient(token, spaceID)")
	}
	cl := &call{c: c, cfg: c.cfg, method: method, path: path}
	if ctx == nil {
		return nil, fmt.Errorf("monime: %s %s: nil context; pass context.Background() or a request's context", method, path)
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyCall(&cl.cfg); err != nil {
			return nil, fmt.Errorf("%w (in %s %s)", err, method, path)
		}
	}
	if cl.cfg.info != nil {
		*cl.cfg.info = ResponseInfo{} // a call refused before sending leaves nothing of an earlier one
	}
	if cl.cfg.idempotencyKey != "" && method != http.MethodPost {
		return nil, fmt.Errorf("monime: WithIdempotencyKey (in %s %s): only a create sends an Idempotency-Key; Monime takes none on this call", method, path)
	}
	return cl, nil
}

// idempotencyKey is the caller's key or a new random UUID (version 4),
// chosen once per call, before any attempt, so that every retry carries the
// same key.
func (cl *call) idempotencyKey() string {
	if cl.cfg.idempotencyKey == "" {
		cl.cfg.idempotencyKey = uuid.NewString()
	}
	return cl.cfg.idempotencyKey
}

// send makes the attempts of req, the request a generated builder made
// (buildErr is the builder's error), retrying what is safe to retry, and
// returns the final answer; an error when no usable answer came.
func (cl *call) send(ctx context.Context, req *http.Request, buildErr error) (*answer, error) {
	if buildErr == nil {
		buildErr = ctx.Err()
	}
	if buildErr != nil {
		return nil, cl.fail(nil, buildErr)
	}
	cl.c.authorize(req.Header)
	req.Header["User-Agent"] = cl.c.userAgent
	for _, h := range cl.cfg.headers {
		req.Header.Add(h[0], h[1])
	}
	canRetry := retryableRequest(req)
	log := cl.cfg.logger
	cl.start = time.Now()
	debug := log.Enabled(ctx, slog.LevelDebug)
	for {
		cl.attempts++
		var start time.Time
		if debug {
			start = time.Now()
		}
		ans, err := cl.attempt(ctx, req)
		again, reason := retryable(ctx, ans, err)
		if debug {
			log.LogAttrs(ctx, slog.LevelDebug, "monime: attempt", cl.logAttrs(ans, err,
				slog.Duration("took", time.Since(start)))...)
		}
		// An update (PATCH) has no Idempotency-Key: it is retried only when
		// the failure shows it did nothing.
		safe := canRetry || req.Method == http.MethodPatch && req.GetBody != nil && !answerMayBeLost(ans, err)
		giveUp := !again || !safe || cl.attempts > cl.cfg.maxRetries
		var wait time.Duration
		if !giveUp {
			wait = cl.cfg.wait(cl.attempts, ans, time.Now())
			// A retry the caller's deadline would cut off is not worth the
			// wait: answer now, with this attempt's own error.
			if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
				giveUp, reason = true, reason+"; the context's deadline comes before the retry would"
			}
		}
		if giveUp {
			if again {
				log.LogAttrs(ctx, slog.LevelWarn, "monime: giving up", cl.logAttrs(ans, err, slog.String("reason", reason))...)
			}
			cl.finish(ans)
			if err != nil {
				return nil, cl.fail(nil, err)
			}
			return ans, nil
		}
		if answerMayBeLost(ans, err) {
			cl.answerLost = true
		}
		// This attempt's error, kept in case the context ends while waiting.
		var lastErr error
		if err != nil {
			lastErr = cl.fail(nil, err)
		} else {
			_, lastErr = cl.open(ans)
		}
		log.LogAttrs(ctx, slog.LevelInfo, "monime: retrying", cl.logAttrs(ans, err,
			slog.Duration("wait", wait), slog.String("reason", reason))...)
		timer, waitFrom := time.NewTimer(wait), time.Now()
		select {
		case <-ctx.Done():
			timer.Stop()
			cl.waited += time.Since(waitFrom)
			cl.finish(ans)
			return nil, cl.fail(nil, fmt.Errorf("stopped waiting to retry: %w; last attempt: %w", ctx.Err(), lastErr))
		case <-timer.C:
			cl.waited += time.Since(waitFrom)
		}
	}
}

// attempt sends req once, bounded by the client's per-attempt timeout (and
// the caller's context), a retry with a fresh copy of its body from
// GetBody, and reads the answer's body within the same bound.
func (cl *call) attempt(ctx context.Context, req *http.Request) (*answer, error) {
	ctx, cancel := context.WithTimeout(ctx, cl.cfg.timeout)
	defer cancel()
	r := req.WithContext(ctx)
	if cl.attempts > 1 && req.GetBody != nil { // the first attempt sends the body as built
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errRewind, err)
		}
		r.Body = body
	}
	resp, err := cl.cfg.httpClient.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	ans := &answer{status: resp.StatusCode, header: resp.Header}
	ans.body, err = readBody(resp.Body, resp.ContentLength, cl.c.maxBody)
	switch {
	case errors.Is(err, errBodyTooLarge):
		ans.tooLarge = true
	case err != nil:
		// Cut off: whatever Monime did, its answer did not reach us.
		return ans, fmt.Errorf("reading the body of the %d answer: %w", resp.StatusCode, err)
	}
	return ans, nil
}

// readBody reads at most limit bytes: into a buffer of the announced size
// when there is one (net/http holds the body to it), otherwise growing as
// bytes arrive.
func readBody(r io.Reader, announced, limit int64) ([]byte, error) {
	if announced > limit {
		return nil, errBodyTooLarge
	}
	if announced >= 0 {
		b := make([]byte, announced)
		_, err := io.ReadFull(r, b)
		return b, err
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, errBodyTooLarge
	}
	return b, err
}

var errBodyTooLarge = errors.New("response body too large")

// finish fills the caller's ResponseInfo from the final answer.
func (cl *call) finish(ans *answer) {
	info := cl.cfg.info
	if info == nil {
		return
	}
	*info = ResponseInfo{IdempotencyKey: cl.cfg.idempotencyKey, Attempts: cl.attempts,
		Duration: time.Since(cl.start), Waited: cl.waited}
	if ans != nil {
		info.StatusCode = ans.status
		info.Header = ans.header
		info.RequestID = ans.header.Get("Monime-Request-Id")
		info.Replayed = ans.header.Get("Monime-Cache") == "irc"
		info.RateLimit = ans.header.Get("Monime-Rate-Limit")
	}
}

func (cl *call) logAttrs(ans *answer, err error, more ...slog.Attr) []slog.Attr {
	attrs := []slog.Attr{slog.String("op", cl.method+" "+cl.path), slog.Int("attempt", cl.attempts)}
	if ans != nil {
		attrs = append(attrs, slog.Int("status", ans.status), slog.String("request_id", ans.header.Get("Monime-Request-Id")))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	return append(attrs, more...)
}

// Reading answers, in one place: the envelope, results, pages, Monime's
// errors, and the types whose reading has rules of their own.
//
// Strict where a payments engineer acts on the value, tolerant elsewhere.
// An id, a status, an amount and a quantity are never guessed: missing,
// null or of another type, they make the answer an error; line items and
// fees of another type do too (a session without line items reads with
// none).
// Any other field whose value does not fit its Go type is left zero (see
// decodeTolerant), unknown fields and new enum values are kept or ignored, and
// metadata reads any JSON value as text.

// envelope is a Monime answer's body: success or error, item or page.
// Success, error and pagination are kept raw and read on their own.
type envelope[R any] struct {
	Success    rawView `json:"success"`
	Messages   rawView `json:"messages"`
	Result     R       `json:"result"`
	Pagination rawView `json:"pagination"`
	Error      rawView `json:"error"`
}

// succeeded reads success (true or false, bare or quoted); without it, an
// error object says the call failed.
func (e *envelope[R]) succeeded() bool {
	switch strings.Trim(string(bytes.TrimSpace(e.Success)), `"`) {
	case "true":
		return true
	case "false":
		return false
	}
	return isNull(e.Error)
}

// errorBody is Monime's error object. As an error it is the cause fail
// turns into an *Error.
type errorBody struct {
	Code     int             `json:"code"`
	Reason   string          `json:"reason"`
	Message  string          `json:"message"`
	Details  json.RawMessage `json:"details"`
	messages []byte          // the envelope's, beside the error
}

func (e *errorBody) Error() string { return e.Reason + ": " + e.Message }

// rawView is a JSON value kept as a view into the answer's body, without
// a copy: encoding/json hands UnmarshalJSON a slice of its input, and an
// answer's body is never modified.
type rawView []byte

func (r *rawView) UnmarshalJSON(b []byte) error { *r = b; return nil }

// open reads the final answer's envelope, its result kept raw: a success,
// or the call's error.
func (cl *call) open(ans *answer) (*envelope[rawView], error) {
	if ans.tooLarge {
		return nil, cl.fail(ans, fmt.Errorf("the response body is larger than %d bytes; the client refused to read it", cl.c.maxBody))
	}
	var env envelope[rawView]
	if err := json.Unmarshal(ans.body, &env); err != nil {
		return nil, cl.fail(ans, unexpectedBody(ans, err))
	}
	if ans.status < 200 || ans.status > 299 || !env.succeeded() {
		e := new(errorBody)
		if json.Unmarshal(env.Error, &e.Message) != nil && decodeTolerant(env.Error, reflect.ValueOf(e).Elem(), 0) != nil {
			*e = errorBody{} // "error": "text" is a message; anything unreadable, nothing
		}
		e.messages = env.Messages
		return nil, cl.fail(ans, e)
	}
	return &env, nil
}

// wireOf is the wire form W of a public type T: decoded as Monime sends
// it, then checked and converted by public.
type wireOf[W, T any] interface {
	*W
	public() (*T, error)
}

// readOne reads the final answer's result as a T, or passes on send's
// error: in one pass, as a raw client would, when the answer is as Monime
// documents it, and otherwise through open and readWire, which say what is
// wrong.
func readOne[W, T any, PW wireOf[W, T]](cl *call, ans *answer, err error, what string) (*T, error) {
	if err != nil {
		return nil, err
	}
	if ans.status >= 200 && ans.status <= 299 && !ans.tooLarge {
		var fast envelope[W]
		if json.Unmarshal(ans.body, &fast) == nil && fast.succeeded() {
			if v, err := PW(&fast.Result).public(); err == nil {
				return v, nil
			}
		}
	}
	env, err := cl.open(ans)
	if err != nil {
		return nil, err
	}
	if isNull(env.Result) {
		return nil, cl.fail(ans, fmt.Errorf("the answer carries no %s (no result)", what))
	}
	v, err := readWire[W, T, PW](env.Result)
	if err != nil {
		return nil, cl.fail(ans, fmt.Errorf("the result is not a %s: %w", what, err))
	}
	return v, nil
}

// readWire reads one object through its wire form, tolerantly (see
// decodeTolerant), and checks it.
func readWire[W, T any, PW wireOf[W, T]](data []byte) (*T, error) {
	if isNull(data) {
		return nil, errors.New("it is missing (null)")
	}
	var w W
	if err := decodeTolerant(data, reflect.ValueOf(&w).Elem(), 0); err != nil {
		return nil, err
	}
	return PW(&w).public()
}

// maxPageItems bounds the items read from one page: Monime's pages hold
// at most 50, so a page twenty times larger is broken or hostile, and
// reading it would cost memory out of proportion to its bytes.
const maxPageItems = 1000

// readPage reads a list answer. Items are read one at a time, and the
// first that is unreadable or repeats an id fails the page, so a page
// costs memory in proportion to its bytes.
func readPage[W, T any, PW wireOf[W, T]](cl *call, ans *answer, err error, what string, id func(*T) string) (*Page[T], error) {
	if err != nil {
		return nil, err
	}
	env, err := cl.open(ans)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return cl.fail(ans, fmt.Errorf("the page of %ss is unreadable: "+format, append([]any{what}, args...)...))
	}
	page := new(Page[T])
	if !isNull(env.Pagination) {
		var p struct {
			Count int    `json:"count"`
			Next  string `json:"next" decode:"strict"` // null: the last page
		}
		if err := decodeTolerant(env.Pagination, reflect.ValueOf(&p).Elem(), 0); err != nil {
			return nil, bad("pagination: %v", err)
		}
		page.Count, page.Next = p.Count, p.Next
	}
	if isNull(env.Result) {
		return page, nil
	}
	dec := json.NewDecoder(bytes.NewReader(env.Result))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, bad("the result is not a list")
	}
	seen := make(map[string]bool)
	for dec.More() {
		if len(page.Items) == maxPageItems {
			return nil, bad("it holds more than %d items", maxPageItems)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, bad("item %d: %v", len(page.Items), err)
		}
		item, err := readWire[W, T, PW](raw)
		if err != nil {
			return nil, bad("item %d: %v", len(page.Items), err)
		}
		if key := id(item); seen[key] {
			return nil, bad("item %d repeats the id %q", len(page.Items), excerpt([]byte(key), 40))
		} else {
			seen[key] = true
		}
		page.Items = append(page.Items, *item)
	}
	return page, nil
}

// fail is the one place a call's error is made. Without an answer it is a
// *RequestError wrapping cause. With one it is an *Error: Monime's own
// when cause is the answer's *errorBody, otherwise an answer the client
// could not use, described by cause.
func (cl *call) fail(ans *answer, cause error) error {
	if ans == nil {
		return &RequestError{Method: cl.method, Path: cl.path, IdempotencyKey: cl.cfg.idempotencyKey, Attempts: cl.attempts, Err: cause}
	}
	e := &Error{
		StatusCode:     ans.status,
		RequestID:      ans.header.Get("Monime-Request-Id"),
		IdempotencyKey: cl.cfg.idempotencyKey,
		RateLimit:      ans.header.Get("Monime-Rate-Limit"),
		RetryAfter:     parseRetryAfter(ans.header.Get("Retry-After"), time.Now()),
		Method:         cl.method,
		Path:           cl.path,
		Attempts:       cl.attempts,
		AnswerLost:     cl.answerLost,
	}
	var body *errorBody
	if errors.As(cause, &body) {
		e.Reason, e.Message = body.Reason, body.Message
		e.Details, e.Messages = decodeAnyList(body.Details), decodeAnyList(body.messages)
		if e.StatusCode >= 200 && e.StatusCode < 300 && body.Code >= 400 {
			e.StatusCode = body.Code // success:false under a 2xx: the envelope's code is the truth
		}
	} else {
		e.Message, e.undecodable = cause.Error(), true
	}
	if e.Message == "" && e.Reason == "" {
		e.Message = "Monime answered without an error message"
	}
	return e
}

// Retries, in one place.
//
// What is retried: transport failures (except certificate, scheme and
// redirect errors, and the caller's own context ending) and the statuses
// 408, 429, 500, 502, 503 and 504. 501 and every other 4xx are final.
//
// Which requests: GET and DELETE always. POST only with an
// Idempotency-Key, which every create carries, the same on every attempt:
// Monime replays the first result for a repeated key, so a retry can never
// create a second session or charge twice. DELETE is idempotent: when an
// earlier attempt's outcome is unknown and a retry then answers 404, the
// first attempt did delete the session (see Delete). A PATCH is retried
// only after a failure that shows it was not handled (the connection was
// never made, or a 429 or 503); any other method is sent once.
//
// How long: full-jitter exponential backoff, the n-th wait drawn from
// [0, initial*2^(n-1)), never more than max; a Retry-After header (seconds
// or an HTTP date) is honoured, capped at max. A retry the context's
// deadline would cut off is not waited for: the call answers at once with
// the last attempt's error (a 429 with its RetryAfter, say). The wait ends
// early, with the context's error, when the context ends.

// retryableRequest says whether req may be sent more than once.
func retryableRequest(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodDelete:
		return true
	case http.MethodPost:
		return req.Header.Get("Idempotency-Key") != ""
	}
	return false
}

// retryable says whether an attempt's outcome is worth another attempt, and why.
func retryable(ctx context.Context, ans *answer, err error) (bool, string) {
	if err != nil {
		if ctx.Err() != nil {
			return false, "context ended"
		}
		if permanentTransportError(err) {
			return false, "permanent transport error"
		}
		return true, "transport error: " + err.Error()
	}
	switch ans.status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, "status " + strconv.Itoa(ans.status)
	}
	return false, ""
}

// permanentTransportError: failures another attempt cannot fix.
func permanentTransportError(err error) bool {
	var (
		certErr     *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
	)
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) ||
		errors.As(err, &invalidCert) || errors.As(err, &recordErr) ||
		errors.Is(err, errTooManyRedirects) || errors.Is(err, errWriteRedirected) || errors.Is(err, errRewind) {
		return true
	}
	// net/http reports these as plain text errors.
	msg := err.Error()
	return strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "server gave HTTP response to HTTPS client") ||
		strings.Contains(msg, "invalid header field") || strings.Contains(msg, "invalid method") ||
		strings.Contains(msg, "stopped after") && strings.Contains(msg, "redirects")
}

// answerMayBeLost says whether an attempt that will be retried may have
// been acted on by Monime without its answer reaching us: a transport
// failure after the connection was made, a cut-off answer, a timeout, or a
// 5xx other than 503 (which says the request was not handled).
func answerMayBeLost(ans *answer, err error) bool {
	if err != nil {
		var opErr *net.OpError
		dialFailed := errors.As(err, &opErr) && opErr.Op == "dial"
		return !dialFailed && !errors.Is(err, errRewind)
	}
	switch ans.status {
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return false
	}
	return ans.status >= 500 || ans.status == http.StatusRequestTimeout
}

// errRewind marks a request body that could not be produced again: no
// further attempt can succeed.
var errRewind = errors.New("the request body could not be produced again")

// wait is the pause before attempt n+1.
func (p *config) wait(n int, ans *answer, now time.Time) time.Duration {
	if ans != nil {
		if ra := parseRetryAfter(ans.header.Get("Retry-After"), now); ra > 0 {
			return min(ra, p.maxBackoff)
		}
	}
	ceiling := p.maxBackoff
	if n-1 < 30 {
		if c := p.backoff << (n - 1); c > 0 && c < ceiling {
			ceiling = c
		}
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling)
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date; 0 when
// absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, 24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, 24*time.Hour)
		}
	}
	return 0
}

// maxTolerantDepth bounds how deep the tolerant pass looks for the part
// that does not fit: each level parses what is under it again, so a deeply
// nested odd value (an ownership chain thousands of owners long) would
// otherwise cost time and memory with the square of its depth. Below it, a
// value that does not fit is left zero whole.
const maxTolerantDepth = 4

// decodeTolerant decodes data into v: in one pass when everything fits,
// otherwise part by part, leaving a value that does not fit its Go type
// zero, unless its field is tagged decode:"strict", which fails the object
// that holds it (and so on up). A list fits only whole. It fails on data
// that is not JSON.
func decodeTolerant(data []byte, v reflect.Value, depth int) error {
	err := json.Unmarshal(data, v.Addr().Interface())
	var syntax *json.SyntaxError
	if err == nil || errors.As(err, &syntax) || depth > maxTolerantDepth {
		return err
	}
	v.SetZero()
	if isNull(data) {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		return decodeTolerant(data, v.Elem(), depth+1)
	case reflect.Struct:
		fields, ferr := objectFields(data)
		if v.Addr().Type().Implements(unmarshalerType) || ferr != nil {
			return err // a value with its own reading (a time, say), or not an object
		}
		return decodeFields(fields, v, depth)
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return err
		}
		list := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, raw := range items {
			if err := decodeTolerant(raw, list.Index(i), depth+1); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		v.Set(list)
		return nil
	}
	return err
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// objectFields reads a JSON object's members by lower-cased name, the last
// of a name winning: the members encoding/json's one pass would pick (it
// matches names regardless of case, and a later member overwrites an
// earlier one), so both passes read the same bytes the same way.
func objectFields(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	fields := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		fields[strings.ToLower(tok.(string))] = raw
	}
	return fields, nil
}

// decodeFields is decodeTolerant for the fields of a struct, embedded
// structs included.
func decodeFields(fields map[string]json.RawMessage, v reflect.Value, depth int) error {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			if err := decodeFields(fields, v.Field(i), depth); err != nil {
				return err
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		raw, ok := fields[strings.ToLower(name)]
		if !f.IsExported() || name == "" || name == "-" || !ok {
			continue
		}
		if err := decodeTolerant(raw, v.Field(i), depth+1); err != nil {
			if f.Tag.Get("decode") == "strict" {
				return fmt.Errorf("%s: %w", name, err)
			}
			v.Field(i).SetZero()
		}
	}
	return nil
}

// The wire forms of what Monime returns. Each embeds its public type for
// the descriptive fields, and overrides those that are never guessed.

type plainSession CheckoutSession // CheckoutSession without its UnmarshalJSON

// sessionJSON is a checkout session as Monime sends it.
type sessionJSON struct {
	plainSession
	ID          string                `json:"id" decode:"strict"`
	Status      CheckoutSessionStatus `json:"status" decode:"strict"`
	OrderNumber string                `json:"orderNumber" decode:"strict"`
	LineItems   struct {
		Data []lineItemJSON `json:"data" decode:"strict"`
	} `json:"lineItems" decode:"strict"`
	Metadata map[string]string `json:"metadata"` // else plainSession's, read tolerantly
}

type lineItemJSON struct {
	LineItem
	Price    moneyJSON `json:"price" decode:"strict"`
	Quantity int       `json:"quantity" decode:"strict"`
}

type moneyJSON struct {
	Currency Currency `json:"currency" decode:"strict"`
	Value    *int64   `json:"value" decode:"strict"` // nil: missing or null
}

// money checks that an amount has its currency and value.
func (m moneyJSON) money(what string) (Money, error) {
	if m.Currency == "" || m.Value == nil {
		return Money{}, fmt.Errorf("%s is missing its currency or value", what)
	}
	return Money{Currency: m.Currency, Value: *m.Value}, nil
}

// public checks what a payments engineer acts on: an id, a status, and
// for every line item a quantity and an amount with its currency.
func (w *sessionJSON) public() (*CheckoutSession, error) {
	switch {
	case w.ID == "":
		return nil, errors.New("the id is missing")
	case w.Status == "":
		return nil, errors.New("the status is missing")
	}
	s := (*CheckoutSession)(&w.plainSession) // converted in place, not copied
	s.ID, s.Status, s.OrderNumber = w.ID, w.Status, w.OrderNumber
	if w.Metadata != nil {
		s.Metadata = w.Metadata
	}
	s.LineItems = make(LineItems, len(w.LineItems.Data))
	for i, li := range w.LineItems.Data {
		price, err := li.Price.money(fmt.Sprintf("line item %d: the price", i))
		if err != nil {
			return nil, err
		}
		if li.Quantity == 0 {
			return nil, fmt.Errorf("line item %d: the quantity is missing", i)
		}
		s.LineItems[i] = li.LineItem
		s.LineItems[i].Price, s.LineItems[i].Quantity = price, li.Quantity
	}
	return s, nil
}

type plainPayment Payment // Payment without its UnmarshalJSON

// paymentJSON is a payment as Monime sends it.
type paymentJSON struct {
	plainPayment
	ID          string        `json:"id" decode:"strict"`
	Status      PaymentStatus `json:"status" decode:"strict"`
	OrderNumber string        `json:"orderNumber" decode:"strict"`
	Amount      moneyJSON     `json:"amount" decode:"strict"`
	Fees        []feeJSON     `json:"fees" decode:"strict"`
	Channel     struct {
		Type          PaymentChannelType `json:"type" decode:"strict"`
		Provider      string             `json:"provider"`
		Reference     string             `json:"reference"`
		AccountNumber string             `json:"accountNumber"`
		PhoneNumber   string             `json:"phoneNumber"`
		WalletID      string             `json:"walletId"`
		Scheme        string             `json:"scheme"`
		Last4         string             `json:"last4"`
		Fingerprint   string             `json:"fingerprint"`
		Metadata      Metadata           `json:"metadata"`
	} `json:"channel"`
}

type feeJSON struct {
	Fee
	Amount moneyJSON `json:"amount" decode:"strict"`
}

// public checks a payment's id, status and amounts, and sorts its channel
// by type.
func (w *paymentJSON) public() (*Payment, error) {
	switch {
	case w.ID == "":
		return nil, errors.New("the id is missing")
	case w.Status == "":
		return nil, errors.New("the status is missing")
	}
	p := (*Payment)(&w.plainPayment)
	p.ID, p.Status, p.OrderNumber = w.ID, w.Status, w.OrderNumber
	var err error
	if p.Amount, err = w.Amount.money("the amount"); err != nil {
		return nil, err
	}
	p.Fees = make(Fees, len(w.Fees))
	for i, f := range w.Fees {
		p.Fees[i] = f.Fee
		if p.Fees[i].Amount, err = f.Amount.money(fmt.Sprintf("fee %d", i)); err != nil {
			return nil, err
		}
	}
	c := &w.Channel
	p.Channel = PaymentChannel{Type: c.Type}
	switch c.Type {
	case PaymentChannelBank:
		p.Channel.Bank = &BankChannel{c.Provider, c.Reference, c.AccountNumber, c.Fingerprint, c.Metadata}
	case PaymentChannelCard:
		p.Channel.Card = &CardChannel{c.Scheme, c.Last4, c.Fingerprint, c.Metadata}
	case PaymentChannelMomo:
		p.Channel.Momo = &MomoChannel{c.Provider, c.Reference, c.PhoneNumber, c.Fingerprint, c.Metadata}
	case PaymentChannelWallet:
		p.Channel.Wallet = &WalletChannel{c.Provider, c.Reference, c.WalletID, c.Fingerprint, c.Metadata}
	}
	return p, nil
}

// UnmarshalJSON reads a payment as Monime sends it, in an API result or a
// webhook's data: the id, status, amount and fee amounts must be there and
// have their type; any other field that does not fit is left zero.
func (p *Payment) UnmarshalJSON(b []byte) error {
	v, err := readWire[paymentJSON, Payment](b)
	if err != nil {
		return fmt.Errorf("payment: %w", err)
	}
	*p = *v
	return nil
}

// UnmarshalJSON reads a checkout session as Monime sends it, in an API
// result or a webhook's data: the id and status must be there, the order
// number and line items must have their type when present (a pending
// session has no order number), and every line item needs its quantity and
// an amount with its currency; any other field that does not fit is left
// zero (an unreadable expireTime reads as unknown, see ExpiresAt).
func (s *CheckoutSession) UnmarshalJSON(b []byte) error {
	v, err := readWire[sessionJSON, CheckoutSession](b)
	if err != nil {
		return fmt.Errorf("checkout session: %w", err)
	}
	*s = *v
	return nil
}

// UnmarshalJSON reads a JSON object whose values may be of any type: text
// is kept as it is, null as "", and any other value as its JSON text.
// Anything that is not an object reads as no metadata.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) == 0 || b[0] != '{' {
		*m = nil
		return nil
	}
	var plain map[string]string
	if json.Unmarshal(b, &plain) == nil {
		*m = plain
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Metadata, len(raw))
	for k, v := range raw {
		var s string
		switch {
		case isNull(v):
		case json.Unmarshal(v, &s) == nil:
		default:
			s = string(v)
		}
		out[k] = s
	}
	*m = out
	return nil
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// decodeAnyList reads a JSON array of anything; a lone value becomes a
// one-element list.
func decodeAnyList(raw []byte) []any {
	var v any
	if isNull(raw) || json.Unmarshal(raw, &v) != nil {
		return nil
	}
	if list, ok := v.([]any); ok {
		return list[:len(list):len(list)]
	}
	return []any{v}
}

// unexpectedBody describes a body that is not a Monime envelope.
func unexpectedBody(ans *answer, err error) error {
	ct := ans.header.Get("Content-Type")
	if mt, _, perr := mime.ParseMediaType(ct); perr == nil {
		ct = mt
	}
	if ct == "" {
		ct = "no content type"
	}
	if len(bytes.TrimSpace(ans.body)) == 0 {
		return fmt.Errorf("unexpected empty response body (%s)", ct)
	}
	return fmt.Errorf("unexpected response body (%s, not a Monime JSON envelope: %v): %q", ct, err, excerpt(ans.body, 120))
}

// excerpt returns at most n bytes of b, cut on a rune boundary.
func excerpt(b []byte, n int) string {
	if len(b) <= n {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return strings.ToValidUTF8(string(b[:cut]), "\uFFFD") + "..."
}
