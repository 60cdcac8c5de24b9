package api

import (
	"bytes"
	"container/heap"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// StateFormat and StateVersion1 identify what SaveState writes: a JSON
// object whose "format" is StateFormat and whose "version" is
// StateVersion1. A later release that changes the layout writes a higher
// version and still reads this one.
const (
	StateFormat   = "monime-fake-state"
	StateVersion1 = 1
)

// stateFile is the JSON of SaveState and WithState.
type stateFile struct {
	Format          string         `json:"format"`
	Version         int            `json:"version"`
	Saved           time.Time      `json:"saved"`
	Seq             uint64         `json:"seq"`
	Sessions        []stateSession `json:"sessions"`
	Payments        []statePayment `json:"payments"`
	IdempotencyKeys []stateKey     `json:"idempotencyKeys"`
	Webhooks        []stateWebhook `json:"webhooks"`
	Deliveries      []Delivery     `json:"deliveries"`
}

type stateSession struct {
	Seq            uint64              `json:"seq"`
	Space          string              `json:"space"`
	Deadline       time.Time           `json:"deadline"`
	Started        bool                `json:"started,omitempty"`
	View           gen.CheckoutSession `json:"view"`
	CallbackState  *string             `json:"callbackState,omitempty"`
	PaymentOptions *gen.PaymentOptions `json:"paymentOptions,omitempty"`
	IdempotencyKey string              `json:"idempotencyKey,omitempty"`
	PaymentIDs     []string            `json:"paymentIds,omitempty"`
}

type statePayment struct {
	Seq     uint64      `json:"seq"`
	Space   string      `json:"space"`
	Session string      `json:"session"`
	View    gen.Payment `json:"view"`
}

type stateKey struct {
	Space       string    `json:"space"`
	Key         string    `json:"key"`
	Fingerprint string    `json:"fingerprint"` // hex SHA-256
	Status      int       `json:"status"`
	ContentType string    `json:"contentType"`
	Body        []byte    `json:"body"`
	Expires     time.Time `json:"expires"`
}

type stateWebhook struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Events []string `json:"events"`
}

// SaveState writes everything the Server holds that a restart would lose,
// as one versioned JSON document (see StateFormat): sessions (deleted ones
// left out), payments, the idempotency records of finished creates, the
// webhook receivers with their secrets, and the delivery log. WithState
// reads it back. Injected faults, rate-limit windows and deliveries still
// in flight are not written. The document holds webhook secrets: keep it
// where only you can read it.
//
// It takes one consistent snapshot, so it may run while requests are
// served; it returns the writer's error, if any.
func (s *Server) SaveState(w io.Writer) error {
	st := s.store
	doc := stateFile{Format: StateFormat, Version: StateVersion1, Saved: time.Now().UTC()}
	st.lock()
	doc.Seq = st.seq
	ids := make([]string, 0, len(st.byID))
	for id := range st.byID {
		ids = append(ids, id)
	}
	for _, id := range ids {
		sess := st.byID[id]
		ss := stateSession{
			Seq: sess.seq, Space: sess.space, Deadline: sess.deadline, Started: sess.started,
			View: sess.view, CallbackState: sess.callbackState, PaymentOptions: sess.paymentOptions,
			IdempotencyKey: sess.idempotencyKey,
		}
		for _, p := range sess.payments {
			ss.PaymentIDs = append(ss.PaymentIDs, p.view.Id)
		}
		doc.Sessions = append(doc.Sessions, ss)
	}
	for _, p := range st.payments {
		doc.Payments = append(doc.Payments, statePayment{Seq: p.seq, Space: p.space, Session: p.session, View: p.view})
	}
	for space, sp := range st.spaces {
		for key, e := range sp.keys {
			if e.stored == nil {
				continue // still running: it settles after this snapshot
			}
			doc.IdempotencyKeys = append(doc.IdempotencyKeys, stateKey{
				Space: space, Key: key, Fingerprint: hex.EncodeToString(e.fingerprint[:]),
				Status: e.stored.status, ContentType: e.stored.contentType, Body: e.stored.body, Expires: e.expires,
			})
		}
	}
	// Encoding happens after unlock: the views' nested values never change
	// once stored (see session and payment), so the shallow copies are safe.
	st.mu.Unlock()
	d := s.webhooks
	d.mu.Lock()
	for _, t := range d.targets {
		doc.Webhooks = append(doc.Webhooks, stateWebhook{URL: t.url, Secret: t.secret, Events: t.events})
	}
	doc.Deliveries = append([]Delivery(nil), d.records...)
	d.mu.Unlock()

	slices.SortFunc(doc.Sessions, func(a, b stateSession) int { return cmpUint(a.Seq, b.Seq) })
	slices.SortFunc(doc.Payments, func(a, b statePayment) int { return cmpUint(a.Seq, b.Seq) })
	slices.SortFunc(doc.IdempotencyKeys, func(a, b stateKey) int {
		return strings.Compare(a.Space+"\x00"+a.Key, b.Space+"\x00"+b.Key)
	})
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("api: SaveState: %w", err)
	}
	return nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// WithState makes New start from the state SaveState wrote to r instead of
