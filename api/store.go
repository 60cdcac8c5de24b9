package api

import (
	"container/heap"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// HostedPagePath is the path of the fake's hosted checkout pages: a
// session's redirectUrl is <base>/checkout/<id>. The Server answers there,
// without credentials, as Monime's page would:
//
//	GET  /checkout/{id}         the page: name, line items, totals per currency, the methods
//	                            and providers paymentOptions allow, Pay and Cancel (while
//	                            pending); once paid, what was paid and how. Opening a
//	                            pending session starts it (see Server.Start)
//	POST /checkout/{id}/pay     pays the session (Server.CompleteWith), then 303 to
//	                            successUrl (else the page)
//	POST /checkout/{id}/cancel  cancels it, then 303 to cancelUrl (else the page)
//
// The page offers mobile money first, then card, bank and wallet, each with
// its providers (a card's are its schemes), the first of each preselected.
// Its Pay form sends method=<momo|card|bank|wallet> and
// provider-<method>=<provider>; a script may send provider=<provider>
// instead, or leave either out for the preselected choice.
//
// Pay with a method or provider the session does not offer answers 400; Pay
// on a session whose items cannot be paid (ErrSessionNotPayable), and Pay or
// Cancel on one that is no longer pending, 409; an unknown id 404; all as
// HTML. Faults, rate limits and RequestCount apply to the API only.
const HostedPagePath = "/checkout/"

// Errors of the lifecycle controls (Complete, CompleteWith, Cancel, Expire,
// Start). They come wrapped with the call and the id; test for them with
// errors.Is.
var (
	// ErrSessionNotFound: the fake holds no session with this id (never
	// created, or deleted).
	ErrSessionNotFound = errors.New("no such checkout session (never created, or deleted)")
	// ErrSessionFinal: the session is already completed, cancelled or
	// expired, so its status can no longer change.
	ErrSessionFinal = errors.New("checkout session is already final")
)

// Session is a snapshot of one stored checkout session: what the read API
// returns for it now, plus what that API hides and what only the fake knows.
// Changing a snapshot changes nothing in the Server.
type Session struct {
	// CheckoutSession is exactly what GetCheckoutSession answers now.
	gen.CheckoutSession
	// SpaceID is the space the session was created in.
	SpaceID string
	// CallbackState is the create field Monime echoes in callbacks only.
	CallbackState *string
	// PaymentOptions is the create field the hosted page obeys; reads never
	// return it.
	PaymentOptions *gen.PaymentOptions
	// IdempotencyKey is the key the session was created with.
	IdempotencyKey string
	// Started reports whether the customer has opened the checkout (see
	// Server.Start); a started session can no longer be deleted.
	Started bool
	// PaymentIDs are the payments a completed session was paid with (see
	// Server.Payment): one per currency its line items total more than zero
	// in, in the order the currencies first appear; none before it is
	// completed.
	PaymentIDs []string
}

// transition names a change in a session's life.
type transition string

const (
	transitionCreated   transition = "created"
	transitionStarted   transition = "started"
	transitionCompleted transition = "completed"
	transitionCancelled transition = "cancelled"
	transitionExpired   transition = "expired"
	transitionDeleted   transition = "deleted"
)

// lifecycleEvent is one change in a session's life, as hooks see it. Its
// Session and payments share memory with the store: hooks must treat them
// as read-only.
type lifecycleEvent struct {
	kind    transition
	at      time.Time
	session Session
	// payments are those a completion recorded, as reads show them then.
	payments []gen.Payment
}

// session is the stored state of one checkout session.
type session struct {
	seq      uint64    // creation order, for newest-first lists and cursors
	deadline time.Time // when it expires by itself; the expiry heap's key, never changed
	space    string
	deleted  bool
	started  bool
	// view is what reads return. Its nested values are never changed after
	// create; transitions replace Status, OrderNumber and ExpireTime, so a
	// shallow copy taken under the lock can be encoded without it.
	view           gen.CheckoutSession
	callbackState  *string
	paymentOptions *gen.PaymentOptions
	idempotencyKey string
	payments       []*payment // set by pay just before the session completes
}

func (s *session) pending() bool {
	return !s.deleted && s.view.Status == gen.CheckoutSessionStatusPending
}

func (s *session) snapshot() Session {
	snap := Session{
		CheckoutSession: s.view,
		SpaceID:         s.space,
		CallbackState:   s.callbackState,
		PaymentOptions:  s.paymentOptions,
		IdempotencyKey:  s.idempotencyKey,
		Started:         s.started,
	}
	for _, p := range s.payments {
		snap.PaymentIDs = append(snap.PaymentIDs, p.view.Id)
	}
	return snap
}

// spaceState is what one space holds.
type spaceState struct {
	order    []*session            // by ascending seq; deleted sessions are removed
	keys     map[string]*idemEntry // Idempotency-Key -> its record
	payments []*payment            // by ascending seq
}

// store holds every space's sessions and idempotency records behind one
// mutex. Every change of a session's life goes through transition, which
// queues a lifecycleEvent; unlock hands the queue to the hooks in order.
type store struct {
	now       func() time.Time
	ttl       time.Duration
	retention time.Duration
	fees      []feeRule // WithFee's rules, applied to every payment

	mu       sync.Mutex
	seq      uint64
	byID     map[string]*session
	payments map[string]*payment
	spaces   map[string]*spaceState
	deadline expiryHeap // pending sessions by expireTime, for sweeps
	outbox   []lifecycleEvent

	deliver sync.Mutex // keeps hook calls in the order of the changes
	hooks   []func(lifecycleEvent)

	changes *atomic.Uint64 // Server.StateVersion; bumped by every change SaveState would write
}

func newStore(now func() time.Time, ttl, retention time.Duration, fees []feeRule, changes *atomic.Uint64) *store {
	return &store{
		changes:   changes,
		now:       now,
		ttl:       ttl,
		retention: retention,
		fees:      fees,
		byID:      make(map[string]*session),
		payments:  make(map[string]*payment),
		spaces:    make(map[string]*spaceState),
	}
}

// clock is the store's time, in UTC at millisecond precision, as the API
// shows times.
func (st *store) clock() time.Time {
	return st.now().UTC().Truncate(time.Millisecond)
}

func (st *store) lock() { st.mu.Lock() }

// unlock releases the store and delivers the events queued meanwhile.
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
	for _, ev := range events {
		for _, hook := range st.hooks {
			hook(ev)
		}
	}
}

