package api

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Changes is the state SaveState writes, cut into rows, so that a program
// can keep it in a database and write only what changed: TrackChanges
// starts noting changes, TakeChanges returns those since the last call, and
// AllChanges returns the whole state; WithChanges starts a Server from it.
type Changes struct {
	// Reset says that every row kept before is gone (a Reset, or the whole
	// state in AllChanges): delete them before storing Rows.
	Reset bool
	// Seq is the number of the last object stored, of any kind.
	Seq uint64
	// Webhooks is the list of webhook receivers, with their secrets, as
	// JSON, when it changed; nil when it did not.
	Webhooks json.RawMessage
	// Rows are the rows that changed.
	Rows []Row
}

// Row is one object of the state: a session, a payment, a financial
// account, a ledger entry, a payout, an internal transfer, an idempotency
// record or a delivery attempt.
type Row struct {
	// Table is the kind of row: a table's name in the state file
	// ("sessions", "payments", "financialAccounts", "ledger", "payouts",
	// "internalTransfers", "webhookEndpoints"),
	// RowsIdempotencyKeys or RowsDeliveries.
	Table string
	// ID identifies the row within its table. For an idempotency record it
	// is the space, a NUL byte and the Idempotency-Key exactly as received,
	// which need not be UTF-8: keep it as bytes.
	ID string
	// Data is the row as JSON; nil when the row is gone.
	Data json.RawMessage
}

// The tables of Row that are not tables of objects.
const (
	RowsIdempotencyKeys = "idempotencyKeys"
	RowsDeliveries      = "deliveries"
)

// keyRow is an idempotency record as a Row holds it: its space and key are
// the row's ID.
type keyRow struct {
	Fingerprint string    `json:"fingerprint"` // hex SHA-256
	Status      int       `json:"status"`
	ContentType string    `json:"contentType"`
	Body        []byte    `json:"body"`
	Expires     time.Time `json:"expires"`
}

// changeLog notes what changed since the last TakeChanges. The store's
// lock guards reset, rows and keys; take guards the rest, which
// TakeChanges alone uses.
type changeLog struct {
	reset bool
	rows  map[string]map[string]struct{} // table -> ids
	keys  map[string]map[string]struct{} // space -> Idempotency-Keys

	take       sync.Mutex
	deliveries map[string]bool // the ids of the delivery rows handed out
	webhooks   []webhookTarget // the receivers handed out
}

func (l *changeLog) note(table, id string) {
	if l.rows[table] == nil {
		l.rows[table] = make(map[string]struct{})
	}
	l.rows[table][id] = struct{}{}
}

// restart forgets what was noted: everything is gone (a Reset).
func (l *changeLog) restart() {
	l.reset = true
	l.rows = make(map[string]map[string]struct{})
	l.keys = make(map[string]map[string]struct{})
}

// noteKey notes that the idempotency record of key in space changed or
// went. Call it with mu held.
func (st *store) noteKey(space, key string) {
	if st.log == nil {
		return
	}
	if st.log.keys[space] == nil {
		st.log.keys[space] = make(map[string]struct{})
	}
	st.log.keys[space][key] = struct{}{}
}

// TrackChanges makes the Server note every change from now on, for
// TakeChanges. The caller is taken to hold the state as it is now (it
// loaded it with WithChanges, or writes AllChanges next). Calling it again
// does nothing.
func (s *Server) TrackChanges() {
	st := s.store
	st.mu.Lock()
	if st.log != nil {
		st.mu.Unlock()
		return
	}
	st.log = &changeLog{rows: make(map[string]map[string]struct{}), keys: make(map[string]map[string]struct{})}
	for _, t := range st.tables() {
		t.track(st.log)
	}
	log := st.log
	st.mu.Unlock()
	log.take.Lock()
	defer log.take.Unlock()
	d := s.webhooks
	d.mu.Lock()
	defer d.mu.Unlock()
	log.webhooks = slices.Clone(d.targets)
	log.deliveries = make(map[string]bool, len(d.records))
	for _, r := range d.records {
		log.deliveries[deliveryRowID(r)] = true
	}
}

