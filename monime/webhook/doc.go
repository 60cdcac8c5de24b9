// Package webhook verifies the webhooks Monime sends and turns them into typed
// events: import it in the server that receives them.
//
// Monime signs every delivery with HMAC-SHA256 and puts the result in the
// Monime-Signature header as "t=<unix seconds>,v1=<base64 signature>", where
// the signature covers "<t>_<raw body>". Verify before trusting anything in
// the body:
//
//	ev, err := webhook.ConstructEvent(body, r.Header.Get(webhook.SignatureHeaderName), secret)
//
// or mount [Handler], which reads the request safely, verifies it, calls your
// function and answers Monime with a status that makes it redeliver only
// when your function failed.
//
// The secret is the one set for the webhook in the Monime dashboard (HS256,
// HMAC-SHA256 verification). [Handler] refuses to start without a usable
// one rather than fail every delivery.
//
// Monime may deliver the same event more than once, so handling must be
// idempotent: key your side effects on [Event.ID] or give the handler a
// [Deduplicator].
package webhook
