package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
)

// DefaultMaxBodyBytes caps the body [Handler] reads: 1 MiB, far above any
// checkout-session event. Change it with [WithMaxBodyBytes].
const DefaultMaxBodyBytes int64 = 1 << 20

// HandlerOption configures [Handler]. Every [Option] (such as
// [WithTolerance], [WithClock] or [WithSecrets]) is also a HandlerOption.
type HandlerOption interface {
	applyHandler(*handlerConfig)
}

type handlerConfig struct {
	verifyOpts   []Option
	logger       *slog.Logger
	maxBodyBytes int64
	dedup        Deduplicator
}

// applyHandler lets verification options configure a Handler's verifier.
func (o Option) applyHandler(c *handlerConfig) {
	c.verifyOpts = append(c.verifyOpts, o)
}

type handlerOptionFunc func(*handlerConfig)

func (f handlerOptionFunc) applyHandler(c *handlerConfig) { f(c) }

// WithLogger sets where [Handler] reports why it refused or failed a
// delivery; the HTTP response to Monime stays generic. By default nothing is
// logged. Secrets are never logged.
func WithLogger(l *slog.Logger) HandlerOption {
	return handlerOptionFunc(func(c *handlerConfig) { c.logger = l })
}

// WithMaxBodyBytes sets the largest body [Handler] accepts; larger requests
// get 413 without being read in full. Zero or negative means
// [DefaultMaxBodyBytes].
func WithMaxBodyBytes(n int64) HandlerOption {
	return handlerOptionFunc(func(c *handlerConfig) {
		if n > 0 {
			c.maxBodyBytes = n
		}
	})
}

// WithDeduplicator makes [Handler] acknowledge an event it has already
// handled (by [Event.ID]) without calling your function again. An event is
// marked seen only after your function returned nil, so a failed attempt is
// retried in full. See [NewMemoryDeduplicator] for a single-process store.
func WithDeduplicator(d Deduplicator) HandlerOption {
	return handlerOptionFunc(func(c *handlerConfig) { c.dedup = d })
}

// Handler returns an http.Handler for the URL you register with Monime. For
// each request it:
//
//   - answers 405 to anything but POST;
//   - reads at most the body limit (413 beyond it);
//   - verifies the Monime-Signature header with secret (see [ConstructEvent])
//     and answers 400 with a generic message if the delivery cannot be
//     trusted, logging the reason;
//   - with a [Deduplicator], answers 200 at once for an event already handled,
//     409 for one whose earlier delivery is still being handled, and 500 when
//     the deduplicator fails, so that Monime delivers it again later;
//   - calls fn with the request's context and the event, then answers 200 if
//     fn returned nil and 500 otherwise, so that Monime redelivers the event.
//
// fn receives every verified event, including names this package does not
// know; return nil for those you ignore, or Monime will keep redelivering
// them. fn must be safe for concurrent use.
//
// secret is the signing secret of the webhook, as set in its settings in
// the Monime dashboard. Handler panics, as http.Handle does for a nil
// handler, when secret is empty or malformed (white space at either end, a
// control character, or invalid UTF-8), when a secret given with
// [WithSecrets] is malformed, or when fn is nil: a handler that can verify
// nothing would otherwise answer every delivery with an error while
// payments stay unconfirmed. The panic says what is wrong, never the secret.
func Handler(secret string, fn func(ctx context.Context, ev *Event) error, opts ...HandlerOption) http.Handler {
	c := handlerConfig{maxBodyBytes: DefaultMaxBodyBytes}
	for _, o := range opts {
		if o != nil {
			o.applyHandler(&c)
		}
	}
	verify := newVerifyConfig(secret, c.verifyOpts)
	if err := verify.checkSecrets(); err != nil {
		panic("monime/webhook: Handler: " + err.Error())
	}
	if fn == nil {
		panic("monime/webhook: Handler: nil function; pass the function that handles each verified event")
	}
	logger := c.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &handler{
		verify:       verify,
		fn:           fn,
		log:          logger,
		maxBodyBytes: c.maxBodyBytes,
		dedup:        c.dedup,
		inFlight:     make(map[string]struct{}),
	}
}

