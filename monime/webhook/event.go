package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/monimekit/monime-go/monime"
)

// The checkout-session event names Monime sends. Event names this package
// does not list are delivered unchanged in [Event.Name].
const (
	// EventCheckoutSessionCompleted: the customer paid; the session's
	// OrderNumber ties it to the payment. Fulfil the order on this one.
	EventCheckoutSessionCompleted = "checkout_session.completed"
	// EventCheckoutSessionCancelled: the customer cancelled on the hosted page.
	EventCheckoutSessionCancelled = "checkout_session.cancelled"
	// EventCheckoutSessionExpired: the session timed out unpaid.
	EventCheckoutSessionExpired = "checkout_session.expired"
)

// The payment event names Monime's documentation gives: a payment is
// created, then completes. A completed checkout session's payment is also
// found with monime.PaymentsService.ForCheckoutSession.
const (
	// EventPaymentCreated: a payment was created; it may not be paid yet.
	EventPaymentCreated = "payment.created"
	// EventPaymentCompleted: the payment completed: the money was paid.
	EventPaymentCompleted = "payment.completed"
)

// The payout event names: Monime's documentation says payouts are "marked
// as completed or failed" and names payout.failed; payout.completed is the
// name community clients use for the other. Monime names no events for
// internal transfers.
const (
	// EventPayoutCompleted: the payout completed: the money reached the
	// destination.
	EventPayoutCompleted = "payout.completed"
	// EventPayoutFailed: the payout failed; its FailureDetail says why.
	EventPayoutFailed = "payout.failed"
)

// The payment-code event name Monime's document gives: a payment code
// took a payment. Its data is the code, with ProcessedPaymentData set to
// that payment; a payment.completed event for the payment follows.
const (
	// EventPaymentCodeProcessed: a payer paid with the code.
	EventPaymentCodeProcessed = "payment_code.processed"
)

// The [Object.Type] of events about a checkout session, a payment, a
// payout and a payment code.
const (
	ObjectTypeCheckoutSession = "checkout_session"
	ObjectTypePayment         = "payment"
	ObjectTypePayout          = "payout"
	ObjectTypePaymentCode     = "payment_code"
)

// checkoutSessionEventPrefix starts the name of every checkout-session
// event, paymentEventPrefix that of every payment event, payoutEventPrefix
// that of every payout event, and paymentCodeEventPrefix that of every
// payment-code event.
const (
	checkoutSessionEventPrefix = ObjectTypeCheckoutSession + "."
	paymentEventPrefix         = ObjectTypePayment + "."
	payoutEventPrefix          = ObjectTypePayout + "."
	paymentCodeEventPrefix     = ObjectTypePaymentCode + "."
)

// Event is one verified delivery from Monime. Data holds the resource the
// event is about, as sent; decode it with a typed method such as
// [Event.CheckoutSession].
//
// On the wire an event is
//
//	{"apiVersion": "...", "event": {"id", "name", "timestamp"},
//	 "object": {"id", "type"}, "data": {...}}
//
// Decoding is tolerant: unknown fields are ignored, missing ones stay zero,
// and the timestamp may be an RFC 3339 string or unix seconds.
type Event struct {
	// ID identifies the event. It stays the same when Monime redelivers, so
	// use it to recognise an event you have already handled.
	ID string
	// Name says what happened, such as [EventCheckoutSessionCompleted].
	Name string
	// Timestamp is when the event happened; zero if Monime sent none or one
	// in a form this package cannot read.
	Timestamp time.Time
	// APIVersion is the API release the payload is shaped by, such as
	// "caph.2025-08-23".
	APIVersion string
	// Object names the resource the event is about.
	Object Object
	// Data is the resource itself, as raw JSON (null when absent).
	Data json.RawMessage
}

// Object names the resource an event is about.
type Object struct {
	// ID is the resource's id, such as "scs-..." for a checkout session.
	ID string `json:"id"`
	// Type is the kind of resource, such as [ObjectTypeCheckoutSession].
	Type string `json:"type"`
}

