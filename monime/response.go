package monime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// envelope is every Monime response body: success or error, item or page.
// It is decoded once, straight into the caller's result type.
type envelope[T any] struct {
	Success    *bool           `json:"success"`
	Messages   json.RawMessage `json:"messages"`
	Result     T               `json:"result"`
	Pagination *pagination     `json:"pagination"`
	Error      *errorBody      `json:"error"`
}

type pagination struct {
	Count int     `json:"count"`
	Next  *string `json:"next"`
}

type errorBody struct {
	Code    int             `json:"code"`
	Reason  string          `json:"reason"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details"`
}

var errBodyTooLarge = errors.New("response body too large")

// finish turns the final attempt's response into a decoded envelope or an
// error. It reads the (size-capped) body once and decodes it once.
func finish[T any](c *Client, st *callState, resp *http.Response, err error) (*envelope[T], error) {
	defer st.release()
	if err != nil {
		st.fillInfo(nil)
		return nil, st.transportError(err)
	}
	st.fillInfo(resp)
	if !st.bodyKept { // a response that did not come through the retrying doer
		err = st.keepBody(resp, c.maxBody)
		if err != nil {
			return nil, st.transportError(err)
		}
	}
	if st.bodyErr != nil {
		return nil, st.newError(resp, nil, fmt.Sprintf("the response body is larger than %d bytes; the client refused to read it", c.maxBody))
	}
	body := st.respBody
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, st.errorAnswer(resp, body)
	}
	env := new(envelope[T])
	if jerr := decodeTolerant(body, env); jerr != nil {
		return nil, st.undecodable(resp, body, jerr)
	}
	if (env.Success != nil && !*env.Success) || (env.Success == nil && env.Error != nil) {
		return nil, st.newError(resp, env.Error, "").withMessages(env.Messages)
	}
	return env, nil
}

// errorAnswer is the *Error for a non-2xx answer: only its error is read,
// whatever else the body holds. The final answer and every answer that is
// retried go through here.
func (st *callState) errorAnswer(resp *http.Response, body []byte) *Error {
	var fail errorEnvelope
	if err := decodeTolerant(body, &fail); err != nil {
		return st.undecodable(resp, body, err)
	}
	return st.newError(resp, fail.Error, "").withMessages(fail.Messages)
}

// errorEnvelope is the part of an error answer the client reads.
type errorEnvelope struct {
	Messages json.RawMessage `json:"messages"`
	Error    *errorBody      `json:"error"`
}

// readBody reads at most limit bytes. With a Content-Length up to 1 MiB
// (which net/http enforces) it reads straight into a buffer of that size;
// otherwise it reads until EOF, one byte past the limit at most.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n >= 0 && n <= 1<<20 {
		b := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	if resp.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	// Unknown or large: grow as bytes arrive, so a length announced but
	// never sent costs nothing up front.
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, errBodyTooLarge
	}
	return buf.Bytes(), nil
}

// newError builds the *Error for a response; body may be nil when the
// response carried no readable Monime error.
func (st *callState) newError(resp *http.Response, body *errorBody, fallback string) *Error {
	e := &Error{
		StatusCode:     resp.StatusCode,
		RequestID:      resp.Header.Get("Monime-Request-Id"),
		IdempotencyKey: st.idempotencyKey,
		RateLimit:      resp.Header.Get("Monime-Rate-Limit"),
		RetryAfter:     parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		Method:         st.method(),
		Path:           st.path(),
		Attempts:       st.attempts,
		Message:        fallback,
		AnswerLost:     st.uncertain,
	}
	if body != nil {
		e.Reason = body.Reason
		if body.Message != "" {
			e.Message = body.Message
		}
		e.Details = decodeAnyList(body.Details)
		if e.StatusCode >= 200 && e.StatusCode < 300 && body.Code >= 400 {
			// success:false under a 2xx: the envelope's code is the truth.
			e.StatusCode = body.Code
		}
	}
	if e.Message == "" && e.Reason == "" {
		e.Message = "Monime answered without an error message"
	}
	return e
}

// undecodable is the error for a body that is not a Monime envelope.
func (st *callState) undecodable(resp *http.Response, body []byte, err error) *Error {
	e := st.newError(resp, nil, unexpectedBody(resp, body, err))
	e.undecodable = true
	return e
}

func (e *Error) withMessages(raw json.RawMessage) *Error {
	e.Messages = decodeAnyList(raw)
	return e
}

// decodeAnyList reads a JSON array of anything; a lone value becomes a
// one-element list, and garbage is kept as its text.
func decodeAnyList(raw json.RawMessage) []any {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "[]" {
		return nil
	}
	var list []any
	if raw[0] == '[' && json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one any
	if json.Unmarshal(raw, &one) == nil {
		return []any{one}
	}
	return []any{string(raw)}
}

// unexpectedBody describes a body that is not a Monime envelope.
func unexpectedBody(resp *http.Response, body []byte, err error) string {
	ct := resp.Header.Get("Content-Type")
	if mt, _, perr := mime.ParseMediaType(ct); perr == nil {
		ct = mt
	}
	if ct == "" {
		ct = "no content type"
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Sprintf("unexpected empty response body (%s)", ct)
	}
	return fmt.Sprintf("unexpected response body (%s, not a Monime JSON envelope: %v): %q", ct, err, excerpt(body, 120))
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
