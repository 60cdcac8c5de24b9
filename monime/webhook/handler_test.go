package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a handler function that records the events it receives and
// returns err.
type recorder struct {
	mu     sync.Mutex
	events []*Event
	err    error
}

func (r *recorder) handle(_ context.Context, ev *Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return r.err
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// deliver POSTs body with header to h and returns the response.
func deliver(h http.Handler, body []byte, header string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/monime", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if header != "" {
		req.Header.Set(SignatureHeaderName, header)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// testLogger returns a logger writing text into the returned buffer.
func testLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

func TestHandlerAcceptsGenuineDelivery(t *testing.T) {
	rec := &recorder{}
	h := Handler(testSecret, rec.handle, at(testTime))

	w := deliver(h, []byte(testBody), testHeader)

	assert.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, 1, rec.calls())
	ev := rec.events[0]
	assert.Equal(t, "evt-KfT3x9", ev.ID)
	s, err := ev.CheckoutSession()
	require.NoError(t, err)
	assert.Equal(t, "ord-5521", s.OrderNumber)
}

func TestHandlerRejectsOneByteChanged(t *testing.T) {
	rec := &recorder{}
	logger, logs := testLogger()
	h := Handler(testSecret, rec.handle, at(testTime), WithLogger(logger))

	for i := range len(testBody) {
		body := []byte(testBody)
		body[i] ^= 0x01
		w := deliver(h, body, testHeader)
		require.Equal(t, http.StatusBadRequest, w.Code, "byte %d", i)
		require.Equal(t, msgBadRequest+"\n", w.Body.String(), "the caller learns nothing specific")
	}
	assert.Zero(t, rec.calls())
	assert.Contains(t, logs.String(), "no valid signature", "the reason goes to the log")
	assert.NotContains(t, logs.String(), testSecret)
}

func TestHandlerRefusesUntrustedDeliveries(t *testing.T) {
	tests := []struct {
		name   string
		header string
		now    time.Time
		reason string
	}{
		{"no header", "", testTime, "no Monime-Signature header"},
		{"malformed header", "v1=" + testSignature, testTime, "malformed"},
		{"dot separator", "t=1756000001,v1=" + testSignatureDot, testTime, "no valid signature"},
		{"stale", testHeader, testTime.Add(time.Hour), "signed 1h0m0s ago"},
		{"from the future", testHeader, testTime.Add(-time.Hour), "in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			logger, logs := testLogger()
			h := Handler(testSecret, rec.handle, at(tt.now), WithLogger(logger))

			w := deliver(h, []byte(testBody), tt.header)

			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.Equal(t, msgBadRequest+"\n", w.Body.String())
			assert.Zero(t, rec.calls())
			assert.Contains(t, logs.String(), tt.reason)
			assert.NotContains(t, logs.String(), testSecret)
		})
	}
}

func TestHandlerRejectsGenuineNonEvent(t *testing.T) {
	rec := &recorder{}
	body := []byte(`["not","an","event"]`)
	w := deliver(Handler(testSecret, rec.handle, at(testTime)), body, SignatureHeader(body, testSecret, testTime))
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Zero(t, rec.calls())
}

func TestHandlerMethodNotAllowed(t *testing.T) {
	rec := &recorder{}
	h := Handler(testSecret, rec.handle, at(testTime))
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		req := httptest.NewRequest(method, "/webhooks/monime", strings.NewReader(testBody))
		req.Header.Set(SignatureHeaderName, testHeader)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code, method)
		assert.Equal(t, http.MethodPost, w.Header().Get("Allow"), method)
	}
	assert.Zero(t, rec.calls())
}

