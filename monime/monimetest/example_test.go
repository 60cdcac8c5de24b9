package monimetest_test

import (
	"context"
	"testing"

	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
)

// checkoutPaysOrder is how a test of your own checkout code uses the fake:
// start it, hand its client to your code, play the customer, and check what
// your code saw. (Name it TestSomething in your own _test.go file.)
func checkoutPaysOrder(t *testing.T) {
	fake := monimetest.NewServer(t) // stopped when the test ends
	c := fake.Client()              // a real *monime.Client, wired to the fake
	ctx := context.Background()

	s, err := c.CheckoutSessions.Create(ctx, &monime.CheckoutSessionCreateParams{
		Name:      "Order #1042",
		LineItems: []monime.LineItem{{Name: "T-shirt", Price: monime.Money{Currency: "SLE", Value: 15000}, Quantity: 2}},
	}, monime.WithIdempotencyKey("order-1042"))
	if err != nil {
		t.Fatal(err)
	}

	if err := fake.Complete(s.ID); err != nil { // the customer pays
		t.Fatal(err)
	}

	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != monime.CheckoutSessionStatusCompleted {
		t.Fatalf("status %s, want completed", s.Status)
	}
}

func ExampleNewServer() {
	// See checkoutPaysOrder above: the fake needs a *testing.T, so it runs
	// inside your tests. This file is shown whole in the documentation.
	_ = checkoutPaysOrder
}