// empty. Webhook receivers in the state are added to those of WithWebhook,
// without repeating one that has the same URL, secret and events. New
// fails, naming the problem, when r cannot be read or does not hold a
// state this package wrote (not JSON, another format, a version it does
// not know, a record that contradicts another); r is only read.
func WithState(r io.Reader) Option {
	return func(c *config) error {
		if r == nil {
			return errors.New("api: WithState: the reader is nil; pass the file SaveState wrote, opened for reading")
		}
		raw, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("api: WithState: reading the state failed: %w", err)
		}
		doc, err := decodeState(raw)
		if err != nil {
			return fmt.Errorf("api: WithState: %w; pass what SaveState wrote, or start without the state", err)
		}
		c.state = doc
		return nil
	}
}

// decodeState parses and checks a saved state.
func decodeState(raw []byte) (*stateFile, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var doc stateFile
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("the state is not a saved state (%v)", err)
	}
	if dec.More() {
		return nil, errors.New("the state has data after its JSON document (a file written twice?)")
	}
	if doc.Format != StateFormat {
		return nil, fmt.Errorf("the state's format is %q, not %q", doc.Format, StateFormat)
	}
	if doc.Version != StateVersion1 {
		return nil, fmt.Errorf("the state's version is %d; this package reads version %d", doc.Version, StateVersion1)
	}
	sessions := map[string]bool{}
	for i, ss := range doc.Sessions {
		switch {
		case ss.View.Id == "" || ss.Space == "":
			return nil, fmt.Errorf("session %d of the state has no id or space", i+1)
		case sessions[ss.View.Id]:
			return nil, fmt.Errorf("session %s appears twice in the state", ss.View.Id)
		case ss.Seq == 0 || ss.Seq > doc.Seq:
			return nil, fmt.Errorf("session %s has sequence number %d, outside 1 to %d", ss.View.Id, ss.Seq, doc.Seq)
		}
		sessions[ss.View.Id] = true
	}
	payments := map[string]bool{}
	for i, p := range doc.Payments {
		switch {
		case p.View.Id == "" || p.Space == "":
			return nil, fmt.Errorf("payment %d of the state has no id or space", i+1)
		case payments[p.View.Id]:
			return nil, fmt.Errorf("payment %s appears twice in the state", p.View.Id)
		case !sessions[p.Session]:
			return nil, fmt.Errorf("payment %s paid for session %q, which the state does not hold", p.View.Id, p.Session)
		case p.Seq == 0 || p.Seq > doc.Seq:
			return nil, fmt.Errorf("payment %s has sequence number %d, outside 1 to %d", p.View.Id, p.Seq, doc.Seq)
		}
		payments[p.View.Id] = true
	}
	for _, ss := range doc.Sessions {
		for _, id := range ss.PaymentIDs {
			if !payments[id] {
				return nil, fmt.Errorf("session %s was paid with payment %q, which the state does not hold", ss.View.Id, id)
			}
		}
	}
	for _, k := range doc.IdempotencyKeys {
		if fp, err := hex.DecodeString(k.Fingerprint); err != nil || len(fp) != 32 || k.Key == "" || k.Space == "" {
			return nil, fmt.Errorf("the idempotency record %q has no space, no key or a fingerprint that is not 64 hex digits", k.Key)
		}
	}
	for _, w := range doc.Webhooks {
		if _, err := newWebhookTarget(w.URL, w.Secret, w.Events); err != nil {
			return nil, fmt.Errorf("a webhook receiver of the state is unusable: %v", err)
		}
	}
	return &doc, nil
}

// restore loads a checked state into a new Server.
func (s *Server) restore(doc *stateFile) error {
	st := s.store
	st.lock()
	defer st.unlock()
	st.seq = doc.Seq
	byID := map[string]*session{}
	for _, ss := range doc.Sessions {
		sess := &session{
			seq: ss.Seq, deadline: ss.Deadline, space: ss.Space, started: ss.Started,
			view: ss.View, callbackState: ss.CallbackState, paymentOptions: ss.PaymentOptions,
			idempotencyKey: ss.IdempotencyKey,
		}
		byID[ss.View.Id] = sess
		st.byID[ss.View.Id] = sess
		sp := st.space(ss.Space)
		sp.order = append(sp.order, sess) // doc.Sessions is in seq order
		if sess.pending() {
			heap.Push(&st.deadline, sess)
		}
	}
	for _, sp := range st.spaces {
		slices.SortFunc(sp.order, func(a, b *session) int { return cmpUint(a.seq, b.seq) })
	}
	payments := map[string]*payment{}
	for _, sp := range doc.Payments {
		p := &payment{seq: sp.Seq, space: sp.Space, session: sp.Session, view: sp.View}
		payments[p.view.Id] = p
		st.payments[p.view.Id] = p
		space := st.space(p.space)
		space.payments = append(space.payments, p)
	}
	for _, sp := range st.spaces {
		slices.SortFunc(sp.payments, func(a, b *payment) int { return cmpUint(a.seq, b.seq) })
	}
	for _, ss := range doc.Sessions {
		for _, id := range ss.PaymentIDs {
			byID[ss.View.Id].payments = append(byID[ss.View.Id].payments, payments[id])
		}
	}
	for _, k := range doc.IdempotencyKeys {
		e := &idemEntry{done: make(chan struct{}), expires: k.Expires,
			stored: &storedResponse{status: k.Status, contentType: k.ContentType, body: k.Body}}
		_, _ = hex.Decode(e.fingerprint[:], []byte(k.Fingerprint)) // checked by decodeState
		close(e.done)
		st.space(k.Space).keys[k.Key] = e
	}
	d := s.webhooks
	d.mu.Lock()
	for _, w := range doc.Webhooks {
		t, err := newWebhookTarget(w.URL, w.Secret, w.Events)
		if err != nil { // checked by decodeState
			d.mu.Unlock()
			return fmt.Errorf("api: WithState: %w", err)
		}
		if !slices.ContainsFunc(d.targets, t.same) {
			d.targets = append(d.targets, t)
		}
	}
	d.records = append(d.records, doc.Deliveries...)
	d.mu.Unlock()
	return nil
}