func TestHandlerBodyLimit(t *testing.T) {
	t.Run("configured limit", func(t *testing.T) {
		rec := &recorder{}
		logger, logs := testLogger()
		h := Handler(testSecret, rec.handle, at(testTime), WithLogger(logger), WithMaxBodyBytes(int64(len(testBody)-1)))
		w := deliver(h, []byte(testBody), testHeader)
		assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
		assert.Zero(t, rec.calls())
		assert.Contains(t, logs.String(), "body too large")

		// Exactly at the limit is fine.
		h = Handler(testSecret, rec.handle, at(testTime), WithMaxBodyBytes(int64(len(testBody))))
		assert.Equal(t, http.StatusOK, deliver(h, []byte(testBody), testHeader).Code)
	})
	t.Run("default limit of 1 MiB", func(t *testing.T) {
		rec := &recorder{}
		big := make([]byte, DefaultMaxBodyBytes+1)
		for _, opt := range []HandlerOption{nil, WithMaxBodyBytes(0), WithMaxBodyBytes(-5)} {
			h := Handler(testSecret, rec.handle, at(testTime), opt)
			w := deliver(h, big, SignatureHeader(big, testSecret, testTime))
			assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
		}
		assert.Zero(t, rec.calls())
	})
}

func TestHandlerFunctionErrorMeansRedelivery(t *testing.T) {
	rec := &recorder{err: errors.New("database is down: dsn=postgres://internal")}
	logger, logs := testLogger()
	h := Handler(testSecret, rec.handle, at(testTime), WithLogger(logger))

	w := deliver(h, []byte(testBody), testHeader)

	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.NotContains(t, w.Body.String(), "database", "internal errors stay internal")
	assert.Equal(t, 1, rec.calls())
	assert.Contains(t, logs.String(), "database is down")
	assert.Contains(t, logs.String(), "evt-KfT3x9")
}

func TestHandlerPassesUnknownEventsThrough(t *testing.T) {
	rec := &recorder{}
	body := []byte(`{"event":{"id":"evt-new","name":"payout.completed"},"object":{"id":"po-1","type":"payout"},"data":{"id":"po-1","amount":{"currency":"SLE","value":1}}}`)
	w := deliver(Handler(testSecret, rec.handle, at(testTime)), body, SignatureHeader(body, testSecret, testTime))
	assert.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, 1, rec.calls())
	assert.Equal(t, "payout.completed", rec.events[0].Name)
	assert.JSONEq(t, `{"id":"po-1","amount":{"currency":"SLE","value":1}}`, string(rec.events[0].Data))
}

func TestHandlerSecretRotation(t *testing.T) {
	rec := &recorder{}
	h := Handler(testSecret, rec.handle, at(testTime), WithSecrets(testRotated))
	assert.Equal(t, http.StatusOK, deliver(h, []byte(testBody), testHeader).Code)
	assert.Equal(t, http.StatusOK, deliver(h, []byte(testBody), "t=1756000001,v1="+testRotatedSignature).Code)
	assert.Equal(t, 2, rec.calls())
}

// panicMessage returns what f panicked with, or "" if it did not panic.
func panicMessage(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return ""
}

// A handler that can verify nothing must not start: it would answer every
// delivery with an error while payments stay unconfirmed.
func TestHandlerRefusesToStartMisconfigured(t *testing.T) {
	const leaked = "whsec_do_not_print_me"
	fn := (&recorder{}).handle
	cases := []struct {
		name    string
		build   func()
		problem string
	}{
		{"empty secret", func() { Handler("", fn) }, "the secret is empty"},
		{"empty secret, rotation secret set", func() { Handler("", fn, WithSecrets(testRotated)) }, "the secret is empty"},
		{"spaces only", func() { Handler("   ", fn) }, "only white space"},
		{"trailing newline", func() { Handler(leaked+"\n", fn) }, "begins or ends with white space"},
		{"leading space", func() { Handler(" "+leaked, fn) }, "begins or ends with white space"},
		{"control character", func() { Handler(leaked[:5]+"\x00"+leaked[5:], fn) }, "control character"},
		{"invalid UTF-8", func() { Handler(leaked+"\xff", fn) }, "not valid UTF-8"},
		{"malformed rotation secret", func() { Handler(testSecret, fn, WithSecrets("", leaked+"\r\n")) }, "secret 2 given with WithSecrets begins or ends"},
		{"nil function", func() { Handler(testSecret, nil) }, "nil function"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := panicMessage(tc.build)
			require.NotEmpty(t, msg, "Handler must panic")
			assert.True(t, strings.HasPrefix(msg, "monime/webhook: Handler: "), msg)
			assert.Contains(t, msg, tc.problem)
			assert.NotContains(t, msg, leaked)
			assert.NotContains(t, msg, leaked[5:], "not even part of the secret")
			assert.NotContains(t, msg, testRotated)
			if tc.name != "nil function" {
				assert.Contains(t, msg, "Monime dashboard", "says where the secret comes from")
			}
		})
	}
}

