package monime_test

import (
	"context"
	"fmt"
	"log"

	"github.com/monimekit/monime-go/monime"
)

// paidSession creates a session on the fake and pays it by mobile money.
func paidSession(ctx context.Context, c *monime.Client, complete func(id string) error) *monime.CheckoutSession {
	s, err := c.CheckoutSessions.Create(ctx, order())
	if err != nil {
		log.Fatal(err)
	}
	if err := complete(s.ID); err != nil { // the customer pays on the hosted page
		log.Fatal(err)
	}
	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	if err != nil {
		log.Fatal(err)
	}
	return s
}

// Find what a paid checkout session paid: its payments carry its order
// number.
func ExamplePaymentsService_ForCheckoutSession() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	s := paidSession(ctx, c, fake.Complete)

	payments, err := c.Payments.ForCheckoutSession(ctx, s)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range payments {
		net, err := p.Net()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.Status, p.Amount, p.Channel.Type, p.Channel.Momo.Provider, net)
	}
	// Output: completed SLE 300.00 momo m17 SLE 300.00
}

// Page through a space's payments, filtered by order number.
func ExamplePaymentsService_List() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	s := paidSession(ctx, c, fake.Complete)

	page, err := c.Payments.List(ctx, &monime.PaymentListParams{OrderNumber: s.OrderNumber, Limit: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), page.Count, page.HasMore(), page.Items[0].OrderNumber == s.OrderNumber)
	// Output: 1 1 false true
}

// Read one payment, then label it for the books.
func ExamplePaymentsService_Update() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	s := paidSession(ctx, c, fake.Complete)
	payments, err := c.Payments.ForCheckoutSession(ctx, s)
	if err != nil {
		log.Fatal(err)
	}

	p, err := c.Payments.Get(ctx, payments[0].ID)
	if err != nil {
		log.Fatal(err)
	}
	p, err = c.Payments.Update(ctx, p.ID, &monime.PaymentUpdateParams{Name: "Order #1042", Metadata: monime.Metadata{"ledger": "2025-09"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name, p.Metadata["ledger"], p.Amount)
	// Output: Order #1042 2025-09 SLE 300.00
}