// same reports whether two receivers are one: same URL, secret and events.
func (t webhookTarget) same(o webhookTarget) bool {
	return t.url == o.url && t.secret == o.secret && slices.Equal(t.events, o.events)
}

// StateVersion returns a number that grows whenever something SaveState
// writes changes: a session's life, a payment, an idempotency record, a
// webhook receiver, a delivery attempt, a Reset. A program that keeps the
// state in a file saves when it differs from the version it saved last.
func (s *Server) StateVersion() uint64 { return s.changes.Load() }

// Reset forgets every session, payment, idempotency record and delivery
// record, and the fault rules of InjectFault, as if the Server were new.
// The webhook receivers stay, and so does every option given to New.
// Deliveries already in flight finish and are recorded.
func (s *Server) Reset() {
	st := s.store
	st.lock()
	st.byID = make(map[string]*session)
	st.payments = make(map[string]*payment)
	st.spaces = make(map[string]*spaceState)
	st.deadline = nil
	st.changes.Add(1)
	st.unlock()
	s.ClearFaults()
	s.webhooks.mu.Lock()
	s.webhooks.records = nil
	s.webhooks.mu.Unlock()
}

// Webhook is one receiver the Server delivers events to (see AddWebhook).
type Webhook struct {
	// URL is where events are POSTed.
	URL string
	// Events are the names of the events it subscribed to.
	Events []string
}

// Webhooks returns the receivers events are delivered to, in the order
// they were added. Their secrets are left out.
func (s *Server) Webhooks() []Webhook {
	d := s.webhooks
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Webhook, len(d.targets))
	for i, t := range d.targets {
		out[i] = Webhook{URL: t.url, Events: slices.Clone(t.events)}
	}
	return out
}

// ErrDeliveryNotFound: Redeliver was given an event id and URL that no
// recorded delivery attempt has.
var ErrDeliveryNotFound = errors.New("no recorded delivery of this event to this URL")

// Redeliver sends the event eventID to url once more, with the body it was
// first sent with, signed afresh with the secret of the receiver now
// configured for url, as the resend button of Monime's dashboard does. An
// empty url means the URL of the event's latest attempt. The attempt runs
// in the background, numbered after the event's last one for that URL, and
// is recorded like any other (Deliveries, WaitForDeliveries); it is not
// retried.
//
// It returns an error wrapping ErrDeliveryNotFound when no attempt of the
// event to url was recorded, and an error when no receiver is configured
// for url any more or the Server is closed.
func (s *Server) Redeliver(eventID, url string) error {
	d := s.webhooks
	d.mu.Lock()
	defer d.mu.Unlock()
	var last *Delivery // the latest attempt of the event (to url)
	for i := range d.records {
		if r := &d.records[i]; r.EventID == eventID && (url == "" || r.URL == url) {
			last = r
		}
	}
	if last == nil {
		return fmt.Errorf("api: Redeliver(%q): %w; pick an event id and URL from Deliveries", eventID, ErrDeliveryNotFound)
	}
	n := 1
	for _, r := range d.records {
		if r.EventID == eventID && r.URL == last.URL {
			n = max(n, r.Attempt+1)
		}
	}
	i := slices.IndexFunc(d.targets, func(t webhookTarget) bool { return t.url == last.URL })
	if i < 0 {
		return fmt.Errorf("api: Redeliver(%q): no webhook receiver is configured for the URL of its deliveries any more, so there is no secret to sign with; add it again with AddWebhook", eventID)
	}
	if d.closed {
		return fmt.Errorf("api: Redeliver(%q): the Server is closed, so it delivers nothing", eventID)
	}
	target := d.targets[i]
	ev := outgoingEvent{id: last.EventID, name: last.EventName, objectID: last.ObjectID, sessionID: last.SessionID, body: bytes.Clone(last.Body)}
	d.startLocked(func() {
		rec := d.attempt(target, ev, n)
		d.record(rec)
		d.log.Info("api: webhook redelivered", "event_id", ev.id, "event", ev.name, "url", target.url, "attempt", n, "status", rec.StatusCode, "err", rec.Err)
	})
	return nil
}
