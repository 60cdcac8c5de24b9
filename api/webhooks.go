package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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
	// WebhookConcurrency is how many delivery attempts are in flight at
	// once, to all receivers together; the others wait their turn (their
	// WebhookAttemptTimeout starts when they are sent). It also bounds the
	// connections deliveries open, to each receiver and in all.
	WebhookConcurrency = 16
	// DeliveryHistory is how many delivery attempts Deliveries keeps per
	// receiver URL; when one more is recorded, that URL's oldest is
	// dropped. SaveState writes what is kept.
	DeliveryHistory = 1000
)

// webhookAPIVersion is the apiVersion of every event the fake sends: the
// release spec/monime.yaml describes.
const webhookAPIVersion = string(gen.MonimeVersionCaph20250823)

// maxWebhookAnswer is how much of a receiver's answer is read (and thrown
// away) so that the connection can be reused.
const maxWebhookAnswer = 64 << 10

// webhookTarget is one configured receiver: one of WithWebhook or
// AddWebhook, or a webhook created through the API (id set).
type webhookTarget struct {
	url    string
	secret string
	events []string // the event names it subscribed to

	id      string            // the API webhook's id, whk-...; "" for WithWebhook and AddWebhook
	space   string            // the API webhook's space
	headers map[string]string // the API webhook's own headers, added to each delivery
}

// wants reports whether the receiver subscribed to the event name.
func (t webhookTarget) wants(name string) bool { return slices.Contains(t.events, name) }

// webhookEvents are the names of the events the fake sends, in the order a
// completion sends them; a receiver may subscribe to some of them.
var webhookEvents = []string{
	eventPaymentCreated,
	eventPaymentCompleted,
	webhook.EventCheckoutSessionCompleted,
	webhook.EventCheckoutSessionCancelled,
	webhook.EventCheckoutSessionExpired,
	eventPayoutCompleted,
	eventPayoutFailed,
	eventPaymentCodeProcessed,
}

// defaultWebhookEvents are what a receiver configured without events gets:
// the checkout-session events, all the fake sent before it recorded
// payments, so a receiver written for them is not sent events it may
// refuse.
var defaultWebhookEvents = []string{
	webhook.EventCheckoutSessionCompleted,
	webhook.EventCheckoutSessionCancelled,
	webhook.EventCheckoutSessionExpired,
}

// webhookConfig is the part of config about webhooks.
type webhookConfig struct {
	targets  []webhookTarget
	attempts int
	backoff  time.Duration
	own      []ownAddr // WithOwnAddress: where receivers may not be
}

func defaultWebhookConfig() webhookConfig {
	return webhookConfig{attempts: DefaultWebhookAttempts, backoff: DefaultWebhookBackoff}
}

// newWebhookTarget checks a receiver's configuration and explains what is
// wrong with it. It quotes neither URL nor secret: a URL may carry a token
// in its query.
func newWebhookTarget(rawURL, secret string, events []string) (webhookTarget, error) {
	if problem := webURLProblem(rawURL); problem != "" {
		return webhookTarget{}, fmt.Errorf("the webhook URL %s; pass the absolute http or https URL of the receiver, such as http://127.0.0.1:8080/webhooks/monime", problem)
	}
	if secret == "" {
		return webhookTarget{}, errors.New("the signing secret is empty; pass the secret the receiver verifies Monime-Signature with")
	}
	for _, name := range events {
		if !slices.Contains(webhookEvents, name) {
			return webhookTarget{}, fmt.Errorf("%q is not an event the fake sends; subscribe to some of %s, or name none for the checkout-session events", name, strings.Join(webhookEvents, ", "))
		}
	}
	if len(events) == 0 {
		events = defaultWebhookEvents
	}
	return webhookTarget{url: rawURL, secret: secret, events: slices.Clone(events)}, nil
}

