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
	"sync/atomic"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// StateFormat and the versions identify what SaveState writes: a JSON
// object whose "format" is StateFormat and whose "version" is the version
// of its layout. A release that changes the layout writes a higher version
// and still reads the ones before.
const (
	StateFormat = "monime-fake-state"
	// StateVersion1 is the layout of the releases before financial
	// accounts: sessions, payments, idempotency records, webhooks and
	// deliveries. It still loads; its spaces start with their main accounts
	// and empty books.
	StateVersion1 = 1
	// StateVersion2 adds a key per table of the fake (financialAccounts,
	// ledger); SaveState writes it.
	StateVersion2 = 2
)

// stateFile is the JSON of SaveState and WithState: a few members of its
// own, and one member per table, named after it, holding the table's
// objects oldest first, each as it is stored (see Find).
type stateFile struct {
	Format          string
	Version         int
	Saved           time.Time
	Seq             uint64
	Tables          map[string]json.RawMessage
	IdempotencyKeys []stateKey
	Webhooks        []stateWebhook
	Deliveries      []Delivery
}

// The members of a state file that are not tables.
const (
	stateFormatKey     = "format"
	stateVersionKey    = "version"
	stateSavedKey      = "saved"
	stateSeqKey        = "seq"
	stateKeysKey       = "idempotencyKeys"
	stateWebhooksKey   = "webhooks"
	stateDeliveriesKey = "deliveries"
)

// stateKey is an idempotency record as the state file holds it: its
// space and key beside the record a Row holds.
type stateKey struct {
	Space string `json:"space"`
	Key   string `json:"key"`
	keyRow
}

type stateWebhook struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Events []string `json:"events"`
}

// SaveState writes everything the Server holds that a restart would lose,
// as one versioned JSON document (see StateFormat): every table (financial
// accounts, sessions and payouts, deleted ones left out, payments,
// internal transfers and the ledger; payment codes and USSD OTPs, deleted
// ones left out, and receipts), the
// idempotency records of
// finished creates, the webhook receivers with their secrets, and the
// delivery log. WithState reads it back. Injected faults, rate-limit
// windows and deliveries still in flight are not written. The document
// holds webhook secrets: keep it where only you can read it.
//
// It takes one consistent snapshot, so it may run while requests are
// served; it returns the writer's error, if any.
func (s *Server) SaveState(w io.Writer) error {
	st := s.store
	doc := map[string]any{stateFormatKey: StateFormat, stateVersionKey: StateVersion2, stateSavedKey: time.Now().UTC()}
	var keys []stateKey
	var err error
	st.mu.Lock() // not within: saving changes nothing, not even by the clock
	doc[stateSeqKey] = st.seq
	for _, t := range st.tables() {
		var raw json.RawMessage
		if raw, err = t.save(); err != nil {
			break
		}
		doc[t.tableName()] = raw
	}
	for space, byKey := range st.keys {
		for key, e := range byKey {
			if e.stored == nil {
				continue // still running: it settles after this snapshot
			}
			keys = append(keys, stateKey{Space: space, Key: key, keyRow: e.record()})
		}
	}
	st.mu.Unlock()
	if err != nil {
		return fmt.Errorf("api: SaveState: %w", err)
	}
	slices.SortFunc(keys, func(a, b stateKey) int {
		return strings.Compare(a.Space+"\x00"+a.Key, b.Space+"\x00"+b.Key)
	})
	doc[stateKeysKey] = keys
	d := s.webhooks
	d.mu.Lock()
	hooks := make([]stateWebhook, 0, len(d.targets))
	for _, t := range d.targets {
		hooks = append(hooks, stateWebhook{URL: t.url, Secret: t.secret, Events: t.events})
	}
	doc[stateWebhooksKey] = hooks
	doc[stateDeliveriesKey] = append([]Delivery{}, d.records...)
	d.mu.Unlock()

	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("api: SaveState: %w", err)
	}
	return nil
}

// WithState makes New start from the state SaveState wrote to r instead of
// empty; a state of an earlier release loads too (see StateVersion1).
// Webhook receivers in the state are added to those of WithWebhook,
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
		raw = nil // decoded into doc: let it go
		var loaded *loadedState
		if err == nil {
			loaded, err = newStateStore(doc) // the tables and their references, checked now
		}
		if err != nil {
			return fmt.Errorf("api: WithState: %w; pass what SaveState wrote, or start without the state", err)
		}
		c.state = loaded
		return nil
	}
}