type handler struct {
	verify       verifyConfig
	fn           func(context.Context, *Event) error
	log          *slog.Logger
	maxBodyBytes int64
	dedup        Deduplicator

	mu       sync.Mutex
	inFlight map[string]struct{} // event ids being handled right now
}

// Response texts: deliberately vague, the details go to the log.
const (
	msgBadRequest = "invalid webhook request"
	msgTooLarge   = "webhook request body too large"
	msgInternal   = "webhook not processed; retry later"
	msgBusy       = "this event is being processed; retry later"
)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed: Monime delivers webhooks with POST", http.StatusMethodNotAllowed)
		return
	}
	reqBody := r.Body
	if reqBody == nil { // only hand-built requests; servers always set one
		reqBody = http.NoBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, reqBody, h.maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.log.WarnContext(ctx, "webhook: delivery refused: body too large",
				"limit_bytes", tooLarge.Limit, "remote_addr", r.RemoteAddr)
			http.Error(w, msgTooLarge, http.StatusRequestEntityTooLarge)
			return
		}
		h.log.WarnContext(ctx, "webhook: delivery refused: reading body failed",
			"error", err, "remote_addr", r.RemoteAddr)
		http.Error(w, msgBadRequest, http.StatusBadRequest)
		return
	}

	ev, err := h.verify.constructEvent(body, r.Header.Get(SignatureHeaderName))
	if err != nil {
		h.log.WarnContext(ctx, "webhook: delivery refused", "error", err, "remote_addr", r.RemoteAddr)
		http.Error(w, msgBadRequest, http.StatusBadRequest)
		return
	}
	log := h.log.With("event_id", ev.ID, "event", ev.Name)

	dedup := h.dedup != nil && ev.ID != ""
	if dedup {
		if !h.begin(ev.ID) {
			// A redelivery raced the first attempt; let Monime retry it later,
			// by when the first has been marked seen or has failed.
			log.InfoContext(ctx, "webhook: event already being processed; asking for a retry")
			http.Error(w, msgBusy, http.StatusConflict)
			return
		}
		defer h.end(ev.ID)

		seen, err := h.dedup.Seen(ctx, ev.ID)
		if err != nil {
			log.ErrorContext(ctx, "webhook: deduplicator lookup failed", "error", err)
			http.Error(w, msgInternal, http.StatusInternalServerError)
			return
		}
		if seen {
			log.DebugContext(ctx, "webhook: duplicate delivery acknowledged")
			w.WriteHeader(http.StatusOK)
			return
		}
	}

	if err := h.fn(ctx, ev); err != nil {
		log.ErrorContext(ctx, "webhook: handler function failed; Monime will redeliver", "error", err)
		http.Error(w, msgInternal, http.StatusInternalServerError)
		return
	}

	if dedup {
		// The work is done even if Monime hung up meanwhile: record it.
		if err := h.dedup.MarkSeen(context.WithoutCancel(ctx), ev.ID); err != nil {
			log.WarnContext(ctx, "webhook: event handled but not recorded as seen; a redelivery would be handled again", "error", err)
		}
	}
	w.WriteHeader(http.StatusOK)
}

// String keeps the secrets out of anything that prints the handler, such as
// a log line that formats a router with %v.
func (h *handler) String() string { return "webhook.Handler" }

// GoString does the same for %#v.
func (h *handler) GoString() string { return h.String() }

// begin claims id for this request; false if another request holds it.
func (h *handler) begin(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, busy := h.inFlight[id]; busy {
		return false
	}
	h.inFlight[id] = struct{}{}
	return true
}

func (h *handler) end(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.inFlight, id)
}
