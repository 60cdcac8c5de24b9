package monime_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
)

// startFake runs the in-process fake Monime API on loopback and returns a
// client wired to it, as an example's stand-in for api.monime.io.
func startFake() (*api.Server, *monime.Client, func()) {
	fake, _ := api.New() // it fails only on a bad option, and there are none
	srv := httptest.NewServer(fake)
	c, err := monime.NewClient(api.DefaultToken, api.DefaultSpaceID, monime.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	return fake, c, srv.Close
}

func order() *monime.CheckoutSessionCreateParams {
	return &monime.CheckoutSessionCreateParams{
		Name: "Order #1042",
		LineItems: []monime.LineItem{
			{Name: "T-shirt", Price: monime.Money{Currency: "SLE", Value: 15000}, Quantity: 2},
		},
		SuccessURL: "https://shop.example/ok",
		CancelURL:  "https://shop.example/cancel",
		Reference:  "1042",
		Metadata:   monime.Metadata{"cart": "c_77"},
	}
}

func ExampleNewClient() {
	// In production: monime.NewClient(os.Getenv("MONIME_ACCESS_TOKEN"), os.Getenv("MONIME_SPACE_ID")).
	c, err := monime.NewClient("mon_test_123", "spc-abc", monime.WithMaxRetries(3))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.BaseURL(), c.SpaceID())

	_, err = monime.NewClient("mon_test_123", "abc")
	fmt.Println(err)
	// Output:
	// https://api.monime.io/ spc-abc
	// monime: the space id is 3 bytes long; want spc-... (at most 64 characters), as shown in the Monime dashboard
}

func ExampleCheckoutSessionsService_Create() {
	_, c, stop := startFake()
	defer stop()

	// Your order id as the idempotency key: a retry, even from another
	// process, can never create a second session for the same order.
	s, err := c.CheckoutSessions.Create(context.Background(), order(), monime.WithIdempotencyKey("order-1042"))
	if err != nil {
		log.Fatal(err)
	}
	totals, err := s.Totals()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(s.ID, "scs-"), s.Status, totals["SLE"])
	fmt.Println(strings.Contains(s.RedirectURL, s.ID)) // send the customer here
	// Output:
	// true pending 30000
	// true
}

func ExampleCheckoutSessionsService_Get() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	s, err := c.CheckoutSessions.Create(ctx, order())
	if err != nil {
		log.Fatal(err)
	}
	_ = fake.Complete(s.ID) // the customer pays on the hosted page

	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Status, s.Status.IsFinal(), s.OrderNumber != "")
	// Output: completed true true
}

func ExampleCheckoutSessionsService_List() {
	_, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	for range 3 {
		if _, err := c.CheckoutSessions.Create(ctx, order()); err != nil {
			log.Fatal(err)
		}
	}
	page, err := c.CheckoutSessions.List(ctx, &monime.CheckoutSessionListParams{Limit: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), page.HasMore())
	page, err = c.CheckoutSessions.List(ctx, &monime.CheckoutSessionListParams{Limit: 2, After: page.Next})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), page.HasMore())
	// Output:
	// 2 true
	// 1 false
}

func ExampleCheckoutSessionsService_All() {
	_, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	for range 5 {
		if _, err := c.CheckoutSessions.Create(ctx, order()); err != nil {
			log.Fatal(err)
		}
	}
	n := 0
	for s, err := range c.CheckoutSessions.All(ctx, &monime.CheckoutSessionListParams{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		if s.Status == monime.CheckoutSessionStatusPending {
			n++
		}
	}
	fmt.Println(n, "pending")
	// Output: 5 pending
}

func ExampleCheckoutSessionsService_Delete() {
	_, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	s, err := c.CheckoutSessions.Create(ctx, order())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.CheckoutSessions.Delete(ctx, s.ID))
	_, err = c.CheckoutSessions.Get(ctx, s.ID)
	fmt.Println(errors.Is(err, monime.ErrNotFound))
	// Output:
	// <nil>
	// true
}

func ExampleError() {
	_, c, stop := startFake()
	defer stop()
	_, err := c.CheckoutSessions.Get(context.Background(), "scs-unknown")

	var apiErr *monime.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Reason, apiErr.RequestID != "")
	}
	fmt.Println(errors.Is(err, monime.ErrNotFound))
	// Output:
	// 404 not_found true
	// true
}

func ExampleValidationError() {
	_, c, stop := startFake()
	defer stop()
	p := order()
	p.LineItems[0].Price.Currency = "EUR"
	p.Metadata["note"] = strings.Repeat("x", 101)

	_, err := c.CheckoutSessions.Create(context.Background(), p)
	var ve *monime.ValidationError
	if errors.As(err, &ve) {
		for _, problem := range ve.Problems {
			fmt.Println(problem.Field)
		}
	}
	// Output:
	// lineItems[0].price.currency
	// metadata.note
}

func ExampleWithResponseInfo() {
	_, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	for range 2 {
		var info monime.ResponseInfo
		_, err := c.CheckoutSessions.Create(ctx, order(), monime.WithIdempotencyKey("order-7"), monime.WithResponseInfo(&info))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(info.IdempotencyKey, info.Replayed, info.RequestID != "")
	}
	// Output:
	// order-7 false true
	// order-7 true true
}