// wireEvent is the JSON shape of an event.
type wireEvent struct {
	APIVersion string          `json:"apiVersion,omitempty"`
	Event      wireEventHeader `json:"event"`
	Object     Object          `json:"object"`
	Data       json.RawMessage `json:"data"`
}

type wireEventHeader struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Timestamp json.RawMessage `json:"timestamp,omitempty"`
}

// ConstructEvent verifies a delivery like [VerifyPayload] and, if it can be
// trusted, decodes it into an [Event]. payload must be the raw request body
// and signatureHeader the value of the Monime-Signature header.
//
// Errors wrap [ErrNoSecret], [ErrNoSignature], [ErrMalformedHeader],
// [ErrNoValidSignature] or [ErrTimestampOutsideTolerance] when the delivery
// cannot be trusted, and [ErrInvalidPayload] when it is genuine but not an
// event.
func ConstructEvent(payload []byte, signatureHeader, secret string, opts ...Option) (*Event, error) {
	c := newVerifyConfig(secret, opts)
	return c.constructEvent(payload, signatureHeader)
}

func (c *verifyConfig) constructEvent(payload []byte, header string) (*Event, error) {
	if err := c.verify(payload, header); err != nil {
		return nil, err
	}
	ev := new(Event)
	// Called directly, not through json.Unmarshal, so that syntax errors
	// too come back wrapping ErrInvalidPayload.
	if err := ev.UnmarshalJSON(payload); err != nil {
		return nil, err
	}
	return ev, nil
}

// UnmarshalJSON reads an event in Monime's wire shape. It does not verify
// anything: use [ConstructEvent] on bodies received over the network.
func (e *Event) UnmarshalJSON(b []byte) error {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fmt.Errorf("%w: the body is not a JSON object", ErrInvalidPayload)
	}
	var w wireEvent
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidPayload, err)
	}
	*e = Event{
		ID:         w.Event.ID,
		Name:       w.Event.Name,
		Timestamp:  parseEventTime(w.Event.Timestamp),
		APIVersion: w.APIVersion,
		Object:     w.Object,
		Data:       w.Data,
	}
	if len(e.Data) == 0 {
		e.Data = json.RawMessage("null")
	}
	return nil
}

// MarshalJSON writes the event in Monime's wire shape, so a fake server can
// build a delivery from an Event; the timestamp is RFC 3339 in UTC.
func (e Event) MarshalJSON() ([]byte, error) {
	w := wireEvent{
		APIVersion: e.APIVersion,
		Event:      wireEventHeader{ID: e.ID, Name: e.Name},
		Object:     e.Object,
		Data:       e.Data,
	}
	if !e.Timestamp.IsZero() {
		w.Event.Timestamp = json.RawMessage(strconv.Quote(e.Timestamp.UTC().Format(time.RFC3339Nano)))
	}
	if len(w.Data) == 0 {
		w.Data = json.RawMessage("null")
	}
	return json.Marshal(w)
}

