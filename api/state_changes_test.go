package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// mirror keeps the rows TakeChanges hands out, as a database would.
type mirror struct {
	seq      uint64
	webhooks json.RawMessage
	rows     map[[2]string]json.RawMessage
}

func (m *mirror) apply(t *testing.T, c Changes) {
	t.Helper()
	if c.Reset || m.rows == nil {
		m.rows = map[[2]string]json.RawMessage{}
	}
	m.seq = c.Seq
	if c.Webhooks != nil {
		m.webhooks = c.Webhooks
	}
	for _, r := range c.Rows {
		if r.Data == nil {
			delete(m.rows, [2]string{r.Table, r.ID})
		} else {
			m.rows[[2]string{r.Table, r.ID}] = r.Data
		}
	}
}

func (m *mirror) take(t *testing.T, srv *Server) {
	t.Helper()
	c, err := srv.TakeChanges()
	require.NoError(t, err)
	m.apply(t, c)
}

func (m *mirror) changes() Changes {
	c := Changes{Reset: true, Seq: m.seq, Webhooks: m.webhooks}
	for k, data := range m.rows {
		c.Rows = append(c.Rows, Row{Table: k[0], ID: k[1], Data: data})
	}
	return c
}

// saved is SaveState's document without its time.
func saved(t *testing.T, srv *Server) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, srv.SaveState(&buf))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	delete(doc, stateSavedKey)
	return doc
}

// Rows taken after every change, applied in order, are the whole state:
// what AllChanges returns and what a Server started from them holds.
func TestTakenChangesRebuildTheState(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhookRetry(1, 0), WithWebhook(rc.URL, testSecret))
	_, err := f.srv.TakeChanges()
	require.ErrorContains(t, err, "call TrackChanges first")
	f.srv.TrackChanges()
	var m mirror
	all, err := f.srv.AllChanges()
	require.NoError(t, err)
	m.apply(t, all)

	key := "order-7"
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: &key}).status)
	m.take(t, f.srv)
	paid := f.create(minimalBody)
	require.NoError(t, f.srv.CompleteWith(paid.Id, gen.PaymentChannelTypeCard, "visa"))
	f.waitDeliveries()
	m.take(t, f.srv)
	payment := FindAll[Payment](f.srv, DefaultSpaceID)[0]
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodPatch, path: "/v1/payments/" + payment.Id, body: `{"name":"renamed"}`}).status)
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodPatch, path: "/v1/financial-accounts/" + MainAccountID(DefaultSpaceID), body: `{"name":"Till"}`}).status)
	cancelled := f.create(minimalBody)
	require.NoError(t, f.srv.Cancel(cancelled.Id))
	f.waitDeliveries() // recorded before the expiry's, in the order of their times
	deleted := f.create(minimalBody)
	m.take(t, f.srv)
	require.Equal(t, http.StatusOK, f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + deleted.Id}).status)
	f.clock.Advance(DefaultSessionTTL + 1)
	f.srv.Sweep()
	f.waitDeliveries()
	m.take(t, f.srv)

	assert.NotContains(t, m.rows, [2]string{"sessions", deleted.Id}, "a deleted session's row goes")
	rebuilt := mustNew(t, WithChanges(m.changes()), WithClock(f.clock.Now))
	t.Cleanup(rebuilt.Close)
	assert.Equal(t, saved(t, f.srv), saved(t, rebuilt))

	// The same rows yielded one by one, in reverse, each in the buffer of
	// the one before (as a database driver reuses it), rebuild it too.
	c := m.changes()
	var buf []byte
	streamed := mustNew(t, WithRows(c.Seq, c.Webhooks, func(yield func(Row, error) bool) {
		for i := len(c.Rows) - 1; i >= 0; i-- {
			r := c.Rows[i]
			buf = append(buf[:0], r.Data...)
			r.Data = buf
			if !yield(r, nil) {
				return
			}
		}
	}), WithClock(f.clock.Now))
	t.Cleanup(streamed.Close)
	assert.Equal(t, saved(t, f.srv), saved(t, streamed))

	f.srv.Reset()
	s := f.create(minimalBody)
	m.take(t, f.srv)
	all, err = f.srv.AllChanges()
	require.NoError(t, err)
	var fresh mirror
	fresh.apply(t, all)
	assert.Equal(t, fresh.rows, m.rows, "after a Reset, the rows are the new state's only")
	assert.Contains(t, m.rows, [2]string{"sessions", s.Id})
	assert.JSONEq(t, string(fresh.webhooks), string(m.webhooks), "the receivers stay")
}

