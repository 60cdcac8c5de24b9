package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/monime/webhook"
)

// Defaults of webhook delivery; change them with WithWebhookRetry.
const (
	// DefaultWebhookAttempts is how many times the fake tries to deliver an
	// event to one URL before it gives up.
	DefaultWebhookAttempts = 6
	// DefaultWebhookBackoff is the wait after the first failed attempt; it
	// doubles after each further failure, up to MaxWebhookBackoff.
	DefaultWebhookBackoff = 200 * time.Millisecond
	// MaxWebhookBackoff caps the wait between two attempts (unless the
	// initial backoff given to WithWebhookRetry is longer).
	MaxWebhookBackoff = 30 * time.Second
	// WebhookAttemptTimeout is how long one delivery attempt may take,
	// connecting, sending and reading the status included.
	WebhookAttemptTimeout = 10 * time.Second
)

// webhookAPIVersion is the apiVersion of every event the fake sends: the
// release spec/monime.yaml describes.
const webhookAPIVersion = string(gen.MonimeVersionCaph20250823)

// maxWebhookAnswer is how much of a receiver's answer is read (and thrown
// away) so that the connection can be reused.
const maxWebhookAnswer = 64 << 10

// webhookTarget is one configured receiver.
type webhookTarget struct {
	url    string
	secret string
}

// webhookConfig is the part of config about webhooks.
type webhookConfig struct {
	targets  []webhookTarget
	attempts int
	backoff  time.Duration
}

func defaultWebhookConfig() webhookConfig {
	return webhookConfig{attempts: DefaultWebhookAttempts, backoff: DefaultWebhookBackoff}
}

// checkWebhookTarget explains what is wrong with a webhook URL or secret,
// or returns nil. It quotes neither: a URL may carry a token in its query.
func checkWebhookTarget(rawURL, secret string) error {
	if problem := webURLProblem(rawURL); problem != "" {
		return fmt.Errorf("the webhook URL %s; pass the absolute http or https URL of the receiver, such as http://127.0.0.1:8080/webhooks/monime", problem)
	}
	if secret == "" {
		return errors.New("the signing secret is empty; pass the secret the receiver verifies Monime-Signature with")
	}
	return nil
}

// WithWebhook makes the Server deliver a signed event to url whenever a
// checkout session, in any space, becomes completed, cancelled or expired
// (see Server.AddWebhook for what is sent). Repeat it for more receivers;
// each gets every event. New fails on a URL that is not absolute http(s)
// or on an empty secret.
func WithWebhook(url, secret string) Option {
	return func(c *config) error {
		if err := checkWebhookTarget(url, secret); err != nil {
			return fmt.Errorf("api: WithWebhook: %w", err)
		}
		c.webhook.targets = append(c.webhook.targets, webhookTarget{url: url, secret: secret})
		return nil
	}
}

// WithWebhookRetry sets how webhook deliveries are retried: at most
// maxAttempts attempts per event and URL (at least 1; default
// DefaultWebhookAttempts), waiting initialBackoff after the first failure
// and twice as long after each further one, up to MaxWebhookBackoff
// (default DefaultWebhookBackoff; zero retries at once, which keeps tests
// fast). New fails on a maxAttempts below 1 or a negative backoff.
func WithWebhookRetry(maxAttempts int, initialBackoff time.Duration) Option {
	return func(c *config) error {
		if maxAttempts < 1 {
			return fmt.Errorf("api: WithWebhookRetry: maxAttempts must be at least 1, got %d; pass 1 to try each delivery once, or more to retry", maxAttempts)
		}
		if initialBackoff < 0 {
			return fmt.Errorf("api: WithWebhookRetry: initialBackoff must not be negative, got %v; pass 0 to retry at once, or the wait after the first failure", initialBackoff)
		}
		c.webhook.attempts = maxAttempts
		c.webhook.backoff = initialBackoff
		return nil
	}
}

// Delivery records one attempt to deliver one webhook event to one URL.
type Delivery struct {
	// EventID is event.id of the payload; it is the same on every attempt
	// for the same event.
	EventID string
	// EventName is event.name, such as "checkout_session.completed".
	EventName string
	// SessionID is the checkout session the event is about.
	SessionID string
	// URL is where the attempt was sent.
	URL string
	// Attempt counts the attempts for this event and URL, from 1.
	Attempt int
	// StatusCode is the receiver's HTTP status, or 0 when it sent none (the
	// connection failed or the attempt timed out).
	StatusCode int
	// Err says why the attempt failed; it is empty when the receiver
	// answered 2xx.
	Err string
	// Time is when the attempt was sent, by the wall clock (the Server's
	// WithClock clock governs sessions, not the network).
	Time time.Time
}

// OK reports whether the receiver accepted the event (answered 2xx).
func (d Delivery) OK() bool { return d.Err == "" }

