package monime_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/webhook"
)

// A payment code paid over USSD from start to end, on the fake: the school
// registers its webhook, makes a code for one parent's phone, the parent
// dials it, and the payment arrives as payment_code.processed.
func ExamplePaymentCodesService_Create_ussd() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()

	const secret = "whsec_example_school_0123456789abcdef"
	events := make(chan *webhook.Event, 4)
	hook := httptest.NewServer(webhook.Handler(secret, func(_ context.Context, ev *webhook.Event) error {
		events <- ev
		return nil
	}))
	defer hook.Close()
	if _, err := c.Webhooks.Create(ctx, &monime.WebhookCreateParams{Name: "school", URL: hook.URL,
		Events: []string{webhook.EventPaymentCodeProcessed}, Secret: secret}); err != nil {
		log.Fatal(err)
	}

	pc, err := c.PaymentCodes.Create(ctx, &monime.PaymentCodeCreateParams{
		Name: "Term 1 fees", Amount: monime.Money{Currency: "SLE", Value: 75000},
		AuthorizedPhoneNumber: "+23276555000", Reference: "inv-88",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pc.Status, strings.HasPrefix(pc.USSDCode, "*715*"), pc.Amount)

	// The parent dials pc.USSDCode from +23276555000 and pays (simulated).
	if err := fake.PayCode(pc.ID, "+23276555000", "m17", gen.Money{Currency: "SLE", Value: 75000}); err != nil {
		log.Fatal(err)
	}
	if err := fake.WaitForDeliveries(ctx); err != nil {
		log.Fatal(err)
	}
	ev := <-events
	paid, err := ev.PaymentCode()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Name, paid.Reference, paid.Status, paid.ProcessedPaymentData.Amount, paid.ProcessedPaymentData.ProviderID)

	p, err := c.Payments.Get(ctx, paid.ProcessedPaymentData.PaymentID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Status, p.Amount, p.Channel.Type)
	// Output:
	// pending true SLE 750.00
	// payment_code.processed inv-88 completed SLE 750.00 m17
	// completed SLE 750.00 momo
}

// Verify a phone on the fake: only a dial from the phone itself counts.
func ExampleUSSDOTPsService_Create_verify() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()

	otp, err := c.USSDOTPs.Create(ctx, &monime.USSDOTPCreateParams{AuthorizedPhoneNumber: "+23276111222", VerificationMessage: "Welcome"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(otp.Status, strings.HasPrefix(otp.DialCode, "*715*"))

	// Someone dials otp.DialCode from another phone, then its holder does.
	fmt.Println(fake.DialOTP(otp.ID, "+23277000000") != nil)
	if err := fake.DialOTP(otp.ID, "+23276111222"); err != nil {
		log.Fatal(err)
	}
	if otp, err = c.USSDOTPs.Get(ctx, otp.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println(otp.Status)
	// Output:
	// pending true
	// true
	// verified
}

// Hand over a paid order's T-shirts at the stall, on the fake: one
// redemption per T-shirt, until none is left.
func ExampleReceiptsService_Redeem_stall() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()

	params := order() // two T-shirts
	params.LineItems[0].Reference = "tee"
	s, err := c.CheckoutSessions.Create(ctx, params)
	if err != nil {
		log.Fatal(err)
	}
	if err := fake.Complete(s.ID); err != nil { // the customer pays
		log.Fatal(err)
	}
	if s, err = c.CheckoutSessions.Get(ctx, s.ID); err != nil {
		log.Fatal(err)
	}

	one := &monime.ReceiptRedeemParams{Entitlements: []monime.Entitlement{{Key: "tee", Units: 1}}}
	for range 3 {
		r, err := c.Receipts.Redeem(ctx, s.OrderNumber, one)
		if errors.Is(err, monime.ErrNotRedeemed) {
			fmt.Println("nothing left to hand over")
			break
		} else if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d of %d left (%s)\n", r.Entitlements[0].Name, r.Entitlements[0].Remaining, r.Entitlements[0].Limit, r.Status)
	}
	// Output:
	// T-shirt: 1 of 2 left (partially_redeemed)
	// T-shirt: 0 of 2 left (fully_redeemed)
	// nothing left to hand over
}