// An Idempotency-Key that is not UTF-8 keeps its bytes through the rows:
// two such keys stay two, and each replays its own session.
func TestIdempotencyKeysKeepTheirBytesThroughRows(t *testing.T) {
	f := newFixture(t)
	f.srv.TrackChanges()
	keys := []string{"order-\xff", "order-\xfe"}
	var ids []string
	for _, k := range keys {
		ids = append(ids, f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: &k}).session(t).Id)
	}
	require.NotEqual(t, ids[0], ids[1])
	var m mirror
	m.take(t, f.srv)
	g := newFixture(t, WithChanges(m.changes()))
	for i, k := range keys {
		replay := g.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, key: &k})
		assert.Equal(t, "irc", replay.header.Get("Monime-Cache"))
		assert.Equal(t, ids[i], replay.session(t).Id, "key %q", k)
	}
}

// A row that says what the API would refuse stops New, naming its table
// and id.
func TestWithChangesRefusesRowsTheAPIWouldRefuse(t *testing.T) {
	f := newFixture(t)
	f.srv.TrackChanges()
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	all, err := f.srv.AllChanges()
	require.NoError(t, err)
	edit := func(table, id, old, new string) Changes {
		c := all
		c.Rows = append([]Row(nil), all.Rows...)
		for i, r := range c.Rows {
			if r.Table == table && r.ID == id {
				require.Contains(t, string(r.Data), old)
				c.Rows[i].Data = []byte(strings.Replace(string(r.Data), old, new, 1))
			}
		}
		return c
	}
	payment := FindAll[Payment](f.srv, DefaultSpaceID)[0].Id
	for _, tc := range []struct {
		name string
		c    Changes
		want string
	}{
		{"a status not in the spec", edit("sessions", s.Id, `"status":"completed"`, `"status":"pendinx"`), `sessions: ` + s.Id + ` has status "pendinx"`},
		{"a negative price", edit("sessions", s.Id, `"value":15000`, `"value":-9000`), `sessions: ` + s.Id + ` has line item 1 priced -9000`},
		{"a status that is not a string", edit("sessions", s.Id, `"status":"completed"`, `"status":5`), `sessions: entry 1 of the state (id "` + s.Id + `") does not decode`},
		{"a negative payment", edit("payments", payment, `"value":15000`, `"value":-9000`), `payments: ` + payment + ` has an amount of SLE -9000`},
		{"an unknown table", func() Changes {
			c := all
			c.Rows = append(c.Rows[:len(c.Rows):len(c.Rows)], Row{Table: "refunds", ID: "x", Data: []byte("{}")})
			return c
		}(), `table "refunds"`},
		{"not a whole state", func() Changes { c := all; c.Reset = false; return c }(), "not a whole state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(WithChanges(tc.c))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "api: WithChanges: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err = New(WithChanges(all))
	assert.NoError(t, err, "the unedited rows load")
}

// A reader of rows that fails stops New with its error, and so does a row
// that does not load after the rows before it loaded.
func TestWithRowsStopsAtTheFirstProblem(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	all, err := f.srv.AllChanges()
	require.NoError(t, err)
	yieldThen := func(last Row, lastErr error) func(func(Row, error) bool) {
		return func(yield func(Row, error) bool) {
			for _, r := range all.Rows {
				if !yield(r, nil) {
					return
				}
			}
			yield(last, lastErr)
		}
	}
	_, err = New(WithRows(all.Seq, all.Webhooks, yieldThen(Row{}, errors.New("disk on fire"))))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "api: WithRows: disk on fire")

	i := slices.IndexFunc(all.Rows, func(r Row) bool { return r.Table == "sessions" && r.ID == s.Id })
	require.GreaterOrEqual(t, i, 0)
	_, err = New(WithRows(all.Seq, all.Webhooks, yieldThen(all.Rows[i], nil)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sessions: "+s.Id+" appears twice in the state")

	_, err = New(WithRows(all.Seq, all.Webhooks, nil))
	assert.ErrorContains(t, err, "rows is nil")
}
