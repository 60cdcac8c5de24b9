package readme_test

// Each function below holds one README.md snippet verbatim (checked by
// TestReadmeSnippetsAreCompiled); the tests run them against the fake.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
	"github.com/monimekit/monime-go/monime/webhook"
)

// created keeps what createAndRedirect made, for the next snippet.
var created struct {
	c *monime.Client
	s *monime.CheckoutSession
}

func createAndRedirect(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	c, err := monime.NewClient(os.Getenv("MONIME_ACCESS_TOKEN"), os.Getenv("MONIME_SPACE_ID"))
	if err != nil {
		return err // an empty token, a space id that is not spc-..., a bad option
	}

	s, err := c.CheckoutSessions.Create(ctx, &monime.CheckoutSessionCreateParams{
		Name:       "Order #1042",
		LineItems:  []monime.LineItem{{Name: "T-shirt", Price: monime.Money{Currency: "SLE", Value: 15000}, Quantity: 2}},
		SuccessURL: "https://shop.example/orders/1042",
		CancelURL:  "https://shop.example/orders/1042?cancelled=1",
		Reference:  "1042",
		Metadata:   monime.Metadata{"cart": "c_77"},
	}, monime.WithIdempotencyKey("order-1042"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, s.RedirectURL, http.StatusSeeOther) // Monime's hosted checkout page
	created.c, created.s = c, s
	return nil
}

func readListDelete(ctx context.Context, c *monime.Client, s *monime.CheckoutSession) (err error) {
	s, err = c.CheckoutSessions.Get(ctx, s.ID) // s.Status: pending, completed, cancelled or expired
	if err != nil {
		return err
	}
	page, err := c.CheckoutSessions.List(ctx, &monime.CheckoutSessionListParams{Limit: 50})
	if err != nil {
		return err
	}
	fmt.Println(len(page.Items), page.Next)                // pass page.Next as After for the next page
	for s, err := range c.CheckoutSessions.All(ctx, nil) { // follows the cursors lazily
		if err != nil {
			return err
		}
		fmt.Println(s.ID, s.Status)
	}
	err = c.CheckoutSessions.Delete(ctx, s.ID) // only before the customer starts paying
	return err
}

// orderBook is what the webhook snippet calls "orders".
type orderBook interface {
	MarkPaid(ctx context.Context, reference, orderNumber string) error
}

func webhookEndpoint(secret string, orders orderBook) {
	http.Handle("/webhooks/monime", webhook.Handler(secret, func(ctx context.Context, ev *webhook.Event) error {
		if ev.Name != webhook.EventCheckoutSessionCompleted {
			return nil
		}
		s, err := ev.CheckoutSession() // the same monime.CheckoutSession the client returns
		if err != nil {
			return err
		}
		return orders.MarkPaid(ctx, s.Reference, s.OrderNumber) // make this safe to run twice
	}, webhook.WithDeduplicator(webhook.NewMemoryDeduplicator(0, 0))))
}

func observe(ctx context.Context, id string) error {
	hc := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport)} // one client span per attempt
	c, err := monime.NewClient(os.Getenv("MONIME_ACCESS_TOKEN"), os.Getenv("MONIME_SPACE_ID"),
		monime.WithLogger(slog.Default()), monime.WithHTTPClient(hc))
	if err != nil {
		return err
	}

	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{ // reaches every attempt
		GotConn: func(ci httptrace.GotConnInfo) { slog.Debug("monime: connection", "reused", ci.Reused) },
	})
	var info monime.ResponseInfo
	_, err = c.CheckoutSessions.Get(ctx, id, monime.WithResponseInfo(&info))
	slog.Info("monime: get", "request_id", info.RequestID, "attempts", info.Attempts,
		"took", info.Duration, "waiting", info.Waited)
	return err
}

func reconcile(ctx context.Context, c *monime.Client, s *monime.CheckoutSession) (err error) {
	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	if err != nil {
		return err
	}
	payments, err := c.Payments.ForCheckoutSession(ctx, s) // usually one
	if err != nil {
		return err // a session that was not paid has no order number
	}
	for _, p := range payments {
		net, err := p.Net() // the amount less Monime's fees
		if err != nil {
			return err
		}
		fmt.Println(p.ID, p.Status, p.Amount, p.Channel.Type, net) // pay-... completed SLE 300.00 momo SLE 300.00
		if p.Channel.Momo != nil {
			fmt.Println(p.Channel.Momo.Provider, p.Channel.Momo.Reference) // m17 and the operator's reference
		}
	}
	return nil
}