// webhookJob is one event to deliver to one URL.
type webhookJob struct {
	target    webhookTarget
	eventID   string
	eventName string
	sessionID string
	body      []byte // the same bytes on every attempt
}

// dispatcher delivers webhook events. It learns of lifecycle changes through
// observe, an onTransition hook, and delivers each event to each URL in a
// goroutine of its own, so neither the store's lock nor an API response
// ever waits for a receiver.
type dispatcher struct {
	log      *slog.Logger
	client   *http.Client
	attempts int
	backoff  time.Duration
	timeout  time.Duration    // per attempt; a field so tests can shorten it
	now      func() time.Time // wall clock: signature timestamps and records

	ctx    context.Context // cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup // one per running job

	mu      sync.Mutex
	targets []webhookTarget
	closed  bool
	pending int           // jobs not finished yet
	idle    chan struct{} // closed when pending drops to 0
	records []Delivery
}

func newDispatcher(cfg webhookConfig, log *slog.Logger) *dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &dispatcher{
		log: log,
		client: &http.Client{
			// A redirect is not an acknowledgement: it counts as a failed
			// attempt, as it would for Monime.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		attempts: cfg.attempts,
		backoff:  cfg.backoff,
		timeout:  WebhookAttemptTimeout,
		now:      time.Now,
		ctx:      ctx,
		cancel:   cancel,
		targets:  append([]webhookTarget(nil), cfg.targets...),
	}
}

// eventName is the webhook event for a lifecycle change, or "" for changes
// Monime sends no event for.
func eventName(kind transition) string {
	switch kind {
	case transitionCompleted:
		return webhook.EventCheckoutSessionCompleted
	case transitionCancelled:
		return webhook.EventCheckoutSessionCancelled
	case transitionExpired:
		return webhook.EventCheckoutSessionExpired
	}
	return ""
}

// observe is the dispatcher's onTransition hook. It builds the event once
// and queues one job per URL; it never blocks on the network.
func (d *dispatcher) observe(ev lifecycleEvent) {
	name := eventName(ev.kind)
	if name == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.targets) == 0 {
		return
	}
	if d.closed {
		d.log.Warn("api: webhook event not delivered: the Server is closed", "event", name, "session_id", ev.session.Id)
		return
	}
	// The session shares memory with the store, which never changes what a
	// snapshot points to, so encoding it here without the lock is safe.
	data, err := json.Marshal(ev.session.CheckoutSession)
	if err != nil {
		d.log.Error("api: webhook event not delivered: encoding the session failed", "event", name, "session_id", ev.session.Id, "err", err)
		return
	}
	event := webhook.Event{
		ID:         newID("evt-", 20),
		Name:       name,
		Timestamp:  ev.at,
		APIVersion: webhookAPIVersion,
		Object:     webhook.Object{ID: ev.session.Id, Type: webhook.ObjectTypeCheckoutSession},
		Data:       data,
	}
	body, err := json.Marshal(event)
	if err != nil {
		d.log.Error("api: webhook event not delivered: encoding the event failed", "event", name, "session_id", ev.session.Id, "err", err)
		return
	}
	for _, t := range d.targets {
		job := webhookJob{target: t, eventID: event.ID, eventName: name, sessionID: ev.session.Id, body: body}
		if d.pending == 0 {
			d.idle = make(chan struct{})
		}
		d.pending++
		d.wg.Add(1)
		go d.run(job)
	}
}

// add configures one more receiver for the events from now on.
func (d *dispatcher) add(t webhookTarget) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.targets = append(d.targets, t)
}

// run delivers one job: attempts until the receiver answers 2xx, the
// attempts run out or the dispatcher is closed.
func (d *dispatcher) run(job webhookJob) {
	defer d.finish()
	log := d.log.With("event_id", job.eventID, "event", job.eventName, "session_id", job.sessionID, "url", job.target.url)
	wait := d.backoff
	for attempt := 1; ; attempt++ {
		rec := d.attempt(job, attempt)
		d.mu.Lock()
		d.records = append(d.records, rec)
		d.mu.Unlock()
		if rec.OK() {
			log.Info("api: webhook delivered", "attempt", attempt, "status", rec.StatusCode)
			return
		}
		if attempt >= d.attempts {
			log.Error("api: webhook delivery failed; giving up", "attempts", attempt, "status", rec.StatusCode, "err", rec.Err)
			return
		}
		log.Warn("api: webhook delivery failed; will retry", "attempt", attempt, "status", rec.StatusCode, "err", rec.Err, "retry_in", wait)
		if !sleepCtx(d.ctx, wait) {
			log.Warn("api: webhook delivery stopped: the Server was closed", "attempts", attempt)
			return
		}
		wait = nextBackoff(wait, d.backoff)
	}
}

