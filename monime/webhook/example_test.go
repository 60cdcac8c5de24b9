package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/monimekit/monime-go/monime/webhook"
)

// A delivery as Monime would send it. In a real server the body is the raw
// request body and the header comes from the request.
const (
	exampleSecret = "whsec_example"
	exampleBody   = `{"apiVersion":"caph.2025-08-23",` +
		`"event":{"id":"evt-1","name":"checkout_session.completed","timestamp":"2025-08-24T01:46:40Z"},` +
		`"object":{"id":"scs-1","type":"checkout_session"},` +
		`"data":{"id":"scs-1","name":"Order #1042","status":"completed","orderNumber":"ord-5521","reference":"1042",` +
		`"lineItems":{"data":[{"name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2}]}}}`
)

// exampleNow pins the clock so the examples' fixed timestamps stay within
// the tolerance; real code leaves the clock alone.
var exampleNow = time.Unix(1756000001, 0)

func ExampleConstructEvent() {
	body := []byte(exampleBody)
	header := webhook.SignatureHeader(body, exampleSecret, exampleNow) // what Monime sends

	ev, err := webhook.ConstructEvent(body, header, exampleSecret,
		webhook.WithClock(func() time.Time { return exampleNow }))
	if err != nil {
		log.Fatal(err)
	}
	switch ev.Name {
	case webhook.EventCheckoutSessionCompleted:
		s, err := ev.CheckoutSession()
		if err != nil {
			log.Fatal(err)
		}
		totals, err := s.Totals()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s paid: order %s, reference %s, total %d SLE minor units\n",
			s.ID, s.OrderNumber, s.Reference, totals["SLE"])
	default:
		fmt.Println("ignoring", ev.Name)
	}

	// One changed byte and the event is refused.
	tampered := []byte(strings.Replace(exampleBody, "15000", "1500", 1))
	_, err = webhook.ConstructEvent(tampered, header, exampleSecret,
		webhook.WithClock(func() time.Time { return exampleNow }))
	fmt.Println(errors.Is(err, webhook.ErrNoValidSignature))
	// Output:
	// scs-1 paid: order ord-5521, reference 1042, total 30000 SLE minor units
	// true
}

func ExampleHandler() {
	fulfil := func(ctx context.Context, ev *webhook.Event) error {
		if ev.Name != webhook.EventCheckoutSessionCompleted {
			return nil // acknowledge events you do not act on
		}
		s, err := ev.CheckoutSession()
		if err != nil {
			return err
		}
		fmt.Println("fulfilling order", s.Reference)
		return nil // only now does Monime get 200
	}
	h := webhook.Handler(exampleSecret, fulfil,
		webhook.WithDeduplicator(webhook.NewMemoryDeduplicator(0, 0)),
		webhook.WithClock(func() time.Time { return exampleNow }))
	// In a server: http.Handle("POST /webhooks/monime", h)

	deliver := func(body string) int {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/monime", strings.NewReader(body))
		req.Header.Set(webhook.SignatureHeaderName, webhook.SignatureHeader([]byte(exampleBody), exampleSecret, exampleNow))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	fmt.Println(deliver(exampleBody))                                     // handled
	fmt.Println(deliver(exampleBody))                                     // redelivery: acknowledged, not handled twice
	fmt.Println(deliver(strings.Replace(exampleBody, "1042", "1043", 1))) // tampered
	// Output:
	// fulfilling order 1042
	// 200
	// 200
	// 400
}

func ExampleSignatureHeader() {
	body := []byte(`{"event":{"id":"evt-1","name":"checkout_session.completed"}}`)
	fmt.Println(webhook.SignatureHeader(body, "whsec_example", time.Unix(1756000001, 0)))
	// Output:
	// t=1756000001,v1=nXpCfUup+nnYwnWXly993ttZY4FvjpKM3qI9jeb6hmA=
}

func ExampleWithSecrets() {
	body := []byte(`{"event":{"id":"evt-1","name":"checkout_session.completed"}}`)
	now := time.Unix(1756000001, 0)
	signedWithNew := webhook.SignatureHeader(body, "whsec_new", now)

	// While rotating, accept the old and the new secret.
	err := webhook.VerifyPayload(body, signedWithNew, "whsec_old",
		webhook.WithSecrets("whsec_new"),
		webhook.WithClock(func() time.Time { return now }))
	fmt.Println(err)
	// Output:
	// <nil>
}