// TakeChanges returns what changed since the last call (or since
// TrackChanges): each changed row as it is now, or gone. Changes made while
// it runs are in this call's answer or the next one's. It returns an error
// when TrackChanges was not called.
func (s *Server) TakeChanges() (Changes, error) {
	st := s.store
	st.mu.Lock()
	log := st.log
	if log == nil {
		st.mu.Unlock()
		return Changes{}, errors.New("api: TakeChanges: call TrackChanges first")
	}
	log.take.Lock()
	defer log.take.Unlock()
	c := Changes{Reset: log.reset, Seq: st.seq}
	var err error
	for _, t := range st.tables() {
		for id := range log.rows[t.tableName()] {
			var data json.RawMessage
			if data, err = t.encode(id); err != nil {
				break
			}
			c.Rows = append(c.Rows, Row{Table: t.tableName(), ID: id, Data: data})
		}
	}
	for space, keys := range log.keys {
		for key := range keys {
			var data json.RawMessage
			if e := st.keys[space][key]; e != nil && e.stored != nil {
				data = e.row()
			}
			c.Rows = append(c.Rows, Row{Table: RowsIdempotencyKeys, ID: space + "\x00" + key, Data: data})
		}
	}
	log.reset = false
	log.rows = make(map[string]map[string]struct{})
	log.keys = make(map[string]map[string]struct{})
	st.mu.Unlock()
	if err != nil {
		return Changes{}, fmt.Errorf("api: TakeChanges: %w", err)
	}
	if c.Reset {
		log.webhooks, log.deliveries = nil, map[string]bool{}
	}
	d := s.webhooks
	d.mu.Lock()
	defer d.mu.Unlock()
	if c.Reset || !slices.EqualFunc(log.webhooks, d.targets, webhookTarget.same) {
		log.webhooks = slices.Clone(d.targets)
		c.Webhooks = d.webhooksJSON()
	}
	kept := make(map[string]bool, len(d.records))
	for _, r := range d.records {
		id := deliveryRowID(r)
		kept[id] = true
		if !log.deliveries[id] {
			c.Rows = append(c.Rows, Row{Table: RowsDeliveries, ID: id, Data: mustJSON(r)})
		}
	}
	for id := range log.deliveries {
		if !kept[id] {
			c.Rows = append(c.Rows, Row{Table: RowsDeliveries, ID: id})
		}
	}
	log.deliveries = kept
	return c, nil
}

// AllChanges returns the whole state as one Changes, with Reset set: what a
// program writes to start keeping the state anew.
func (s *Server) AllChanges() (Changes, error) {
	st := s.store
	st.mu.Lock()
	c := Changes{Reset: true, Seq: st.seq}
	var err error
	for _, t := range st.tables() {
		var rows []Row
		if rows, err = t.rows(); err != nil {
			break
		}
		c.Rows = append(c.Rows, rows...)
	}
	for space, keys := range st.keys {
		for key, e := range keys {
			if e.stored != nil {
				c.Rows = append(c.Rows, Row{Table: RowsIdempotencyKeys, ID: space + "\x00" + key, Data: e.row()})
			}
		}
	}
	st.mu.Unlock()
	if err != nil {
		return Changes{}, fmt.Errorf("api: AllChanges: %w", err)
	}
	d := s.webhooks
	d.mu.Lock()
	defer d.mu.Unlock()
	c.Webhooks = d.webhooksJSON()
	for _, r := range d.records {
		c.Rows = append(c.Rows, Row{Table: RowsDeliveries, ID: deliveryRowID(r), Data: mustJSON(r)})
	}
	return c, nil
}

// WithChanges makes New start from the state in c (Reset set, every row
// there is), as AllChanges returned it or a program assembled it from the
// rows it kept. It is checked as WithState checks a state file: a row that
// does not decode or says what the API would refuse (a status the spec does
// not define, a negative amount, a payment of a session that is not there,
// books that do not balance) fails New, naming its table and id. A program
// that reads its rows from a database passes them one by one to WithRows
// instead, without holding them all.
func WithChanges(c Changes) Option {
	return func(cfg *config) error {
		if !c.Reset {
			return errors.New("api: WithChanges: the changes are not a whole state (Reset is not set); pass what AllChanges returned")
		}
		loaded, err := loadRows(c.Seq, c.Webhooks, func(yield func(Row, error) bool) {
			for _, r := range c.Rows {
				if !yield(r, nil) {
					return
				}
			}
		})
		if err != nil {
			return fmt.Errorf("api: WithChanges: %w; fix or remove that row, or start without the state", err)
		}
		cfg.state = loaded
		return nil
	}
}