func TestHandlerStartsWithUsableSecrets(t *testing.T) {
	fn := (&recorder{}).handle
	assert.NotPanics(t, func() { Handler(testSecret, fn) })
	assert.NotPanics(t, func() { Handler(testSecret, fn, WithSecrets("", testRotated)) }, "an empty rotation secret is ignored")
	assert.NotPanics(t, func() { Handler("a secret with inner spaces", fn) }, "Monime's secrets are any text")
	assert.NotPanics(t, func() { Handler("sécret-ünïcode", fn) })
}

// flakyDedup is a Deduplicator whose calls can be made to fail.
type flakyDedup struct {
	*MemoryDeduplicator
	seenErr, markErr error
	marks            atomic.Int32
}

func (f *flakyDedup) Seen(ctx context.Context, id string) (bool, error) {
	if f.seenErr != nil {
		return false, f.seenErr
	}
	return f.MemoryDeduplicator.Seen(ctx, id)
}

func (f *flakyDedup) MarkSeen(ctx context.Context, id string) error {
	f.marks.Add(1)
	if f.markErr != nil {
		return f.markErr
	}
	return f.MemoryDeduplicator.MarkSeen(ctx, id)
}

func TestHandlerDeduplication(t *testing.T) {
	t.Run("a redelivery is acknowledged without calling fn again", func(t *testing.T) {
		rec := &recorder{}
		h := Handler(testSecret, rec.handle, at(testTime), WithDeduplicator(NewMemoryDeduplicator(0, 0)))
		assert.Equal(t, http.StatusOK, deliver(h, []byte(testBody), testHeader).Code)
		assert.Equal(t, http.StatusOK, deliver(h, []byte(testBody), testHeader).Code)
		assert.Equal(t, 1, rec.calls())
	})
	t.Run("a failed attempt is not marked seen", func(t *testing.T) {
		rec := &recorder{err: errors.New("temporary")}
		d := NewMemoryDeduplicator(0, 0)
		h := Handler(testSecret, rec.handle, at(testTime), WithDeduplicator(d))
		assert.Equal(t, http.StatusInternalServerError, deliver(h, []byte(testBody), testHeader).Code)
		assert.Zero(t, d.Len())

		rec.mu.Lock()
		rec.err = nil
		rec.mu.Unlock()
		assert.Equal(t, http.StatusOK, deliver(h, []byte(testBody), testHeader).Code)
		assert.Equal(t, http.StatusOK, deliver(h, []byte(testBody), testHeader).Code)
		assert.Equal(t, 2, rec.calls(), "called for the failed attempt and the first retry only")
	})
	t.Run("a rejected delivery is not marked seen", func(t *testing.T) {
		rec := &recorder{}
		d := NewMemoryDeduplicator(0, 0)
		h := Handler(testSecret, rec.handle, at(testTime), WithDeduplicator(d))
		assert.Equal(t, http.StatusBadRequest, deliver(h, []byte(testBody), "t=1756000001,v1="+testSignatureHex).Code)
		assert.Zero(t, d.Len())
	})
	t.Run("lookup failure means retry later", func(t *testing.T) {
		rec := &recorder{}
		logger, logs := testLogger()
		d := &flakyDedup{MemoryDeduplicator: NewMemoryDeduplicator(0, 0), seenErr: errors.New("redis unreachable")}
		h := Handler(testSecret, rec.handle, at(testTime), WithDeduplicator(d), WithLogger(logger))
		assert.Equal(t, http.StatusInternalServerError, deliver(h, []byte(testBody), testHeader).Code)
		assert.Zero(t, rec.calls())
		assert.Contains(t, logs.String(), "redis unreachable")
	})
	t.Run("marking failure still acknowledges the handled event", func(t *testing.T) {
		rec := &recorder{}
		logger, logs := testLogger()
		d := &flakyDedup{MemoryDeduplicator: NewMemoryDeduplicator(0, 0), markErr: errors.New("disk full")}
		h := Handler(testSecret, rec.handle, at(testTime), WithDeduplicator(d), WithLogger(logger))
		assert.Equal(t, http.StatusOK, deliver(h, []byte(testBody), testHeader).Code)
		assert.Equal(t, int32(1), d.marks.Load())
		assert.Contains(t, logs.String(), "disk full")
	})
	t.Run("events without an id are always handled", func(t *testing.T) {
		rec := &recorder{}
		body := []byte(`{"event":{"name":"checkout_session.expired"}}`)
		d := &flakyDedup{MemoryDeduplicator: NewMemoryDeduplicator(0, 0)}
		h := Handler(testSecret, rec.handle, at(testTime), WithDeduplicator(d))
		header := SignatureHeader(body, testSecret, testTime)
		assert.Equal(t, http.StatusOK, deliver(h, body, header).Code)
		assert.Equal(t, http.StatusOK, deliver(h, body, header).Code)
		assert.Equal(t, 2, rec.calls())
		assert.Zero(t, d.marks.Load())
	})
	t.Run("a concurrent redelivery is asked to retry", func(t *testing.T) {
		started, release := make(chan struct{}), make(chan struct{})
		var calls atomic.Int32
		fn := func(ctx context.Context, ev *Event) error {
			calls.Add(1)
			close(started)
			<-release
			return nil
		}
		h := Handler(testSecret, fn, at(testTime), WithDeduplicator(NewMemoryDeduplicator(0, 0)))

		first := make(chan int, 1)
		go func() { first <- deliver(h, []byte(testBody), testHeader).Code }()
		select {
		case <-started:
		case code := <-first:
			t.Fatalf("first delivery answered %d without reaching fn", code)
		case <-time.After(5 * time.Second):
			t.Fatal("first delivery never reached fn")
		}
		assert.Equal(t, http.StatusConflict, deliver(h, []byte(testBody), testHeader).Code)
		close(release)
		assert.Equal(t, http.StatusOK, <-first)
		assert.Equal(t, http.StatusOK, deliver(h, []byte(testBody), testHeader).Code, "acknowledged once the first succeeded")
		assert.Equal(t, int32(1), calls.Load())
	})
}