func TestReconcile(t *testing.T) {
	ctx := context.Background()
	fake := monimetest.NewServer(t, api.WithFee("processing_fee", 150, 100)) // 1.5% + SLE 1.00
	c := fake.Client()
	s, err := c.CheckoutSessions.Create(ctx, &monime.CheckoutSessionCreateParams{
		Name:      "Order #7",
		LineItems: []monime.LineItem{{Name: "Cap", Price: monime.Money{Currency: "SLE", Value: 10000}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.CompleteWith(s.ID, monime.PaymentChannelMomo, monime.MomoProviderM18); err != nil {
		t.Fatal(err)
	}
	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	payments, err := c.Payments.ForCheckoutSession(ctx, s)
	if err != nil || len(payments) != 1 {
		t.Fatal(payments, err)
	}
	if net, _ := payments[0].Net(); net.String() != "SLE 97.50" { // 100.00 less 1.50 and 1.00
		t.Fatalf("net %s", net)
	}
}

func handleError(err error) {
	var apiErr *monime.Error
	if errors.As(err, &apiErr) {
		log.Printf("monime: %d %s: %s (request %s)", apiErr.StatusCode, apiErr.Reason, apiErr.Message, apiErr.RequestID) // quote RequestID to Monime support
	}
	switch {
	case errors.Is(err, monime.ErrNotFound): // 404
	case errors.Is(err, monime.ErrConflict): // 409, e.g. Reason idempotency_key_in_use
	case errors.Is(err, monime.ErrRateLimited): // 429; apiErr.RetryAfter
	case errors.Is(err, monime.ErrInvalidRequest): // 400, or a ValidationError before sending
	}
}

func TestCheckout(t *testing.T) {
	fake := monimetest.NewServer(t) // stopped when the test ends
	c := fake.Client()              // a real *monime.Client wired to the fake
	order := &monime.CheckoutSessionCreateParams{
		Name:      "Order #7",
		LineItems: []monime.LineItem{{Name: "Cap", Price: monime.Money{Currency: "SLE", Value: 9000}, Quantity: 1}},
	}

	s, err := c.CheckoutSessions.Create(context.Background(), order)
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.Complete(s.ID); err != nil { // the customer pays
		t.Fatal(err)
	}
	if err := fake.FailNext("POST", "/v1/checkout-sessions", 2, 503); err != nil { // the next two creates meet an outage
		t.Fatal(err)
	}
	if _, err := c.CheckoutSessions.Create(context.Background(), order); err != nil {
		t.Fatal(err) // the client's retries ride it out
	}
}

func financialAccounts(ctx context.Context, c *monime.Client) error {
	a, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{
		Name: "Payroll", Currency: "SLE", Reference: "payroll", Description: "salaries",
		Metadata: monime.Metadata{"team": "ops"},
	}, monime.WithIdempotencyKey("account-payroll"))
	if err != nil {
		return err
	}
	a, err = c.FinancialAccounts.Get(ctx, a.ID, &monime.FinancialAccountGetParams{WithBalance: true})
	if err != nil {
		return err
	}
	fmt.Println(a.ID, a.UVAN, a.Balance) // fac-... 07... SLE 0.00; Balance is nil unless asked for

	page, err := c.FinancialAccounts.List(ctx, &monime.FinancialAccountListParams{Reference: "payroll", WithBalance: true})
	if err != nil {
		return err
	}
	fmt.Println(len(page.Items)) // 1: references are unique in a space
	for a, err := range c.FinancialAccounts.All(ctx, nil) {
		if err != nil {
			return err
		}
		fmt.Println(a.Name, a.Currency)
	}
	_, err = c.FinancialAccounts.Update(ctx, a.ID, &monime.FinancialAccountUpdateParams{Name: "Payroll 2026"})
	return err
}

func TestFinancialAccounts(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	if err := financialAccounts(ctx, c); err != nil {
		t.Fatal(err)
	}
	page, err := c.FinancialAccounts.List(ctx, &monime.FinancialAccountListParams{Reference: "payroll", WithBalance: true})
	if err != nil || len(page.Items) != 1 {
		t.Fatal(page, err)
	}
	if a := page.Items[0]; a.Name != "Payroll 2026" || a.Balance == nil || a.Balance.String() != "SLE 0.00" {
		t.Fatalf("%+v", a)
	}
}

func payOut(ctx context.Context, c *monime.Client) error {
	kyc, err := c.ProviderKYC.Get(ctx, "m17", "+23276123456")
	if err != nil {
		return err
	}
	fmt.Println(kyc.Account.HolderName) // compare with your records before paying

	p, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{
		Amount:      monime.Money{Currency: "SLE", Value: 30000},
		Destination: monime.PayoutDestination{Type: "momo", ProviderID: "m17", PhoneNumber: "+23276123456"},
		Metadata:    monime.Metadata{"batch": "nov"},
	}, monime.WithIdempotencyKey("salary-nov-17")) // Source nil: the space's main account
	if err != nil {
		return err
	}
	fmt.Println(p.ID, p.Status) // pyt-... pending: the amount and fees are held

	p, err = c.Payouts.Get(ctx, p.ID) // or wait for the payout.completed / payout.failed webhook
	if err != nil {
		return err
	}
	if p.Status == monime.PayoutFailed && p.FailureDetail != nil {
		fmt.Println("not paid:", p.FailureDetail.Code) // the money held is back in the account
	}
	return nil
}

func TestPayOut(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	main := api.MainAccountID(api.DefaultSpaceID)
	if err := fake.Fund(main, monime.Money{Currency: "SLE", Value: 100000}); err != nil {
		t.Fatal(err)
	}
	if err := payOut(ctx, c); err != nil {
		t.Fatal(err)
	}
	page, err := c.Payouts.List(ctx, &monime.PayoutListParams{Status: monime.PayoutPending})
	if err != nil || len(page.Items) != 1 || page.Items[0].Metadata["batch"] != "nov" {
		t.Fatal(page, err)
	}
	if err := fake.CompletePayout(page.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := payOut(ctx, c); err != nil { // the same key: the payout already made, not a second
		t.Fatal(err)
	}
	a, err := c.FinancialAccounts.Get(ctx, main, &monime.FinancialAccountGetParams{WithBalance: true})
	if err != nil || a.Balance.Value != 70000 {
		t.Fatal(a, err)
	}
}

func moveMoney(ctx context.Context, c *monime.Client, mainID, payrollID string) error {
	t, err := c.InternalTransfers.Create(ctx, &monime.InternalTransferCreateParams{
		Amount:                        monime.Money{Currency: "SLE", Value: 50000},
		SourceFinancialAccountID:      mainID,
		DestinationFinancialAccountID: payrollID,
		Description:                   "Payroll float",
	}, monime.WithIdempotencyKey("float-nov"))
	if err != nil {
		return err
	}
	fmt.Println(t.Status) // completed when the source covered it, else failed (fund_insufficient)

	for tx, err := range c.FinancialTransactions.All(ctx, &monime.FinancialTransactionListParams{Reference: t.FinancialTransactionReference}) {
		if err != nil {
			return err
		}
		fmt.Println(tx.Type, tx.Amount, tx.FinancialAccountID, tx.BalanceAfter) // a debit of main, a credit of payroll
	}
	return nil
}

func TestMoveMoney(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	main := api.MainAccountID(api.DefaultSpaceID)
	if err := fake.Fund(main, monime.Money{Currency: "SLE", Value: 80000}); err != nil {
		t.Fatal(err)
	}
	payroll, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{Name: "Payroll", Currency: "SLE"})
	if err != nil {
		t.Fatal(err)
	}
	if err := moveMoney(ctx, c, main, payroll.ID); err != nil {
		t.Fatal(err)
	}
	a, err := c.FinancialAccounts.Get(ctx, payroll.ID, &monime.FinancialAccountGetParams{WithBalance: true})
	if err != nil || a.Balance.Value != 50000 {
		t.Fatal(a, err)
	}
}

func collectByUSSD(ctx context.Context, c *monime.Client, secret string, mux *http.ServeMux) error {
	pc, err := c.PaymentCodes.Create(ctx, &monime.PaymentCodeCreateParams{
		Name: "Term 1 fees", Mode: "one_time", Amount: monime.Money{Currency: "SLE", Value: 75000},
		Duration: 30 * time.Minute, AuthorizedPhoneNumber: "+23276555000", AuthorizedProviders: []string{"m17"},
		Reference: "inv-88", Metadata: monime.Metadata{"term": "1"},
	}, monime.WithIdempotencyKey("fees-inv-88"))
	if err != nil {
		return err
	}
	fmt.Println("Dial", pc.USSDCode, "to pay", pc.Amount) // *715*1*......# SLE 750.00

	webhooks := webhook.Handler(secret, func(ctx context.Context, ev *webhook.Event) error {
		if ev.Name != "payment_code.processed" {
			return nil
		}
		code, err := ev.PaymentCode()
		if err != nil {
			return err
		}
		paid := code.ProcessedPaymentData // set in this event only, never by a read
		fmt.Println(code.Reference, "paid", paid.Amount, "by payment", paid.PaymentID)
		return nil
	})
	mux.Handle("/monime/webhook", webhooks) // on your server's mux
	return nil
}

func TestCollectByUSSD(t *testing.T) {
	const secret = "whsec_readme_ussd_0123456789abcdefgh"
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	mux := http.NewServeMux()
	if err := collectByUSSD(ctx, c, secret, mux); err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewServer(mux) // where the snippet registered its handler
	defer receiver.Close()
	if err := fake.AddWebhook(receiver.URL+"/monime/webhook", secret, "payment_code.processed"); err != nil {
		t.Fatal(err)
	}
	page, err := c.PaymentCodes.List(ctx, nil)
	if err != nil || len(page.Items) != 1 {
		t.Fatal(page, err)
	}
	if err := fake.PayCode(page.Items[0].ID, monime.Money{Currency: "SLE", Value: 75000}); err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := fake.WaitForDeliveries(wait); err != nil {
		t.Fatal(err)
	}
	d := fake.Deliveries()
	if len(d) != 1 || d[0].EventName != "payment_code.processed" || d[0].StatusCode != http.StatusOK {
		t.Fatalf("%+v", d)
	}
	payments, err := c.Payments.List(ctx, nil)
	if err != nil || len(payments.Items) != 1 || payments.Items[0].Amount.Value != 75000 {
		t.Fatal(payments, err)
	}
}

func verifyPhone(ctx context.Context, c *monime.Client) error {
	otp, err := c.USSDOTPs.Create(ctx, &monime.USSDOTPCreateParams{
		AuthorizedPhoneNumber: "+23276111222", VerificationMessage: "Welcome", Duration: 5 * time.Minute,
	}, monime.WithIdempotencyKey("signup-4411"))
	if err != nil {
		return err
	}
	fmt.Println("Dial", otp.DialCode) // then poll c.USSDOTPs.Get(ctx, otp.ID) until Status is verified
	return nil
}

func TestVerifyPhone(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	if err := verifyPhone(ctx, c); err != nil {
		t.Fatal(err)
	}
	page, err := c.USSDOTPs.List(ctx, nil)
	if err != nil || len(page.Items) != 1 {
		t.Fatal(page, err)
	}
	if err := fake.DialOTP(page.Items[0].ID, "+23276111222"); err != nil {
		t.Fatal(err)
	}
	otp, err := c.USSDOTPs.Get(ctx, page.Items[0].ID)
	if err != nil || otp.Status != monime.USSDOTPVerified {
		t.Fatal(otp, err)
	}
}

func receiptsWebhooksCountries(ctx context.Context, c *monime.Client, orderNumber, itemRef, secret string) error {
	r, err := c.Receipts.Redeem(ctx, orderNumber, &monime.ReceiptRedeemParams{
		Entitlements: []monime.Entitlement{{Key: itemRef, Units: 1}},
	}, monime.WithIdempotencyKey("gate-"+orderNumber))
	var none *monime.NotRedeemedError
	switch {
	case errors.As(err, &none): // an entitlement was used up: nothing was redeemed
		fmt.Println("nothing to hand over:", none.Receipt.Status)
	case err != nil:
		return err
	default:
		fmt.Println(r.Status, r.Entitlements[0].Remaining) // partially_redeemed 1
	}

	wh, err := c.Webhooks.Create(ctx, &monime.WebhookCreateParams{
		Name: "orders", URL: "https://shop.example/monime/webhook", Events: []string{"checkout_session.completed"},
		Secret: secret, // HS256, 32 to 256 characters: what webhook.Handler verifies with
	}, monime.WithIdempotencyKey("webhook-orders"))
	if err != nil {
		return err
	}
	off := false
	if _, err := c.Webhooks.Update(ctx, wh.ID, &monime.WebhookUpdateParams{Enabled: &off}); err != nil {
		return err
	}

	sl, err := c.Countries.Get(ctx, "SL")
	if err != nil {
		return err
	}
	fmt.Println(sl.Name, sl.Currency.Code, sl.SupportedCurrencies) // Sierra Leone SLE [SLE USD]
	return nil
}

func TestReceiptsWebhooksCountries(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	s, err := c.CheckoutSessions.Create(ctx, &monime.CheckoutSessionCreateParams{Name: "Concert",
		LineItems: []monime.LineItem{{Name: "Ticket", Reference: "ticket", Price: monime.Money{Currency: "SLE", Value: 5000}, Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.Complete(s.ID); err != nil {
		t.Fatal(err)
	}
	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := receiptsWebhooksCountries(ctx, c, s.OrderNumber, "ticket", "whsec_readme_orders_0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	r, err := c.Receipts.Get(ctx, s.OrderNumber)
	if err != nil || r.Status != monime.ReceiptPartiallyRedeemed || r.Entitlements[0].Remaining != 1 {
		t.Fatal(r, err)
	}
	hooks, err := c.Webhooks.List(ctx, nil)
	if err != nil || len(hooks.Items) != 1 || hooks.Items[0].Enabled {
		t.Fatal(hooks, err)
	}
}