// onTransition attaches a hook that sees every lifecycle change, in order.
// Hooks run after the change is stored, outside the store's lock, one at a
// time, and hold up other changes meanwhile: they must return quickly and
// must not call back into the Server or the store (hand such work to a
// goroutine; the event carries the session).
func (st *store) onTransition(hook func(lifecycleEvent)) {
	st.deliver.Lock()
	defer st.deliver.Unlock()
	st.hooks = append(st.hooks, hook)
}

// transition is the one place where a session's life changes: create,
// start, complete, cancel, expire and delete all come through here, so a
// hook attached with onTransition sees each of them. A completion files the
// payments pay set on s, with the session's new order number. Call it with
// mu held.
func (st *store) transition(s *session, kind transition, now time.Time) {
	st.changes.Add(1)
	switch kind {
	case transitionCreated:
		st.seq++
		s.seq = st.seq
		st.byID[s.view.Id] = s
		sp := st.space(s.space)
		sp.order = append(sp.order, s)
		heap.Push(&st.deadline, s)
	case transitionStarted:
		s.started = true
	case transitionCompleted:
		s.view.Status = gen.CheckoutSessionStatusCompleted
		order := newID("ord-", 12)
		s.view.OrderNumber = &order
		for _, p := range s.payments {
			st.storePayment(p, s.view.OrderNumber)
		}
	case transitionCancelled:
		s.view.Status = gen.CheckoutSessionStatusCancelled
	case transitionExpired:
		s.view.Status = gen.CheckoutSessionStatusExpired
		if now.Before(s.view.ExpireTime) { // expired early, by Server.Expire
			s.view.ExpireTime = now
		}
	case transitionDeleted:
		s.deleted = true
		delete(st.byID, s.view.Id)
		sp := st.space(s.space)
		i := sort.Search(len(sp.order), func(i int) bool { return sp.order[i].seq >= s.seq })
		if i < len(sp.order) && sp.order[i] == s {
			sp.order = append(sp.order[:i], sp.order[i+1:]...)
		}
	}
	ev := lifecycleEvent{kind: kind, at: now, session: s.snapshot()}
	if kind == transitionCompleted {
		for _, p := range s.payments {
			ev.payments = append(ev.payments, p.view)
		}
	}
	st.outbox = append(st.outbox, ev)
}

