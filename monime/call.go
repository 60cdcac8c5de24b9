package monime

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The request path, in one file from top to bottom. Every operation reads
// the same way:
//
//	c.newCall(ctx, ...)       the client's settings plus this call's options
//	params.check(...)         nothing is sent when a limit is broken
//	gen.New...Request(...)    the generated builder makes the *http.Request
//	cl.send(ctx, req, err)    the headers, then one loop owns every attempt
//	readOne / readPage        the answer's result, or its error (decode.go)
//
// The generic verbs (verbs.go) run these steps for every resource. Below
// send: fail, the one place a call's error is made, and the retry rules.

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
	// The headers every operation sends, set here and nowhere else: the
	// generated builders are given no header parameters.
	cl.c.authorize(req.Header)
	req.Header["User-Agent"] = cl.c.userAgent
	req.Header.Set("Monime-Space-Id", cl.cfg.spaceID)
	req.Header.Set("Monime-Version", cl.cfg.apiVersion)
	if req.Method == http.MethodPost {
		req.Header.Set("Idempotency-Key", cl.idempotencyKey())
	}
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
// create a second object or charge twice. DELETE is idempotent: when an
// earlier attempt's outcome is unknown and a retry then answers 404, the
// first attempt did delete the object (see the delete verb). A PATCH is
// retried only after a failure that shows it was not handled (the
// connection was never made, or a 429 or 503); any other method is sent
// once.
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
