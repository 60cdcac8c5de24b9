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
)

// Retries, in one place.
//
// What is retried: transport failures (except certificate, scheme and
// redirect errors, and the caller's own context ending) and the statuses
// 408, 429, 500, 502, 503 and 504. 501 and every other 4xx are final.
//
// Which requests: GET always. POST only with an Idempotency-Key, which every
// create carries, the same on every attempt: Monime replays the first result
// for a repeated key, so a retry can never create a second session or charge
// twice. DELETE is retried too (it is idempotent): when an earlier attempt's
// outcome is unknown (its answer was lost, or a 5xx) and a retry then answers
// 404, the first attempt did delete the session, so Delete reports success.
//
// How long: full-jitter exponential backoff, the n-th wait drawn from
// [0, initial*2^(n-1)), never more than max; a Retry-After header (seconds
// or an HTTP date) is honoured, capped at max. The wait ends early, with the
// context's error, when the context ends.

type retryPolicy struct {
	maxRetries int
	initial    time.Duration
	max        time.Duration
}

// retryDoer is the gen.HttpRequestDoer under the generated client: it sends
// a logical call's attempts over the client's one http.Client.
type retryDoer struct{ c *Client }

// Do sends req, retrying as the policy of req's call allows. The response it
// returns is the final attempt's; its body has already been read into the
// call state (see keepBody), where finish decodes it.
func (d *retryDoer) Do(req *http.Request) (*http.Response, error) {
	c := d.c
	st, _ := stateOf(req.Context())
	if st == nil { // a request that did not come through newCall
		st = &callState{callConfig: callConfig{retry: c.retry}, verb: req.Method, route: req.URL.Path, parent: req.Context()}
	}
	ctx := st.parent
	debug := c.logger.Enabled(ctx, slog.LevelDebug)
	canRetry := retryableRequest(req)
	for {
		st.attempts++
		var start time.Time
		if debug {
			start = time.Now()
		}
		resp, err := c.attempt(st, req)
		var again bool
		var reason string
		if err == nil {
			again, reason = retryableStatus(resp)
			if !again || !canRetry || st.attempts > st.retry.maxRetries {
				// The final answer: read its body here, inside the loop, so
				// that a body cut off midway (or slower than the attempt's
				// timeout) is retried like any other lost answer instead of
				// surfacing after the session was already made.
				if err = st.keepBody(resp, c.maxBody); err != nil {
					st.lostHeader, st.lostStatus = resp.Header, resp.StatusCode
					resp = nil
				}
			}
		}
		if err != nil {
			again, reason = retryableError(ctx, err)
		}
		if debug {
			c.logger.LogAttrs(ctx, slog.LevelDebug, "monime: attempt",
				slog.String("op", st.opName()), slog.Int("attempt", st.attempts),
				slog.Int("status", statusOf(resp)), slog.Duration("took", time.Since(start)),
				slog.String("request_id", requestIDOf(resp)), slog.String("error", errText(err)))
		}
		if !again || !canRetry || st.attempts > st.retry.maxRetries {
			if again && c.logger.Enabled(ctx, slog.LevelWarn) {
				c.logger.LogAttrs(ctx, slog.LevelWarn, "monime: giving up",
					slog.String("op", st.opName()), slog.Int("attempts", st.attempts), slog.String("reason", reason))
			}
			return resp, err
		}
		if answerMayBeLost(resp, err) {
			st.uncertain = true
		}
		wait := st.retry.wait(st.attempts, resp, time.Now())
		if resp != nil {
			st.retryErr = st.discard(resp, c.maxBody)
		} else {
			st.retryErr = st.transportError(err)
		}
		c.logger.LogAttrs(ctx, slog.LevelInfo, "monime: retrying",
			slog.String("op", st.opName()), slog.Int("attempt", st.attempts), slog.Int("status", statusOf(resp)),
			slog.Duration("wait", wait), slog.String("reason", reason))
		if err := sleep(ctx, wait); err != nil {
			return nil, st.requestError(fmt.Errorf("stopped waiting to retry: %w; last attempt: %w", err, st.retryErr))
		}
	}
}