// nextBackoff doubles wait, up to MaxWebhookBackoff or initial if that is
// longer.
func nextBackoff(wait, initial time.Duration) time.Duration {
	limit := max(MaxWebhookBackoff, initial)
	if wait > limit/2 {
		return limit
	}
	return 2 * wait
}

// sleepCtx waits for d or until ctx is done, and reports whether it waited
// the whole time. A zero d still gives way to a done ctx.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	return wait(ctx, d)
}

// attempt sends the job once, signed now, and records the outcome.
func (d *dispatcher) attempt(job webhookJob, n int) Delivery {
	sent := d.now()
	rec := Delivery{
		EventID:   job.eventID,
		EventName: job.eventName,
		SessionID: job.sessionID,
		URL:       job.target.url,
		Attempt:   n,
		Time:      sent,
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.target.url, bytes.NewReader(job.body))
	if err != nil { // the URL was checked when it was configured
		rec.Err = "building the request failed: " + err.Error()
		return rec
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "monime-go-fake (api package; webhook delivery)")
	req.Header.Set(webhook.SignatureHeaderName, webhook.SignatureHeader(job.body, job.target.secret, sent))
	resp, err := d.client.Do(req)
	if err != nil {
		rec.Err = "sending failed: " + err.Error()
		return rec
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxWebhookAnswer))
	_ = resp.Body.Close()
	rec.StatusCode = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		rec.Err = fmt.Sprintf("the receiver answered %d %s; only 2xx acknowledges an event", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return rec
}

// finish marks a job done.
func (d *dispatcher) finish() {
	d.mu.Lock()
	d.pending--
	if d.pending == 0 {
		close(d.idle)
	}
	d.mu.Unlock()
	d.wg.Done()
}

// deliveries returns a copy of the records, oldest first.
func (d *dispatcher) deliveries() []Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Delivery(nil), d.records...)
}

// waitIdle blocks until no job is left or ctx is done.
func (d *dispatcher) waitIdle(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	d.mu.Lock()
	if d.pending == 0 {
		d.mu.Unlock()
		return nil
	}
	idle := d.idle
	d.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		d.mu.Lock()
		left := d.pending
		d.mu.Unlock()
		return fmt.Errorf("api: WaitForDeliveries: %d webhook deliveries still unfinished (a receiver that keeps failing is retried up to WithWebhookRetry's attempts): %w", left, ctx.Err())
	}
}

// close stops new deliveries and retries, and waits for running attempts
// to end.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}

// AddWebhook makes the Server deliver events to url from now on, as
// WithWebhook does at New; use it when the receiver's address is known only
// after the fake has started. Events of changes made before the call are
// not sent to url.
//
// For each checkout session that becomes completed, cancelled or expired
// (by the hosted page, Complete, Cancel, Expire, or its expireTime passing,
// which the Server notices at the next request, inspection or Sweep), the
// Server POSTs to every URL
//
//	{"apiVersion":"caph.2025-08-23",
//	 "event":{"id":"evt-...","name":"checkout_session.completed","timestamp":"<RFC 3339>"},
//	 "object":{"id":"scs-...","type":"checkout_session"},
//	 "data":<the session as GetCheckoutSession returns it>}
//
// with Content-Type: application/json and a Monime-Signature header made by
// webhook.SignatureHeader with secret and the wall-clock time of the attempt.
// Delivery runs in the background; a receiver that answers anything but 2xx,
// or cannot be reached within WebhookAttemptTimeout, gets the same body (the
// same event id) again after a backoff, signed afresh, until the attempts of
// WithWebhookRetry run out. Deliveries and WaitForDeliveries show the
// outcome.
//
// It returns an error, and adds nothing, for a URL that is not absolute
// http(s) or an empty secret.
func (s *Server) AddWebhook(url, secret string) error {
	if err := checkWebhookTarget(url, secret); err != nil {
		return fmt.Errorf("api: AddWebhook: %w", err)
	}
	s.webhooks.add(webhookTarget{url: url, secret: secret})
	return nil
}

// Deliveries returns a record of every webhook delivery attempt finished so
// far, in the order they finished. Attempts for one event and URL share an
// EventID and count up in Attempt.
func (s *Server) Deliveries() []Delivery { return s.webhooks.deliveries() }

// WaitForDeliveries blocks until every webhook event queued so far has been
// delivered or given up on, and returns nil; or until ctx is done, and
// returns an error wrapping ctx.Err() (a nil ctx waits without a limit).
// Lifecycle changes queue their events before the call that made them
// returns, so a test can Complete a session and then wait.
func (s *Server) WaitForDeliveries(ctx context.Context) error { return s.webhooks.waitIdle(ctx) }

// Close stops webhook delivery: it cancels attempts in flight and pending
// retries, waits for the goroutines doing them to end, and makes later
// lifecycle changes send no events. The API and the hosted pages keep
// answering. Calling Close again does nothing more.
func (s *Server) Close() { s.webhooks.close() }