func TestHandlerNeverPanicsOnHandBuiltRequests(t *testing.T) {
	h := Handler(testSecret, (&recorder{}).handle, at(testTime))
	req := &http.Request{Method: http.MethodPost, Header: http.Header{}}
	w := httptest.NewRecorder()
	assert.NotPanics(t, func() { h.ServeHTTP(w, req) })
	assert.Equal(t, http.StatusBadRequest, w.Code)
}

func TestHandlerDoesNotPrintSecrets(t *testing.T) {
	h := Handler(testSecret, (&recorder{}).handle, WithSecrets(testRotated))
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, h)
		assert.NotContains(t, out, testSecret, format)
		assert.NotContains(t, out, testRotated, format)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("mounted", "handler", h)
	assert.NotContains(t, buf.String(), testSecret)
}

func TestHandlerOverHTTP(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(Handler(testSecret, rec.handle, at(testTime), WithMaxBodyBytes(4096)))
	defer srv.Close()

	post := func(body, header string) int {
		req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set(SignatureHeaderName, header)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, post(testBody, testHeader))
	assert.Equal(t, http.StatusBadRequest, post(strings.Replace(testBody, "15000", "15001", 1), testHeader))
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(strings.Repeat(" ", 5000)+testBody, testHeader))
	assert.Equal(t, 1, rec.calls())

	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}