// WithWebhook makes the Server deliver signed events to url whenever a
// checkout session, in any space, becomes completed, cancelled or expired,
// and, to a receiver that subscribes to them, the other events the fake
// sends; see Server.AddWebhook for what is sent and in which order. As a
// webhook configured at Monime lists the events it wants, events names
// those url gets, out of payment.created, payment.completed,
// checkout_session.completed, checkout_session.cancelled,
// checkout_session.expired, payout.completed, payout.failed and
// payment_code.processed; with none it gets the three checkout-session
// events. Repeat the option for more receivers. New fails on a URL that is
// not absolute http(s) or points at an address given to WithOwnAddress, an
// empty secret or an event name the fake does not send.
func WithWebhook(url, secret string, events ...string) Option {
	return func(c *config) error {
		t, err := newWebhookTarget(url, secret, events)
		if err != nil {
			return optionErrorf("WithWebhook", "", "%w", err)
		}
		c.webhook.targets = append(c.webhook.targets, t)
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
	// EventName is event.name, such as "checkout_session.completed" or
	// "payment.created".
	EventName string
	// ObjectID is object.id of the payload: the checkout session (scs-...)
	// or the payment (pay-...) the event is about.
	ObjectID string
	// SessionID is the checkout session the event is about, or, for a
	// payment event, the session the payment paid for.
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
	// Duration is how long the attempt took, until the receiver's status
	// arrived or the attempt failed.
	Duration time.Duration
	// Signature is the Monime-Signature header the attempt carried.
	Signature string
	// Body is the JSON the attempt sent: the same bytes on every attempt
	// for the same event.
	Body []byte

	seq uint64 // the number it was recorded under, from 1; see DeliveriesPage
}

// OK reports whether the receiver accepted the event (answered 2xx).
func (d Delivery) OK() bool { return d.Err == "" }

// The payment events Monime's documentation names, and the object type of
// their payloads.
const (
	eventPaymentCreated   = "payment.created"
	eventPaymentCompleted = "payment.completed"
)

// outgoingEvent is one event, encoded once, signed afresh on each attempt.
type outgoingEvent struct {
	id        string
	name      string
	objectID  string
	sessionID string
	body      []byte          // the same bytes on every attempt
	endpoints []webhookTarget // the API webhooks it goes to (event.endpoints)
}

// webhookJob is the events of one change that one URL subscribed to, to
// send in order.
type webhookJob struct {
	target webhookTarget
	events []outgoingEvent
}

// dispatcher delivers webhook events. At most WebhookConcurrency attempts
// are in flight at once, over a Transport that opens no more connections
// than that to each receiver. It learns of lifecycle changes through
// observe, an onTransition hook, and sends the events of each change to
// each URL in a goroutine of its own, one event after the other; an event
// whose first attempt fails is retried in a goroutine of its own, so that
// it does not hold up the events after it. Neither the store's lock nor an
// API response ever waits for a receiver.
type dispatcher struct {
	log      *slog.Logger
	client   *http.Client
	slots    chan struct{} // one per attempt in flight: WebhookConcurrency
	history  int           // DeliveryHistory; a field so tests can shorten it
	attempts int
	backoff  time.Duration
	timeout  time.Duration    // per attempt; a field so tests can shorten it
	now      func() time.Time // wall clock: signature timestamps and records

	ctx    context.Context // cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup // one per goroutine of startLocked

	mu       sync.Mutex
	targets  []webhookTarget
	closed   bool
	pending  int           // goroutines of startLocked not finished yet
	idle     chan struct{} // closed when pending drops to 0
	records  []Delivery    // oldest first, at most history per URL
	recorded uint64        // the seq of the latest record
	own      []ownAddr     // where receivers may not be

	changes *atomic.Uint64 // Server.StateVersion

	// endpointLive reports whether an API webhook is still there, enabled,
	// with the same URL and secret (Server.endpointLive); nil: never.
	endpointLive func(webhookTarget) bool
}

func newDispatcher(cfg webhookConfig, log *slog.Logger, changes *atomic.Uint64) *dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &dispatcher{
		changes: changes,
		log:     log,
		client: &http.Client{
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: WebhookAttemptTimeout, KeepAlive: 30 * time.Second, Control: refuseOwn(cfg.own)}).DialContext,
				MaxConnsPerHost:       WebhookConcurrency,
				MaxIdleConns:          WebhookConcurrency,
				MaxIdleConnsPerHost:   WebhookConcurrency,
				IdleConnTimeout:       90 * time.Second,
				TLSHandshakeTimeout:   WebhookAttemptTimeout,
				ResponseHeaderTimeout: WebhookAttemptTimeout,
			},
			// A redirect is not an acknowledgement: it counts as a failed
			// attempt, as it would for Monime.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		slots:    make(chan struct{}, WebhookConcurrency),
		history:  DeliveryHistory,
		attempts: cfg.attempts,
		backoff:  cfg.backoff,
		timeout:  WebhookAttemptTimeout,
		now:      time.Now,
		ctx:      ctx,
		cancel:   cancel,
		targets:  append([]webhookTarget(nil), cfg.targets...),
		own:      cfg.own,
	}
}