// parseEventTime reads an RFC 3339 string or a number of unix seconds
// (fractions allowed). Anything else gives the zero time: an odd timestamp
// must not make a genuine payment notification undeliverable.
func parseEventTime(raw json.RawMessage) time.Time {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return time.Time{}
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
		if err != nil {
			return time.Time{}
		}
		return t
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return time.Unix(n, 0).UTC()
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<53 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// IsCheckoutSession reports whether the event is about a checkout session:
// its object type is [ObjectTypeCheckoutSession] or its name starts with
// "checkout_session.". Either is enough, so one odd field does not hide a
// payment notification.
func (e *Event) IsCheckoutSession() bool {
	return e.Object.Type == ObjectTypeCheckoutSession ||
		strings.HasPrefix(e.Name, checkoutSessionEventPrefix)
}

// CheckoutSession decodes the event's data into the same
// [monime.CheckoutSession] the client returns. It fails with
// [ErrNotCheckoutSession] when the event is about something else, and with
// [ErrInvalidPayload] when the data is missing or malformed.
func (e *Event) CheckoutSession() (*monime.CheckoutSession, error) {
	if !e.IsCheckoutSession() {
		return nil, fmt.Errorf("%w: event %q (%s) has object type %q", ErrNotCheckoutSession, e.Name, e.ID, e.Object.Type)
	}
	return decodeData[monime.CheckoutSession](e, "checkout session")
}

// IsPayment reports whether the event is about a payment: its object type
// is [ObjectTypePayment] or its name starts with "payment.".
func (e *Event) IsPayment() bool {
	return e.Object.Type == ObjectTypePayment || strings.HasPrefix(e.Name, paymentEventPrefix)
}

// Payment decodes the event's data into the same [monime.Payment] the
// client returns. It fails with [ErrNotPayment] when the event is about
// something else, and with [ErrInvalidPayload] when the data is missing or
// malformed.
func (e *Event) Payment() (*monime.Payment, error) {
	if !e.IsPayment() {
		return nil, fmt.Errorf("%w: event %q (%s) has object type %q", ErrNotPayment, e.Name, e.ID, e.Object.Type)
	}
	return decodeData[monime.Payment](e, "payment")
}

// IsPayout reports whether the event is about a payout: its object type is
// [ObjectTypePayout] or its name starts with "payout.".
func (e *Event) IsPayout() bool {
	return e.Object.Type == ObjectTypePayout || strings.HasPrefix(e.Name, payoutEventPrefix)
}

// Payout decodes the event's data into the same [monime.Payout] the client
// returns. It fails with [ErrNotPayout] when the event is about something
// else, and with [ErrInvalidPayload] when the data is missing or
// malformed.
func (e *Event) Payout() (*monime.Payout, error) {
	if !e.IsPayout() {
		return nil, fmt.Errorf("%w: event %q (%s) has object type %q", ErrNotPayout, e.Name, e.ID, e.Object.Type)
	}
	return decodeData[monime.Payout](e, "payout")
}

// IsPaymentCode reports whether the event is about a payment code: its
// object type is [ObjectTypePaymentCode] or its name starts with
// "payment_code.".
func (e *Event) IsPaymentCode() bool {
	return e.Object.Type == ObjectTypePaymentCode || strings.HasPrefix(e.Name, paymentCodeEventPrefix)
}

// PaymentCode decodes the event's data into the same [monime.PaymentCode]
// the client returns; in a [EventPaymentCodeProcessed] event its
// ProcessedPaymentData is the payment just made. It fails with
// [ErrNotPaymentCode] when the event is about something else, and with
// [ErrInvalidPayload] when the data is missing or malformed (an amount
// that is not whole, say).
func (e *Event) PaymentCode() (*monime.PaymentCode, error) {
	if !e.IsPaymentCode() {
		return nil, fmt.Errorf("%w: event %q (%s) has object type %q", ErrNotPaymentCode, e.Name, e.ID, e.Object.Type)
	}
	return decodeData[monime.PaymentCode](e, "payment code")
}

// decodeData decodes the event's data as a T. monime's types read
// themselves tolerantly: a descriptive field of an unexpected type is left
// zero rather than losing a genuine notification (which Monime would
// redeliver forever if the handler failed on it), while ids, statuses and
// amounts are never guessed.
func decodeData[T any](e *Event, what string) (*T, error) {
	data := bytes.TrimSpace(e.Data)
	if len(data) == 0 || string(data) == "null" {
		return nil, fmt.Errorf("%w: event %q (%s) carries no data", ErrInvalidPayload, e.Name, e.ID)
	}
	if data[0] != '{' {
		return nil, fmt.Errorf("%w: event %q (%s) data is not a JSON object", ErrInvalidPayload, e.Name, e.ID)
	}
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("%w: event %q (%s) data is not a %s: %v", ErrInvalidPayload, e.Name, e.ID, what, err)
	}
	return v, nil
}
