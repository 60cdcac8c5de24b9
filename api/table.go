package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// Stored is what the fake keeps with every object it stores, whatever its
// kind: its place in creation order and its space.
type Stored struct {
	// Seq numbers the objects of every kind in the order they were stored,
	// from 1. Lists run newest first by it and their cursors name it.
	Seq uint64 `json:"seq"`
	// SpaceID is the space the object belongs to.
	SpaceID string `json:"space"`
}

func (s *Stored) stored() *Stored { return s }

// Record is the constraint of Find and FindAll: T is a kind of object the
// fake stores (Session, Payment, FinancialAccount, LedgerEntry, Payout,
// InternalTransfer, PaymentCode, USSDOTP, Receipt, WebhookEndpoint), whose pointer is a row of one of its tables. Name T alone; P follows from it: api.Find[api.Session](srv, id).
type Record[T any] interface {
	*T
	row
}

// row is what a table holds: a pointer to a Record.
type row interface {
	comparable
	stored() *Stored
	recordID() string
}

// table holds the objects of one kind, of every space, by id and by space
// in creation order. It is the one store of every resource of the fake:
// insert, get, page, remove and all, plus the snapshot and the state file
// (see SaveState) through encoding/json. The store's lock guards it.
type table[R row] struct {
	name    string // the key of the table in the state file, such as "sessions"
	byID    map[string]R
	bySpace map[string][]R // by ascending Seq
	log     *changeLog     // where changed ids are noted; nil until TrackChanges
}

func newTable[R row](name string) *table[R] {
	return &table[R]{name: name, byID: make(map[string]R), bySpace: make(map[string][]R)}
}

// insert files r, whose Seq and SpaceID are set and whose Seq is higher
// than any in its space.
func (t *table[R]) insert(r R) {
	t.mark(r)
	t.byID[r.recordID()] = r
	space := r.stored().SpaceID
	t.bySpace[space] = append(t.bySpace[space], r)
}

// get returns the object id of space, or of any space when space is "".
func (t *table[R]) get(space, id string) (R, bool) {
	r, ok := t.byID[id]
	if !ok || space != "" && r.stored().SpaceID != space {
		var zero R
		return zero, false
	}
	return r, true
}

// page returns up to limit objects of space that keep accepts (nil keeps
// all), newest first, older than the one numbered after (0: from the
// newest); last is the number of the last one returned, and more says
// whether more follow.
func (t *table[R]) page(space string, limit int, after uint64, keep func(R) bool) (page []R, last uint64, more bool) {
	all := t.bySpace[space]
	i := len(all)
	if after > 0 {
		i = sort.Search(len(all), func(i int) bool { return all[i].stored().Seq >= after })
	}
	page = []R{}
	for i--; i >= 0; i-- {
		r := all[i]
		if keep != nil && !keep(r) {
			continue
		}
		if len(page) == limit {
			return page, last, true
		}
		page = append(page, r)
		last = r.stored().Seq
	}
	return page, last, false
}

// remove forgets r.
func (t *table[R]) remove(r R) {
	t.mark(r)
	delete(t.byID, r.recordID())
	space := r.stored().SpaceID
	all := t.bySpace[space]
	seq := r.stored().Seq
	i := sort.Search(len(all), func(i int) bool { return all[i].stored().Seq >= seq })
	if i < len(all) && all[i].recordID() == r.recordID() {
		t.bySpace[space] = slices.Delete(all, i, i+1)
	}
}

// all returns the objects of space, or of every space when space is "",
// oldest first.
func (t *table[R]) all(space string) []R {
	if space != "" {
		return slices.Clone(t.bySpace[space])
	}
	out := make([]R, 0, len(t.byID))
	for _, rows := range t.bySpace {
		out = append(out, rows...)
	}
	slices.SortFunc(out, func(a, b R) int { return cmpUint(a.stored().Seq, b.stored().Seq) })
	return out
}

// has reports whether the table holds the object id.
func (t *table[R]) has(id string) bool {
	_, ok := t.byID[id]
	return ok
}

// reset forgets every object.
func (t *table[R]) reset() {
	t.byID = make(map[string]R)
	t.bySpace = make(map[string][]R)
}

// save encodes every object, oldest first: the table's part of the state
// file. It runs under the store's lock.
func (t *table[R]) save() (json.RawMessage, error) {
	return json.Marshal(t.all(""))
}