// observe is the dispatcher's hook on the store: it sees the events of
// each change, encodes those a webhook carries (webhookEvents) once, and
// starts one job per URL that subscribed to any of them; it never blocks on
// the network.
func (d *dispatcher) observe(batch []event) {
	var names []string
	for _, ev := range batch {
		if slices.Contains(webhookEvents, ev.name) {
			names = append(names, ev.name)
		}
	}
	if len(names) == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.targets) == 0 && !slices.ContainsFunc(batch, func(ev event) bool { return len(ev.endpoints) > 0 }) {
		return
	}
	if d.closed {
		d.log.Warn("api: webhook events not delivered: the Server is closed", "events", strings.Join(names, ", "), "object_id", batch[0].objectID)
		return
	}
	events := d.encode(batch)
	for _, t := range d.targets {
		job := webhookJob{target: t}
		for _, e := range events {
			if t.wants(e.name) {
				job.events = append(job.events, e)
			}
		}
		if len(job.events) > 0 {
			d.startLocked(func() { d.run(job) })
		}
	}
	// The API webhooks: one job each, with the events that named it, in
	// the order the webhooks first appear.
	var jobs []*webhookJob
	byID := map[string]*webhookJob{}
	for _, e := range events {
		for _, t := range e.endpoints {
			job := byID[t.id]
			if job == nil {
				job = &webhookJob{target: t}
				byID[t.id] = job
				jobs = append(jobs, job)
			}
			job.events = append(job.events, e)
		}
	}
	for _, job := range jobs {
		d.startLocked(func() { d.run(*job) })
	}
}

// startLocked runs f in a goroutine that pending, the wait group and
// WaitForDeliveries count. Call it with mu held.
func (d *dispatcher) startLocked(f func()) {
	if d.pending == 0 {
		d.idle = make(chan struct{})
	}
	d.pending++
	d.wg.Add(1)
	go func() {
		defer d.finish()
		f()
	}()
}

// encode builds the payloads of the events of one change that webhooks
// carry, in the order they happened. An event that does not encode is
// logged and left out.
func (d *dispatcher) encode(batch []event) []outgoingEvent {
	var out []outgoingEvent
	for _, ev := range batch {
		if !slices.Contains(webhookEvents, ev.name) {
			continue
		}
		// ev.data shares memory with the store, which never changes what it
		// points to, so encoding it here without the lock is safe.
		data, err := json.Marshal(ev.data)
		if err == nil {
			payload := webhook.Event{ID: newID("evt-", 20), Name: ev.name, Timestamp: ev.at, APIVersion: webhookAPIVersion,
				Object: webhook.Object{ID: ev.objectID, Type: ev.objectType}, Data: data}
			var body []byte
			if body, err = json.Marshal(payload); err == nil {
				out = append(out, outgoingEvent{id: payload.ID, name: ev.name, objectID: ev.objectID, sessionID: ev.sessionID, body: body, endpoints: ev.endpoints})
				continue
			}
		}
		d.log.Error("api: webhook event not delivered: encoding it failed", "event", ev.name, "object_id", ev.objectID, "session_id", ev.sessionID, "err", err)
	}
	return out
}

