package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/monimekit/monime-go/monime"
)

// orderStatus is where an order is, as far as the shop knows for sure.
type orderStatus string

const (
	// statusAwaiting: the customer may be paying; nothing is confirmed yet.
	statusAwaiting orderStatus = "awaiting-payment"
	// statusPaid: a verified webhook or a read from Monime says the session
	// completed.
	statusPaid orderStatus = "paid"
	// statusCancelled: the customer cancelled on the hosted page.
	statusCancelled orderStatus = "cancelled"
	// statusExpired: the session timed out unpaid.
	statusExpired orderStatus = "expired"
)

// Label is the status as the order page shows it.
func (s orderStatus) Label() string {
	switch s {
	case statusPaid:
		return "Paid"
	case statusCancelled:
		return "Cancelled"
	case statusExpired:
		return "Expired"
	}
	return "Awaiting payment"
}

// Final reports whether the status can no longer change.
func (s orderStatus) Final() bool { return s != statusAwaiting }

// statusOf maps a checkout session's status to the order's.
func statusOf(s monime.CheckoutSessionStatus) orderStatus {
	switch s {
	case monime.CheckoutSessionStatusCompleted:
		return statusPaid
	case monime.CheckoutSessionStatusCancelled:
		return statusCancelled
	case monime.CheckoutSessionStatusExpired:
		return statusExpired
	}
	return statusAwaiting
}

// order is one purchase. Orders are values: the store hands out copies.
type order struct {
	ID       string
	Quantity int
	Created  time.Time
	// SessionID and RedirectURL are the checkout session's, once created.
	SessionID   string
	RedirectURL string
	Status      orderStatus
	// OrderNumber is Monime's, set when the session completed.
	OrderNumber string
	// ConfirmedBy says what settled the status, e.g. "webhook checkout_session.completed".
	ConfirmedBy string
	ConfirmedAt time.Time
}

// Total is what the order costs.
func (o order) Total() monime.Money {
	return monime.Money{Currency: product.Price.Currency, Value: product.Price.Value * int64(o.Quantity)}
}

// maxOrders bounds the store, so that a flood of form posts cannot exhaust
// memory. A real shop keeps orders in a database.
const maxOrders = 10000

var (
	errUnknownOrder = errors.New("no such order")
	errStoreFull    = errors.New("the shop holds too many orders")
)

// orderIDPattern is what newOrderID makes; anything else in a form is refused.
var orderIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// newOrderID makes a random order id. The product page puts one in its
// form, so submitting the same form twice is the same order.
func newOrderID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// orders holds the shop's orders in memory, safe for concurrent use.
type orders struct {
	mu   sync.Mutex
	byID map[string]*order
	now  func() time.Time
}

func newOrders() *orders {
	return &orders{byID: make(map[string]*order), now: time.Now}
}

// getOrCreate returns the order id, creating it with quantity if it is new.
// An existing order keeps its quantity, so a resubmitted form repeats the
// very same checkout request.
func (s *orders) getOrCreate(id string, quantity int) (order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.byID[id]; ok {
		return *o, nil
	}
	if len(s.byID) >= maxOrders {
		return order{}, errStoreFull
	}
	o := &order{ID: id, Quantity: quantity, Created: s.now(), Status: statusAwaiting}
	s.byID[id] = o
	return *o, nil
}

// get returns a copy of the order id.
func (s *orders) get(id string) (order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byID[id]
	if !ok {
		return order{}, errUnknownOrder
	}
	return *o, nil
}

// attach records the checkout session created for the order id.
func (s *orders) attach(id string, cs *monime.CheckoutSession) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byID[id]
	if !ok {
		return errUnknownOrder
	}
	o.SessionID, o.RedirectURL = cs.ID, cs.RedirectURL
	return nil
}

// apply updates the order that the checkout session cs belongs to (by its
// reference, which is the order id) with what Monime says about it; source
// names how the shop learnt it. A final status never changes again, so a
// late or repeated event is harmless. It reports whether the order changed.
func (s *orders) apply(cs *monime.CheckoutSession, source string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byID[cs.Reference]
	if !ok {
		return false, fmt.Errorf("session %s has reference %q: %w", cs.ID, cs.Reference, errUnknownOrder)
	}
	if o.SessionID != "" && o.SessionID != cs.ID {
		return false, fmt.Errorf("session %s claims order %s, which belongs to session %s", cs.ID, o.ID, o.SessionID)
	}
	next := statusOf(cs.Status)
	if o.Status.Final() || next == statusAwaiting {
		return false, nil
	}
	o.SessionID = cs.ID
	o.Status = next
	o.OrderNumber = cs.OrderNumber
	o.ConfirmedBy = source
	o.ConfirmedAt = s.now()
	return true, nil
}
