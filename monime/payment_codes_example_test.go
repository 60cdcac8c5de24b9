package monime_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/monimekit/monime-go/monime"
)

// A school collects term fees over USSD: the parent dials the code from
// their own Orange Money number on any phone, a feature phone too. The
// payment arrives as a payment_code.processed webhook event (read it with
// the webhook package's Event.PaymentCode).
func ExamplePaymentCodesService_Create() {
	c, err := monime.NewClient(os.Getenv("MONIME_TOKEN"), os.Getenv("MONIME_SPACE_ID"))
	if err != nil {
		log.Fatal(err)
	}
	pc, err := c.PaymentCodes.Create(context.Background(), &monime.PaymentCodeCreateParams{
		Name: "Term 1 fees", Mode: monime.PaymentCodeOneTime, Amount: monime.Money{Currency: "SLE", Value: 75000},
		Duration: 30 * time.Minute, CustomerName: "Musa Kamara",
		AuthorizedPhoneNumber: "+23276555000", AuthorizedProviders: []string{monime.MomoProviderM17},
		Reference: "inv-88", Metadata: monime.Metadata{"term": "1"},
	}, monime.WithIdempotencyKey("fees-inv-88"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Dial %s before %s to pay %s\n", pc.USSDCode, pc.ExpireTime.Format(time.Kitchen), pc.Amount)
}

// Check that a new customer holds the phone they gave: they dial the
// code from it, and the OTP turns verified.
func ExampleUSSDOTPsService_Create() {
	c, err := monime.NewClient(os.Getenv("MONIME_TOKEN"), os.Getenv("MONIME_SPACE_ID"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	otp, err := c.USSDOTPs.Create(ctx, &monime.USSDOTPCreateParams{AuthorizedPhoneNumber: "+23276111222",
		VerificationMessage: "Welcome to the shop", Duration: 5 * time.Minute})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Dial", otp.DialCode, "from +23276111222")
	for !otp.Status.IsFinal() && time.Now().Before(otp.ExpireTime) {
		time.Sleep(5 * time.Second)
		if otp, err = c.USSDOTPs.Get(ctx, otp.ID); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("verified:", otp.Status == monime.USSDOTPVerified)
}

// Hand over one T-shirt at the stall, once: the key makes a retry of the
// same redemption answer with the first result.
func ExampleReceiptsService_Redeem() {
	c, err := monime.NewClient(os.Getenv("MONIME_TOKEN"), os.Getenv("MONIME_SPACE_ID"))
	if err != nil {
		log.Fatal(err)
	}
	r, err := c.Receipts.Redeem(context.Background(), "104211", &monime.ReceiptRedeemParams{
		Entitlements: []monime.Entitlement{{Key: "sli-7hQ2", Units: 1}}}, monime.WithIdempotencyKey("stall-3-104211-1"))
	var none *monime.NotRedeemedError
	switch {
	case errors.As(err, &none):
		fmt.Println("nothing left to hand over; status", none.Receipt.Status)
		return
	case err != nil:
		log.Fatal(err)
	}
	for _, e := range r.Entitlements {
		fmt.Printf("%s: %d of %d left\n", e.Name, e.Remaining, e.Limit)
	}
}

// Register the shop's endpoint with a secret of its own, kept to verify
// deliveries with the webhook package.
func ExampleWebhooksService_Create() {
	c, err := monime.NewClient(os.Getenv("MONIME_TOKEN"), os.Getenv("MONIME_SPACE_ID"))
	if err != nil {
		log.Fatal(err)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := hex.EncodeToString(b) // 64 characters; keep it with the shop's settings
	wh, err := c.Webhooks.Create(context.Background(), &monime.WebhookCreateParams{Name: "orders",
		URL: "https://shop.example/monime", Events: []string{"checkout_session.completed", "payment_code.processed"},
		Secret: secret, AlertEmails: []string{"ops@shop.example"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("registered", wh.ID)
}