// add configures one more receiver for the events from now on.
func (d *dispatcher) add(t webhookTarget) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.targets = append(d.targets, t)
	d.changes.Add(1)
}

// run sends the events of one job in order, each once the attempt before
// has finished, and hands each event whose first attempt failed to a retry
// goroutine. It stops when the dispatcher is closed.
func (d *dispatcher) run(job webhookJob) {
	for i, ev := range job.events {
		if d.ctx.Err() != nil {
			d.log.Warn("api: webhook events not sent: the Server was closed", "events", len(job.events)-i, "session_id", ev.sessionID, "url", job.target.url)
			return
		}
		if d.try(job.target, ev, 1) {
			continue
		}
		d.mu.Lock()
		d.startLocked(func() { d.retry(job.target, ev) })
		d.mu.Unlock()
	}
}

// retry makes the second and later attempts for one event and URL, waiting
// the backoff before each, until the receiver answers 2xx, the attempts run
// out or the dispatcher is closed.
func (d *dispatcher) retry(target webhookTarget, ev outgoingEvent) {
	wait := d.backoff
	for attempt := 2; attempt <= d.attempts; attempt++ {
		if !sleepCtx(d.ctx, wait) {
			d.log.Warn("api: webhook delivery stopped: the Server was closed", "event_id", ev.id, "event", ev.name, "object_id", ev.objectID, "url", target.url, "attempts", attempt-1)
			return
		}
		if !d.configured(target) { // RemoveWebhook removed it meanwhile
			return
		}
		if d.try(target, ev, attempt) {
			return
		}
		wait = nextBackoff(wait, d.backoff)
	}
}