// keepBody reads the final response's body (size-capped) into the call
// state, where finish decodes it, and closes it. A body over the cap is
// kept as an error for finish to report; a failed read is returned.
func (st *callState) keepBody(resp *http.Response, limit int64) error {
	body, err := readBody(resp, limit)
	_ = resp.Body.Close()
	resp.Body = http.NoBody
	switch {
	case err == nil:
		st.respBody, st.bodyKept = body, true
	case errors.Is(err, errBodyTooLarge):
		st.bodyErr, st.bodyKept = err, true
	default:
		return fmt.Errorf("reading the body of the %d response: %w", resp.StatusCode, err)
	}
	return nil
}

// attempt sends one attempt, bounded by the client's per-attempt timeout
// or the caller's sooner deadline (see attemptContext; the bound lasts
// until the body is closed). The first attempt's request already carries
// its context (see newCall); a repeated attempt gets a new one and a fresh
// body from GetBody.
func (c *Client) attempt(st *callState, req *http.Request) (*http.Response, error) {
	r := req
	if st.attempts > 1 || st.Context == nil {
		r = req.WithContext(c.attemptContext(st, new(attemptCtx)))
		if st.attempts > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				st.release()
				return nil, fmt.Errorf("%w: %w", errRewind, err)
			}
			r.Body = body
		}
	}
	resp, err := c.httpClient.Do(r)
	if err != nil {
		st.release()
		return nil, err
	}
	st.body = releaseOnClose{ReadCloser: resp.Body, st: st}
	resp.Body = &st.body
	return resp, nil
}

// releaseOnClose ends an attempt when its response body is closed.
type releaseOnClose struct {
	io.ReadCloser
	st *callState
}

func (b *releaseOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.st.release()
	return err
}

// retryableRequest: GET, HEAD and DELETE always; POST only with an
// Idempotency-Key; and only when the body can be sent again.
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

// answerMayBeLost says whether an attempt that will be retried may have
// been acted on by Monime without its answer reaching us: a transport
// failure after the connection was made, a cut-off answer, a timeout, or a
// 5xx other than 503 (which says the request was not handled).
func answerMayBeLost(resp *http.Response, err error) bool {
	if err != nil {
		return !isDialError(err) && !errors.Is(err, errRewind)
	}
	switch resp.StatusCode {
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return false
	}
	return resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout
}

// errRewind marks a request body that could not be produced again: no
// further attempt can succeed.
var errRewind = errors.New("the request body could not be produced again")

// retryableStatus says whether a status is worth another attempt, and why.
func retryableStatus(resp *http.Response) (bool, string) {
	switch resp.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, "status " + strconv.Itoa(resp.StatusCode)
	}
	return false, ""
}

// retryableError says whether a failed attempt is worth another, and why.
func retryableError(ctx context.Context, err error) (bool, string) {
	if ctx.Err() != nil {
		return false, "context ended"
	}
	if permanentTransportError(err) || errors.Is(err, errRewind) {
		return false, "permanent transport error"
	}
	return true, "transport error: " + err.Error()
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
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr),
		errors.As(err, &invalidCert), errors.As(err, &recordErr):
		return true
	case errors.Is(err, errTooManyRedirects):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "stopped after") && strings.Contains(msg, "redirects") ||
		strings.Contains(msg, "invalid header field") || strings.Contains(msg, "invalid method")
}

// isDialError: the connection was never made, so the request never left.
func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// wait is the pause before attempt n+1.
func (p retryPolicy) wait(n int, resp *http.Response, now time.Time) time.Duration {
	if resp != nil {
		if ra := parseRetryAfter(resp.Header.Get("Retry-After"), now); ra > 0 {
			return min(ra, p.max)
		}
	}
	ceiling := p.max
	if n-1 < 30 {
		if c := p.initial << (n - 1); c > 0 && c < ceiling {
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

// discard turns a response that will be retried into its *Error (kept in
// case the wait is cut short), then drains and closes it so the connection
// can be reused.
func (st *callState) discard(resp *http.Response, limit int64) *Error {
	defer resp.Body.Close()
	body, err := readBody(resp, min(limit, 1<<20))
	if err != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return st.newError(resp, nil, "the response body could not be read")
	}
	return st.errorAnswer(resp, body)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func requestIDOf(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	return resp.Header.Get("Monime-Request-Id")
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
