package main

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
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

// order is one purchase, as the store keeps it.
type order struct {
	// ID is the order's key, from the product page's form: random and
	// long, so that its page's URL cannot be guessed.
	ID string
	// Number is what the customer quotes: six characters that read well
	// on the phone (see newOrderNumber), unique among the orders kept.
	Number   string
	Quantity int
	Created  time.Time
	// ExpiresAt is when the order's checkout session expires; until a
	// session exists, an hour after Created. An order still unpaid then
	// is marked expired, and removed a day later.
	ExpiresAt time.Time
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

// orderNumberAlphabet are the characters of an order number: digits and
// capital letters, less those that read or sound like another (0 and O;
// 1, I and L) and U.
const orderNumberAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// orderNumberLength is how many characters an order number has: 30⁶,
// about 729 million, numbers.
const orderNumberLength = 6

// newOrderNumber makes a random order number, such as K7MQ4P. The store
// makes sure that no two orders have the same one.
func newOrderNumber() string {
	const n = len(orderNumberAlphabet)
	out := make([]byte, 0, orderNumberLength)
	var buf [16]byte
	for len(out) < orderNumberLength {
		_, _ = rand.Read(buf[:]) // never fails (crypto/rand)
		for _, b := range buf {
			// Only bytes below the largest multiple of n, so that every
			// character is as likely as any other.
			if int(b) < 256/n*n && len(out) < orderNumberLength {
				out = append(out, orderNumberAlphabet[int(b)%n])
			}
		}
	}
	return string(out)
}

// orderIDPattern is what newOrderID makes; anything else in a form is refused.
var orderIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// newOrderID makes a random order id. The product page puts one in its
// form, so submitting the same form twice is the same order.
func newOrderID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