// try makes attempt n of one event to one URL, records and logs it, and
// reports whether no further attempt is to be made: the receiver accepted
// the event, or this was the last attempt.
func (d *dispatcher) try(target webhookTarget, ev outgoingEvent, n int) bool {
	select { // wait for a turn: at most WebhookConcurrency attempts at once
	case d.slots <- struct{}{}:
	case <-d.ctx.Done():
		d.log.Warn("api: webhook delivery stopped: the Server was closed", "event_id", ev.id, "event", ev.name, "object_id", ev.objectID, "url", target.url, "attempts", n-1)
		return true
	}
	rec := d.attempt(target, ev, n)
	<-d.slots
	d.record(rec)
	log := d.log.With("event_id", ev.id, "event", ev.name, "object_id", ev.objectID, "session_id", ev.sessionID, "url", target.url, "attempt", n, "status", rec.StatusCode)
	switch {
	case rec.OK():
		log.Info("api: webhook delivered")
		return true
	case n >= d.attempts:
		log.Error("api: webhook delivery failed; giving up", "err", rec.Err)
		return true
	}
	log.Warn("api: webhook delivery failed; will retry", "err", rec.Err)
	return false
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

// attempt sends ev to target once, signed now, and records the outcome.
func (d *dispatcher) attempt(target webhookTarget, ev outgoingEvent, n int) (rec Delivery) {
	sent := d.now()
	rec = Delivery{
		EventID:   ev.id,
		EventName: ev.name,
		ObjectID:  ev.objectID,
		SessionID: ev.sessionID,
		URL:       target.url,
		Attempt:   n,
		Time:      sent,
		Body:      ev.body,
	}
	defer func() { rec.Duration = d.now().Sub(sent) }()
	ctx, cancel := context.WithTimeout(d.ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.url, bytes.NewReader(ev.body))
	if err != nil { // the URL was checked when it was configured
		rec.Err = "building the request failed: " + err.Error()
		return rec
	}
	for k, v := range target.headers { // an API webhook's own; set first, so the fake's win
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "monime-go-fake (api package; webhook delivery)")
	rec.Signature = webhook.SignatureHeader(ev.body, target.secret, sent)
	req.Header.Set(webhook.SignatureHeaderName, rec.Signature)
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

// finish marks a goroutine of startLocked done.
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
	out := append([]Delivery(nil), d.records...)
	d.mu.Unlock()
	for i := range out {
		out[i].Body = bytes.Clone(out[i].Body)
		out[i].seq = 0
	}
	return out
}

// record keeps the outcome of one attempt, and drops the oldest record
// of its URL when that URL has history records already.
func (d *dispatcher) record(rec Delivery) {
	d.mu.Lock()
	d.appendLocked(rec)
	d.trimLocked()
	d.mu.Unlock()
	d.changes.Add(1)
}

// appendLocked keeps recs, oldest first, after the records there are,
// numbering them on from the latest. Call it with mu held.
func (d *dispatcher) appendLocked(recs ...Delivery) {
	for _, rec := range recs {
		d.recorded++
		rec.seq = d.recorded
		d.records = append(d.records, rec)
	}
}

// deliveryCursorSpace is what a cursor of DeliveriesPage names instead of
// a space, so that it pages no other list and no other list's pages it.
const deliveryCursorSpace = "webhook-deliveries"

// DeliveriesPage returns a page of the delivery log Deliveries returns,
// newest first, as the API's lists page: up to limit attempts, older
// than the one the cursor after names ("" starts from the newest),
// skipping those keep refuses (nil keeps all). keep is called with each
// record under the dispatcher's lock: it must only read it and must not
// call the Server.
//
// A cursor names an attempt by the number it was recorded under, which
// never changes, so it stays valid while new attempts are recorded and
// older ones are dropped (DeliveryHistory): the next page starts after
// that attempt even once the attempt itself is gone. It returns an error
// for a limit below 1 or a cursor it did not issue.
func (s *Server) DeliveriesPage(limit int, after string, keep func(*Delivery) bool) (Page[Delivery], error) {
	if limit < 1 {
		return Page[Delivery]{}, fmt.Errorf("api: DeliveriesPage: limit must be at least 1, got %d", limit)
	}
	var before uint64 // 0: from the newest
	if after != "" {
		var e *apiError
		if before, e = decodeCursor(deliveryCursorSpace, after); e != nil {
			return Page[Delivery]{}, errors.New("api: DeliveriesPage: the after cursor is not one the delivery log issued; pass the next of the previous page unchanged, or omit after to start from the newest")
		}
	}
	d := s.webhooks
	d.mu.Lock()
	defer d.mu.Unlock()
	end := len(d.records) // the records are in the order of their numbers
	if before != 0 {
		end = sort.Search(len(d.records), func(i int) bool { return d.records[i].seq >= before })
	}
	var out Page[Delivery]
	for i := end - 1; i >= 0; i-- {
		r := &d.records[i]
		if keep != nil && !keep(r) {
			continue
		}
		if len(out.Items) == limit {
			out.Next = encodeCursor(deliveryCursorSpace, out.Items[limit-1].seq)
			break
		}
		out.Items = append(out.Items, *r)
	}
	for i := range out.Items {
		out.Items[i].Body = bytes.Clone(out.Items[i].Body)
		out.Items[i].seq = 0
	}
	return out, nil
}

// trimLocked drops the oldest records of every URL that has more than
// history. Call it with mu held.
func (d *dispatcher) trimLocked() {
	if len(d.records) <= d.history {
		return // no URL can be over
	}
	perURL := map[string]int{}
	over := false
	for _, r := range d.records {
		perURL[r.URL]++
		over = over || perURL[r.URL] > d.history
	}
	if !over {
		return
	}
	kept := d.records[:0]
	for _, r := range d.records {
		if perURL[r.URL] > d.history {
			perURL[r.URL]-- // one of the oldest of a URL over the limit
			continue
		}
		kept = append(kept, r)
	}
	clear(d.records[len(kept):]) // let the bodies go
	d.records = kept
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
// not sent to url. As a webhook configured at Monime lists the events it
// wants, events names those url gets, out of the eight the fake sends (see
// WithWebhook; payouts and payment codes send theirs only to a receiver
// that names them); with none it gets the three checkout-session events
// (completed, cancelled, expired), all the fake sent before it recorded
// payments.
//
// For each checkout session that becomes completed, cancelled or expired
// (by the hosted page, Complete, CompleteWith, Cancel, Expire, or its
// expireTime passing, which the Server notices at the next request,
// inspection or Sweep), the Server POSTs to every URL
//
//	{"apiVersion":"caph.2025-08-23",
//	 "event":{"id":"evt-...","name":"checkout_session.completed","timestamp":"<RFC 3339>"},
//	 "object":{"id":"scs-...","type":"checkout_session"},
//	 "data":<the session as GetCheckoutSession returns it>}
//
// A completion first sends, for each payment it recorded (one per currency;
// see Session.PaymentIDs), payment.created and then payment.completed, with
// object {"id":"pay-...","type":"payment"} and data the payment: as
// created (status pending, no financialTransactionReference) in
// payment.created, and as GetPayment returns it (completed) in
// payment.completed. So a receiver subscribed to all three gets, in this
// order,
//
//	payment.created, payment.completed, checkout_session.completed
//
// the money first, as it moved, then the session it completed; all carry the
// moment of completion as their timestamp. The events of one change are sent
// to each URL one after the other, each once the attempt before it has
// finished, so a receiver that answers them sees them in this order. An
// event whose attempt fails is retried on its own backoff without holding
// up the events after it, so retried events can arrive out of order, as
// with Monime: use the payload's status, not the arrival order. Events of
// different sessions are delivered independently.
//
// A payout sends payout.completed or payout.failed (object type payout,
// data the payout as GetPayout returns it) when it completes or fails; a
// paid payment code sends payment.created, payment.completed and then
// payment_code.processed (object type payment_code, data the code with
// processedPaymentData, which reads never show). Webhooks created through
// the API (POST /v1/webhooks) get the events of their own space the same
// way, signed with their own secret.
//
// Every request has Content-Type: application/json and a Monime-Signature
// header made by webhook.SignatureHeader with secret and the wall-clock time
// of the attempt. Delivery runs in the background; a receiver that answers
// anything but 2xx, or cannot be reached within WebhookAttemptTimeout, gets
// the same body (the same event id) again after a backoff, signed afresh,
// until the attempts of WithWebhookRetry run out. Deliveries and
// WaitForDeliveries show the outcome.
//
// It returns an error, and adds nothing, for a URL that is not absolute
// http(s) or points at the fake itself (see WithOwnAddress), an empty
// secret or an event name the fake does not send.
func (s *Server) AddWebhook(url, secret string, events ...string) error {
	t, err := newWebhookTarget(url, secret, events)
	if err == nil {
		if at, own := pointsAtOwn(url, s.webhooks.own); own {
			err = ownURLError(at)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.cfg.label("AddWebhook", "api: AddWebhook"), err)
	}
	s.webhooks.add(t)
	return nil
}

// Deliveries returns a record of the webhook delivery attempts finished so
// far, in the order they finished: the latest DeliveryHistory for each
// receiver URL, whose older ones are dropped as new ones are recorded, so
// that a fake left running keeps a bounded log. Attempts for one event and
// URL share an EventID and count up in Attempt.
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
