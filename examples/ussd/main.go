// Command ussd shows a school collecting term fees with a USSD payment
// code, the way a parent with a feature phone pays: create an account and a
// code, give the parent the code to dial, and learn of the payment by
// webhook.
//
//	go run ./examples/ussd
//
// With MONIME_BASE_URL unset, everything runs on this machine: the fake
// Monime API from package api, a webhook receiver, and a simulated parent
// who dials the code. With MONIME_BASE_URL, MONIME_ACCESS_TOKEN and
// MONIME_SPACE_ID set, it creates the account and code there and stops at
// the code to dial; nothing is paid.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/webhook"
)

// The parent's phone, the only one allowed to pay, and the fees.
const phone = "+23276555000"

var fees = monime.Money{Currency: monime.CurrencySLE, Value: 75000}

func main() {
	if err := run(context.Background(), os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "ussd:", err)
		os.Exit(1)
	}
}

// run is the whole program: settings through env, every step printed to out.
func run(ctx context.Context, out io.Writer, env func(string) string) error {
	if base := env("MONIME_BASE_URL"); base != "" {
		c, err := monime.NewClient(env("MONIME_ACCESS_TOKEN"), env("MONIME_SPACE_ID"), monime.WithBaseURL(base))
		if err != nil {
			return fmt.Errorf("MONIME_BASE_URL is set, so set MONIME_ACCESS_TOKEN and MONIME_SPACE_ID too: %w", err)
		}
		_, pc, err := createCode(ctx, out, c)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Dial %s from %s to pay; this program pays nothing.\n", pc.USSDCode, phone)
		return nil
	}

	// Monime on this machine: the fake, charging 1% per payment, and a
	// receiver that verifies each delivery's signature with our secret.
	fake, err := api.New(api.WithFee("processing_fee", 100, 0))
	if err != nil {
		return err
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	defer fake.Close()
	const secret = "whsec_ussd_example_0123456789abcdef" // 32 to 256 characters
	events := make(chan *webhook.Event, 8)
	hook := httptest.NewServer(webhook.Handler(secret, func(_ context.Context, ev *webhook.Event) error {
		events <- ev
		return nil
	}))
	defer hook.Close()
	c, err := monime.NewClient(api.DefaultToken, api.DefaultSpaceID, monime.WithBaseURL(srv.URL))
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "Monime on this machine (MONIME_BASE_URL is not set):", srv.URL)

	// 1. Register the webhook; deliveries are signed with its secret.
	if _, err := c.Webhooks.Create(ctx, &monime.WebhookCreateParams{Name: "school", URL: hook.URL,
		Events: []string{webhook.EventPaymentCodeProcessed}, Secret: secret}); err != nil {
		return fmt.Errorf("register the webhook: %w", err)
	}
	fmt.Fprintln(out, "1. Webhook registered for", webhook.EventPaymentCodeProcessed)

	// 2 and 3. The account and the code.
	acct, pc, err := createCode(ctx, out, c)
	if err != nil {
		return err
	}

	// 4. The parent dials the code from their phone and pays (simulated).
	fmt.Fprintf(out, "4. The parent dials %s from %s and pays %s (simulated)\n", pc.USSDCode, phone, fees)
	if err := fake.PayCode(pc.ID, phone, monime.MomoProviderM17, gen.Money{Currency: gen.Currency(fees.Currency), Value: fees.Value}); err != nil {
		return fmt.Errorf("pay the code: %w", err)
	}

	// 5. The webhook tells us: the code's processedPaymentData is the payment.
	var ev *webhook.Event
	select {
	case ev = <-events:
	case <-time.After(5 * time.Second):
		return errors.New("no payment_code.processed webhook within 5s")
	}
	paid, err := ev.PaymentCode()
	if err != nil || paid.ProcessedPaymentData == nil {
		return fmt.Errorf("read the webhook %s: %v", ev.Name, err)
	}
	data := paid.ProcessedPaymentData
	fmt.Fprintf(out, "5. Webhook %s, signature verified: code %s %s, payment %s of %s via %s\n",
		ev.Name, paid.Reference, paid.Status, data.PaymentID, data.Amount, data.ProviderID)

	// 6. Read the payment and the account it went to.
	p, err := c.Payments.Get(ctx, data.PaymentID)
	if err != nil {
		return fmt.Errorf("read the payment: %w", err)
	}
	net, err := p.Net()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "6. Payment %s: %s, %s by %s, %s after fees\n", p.ID, p.Status, p.Amount, p.Channel.Type, net)
	a, err := c.FinancialAccounts.Get(ctx, acct.ID, &monime.FinancialAccountGetParams{WithBalance: true})
	if err != nil {
		return fmt.Errorf("read the account: %w", err)
	}
	fmt.Fprintf(out, "   Account %q balance: %s\n", a.Name, a.Balance)
	return nil
}

// createCode opens the school's fees account and a one_time code on it
// that only the parent's phone may pay.
func createCode(ctx context.Context, out io.Writer, c *monime.Client) (*monime.FinancialAccount, *monime.PaymentCode, error) {
	acct, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{Name: "School fees", Currency: monime.CurrencySLE},
		monime.WithIdempotencyKey("ussd-example-account"))
	if err != nil {
		return nil, nil, fmt.Errorf("create the account: %w", err)
	}
	fmt.Fprintln(out, "2. Account created:", acct.ID, acct.Name)
	pc, err := c.PaymentCodes.Create(ctx, &monime.PaymentCodeCreateParams{
		Name: "Term 1 fees", Mode: monime.PaymentCodeOneTime, Amount: fees, Duration: 30 * time.Minute,
		AuthorizedPhoneNumber: phone, FinancialAccountID: acct.ID, Reference: "inv-88",
	}, monime.WithIdempotencyKey("ussd-example-inv-88"))
	if err != nil {
		return nil, nil, fmt.Errorf("create the payment code: %w", err)
	}
	fmt.Fprintf(out, "3. Payment code %s (%s): dial %s to pay %s, before %s\n",
		pc.ID, pc.Status, pc.USSDCode, fees, pc.ExpireTime.Format(time.Kitchen))
	return acct, pc, nil
}
