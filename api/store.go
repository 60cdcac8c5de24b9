package api

import (
	"container/heap"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// store holds every space's objects, one table per kind, and the
// idempotency records, behind one mutex. Every change goes through within,
// which reads the clock, takes the lock, expires overdue sessions, and
// after the change hands the events it emitted to the hooks, in order.
type store struct {
	now       func() time.Time
	ttl       time.Duration
	retention time.Duration
	fees      []feeRule // WithFee's rules, applied to every payment

	payoutFees  []feeRule     // WithPayoutFee's rules, applied to every payout
	payoutDelay time.Duration // WithPayoutDelay; 0: payouts wait for a control

	mu          sync.Mutex
	seq         uint64 // the Seq of the last object stored, of any kind
	sessions    *table[*Session]
	payments    *table[*Payment]
	accounts    *table[*FinancialAccount]
	ledger      *table[*LedgerEntry]
	payouts     *table[*Payout]
	transfers   *table[*InternalTransfer]
	endpoints   *table[*WebhookEndpoint]
	home        []string                         // the spaces the credentials name, whose main accounts are there from the start
	keys        map[string]map[string]*idemEntry // space -> Idempotency-Key -> its record
	deadline    expiryHeap                       // pending sessions by expireTime, for sweeps
	payoutQueue payoutQueue                      // pending payouts by createTime, for WithPayoutDelay
	outbox      []event

	paymentCodeTables // payment codes, USSD OTPs, receipts, and their expiries

	deliver sync.Mutex // keeps hook calls in the order of the changes
	hooks   []func([]event)

	changes *atomic.Uint64 // Server.StateVersion; bumped by every change SaveState would write
	log     *changeLog     // what changed since the last TakeChanges; nil until TrackChanges
}

func newStore(now func() time.Time, ttl, retention time.Duration, fees []feeRule, changes *atomic.Uint64) *store {
	st := &store{changes: changes, now: now, ttl: ttl, retention: retention, fees: fees}
	st.resetLocked()
	return st
}

// resetLocked empties every table. Call it with mu held (or before the
// store is shared).
func (st *store) resetLocked() {
	st.sessions = newTable[*Session]("sessions")
	st.payments = newTable[*Payment]("payments")
	st.accounts = newTable[*FinancialAccount]("financialAccounts")
	st.ledger = newTable[*LedgerEntry]("ledger")
	st.payouts = newTable[*Payout]("payouts")
	st.transfers = newTable[*InternalTransfer]("internalTransfers")
	st.endpoints = newTable[*WebhookEndpoint](webhookEndpointsTb)
	st.paymentCodeTables = newPaymentCodeTables()
	st.keys = make(map[string]map[string]*idemEntry)
	st.deadline = nil
	st.payoutQueue = nil
	if st.log != nil {
		st.log.restart()
		for _, t := range st.tables() {
			t.track(st.log)
		}
	}
	st.openSpaces(st.home, st.clock())
}

// tables lists every table, in the order SaveState writes them: an object
// names only objects of the tables before it.
func (st *store) tables() []savedTable {
	return []savedTable{st.accounts, st.sessions, st.receipts, st.paymentCodes, st.payments, st.payouts, st.transfers, st.otps, st.ledger, st.endpoints}
}

// tableOf returns the table of the objects of type T.
func tableOf[T any, P Record[T]](st *store) *table[P] {
	for _, t := range st.tables() {
		if t, ok := t.(*table[P]); ok {
			return t
		}
	}
	panic("api: no table holds this kind of object") // every Record has a table
}

// clock is the store's time, in UTC at millisecond precision, as the API
// shows times.
func (st *store) clock() time.Time {
	return st.now().UTC().Truncate(time.Millisecond)
}

// within runs fn with the store locked: the one opening of every read and
// change. It reads the clock, expires the sessions whose time has come
// (and processes the payouts whose delay has passed), runs
// fn with the time, and on the way out delivers the events emitted meanwhile.
func (st *store) within(fn func(now time.Time)) {
	now := st.clock()
	st.mu.Lock()
	defer st.unlock()
	st.sweepLocked(now)
	fn(now)
}

// lookup reads the object id of space in t and returns view of it, or a
// 404 naming kind: the whole of every Get handler but its typed answers.
// The space's main account is opened first, as every request of the space
// finds it.
func lookup[R row, V any](st *store, t *table[R], kind, space, id string, view func(R) V) (V, *apiError) {
	var v V
	var ok bool
	st.within(func(now time.Time) {
		st.openSpaces([]string{space}, now)
		var r R
		if r, ok = t.get(space, id); ok {
			v = view(r)
		}
	})
	if !ok {
		return v, notFound(kind, id, space)
	}
	return v, nil
}

// next is the Seq of a new object. Call it with mu held.
func (st *store) next() uint64 {
	st.seq++
	st.changes.Add(1)
	return st.seq
}

// touched records a change SaveState would write that stores no new object:
// changed are the objects it changed in place (*Session, *Payment,
// *FinancialAccount, *LedgerEntry, *Payout, *InternalTransfer,
// *PaymentCode, *USSDOTP, *Receipt, *WebhookEndpoint), for
// TakeChanges. Call it with mu held.
func (st *store) touched(changed ...any) {
	for _, r := range changed {
		switch r := r.(type) {
		case *Session:
			st.sessions.mark(r)
		case *Payment:
			st.payments.mark(r)
		case *FinancialAccount:
			st.accounts.mark(r)
		case *LedgerEntry:
			st.ledger.mark(r)
		case *Payout:
			st.payouts.mark(r)
		case *InternalTransfer:
			st.transfers.mark(r)
		case *WebhookEndpoint:
			st.endpoints.mark(r)
		case *PaymentCode:
			st.paymentCodes.mark(r)
		case *USSDOTP:
			st.otps.mark(r)
		case *Receipt:
			st.receipts.mark(r)
		default:
			panic(fmt.Sprintf("api: touched(%T): not an object of a table", r)) // a bug of this package
		}
	}
	st.changes.Add(1)
}

// emit queues an event for the hooks; they see it once the store is
// unlocked. An event webhooks carry takes along the API webhooks it goes
// to, as they are now. Call it with mu held.
func (st *store) emit(ev event) {
	ev.endpoints = st.endpointsFor(ev)
	st.outbox = append(st.outbox, ev)
}

// unlock releases the store and hands the events queued meanwhile to the
// hooks, as one batch: the events of one change, in the order they
// happened.
func (st *store) unlock() {
	events := st.outbox
	st.outbox = nil
	if len(events) == 0 {
		st.mu.Unlock()
		return
	}
	st.deliver.Lock() // taken before mu is released, so deliveries keep commit order
	st.mu.Unlock()
	defer st.deliver.Unlock()
	for _, hook := range st.hooks {
		hook(events)
	}
}

// observe attaches a hook that sees every event, in order, one batch per
// change. Hooks run after the change is stored, outside the store's lock,
// one at a time, and hold up other changes meanwhile: they must return
// quickly and must not call back into the Server or the store (hand such
// work to a goroutine; the events carry the objects).
func (st *store) observe(hook func([]event)) {
	st.deliver.Lock()
	defer st.deliver.Unlock()
	st.hooks = append(st.hooks, hook)
}

// spaceKeys returns the idempotency records of space. Call it with mu held.
func (st *store) spaceKeys(space string) map[string]*idemEntry {
	keys := st.keys[space]
	if keys == nil {
		keys = make(map[string]*idemEntry)
		st.keys[space] = keys
	}
	return keys
}

// sweepLocked expires every pending session whose expireTime has come,
// processes the pending payouts whose WithPayoutDelay has passed, expires
// the payment codes and USSD OTPs whose expireTime has come, and
// returns how many sessions it expired. Call it with mu held.
func (st *store) sweepLocked(now time.Time) int {
	st.processDuePayoutsLocked(now)
	st.expireDueLocked(now)
	n := 0
	for len(st.deadline) > 0 {
		s := st.deadline[0]
		if !st.isPending(s) {
			heap.Pop(&st.deadline)
			continue
		}
		if now.Before(s.Deadline) {
			break
		}
		heap.Pop(&st.deadline)
		st.expire(s, now)
		n++
	}
	return n
}

// expiryHeap orders sessions by their deadline, earliest first.
type expiryHeap []*Session

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].Deadline.Before(h[j].Deadline) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(*Session)) }
func (h *expiryHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return s
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID returns prefix followed by n random characters of [0-9A-Za-z] from
// crypto/rand.
func newID(prefix string, n int) string { return prefix + randomText(idAlphabet, n) }

// randomText returns n characters of alphabet (at most 256 of them), each
// equally likely, from crypto/rand: bytes at or above the largest multiple
// of the alphabet's size are rejected, so that no character comes up more
// often than another.
func randomText(alphabet string, n int) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	var buf [32]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:]) // never fails (crypto/rand)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}