// decodeState parses a saved state and checks its own members; its tables
// are checked as they load (see table.restore).
func decodeState(raw []byte) (*stateFile, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var members map[string]json.RawMessage
	if err := dec.Decode(&members); err != nil || members == nil {
		return nil, fmt.Errorf("the state is not a saved state (%v)", orNotAnObject(err))
	}
	if dec.More() {
		return nil, errors.New("the state has data after its JSON document (a file written twice?)")
	}
	doc := stateFile{Tables: map[string]json.RawMessage{}}
	tableNames := map[string]bool{}
	for _, t := range newStore(time.Now, 0, 0, nil, new(atomic.Uint64)).tables() {
		tableNames[t.tableName()] = true
	}
	for name, raw := range members {
		var err error
		switch name {
		case stateFormatKey:
			err = json.Unmarshal(raw, &doc.Format)
		case stateVersionKey:
			err = json.Unmarshal(raw, &doc.Version)
		case stateSavedKey:
			err = json.Unmarshal(raw, &doc.Saved)
		case stateSeqKey:
			err = json.Unmarshal(raw, &doc.Seq)
		case stateKeysKey:
			err = strictUnmarshal(raw, &doc.IdempotencyKeys)
		case stateWebhooksKey:
			err = strictUnmarshal(raw, &doc.Webhooks)
		case stateDeliveriesKey:
			err = strictUnmarshal(raw, &doc.Deliveries)
		default:
			if !tableNames[name] {
				return nil, fmt.Errorf("the state has a member %q, which this package does not know (a state of a later release?)", name)
			}
			doc.Tables[name] = raw
		}
		if err != nil {
			return nil, fmt.Errorf("the state's %s does not decode (%v)", name, err)
		}
	}
	if err := doc.check(); err != nil {
		return nil, err
	}
	return &doc, nil
}

// check checks the members of a state that are not tables.
func (doc *stateFile) check() error {
	if doc.Format != StateFormat {
		return fmt.Errorf("the state's format is %q, not %q", doc.Format, StateFormat)
	}
	if doc.Version != StateVersion1 && doc.Version != StateVersion2 {
		return fmt.Errorf("the state's version is %d; this package reads versions %d and %d", doc.Version, StateVersion1, StateVersion2)
	}
	for _, k := range doc.IdempotencyKeys {
		if err := k.check(); err != nil {
			return err
		}
	}
	return checkWebhooks(doc.Webhooks)
}

// check checks an idempotency record of a state.
func (k stateKey) check() error {
	if fp, err := hex.DecodeString(k.Fingerprint); err != nil || len(fp) != 32 || k.Key == "" || k.Space == "" {
		return fmt.Errorf("the idempotency record %q has no space, no key or a fingerprint that is not 64 hex digits", k.Key)
	}
	return nil
}

// checkWebhooks checks the webhook receivers of a state.
func checkWebhooks(hooks []stateWebhook) error {
	for _, w := range hooks {
		if _, err := newWebhookTarget(w.URL, w.Secret, w.Events); err != nil {
			return fmt.Errorf("a webhook receiver of the state is unusable: %v", err)
		}
	}
	return nil
}

// orNotAnObject is err, or, for a JSON null, the error of one.
func orNotAnObject(err error) error {
	if err == nil {
		return errors.New("it is null, not a JSON object")
	}
	return err
}

// strictUnmarshal is json.Unmarshal refusing members v does not have.
func strictUnmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// loadedState is a saved state loaded and checked, ready for New: its
// tables in a store of their own, and what is kept outside them.
type loadedState struct {
	st         *store
	keys       []stateKey
	webhooks   []stateWebhook
	deliveries []Delivery
}

// newStateStore loads the tables of doc into a store of their own and
// checks what their objects say of each other.
func newStateStore(doc *stateFile) (*loadedState, error) {
	st := newStore(time.Now, 0, 0, nil, new(atomic.Uint64))
	st.seq = doc.Seq
	for _, t := range st.tables() {
		name := t.tableName()
		err := t.restore(doc.Tables[name], doc.Seq)
		delete(doc.Tables, name) // loaded: let its JSON go
		if err != nil {
			return nil, err
		}
	}
	if err := st.checkLoaded(); err != nil {
		return nil, err
	}
	return &loadedState{st: st, keys: doc.IdempotencyKeys, webhooks: doc.Webhooks, deliveries: doc.Deliveries}, nil
}