func (st *store) space(id string) *spaceState {
	sp := st.spaces[id]
	if sp == nil {
		sp = &spaceState{keys: make(map[string]*idemEntry)}
		st.spaces[id] = sp
	}
	return sp
}

// sweepLocked expires every pending session whose expireTime has come and
// returns how many it expired. Call it with mu held.
func (st *store) sweepLocked(now time.Time) int {
	n := 0
	for len(st.deadline) > 0 {
		s := st.deadline[0]
		if !s.pending() {
			heap.Pop(&st.deadline)
			continue
		}
		if now.Before(s.deadline) {
			break
		}
		heap.Pop(&st.deadline)
		st.transition(s, transitionExpired, now)
		n++
	}
	return n
}

// create stores a new pending session built from a validated create body.
func (st *store) create(space, idempotencyKey string, body *gen.CreateCheckoutSessionRequest, hostedBase string) gen.CheckoutSession {
	now := st.clock()
	id := newID("scs-", 14)
	owner := "space"
	items := make([]gen.LineItem, len(body.LineItems))
	for i, in := range body.LineItems {
		itemID := newID("sli-", 10)
		kind := gen.LineItemTypeCustom
		if in.Type != nil {
			kind = *in.Type
		}
		quantity := 1
		if in.Quantity != nil {
			quantity = *in.Quantity
		}
		reference := in.Reference
		if reference == nil { // "If not provided, a unique identifier will be generated."
			generated := newID("ref-", 10)
			reference = &generated
		}
		items[i] = gen.LineItem{
			Type:        kind,
			Id:          &itemID,
			Name:        in.Name,
			Price:       in.Price,
			Quantity:    quantity,
			Reference:   reference,
			Description: in.Description,
			Images:      in.Images,
		}
	}
	var metadata *map[string]any
	if body.Metadata != nil {
		m := make(map[string]any, len(*body.Metadata))
		for k, v := range *body.Metadata {
			m[k] = v
		}
		metadata = &m
	}
	account := body.FinancialAccountId
	if account == nil { // "Defaults to the main account if omitted."
		main := MainAccountID(space)
		account = &main
	}
	s := &session{
		space:    space,
		deadline: now.Add(st.ttl),
		view: gen.CheckoutSession{
			Id:                 id,
			Name:               body.Name,
			Status:             gen.CheckoutSessionStatusPending,
			Reference:          body.Reference,
			Description:        body.Description,
			RedirectUrl:        hostedBase + HostedPagePath + id,
			CancelUrl:          body.CancelUrl,
			SuccessUrl:         body.SuccessUrl,
			LineItems:          gen.LineItemList{Data: items},
			FinancialAccountId: account,
			BrandingOptions:    body.BrandingOptions,
			CreateTime:         now,
			ExpireTime:         now.Add(st.ttl), // the same as deadline
			OwnershipGraph:     &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &space, Type: &owner}},
			Metadata:           metadata,
		},
		callbackState:  body.CallbackState,
		paymentOptions: body.PaymentOptions,
		idempotencyKey: idempotencyKey,
	}
	st.lock()
	defer st.unlock()
	st.sweepLocked(now)
	st.transition(s, transitionCreated, now)
	return s.view
}

// get returns what a read of session id in space answers.
func (st *store) get(space, id string) (gen.CheckoutSession, bool) {
	now := st.clock()
	st.lock()
	defer st.unlock()
	st.sweepLocked(now)
	s := st.byID[id]
	if s == nil || s.space != space {
		return gen.CheckoutSession{}, false
	}
	return s.view, true
}

// list returns up to limit sessions of space, newest first, older than the
// session numbered after (0: from the newest), and whether more follow.
func (st *store) list(space string, limit int, after uint64) (page []gen.CheckoutSession, last uint64, more bool) {
	now := st.clock()
	st.lock()
	defer st.unlock()
	st.sweepLocked(now)
	sp := st.spaces[space]
	if sp == nil {
		return []gen.CheckoutSession{}, 0, false
	}
	end := len(sp.order) // sp.order[:end] holds the sessions older than the cursor
	if after > 0 {
		end = sort.Search(len(sp.order), func(i int) bool { return sp.order[i].seq >= after })
	}
	start := max(end-limit, 0)
	page = make([]gen.CheckoutSession, 0, end-start)
	for i := end - 1; i >= start; i-- {
		page = append(page, sp.order[i].view)
	}
	if start < end {
		last = sp.order[start].seq
	}
	return page, last, start > 0
}