// mark notes that r changed (was stored, changed or removed), for
// TakeChanges. Every change of a stored object passes here: insert and
// remove call it, and so does store.touched for changes in place.
func (t *table[R]) mark(r R) {
	if t.log != nil {
		t.log.note(t.name, r.recordID())
	}
}

// encode returns the object id as the state holds it, or nil when the
// table no longer holds it.
func (t *table[R]) encode(id string) (json.RawMessage, error) {
	r, ok := t.byID[id]
	if !ok {
		return nil, nil
	}
	return json.Marshal(r)
}

// rows encodes every object as a Row, oldest first.
func (t *table[R]) rows() ([]Row, error) {
	all := t.all("")
	out := make([]Row, len(all))
	for i, r := range all {
		data, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		out[i] = Row{Table: t.name, ID: r.recordID(), Data: data}
	}
	return out, nil
}

// track makes the table note its changes in log (nil: stop).
func (t *table[R]) track(log *changeLog) { t.log = log }

// savedTable is a table as SaveState, WithState and TakeChanges see it,
// whatever it holds.
type savedTable interface {
	tableName() string
	save() (json.RawMessage, error)
	restore(raw json.RawMessage, maxSeq uint64) error
	loadRow(rowID string, data []byte, entry int, maxSeq uint64) error
	settle()
	reset()
	encode(id string) (json.RawMessage, error)
	rows() ([]Row, error)
	track(log *changeLog)
}

func (t *table[R]) tableName() string { return t.name }

// restore replaces what the table holds by its part of a state file, after
// checking each object as loadRow does. On an error it changes nothing.
func (t *table[R]) restore(raw json.RawMessage, maxSeq uint64) error {
	var raws []json.RawMessage
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &raws); err != nil {
			return fmt.Errorf("its %s do not decode (%v)", t.name, err)
		}
	}
	loaded := newTable[R](t.name)
	for i, one := range raws {
		if err := loaded.loadRow("", one, i+1, maxSeq); err != nil {
			return err
		}
		raws[i] = nil // decoded: let it go
	}
	loaded.settle()
	*t = *loaded
	return nil
}

// loadRow decodes one object of a saved state (entry is its place in what
// is loaded, from 1; rowID the id it was kept under, if any) and files it,
// after checking that it has an id, a space and a number from 1 to maxSeq,
// and that its id is not filed already. The table is not in order until
// settle, and data may be reused once it returns.
func (t *table[R]) loadRow(rowID string, data []byte, entry int, maxSeq uint64) error {
	var r R
	if err := json.Unmarshal(data, &r); err != nil {
		id := rowID // what decoded of it, to find it by
		var null R
		if r != null && r.recordID() != "" {
			id = r.recordID()
		}
		return fmt.Errorf("%s: entry %d of the state (id %q) does not decode (%v)", t.name, entry, id, err)
	}
	var null R
	if r == null {
		return fmt.Errorf("%s: entry %d of the state is null", t.name, entry)
	}
	id, base := r.recordID(), r.stored()
	switch {
	case id == "" || base.SpaceID == "":
		return fmt.Errorf("%s: entry %d of the state has no id or space", t.name, entry)
	case t.has(id):
		return fmt.Errorf("%s: %s appears twice in the state", t.name, id)
	case base.Seq == 0 || base.Seq > maxSeq:
		return fmt.Errorf("%s: %s has sequence number %d, outside 1 to %d", t.name, id, base.Seq, maxSeq)
	}
	t.byID[id] = r
	t.bySpace[base.SpaceID] = append(t.bySpace[base.SpaceID], r)
	return nil
}

// settle puts the objects loadRow filed in creation order.
func (t *table[R]) settle() {
	for _, rows := range t.bySpace {
		slices.SortFunc(rows, func(a, b R) int { return cmpUint(a.stored().Seq, b.stored().Seq) })
	}
}

// clone gives a copy of *r memory of its own, through encoding/json, the
// way SaveState writes it: a snapshot a test may change freely.
func clone[T any](r *T) T {
	var out T
	if b, err := json.Marshal(r); err == nil {
		if err := json.Unmarshal(b, &out); err == nil {
			return out
		}
	}
	return *r // a Record always encodes; this is never reached
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