// WithRows makes New start from a whole state kept as rows: seq and
// webhooks are Changes' Seq and Webhooks, and rows yields every row there
// is, each with its Data (any order will do), or an error that stops the
// start. Each row is decoded into the object it holds as it is yielded,
// and checked then as WithChanges checks it, so the rows are never all
// held at once: a row's Data may be reused once the next is asked for.
// New fails on the first row that does not load, naming its table and id.
func WithRows(seq uint64, webhooks json.RawMessage, rows iter.Seq2[Row, error]) Option {
	return func(cfg *config) error {
		if rows == nil {
			return errors.New("api: WithRows: rows is nil; pass a function that yields every row of the state")
		}
		loaded, err := loadRows(seq, webhooks, rows)
		if err != nil {
			return fmt.Errorf("api: WithRows: %w; fix or remove that row, or start without the state", err)
		}
		cfg.state = loaded
		return nil
	}
}

// loadRows loads the rows of a whole state into a store of its own, row by
// row, and checks it as newStateStore checks a state file.
func loadRows(seq uint64, webhooks json.RawMessage, rows iter.Seq2[Row, error]) (*loadedState, error) {
	loaded := &loadedState{st: newStore(time.Now, 0, 0, nil, new(atomic.Uint64))}
	loaded.st.seq = seq
	if webhooks != nil {
		if err := strictUnmarshal(webhooks, &loaded.webhooks); err != nil {
			return nil, fmt.Errorf("the webhook receivers do not decode (%v)", err)
		}
		if err := checkWebhooks(loaded.webhooks); err != nil {
			return nil, err
		}
	}
	tables := map[string]savedTable{}
	for _, t := range loaded.st.tables() {
		tables[t.tableName()] = t
	}
	entries := map[string]int{}
	type delivery struct {
		id string
		d  Delivery
	}
	var deliveries []delivery
	var err error
	for r, rerr := range rows {
		if rerr != nil {
			return nil, rerr
		}
		entries[r.Table]++
		switch t := tables[r.Table]; {
		case r.Data == nil:
			err = fmt.Errorf("%s: %q has no data", r.Table, r.ID)
		case t != nil:
			err = t.loadRow(r.ID, r.Data, entries[r.Table], seq)
		case r.Table == RowsIdempotencyKeys:
			space, key, ok := strings.Cut(r.ID, "\x00")
			var k keyRow
			if err = strictUnmarshal(r.Data, &k); err != nil || !ok {
				err = fmt.Errorf("%s: the record of key %q does not decode (%v)", r.Table, key, err)
				break
			}
			sk := stateKey{Space: space, Key: key, keyRow: k}
			if err = sk.check(); err == nil {
				loaded.keys = append(loaded.keys, sk)
			}
		case r.Table == RowsDeliveries:
			var d Delivery
			if err = strictUnmarshal(r.Data, &d); err != nil {
				err = fmt.Errorf("%s: %q does not decode (%v)", r.Table, r.ID, err)
				break
			}
			deliveries = append(deliveries, delivery{r.ID, d})
		default:
			err = fmt.Errorf("a row of table %q, which this package does not know (a state of a later release?)", r.Table)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, t := range tables {
		t.settle()
	}
	if err := loaded.st.checkLoaded(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(deliveries, func(a, b delivery) int { return strings.Compare(a.id, b.id) }) // in the order they were made
	loaded.deliveries = make([]Delivery, len(deliveries))
	for i, d := range deliveries {
		loaded.deliveries[i] = d.d
	}
	return loaded, nil
}

// record is the entry as the state keeps it.
func (e *idemEntry) record() keyRow {
	return keyRow{Fingerprint: hex.EncodeToString(e.fingerprint[:]), Status: e.stored.status,
		ContentType: e.stored.contentType, Body: e.stored.body, Expires: e.expires}
}

// row is the record as a Row holds it.
func (e *idemEntry) row() json.RawMessage { return mustJSON(e.record()) }

// webhooksJSON is the receivers as SaveState writes them. Call it with mu
// held.
func (d *dispatcher) webhooksJSON() json.RawMessage {
	hooks := make([]stateWebhook, 0, len(d.targets))
	for _, t := range d.targets {
		hooks = append(hooks, stateWebhook{URL: t.url, Secret: t.secret, Events: t.events})
	}
	return mustJSON(hooks)
}

// deliveryRowID identifies a delivery attempt, in the order they were sent.
func deliveryRowID(r Delivery) string {
	return r.Time.UTC().Format("2006-01-02T15:04:05.000000000Z") + " " + r.EventID + " " + strconv.Itoa(r.Attempt) + " " + r.URL
}

// mustJSON encodes v, which always encodes (no channels, funcs or cycles).
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("api: " + err.Error()) // a bug of this package
	}
	return b
}
