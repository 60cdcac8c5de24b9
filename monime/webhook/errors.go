package webhook

import "errors"

// Sentinel errors returned (wrapped, with the specific reason) by
// [ConstructEvent], [VerifyPayload] and [Event.CheckoutSession]. Test for them
// with errors.Is. No error from this package ever contains a secret.
var (
	// ErrNoSecret means no signing secret was configured, so nothing can be
	// verified. Set the secret from the webhook's settings in the Monime dashboard.
	ErrNoSecret = errors.New("webhook: no signing secret configured")

	// ErrNoSignature means the request carried no Monime-Signature header:
	// it did not come from Monime, or a proxy dropped the header.
	ErrNoSignature = errors.New("webhook: no Monime-Signature header")

	// ErrMalformedHeader means the Monime-Signature header is not of the form
	// "t=<unix seconds>,v1=<signature>".
	ErrMalformedHeader = errors.New("webhook: malformed Monime-Signature header")

	// ErrNoValidSignature means no v1 signature in the header matches the body
	// under any configured secret: the body was changed (for example re-encoded
	// by a framework before verification), the secret is wrong, or the request
	// is forged.
	ErrNoValidSignature = errors.New("webhook: no valid signature")

	// ErrTimestampOutsideTolerance means the signature is valid but was made
	// too long before (or after) now: a replayed request, a very late
	// delivery, or a clock that is off.
	ErrTimestampOutsideTolerance = errors.New("webhook: timestamp outside tolerance")

	// ErrInvalidPayload means a verified body is not the JSON event Monime
	// documents, or an event's data cannot be decoded into the requested type.
	ErrInvalidPayload = errors.New("webhook: invalid event payload")

	// ErrNotCheckoutSession means [Event.CheckoutSession] was called on an
	// event about some other kind of object. Switch on [Event.Name] first.
	ErrNotCheckoutSession = errors.New("webhook: event is not about a checkout session")

	// ErrNotPayment means [Event.Payment] was called on an event about some
	// other kind of object. Switch on [Event.Name] first.
	ErrNotPayment = errors.New("webhook: event is not about a payment")

	// ErrNotPayout means [Event.Payout] was called on an event about some
	// other kind of object. Switch on [Event.Name] first.
	ErrNotPayout = errors.New("webhook: event is not about a payout")

	// ErrNotPaymentCode means [Event.PaymentCode] was called on an event
	// about some other kind of object. Switch on [Event.Name] first.
	ErrNotPaymentCode = errors.New("webhook: event is not about a payment code")
)