// checkLoaded checks the objects of a loaded state, and what they say of
// each other.
func (st *store) checkLoaded() error {
	if err := st.checkObjects(); err != nil {
		return err
	}
	return st.checkReferences()
}

// checkReferences checks that every object a stored object names is stored.
func (st *store) checkReferences() error {
	if err := st.checkCodeReferences(); err != nil {
		return err
	}
	for _, p := range st.payments.all("") {
		if p.PaymentCodeID != "" {
			continue // checkCodeReferences
		}
		if s, ok := st.sessions.get(p.SpaceID, p.SessionID); !ok || !slices.Contains(s.PaymentIDs, p.Id) {
			return fmt.Errorf("payment %s paid for session %q, which the state does not hold or does not name it", p.Id, p.SessionID)
		}
	}
	for _, s := range st.sessions.all("") {
		for _, id := range s.PaymentIDs {
			if !st.payments.has(id) {
				return fmt.Errorf("session %s was paid with payment %q, which the state does not hold", s.Id, id)
			}
		}
	}
	for _, p := range st.payouts.all("") {
		if _, ok := st.accounts.get(p.SpaceID, p.Source.FinancialAccountId); !ok {
			return fmt.Errorf("payout %s is paid from financial account %q, which the state does not hold in its space", p.Id, p.Source.FinancialAccountId)
		}
	}
	for _, t := range st.transfers.all("") {
		for _, id := range []string{t.SourceFinancialAccount.Id, t.DestinationFinancialAccount.Id} {
			if _, ok := st.accounts.get(t.SpaceID, id); !ok {
				return fmt.Errorf("internal transfer %s moves money of financial account %q, which the state does not hold in its space", t.Id, id)
			}
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	// A state is checked in a store of its own, which never hands events
	// on; CheckBooks's rules are the books' references.
	return st.checkBooksLocked()
}

// restore loads a checked state into a new Server.
func (s *Server) restore(loaded *loadedState) error {
	st := s.store
	st.mu.Lock()
	st.seq = loaded.st.seq
	st.sessions, st.payments, st.accounts, st.ledger = loaded.st.sessions, loaded.st.payments, loaded.st.accounts, loaded.st.ledger
	st.payouts, st.transfers = loaded.st.payouts, loaded.st.transfers
	st.endpoints = loaded.st.endpoints
	st.paymentCodeTables = loaded.st.paymentCodeTables
	st.requeue()
	st.issueMissingReceipts(st.clock())
	for _, p := range st.payouts.all("") {
		if p.Status == gen.PayoutStatusPending {
			st.queuePayout(p)
		}
	}
	for _, sess := range st.sessions.all("") {
		if sess.Status == gen.CheckoutSessionStatusPending {
			heap.Push(&st.deadline, sess)
		}
	}
	for _, k := range loaded.keys {
		e := &idemEntry{done: make(chan struct{}), expires: k.Expires,
			stored: &storedResponse{status: k.Status, contentType: k.ContentType, body: k.Body}}
		_, _ = hex.Decode(e.fingerprint[:], []byte(k.Fingerprint)) // checked when loaded
		close(e.done)
		st.spaceKeys(k.Space)[k.Key] = e
	}
	st.mu.Unlock()
	d := s.webhooks
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, w := range loaded.webhooks {
		t, err := newWebhookTarget(w.URL, w.Secret, w.Events)
		if err != nil { // checked when loaded
			return fmt.Errorf("api: WithState: %w", err)
		}
		if !slices.ContainsFunc(d.targets, t.same) {
			d.targets = append(d.targets, t)
		}
	}
	d.appendLocked(loaded.deliveries...)
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

// Reset forgets every session, payment, financial account, ledger entry,
// payout, internal transfer, idempotency record and delivery record, and the fault rules of
// InjectFault, as if the Server were new: the main accounts reopen empty.
// The webhook receivers of WithWebhook and AddWebhook stay, and so does
// every option given to New; webhooks created through the API are
// forgotten with the other objects.
// Deliveries already in flight finish and are recorded.
func (s *Server) Reset() {
	st := s.store
	st.mu.Lock()
	st.resetLocked()
	st.touched()
	st.unlock()
	s.ClearFaults()
	s.webhooks.mu.Lock()
	s.webhooks.records = nil
	s.webhooks.mu.Unlock()
}

// Webhook is one receiver the Server delivers events to: one configured by
// WithWebhook or AddWebhook (ID empty), or one created through the API,
// POST /v1/webhooks (ID whk-..., see WebhookEndpoint).
type Webhook struct {
	// URL is where events are POSTed.
	URL string
	// Events are the names of the events it subscribed to.
	Events []string
	// Secret is what its events are signed with: a local test secret,
	// which the fake's dashboard shows.
	Secret string
	// ID is the id of a webhook created through the API, whk-...; it is
	// empty for a receiver of WithWebhook or AddWebhook, which
	// RemoveWebhook removes (an API webhook is deleted through the API).
	ID string
	// SpaceID is the space of a webhook created through the API, whose
	// events alone it gets; empty for the others, which get every space's.
	SpaceID string
	// Name is the name of a webhook created through the API.
	Name string
	// Disabled is true for a webhook created through the API and disabled
	// (enabled false), which gets no events meanwhile; never for the others.
	Disabled bool
	// Headers are the headers a webhook created through the API adds to
	// each delivery.
	Headers map[string]string
}

// Webhooks returns the receivers events are delivered to: those of
// WithWebhook and AddWebhook in the order they were added, then the
// webhooks created through the API, in every space, oldest first (the
// disabled ones too, marked Disabled).
func (s *Server) Webhooks() []Webhook {
	d := s.webhooks
	d.mu.Lock()
	out := make([]Webhook, len(d.targets))
	for i, t := range d.targets {
		out[i] = Webhook{URL: t.url, Events: slices.Clone(t.events), Secret: t.secret}
	}
	d.mu.Unlock()
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, w := range st.endpoints.all("") {
		t := w.target()
		out = append(out, Webhook{URL: t.url, Events: t.events, Secret: t.secret, ID: w.Id, SpaceID: w.SpaceID,
			Name: w.Name, Disabled: !w.Enabled, Headers: t.headers})
	}
	return out
}

// ErrDeliveryNotFound: Redeliver was given an event id and URL that no
// recorded delivery attempt has.
var ErrDeliveryNotFound = errors.New("no recorded delivery of this event to this URL")

// Redeliver sends the event eventID to url once more, with the body it was
// first sent with, signed afresh with the secret of the receiver now
// configured for url (one of WithWebhook or AddWebhook first, else an
// enabled webhook created through the API, with its headers), as the
// resend button of Monime's dashboard does. An
// empty url means the URL of the event's latest attempt. The attempt runs
// in the background, numbered after the event's last one for that URL, and
// is recorded like any other (Deliveries, WaitForDeliveries); it is not
// retried.
//
// It returns an error wrapping ErrDeliveryNotFound when no attempt of the
// event to url was recorded, and an error when no receiver is configured
// for url any more or the Server is closed.
func (s *Server) Redeliver(eventID, url string) error {
	endpoints := s.endpointTargets() // before d.mu: the store's lock is never taken under it
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
	targets := append(slices.Clone(d.targets), endpoints...) // an enabled API webhook may take it too
	i := slices.IndexFunc(targets, func(t webhookTarget) bool { return t.url == last.URL })
	if i < 0 {
		return fmt.Errorf("api: Redeliver(%q): no webhook receiver is configured for the URL of its deliveries any more, so there is no secret to sign with; add it again (%s)", eventID, s.cfg.label("add a webhook", "AddWebhook"))
	}
	if d.closed {
		return fmt.Errorf("api: Redeliver(%q): the Server is closed, so it delivers nothing", eventID)
	}
	target := targets[i]
	ev := outgoingEvent{id: last.EventID, name: last.EventName, objectID: last.ObjectID, sessionID: last.SessionID, body: bytes.Clone(last.Body)}
	d.startLocked(func() {
		rec := d.attempt(target, ev, n)
		d.record(rec)
		d.log.Info("api: webhook redelivered", "event_id", ev.id, "event", ev.name, "url", target.url, "attempt", n, "status", rec.StatusCode, "err", rec.Err)
	})
	return nil
}
