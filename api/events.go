package api

import "time"

// event is one change to a stored object, of any kind: what hooks (webhook
// delivery, tests) see. A resource emits it with store.emit while it holds
// the lock; the name is "<object type>.<what happened>". Names Monime
// documents (webhookEvents) may be delivered to webhooks; the others, such
// as checkout_session.created, only reach the fake's own hooks.
type event struct {
	name       string    // such as "checkout_session.completed"
	at         time.Time // when the change happened, by the store's clock
	objectType string    // such as "checkout_session", "payment"
	objectID   string
	// data is what a webhook carries as its data: the object as the read
	// API shows it after the change. It shares memory with the store, which
	// never changes what it points to, so it may be encoded without the
	// lock; hooks must treat it as read-only.
	data any
	// record is the object as the fake keeps it (a Session, a Payment, ...),
	// a shallow copy with the same rules as data.
	record any
	// sessionID is the checkout session the event is about, if any: the
	// session itself, or the one a payment paid for (Delivery.SessionID).
	sessionID string
	// endpoints are the API webhooks (POST /v1/webhooks) the event goes
	// to: those of its space, enabled and subscribed to its name when it
	// was emitted (see store.endpointsFor).
	endpoints []webhookTarget
}

// The object types of events, as Monime's webhooks name them.
const (
	objectTypeSession = "checkout_session"
	objectTypePayment = "payment"
	objectTypeAccount = "financial_account"
)