// errNotDeletable explains why a session cannot be deleted.
type errNotDeletable struct{ reason string }

func (e *errNotDeletable) Error() string { return e.reason }

// remove deletes a pending session the customer has not started.
func (st *store) remove(space, id string) error {
	now := st.clock()
	st.lock()
	defer st.unlock()
	st.sweepLocked(now)
	s := st.byID[id]
	if s == nil || s.space != space {
		return ErrSessionNotFound
	}
	if !s.pending() {
		return &errNotDeletable{fmt.Sprintf("checkout session %s is %s; only a pending session the customer has not started can be deleted", id, s.view.Status)}
	}
	if s.started {
		return &errNotDeletable{fmt.Sprintf("the customer has started checkout session %s; it can no longer be deleted (it will complete, be cancelled or expire)", id)}
	}
	st.transition(s, transitionDeleted, now)
	return nil
}

// control applies a lifecycle control (Cancel, Expire or Start; pay
// completes) to the session id in any space.
func (st *store) control(call, id string, kind transition) error {
	now := st.clock()
	st.lock()
	defer st.unlock()
	st.sweepLocked(now)
	s := st.byID[id]
	if s == nil {
		return fmt.Errorf("api: %s(%q): %w", call, id, ErrSessionNotFound)
	}
	if !s.pending() {
		return fmt.Errorf("api: %s(%q): %w: it is %s, and only a pending session can change", call, id, ErrSessionFinal, s.view.Status)
	}
	if kind == transitionStarted && s.started {
		return nil
	}
	st.transition(s, kind, now)
	return nil
}

// sessions returns deep copies of the sessions of space, oldest first.
func (st *store) sessions(space string) []Session {
	now := st.clock()
	st.lock()
	var out []Session
	st.sweepLocked(now)
	if sp := st.spaces[space]; sp != nil {
		out = make([]Session, len(sp.order))
		for i, s := range sp.order {
			out[i] = s.snapshot()
		}
	}
	st.unlock()
	for i := range out {
		out[i] = deepCopy(out[i])
	}
	return out
}

// session returns a deep copy of the session id, in any space.
func (st *store) session(id string) (Session, bool) {
	now := st.clock()
	st.lock()
	st.sweepLocked(now)
	s := st.byID[id]
	var snap Session
	if s != nil {
		snap = s.snapshot()
	}
	st.unlock()
	if s == nil {
		return Session{}, false
	}
	return deepCopy(snap), true
}

// deepCopy gives a snapshot memory of its own, so a test that changes it
// cannot change the store.
func deepCopy(s Session) Session {
	b, err := json.Marshal(s.CheckoutSession)
	if err == nil {
		var view gen.CheckoutSession
		if err = json.Unmarshal(b, &view); err == nil {
			s.CheckoutSession = view
		}
	}
	if s.PaymentOptions != nil {
		if b, err := json.Marshal(s.PaymentOptions); err == nil {
			var po gen.PaymentOptions
			if json.Unmarshal(b, &po) == nil {
				s.PaymentOptions = &po
			}
		}
	}
	if s.CallbackState != nil {
		cs := *s.CallbackState
		s.CallbackState = &cs
	}
	s.PaymentIDs = slices.Clone(s.PaymentIDs)
	return s
}

// expiryHeap orders sessions by expireTime, earliest first.
type expiryHeap []*session

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].deadline.Before(h[j].deadline) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(*session)) }
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
func newID(prefix string, n int) string {
	out := make([]byte, 0, len(prefix)+n)
	out = append(out, prefix...)
	var buf [32]byte
	for len(out) < len(prefix)+n {
		_, _ = rand.Read(buf[:]) // never fails (crypto/rand)
		for _, b := range buf {
			// 248 = 4*62: rejecting larger bytes keeps every character equally likely.
			if b < 248 && len(out) < len(prefix)+n {
				out = append(out, idAlphabet[b%62])
			}
		}
	}
	return string(out)
}
