package monime_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
	"github.com/monimekit/monime-go/monime/webhook"
)

// Contract tests of the rest of Monime: payment codes, USSD OTPs,
// receipts, webhooks and countries, through the facade against the fake.

// receiver is a webhook endpoint on loopback that keeps every verified
// event, and the headers each delivery came with.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	events  []*webhook.Event
	headers []http.Header
}

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{}
	h := webhook.Handler(secret, func(_ context.Context, ev *webhook.Event) error {
		r.mu.Lock()
		r.events = append(r.events, ev)
		r.mu.Unlock()
		return nil
	})
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.headers = append(r.headers, req.Header.Clone())
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

// named returns the verified events called name, in arrival order.
func (r *receiver) named(name string) []*webhook.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*webhook.Event
	for _, ev := range r.events {
		if ev.Name == name {
			out = append(out, ev)
		}
	}
	return out
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.headers)
}

func waitDeliveries(t *testing.T, fake *monimetest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, fake.WaitForDeliveries(ctx))
}

// A school's one_time code for term fees, paid over USSD: created with
// every member, replayed by its key, read, listed by each filter, paid,
// booked less fees, announced by webhook, then neither payable again nor
// deletable.
func TestContractPaymentCodes(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithFee("processing_fee", 150, 100)) // 1.5% + 1.00
	c := contractClient(t, fake)
	ctx := context.Background()

	const secret = "whsec_contract_payment_codes_0123456789"
	hook := newReceiver(t, secret)
	require.NoError(t, fake.AddWebhook(hook.URL, secret, webhook.EventPaymentCodeProcessed, webhook.EventPaymentCompleted))

	acct, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{Name: "School fees", Currency: "SLE"})
	require.NoError(t, err)

	params := &monime.PaymentCodeCreateParams{
		Name: "Term 1 fees", Mode: monime.PaymentCodeOneTime, Amount: sle(75_000), Duration: 30 * time.Minute,
		CustomerName: "Musa Kamara", AuthorizedPhoneNumber: "+23276555000", AuthorizedProviders: []string{monime.MomoProviderM17},
		FinancialAccountID: acct.ID, Reference: "inv-88", Metadata: monime.Metadata{"term": "1"},
	}
	pc, err := c.PaymentCodes.Create(ctx, params, monime.WithIdempotencyKey("fees-inv-88"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(pc.ID, "pmc-"), pc.ID)
	assert.Equal(t, monime.PaymentCodeOneTime, pc.Mode)
	assert.Equal(t, monime.PaymentCodePending, pc.Status)
	assert.Equal(t, "Term 1 fees", pc.Name)
	require.NotNil(t, pc.Amount)
	assert.Equal(t, sle(75_000), *pc.Amount)
	assert.True(t, pc.Enable)
	assert.Regexp(t, `^\*715\*1\*\d{6}#$`, pc.USSDCode)
	assert.Equal(t, "Musa Kamara", pc.CustomerName)
	assert.Equal(t, "+23276555000", pc.AuthorizedPhoneNumber)
	assert.Equal(t, []string{"m17"}, pc.AuthorizedProviders)
	assert.Equal(t, acct.ID, pc.FinancialAccountID)
	assert.Equal(t, "inv-88", pc.Reference)
	assert.Equal(t, monime.Metadata{"term": "1"}, pc.Metadata)
	assert.Nil(t, pc.ProcessedPaymentData)
	assert.WithinDuration(t, pc.CreateTime.Add(30*time.Minute), pc.ExpireTime, time.Second)

	again, err := c.PaymentCodes.Create(ctx, params, monime.WithIdempotencyKey("fees-inv-88"))
	require.NoError(t, err)
	assert.Equal(t, pc.ID, again.ID, "the same key is the same code")
	assert.Equal(t, pc.USSDCode, again.USSDCode)

	got, err := c.PaymentCodes.Get(ctx, pc.ID)
	require.NoError(t, err)
	assert.Equal(t, pc.ID, got.ID)
	assert.Equal(t, pc.USSDCode, got.USSDCode)
	_, err = c.PaymentCodes.Get(ctx, "pmc-doesnotexist00")
	assert.ErrorIs(t, err, monime.ErrNotFound)

	// A recurrent code without an amount, done after two payments, and a
	// plain code into the main account.
	rec, err := c.PaymentCodes.Create(ctx, &monime.PaymentCodeCreateParams{Name: "Market dues", Mode: monime.PaymentCodeRecurrent,
		RecurrentPaymentTarget: &monime.RecurrentPaymentTarget{ExpectedPaymentCount: 2}})
	require.NoError(t, err)
	assert.Equal(t, monime.PaymentCodeRecurrent, rec.Mode)
	assert.Nil(t, rec.Amount, "no amount: the payer chooses")
	require.NotNil(t, rec.RecurrentPaymentTarget)
	assert.Equal(t, 2, rec.RecurrentPaymentTarget.ExpectedPaymentCount)
	plain, err := c.PaymentCodes.Create(ctx, &monime.PaymentCodeCreateParams{Name: "Tips"})
	require.NoError(t, err)
	assert.Equal(t, monime.PaymentCodeOneTime, plain.Mode, "Monime's default mode")
	assert.Nil(t, plain.Amount)

	// Each filter, and paging through All.
	byCode, err := c.PaymentCodes.List(ctx, &monime.PaymentCodeListParams{USSDCode: rec.USSDCode})
	require.NoError(t, err)
	require.Len(t, byCode.Items, 1)
	assert.Equal(t, rec.ID, byCode.Items[0].ID)
	byMode, err := c.PaymentCodes.List(ctx, &monime.PaymentCodeListParams{Mode: monime.PaymentCodeOneTime})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{pc.ID, plain.ID}, codeIDs(byMode.Items))
	var all []string
	for p, err := range c.PaymentCodes.All(ctx, &monime.PaymentCodeListParams{Limit: 2}) {
		require.NoError(t, err)
		all = append(all, p.ID)
	}
	assert.Equal(t, []string{plain.ID, rec.ID, pc.ID}, all, "newest first, across pages of 2")

	// The parent pays from the authorized phone.
	require.NoError(t, fake.PayCode(pc.ID, sle(75_000)))
	require.ErrorIs(t, fake.PayCode(pc.ID, sle(75_000)), api.ErrCodeNotPayable, "a one_time code is paid once")
	pc, err = c.PaymentCodes.Get(ctx, pc.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.PaymentCodeCompleted, pc.Status)
	assert.True(t, pc.Status.IsFinal())
	assert.Nil(t, pc.ProcessedPaymentData, "a read never carries processedPaymentData")
	completed, err := c.PaymentCodes.List(ctx, &monime.PaymentCodeListParams{Status: monime.PaymentCodeCompleted})
	require.NoError(t, err)
	assert.Equal(t, []string{pc.ID}, codeIDs(completed.Items))

	// The payment_code.processed event carries the payment.
	waitDeliveries(t, fake)
	processed := hook.named(webhook.EventPaymentCodeProcessed)
	require.Len(t, processed, 1)
	ev, err := processed[0].PaymentCode()
	require.NoError(t, err)
	assert.Equal(t, pc.ID, ev.ID)
	assert.Equal(t, monime.PaymentCodeCompleted, ev.Status)
	require.NotNil(t, ev.ProcessedPaymentData)
	data := ev.ProcessedPaymentData
	assert.Equal(t, sle(75_000), data.Amount)
	assert.Equal(t, "m17", data.ProviderID)
	assert.True(t, strings.HasPrefix(data.PaymentID, "pay-"), data.PaymentID)
	assert.NotEmpty(t, data.FinancialTransactionReference)
	assert.NotEmpty(t, data.ChannelReference)
	assert.Equal(t, "+23276***000", data.AccountID, "the payer's phone, masked")
	assert.Equal(t, monime.Metadata{"term": "1"}, data.Metadata, "the code's metadata")
	require.Len(t, hook.named(webhook.EventPaymentCompleted), 1)

	// The payment reads through c.Payments, by account and by reference.
	pays, err := c.Payments.List(ctx, &monime.PaymentListParams{FinancialAccountID: acct.ID})
	require.NoError(t, err)
	require.Len(t, pays.Items, 1)
	pay := pays.Items[0]
	assert.Equal(t, data.PaymentID, pay.ID)
	assert.Equal(t, monime.PaymentStatus("completed"), pay.Status)
	assert.Equal(t, sle(75_000), pay.Amount)
	assert.Equal(t, monime.PaymentChannelType("momo"), pay.Channel.Type)
	require.NotNil(t, pay.Channel.Momo)
	assert.Equal(t, "m17", pay.Channel.Momo.Provider)
	assert.Equal(t, "+23276***000", pay.Channel.Momo.PhoneNumber)
	assert.Equal(t, acct.ID, pay.FinancialAccountID)
	assert.Equal(t, data.FinancialTransactionReference, pay.FinancialTransactionReference)
	assert.Equal(t, "Term 1 fees", pay.Name)
	assert.Equal(t, monime.Metadata{"term": "1"}, pay.Metadata)
	require.NotNil(t, pay.OwnershipGraph)
	require.NotNil(t, pay.OwnershipGraph.Owner)
	assert.Equal(t, pc.ID, pay.OwnershipGraph.Owner.ID)
	assert.Equal(t, monime.Fees{{Code: "processing_fee", Amount: sle(1_225)}}, pay.Fees)
	byRef, err := c.Payments.List(ctx, &monime.PaymentListParams{FinancialTransactionReference: data.FinancialTransactionReference})
	require.NoError(t, err)
	require.Len(t, byRef.Items, 1)
	assert.Equal(t, pay.ID, byRef.Items[0].ID)

	// The account is credited less fees, in the ledger too.
	assert.Equal(t, int64(75_000-1_225), balance(t, c, acct.ID))
	var credit, debit int64
	for tx, err := range c.FinancialTransactions.All(ctx, &monime.FinancialTransactionListParams{Reference: data.FinancialTransactionReference}) {
		require.NoError(t, err)
		assert.Equal(t, acct.ID, tx.FinancialAccountID)
		if tx.Type == monime.FinancialTransactionCredit {
			credit += tx.Amount.Value
		} else {
			debit += tx.Amount.Value
		}
	}
	assert.Equal(t, int64(75_000), credit)
	assert.Equal(t, int64(1_225), debit)

	// Final: neither updatable nor, used, deletable. Unused: deleted.
	_, err = c.PaymentCodes.Update(ctx, pc.ID, &monime.PaymentCodeUpdateParams{Name: "Term 1 fees, paid"})
	assert.ErrorIs(t, err, monime.ErrConflict)
	assert.ErrorIs(t, c.PaymentCodes.Delete(ctx, pc.ID), monime.ErrConflict)
	require.NoError(t, c.PaymentCodes.Delete(ctx, plain.ID))
	_, err = c.PaymentCodes.Get(ctx, plain.ID)
	assert.ErrorIs(t, err, monime.ErrNotFound)

	// The recurrent code takes two payments of the payer's choosing, then
	// is complete.
	require.NoError(t, fake.PayCode(rec.ID, sle(500)))
	rec, err = c.PaymentCodes.Get(ctx, rec.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.PaymentCodeProcessing, rec.Status)
	require.NoError(t, fake.PayCode(rec.ID, sle(700)))
	rec, err = c.PaymentCodes.Get(ctx, rec.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.PaymentCodeCompleted, rec.Status, "complete after its count")
	assert.ErrorIs(t, fake.PayCode(rec.ID, sle(100)), api.ErrCodeNotPayable)
	waitDeliveries(t, fake)
	assert.Len(t, hook.named(webhook.EventPaymentCodeProcessed), 3)
}

// Update renames a code and turns it off: disabled, it takes no payment.
func TestContractPaymentCodeUpdate(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := contractClient(t, fake)
	ctx := context.Background()

	pc, err := c.PaymentCodes.Create(ctx, &monime.PaymentCodeCreateParams{Name: "Clinic visit", Amount: sle(20_000)})
	require.NoError(t, err)
	off := false
	u, err := c.PaymentCodes.Update(ctx, pc.ID, &monime.PaymentCodeUpdateParams{Name: "Clinic visit, Dr Sesay", Enable: &off})
	require.NoError(t, err)
	assert.Equal(t, "Clinic visit, Dr Sesay", u.Name)
	assert.False(t, u.Enable)
	assert.Equal(t, pc.USSDCode, u.USSDCode, "the rest stays")
	require.NotNil(t, u.Amount)
	assert.Equal(t, sle(20_000), *u.Amount)

	assert.ErrorIs(t, fake.PayCode(pc.ID, sle(20_000)), api.ErrCodeNotPayable, "a disabled code takes no payment")
	got, err := c.PaymentCodes.Get(ctx, pc.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.PaymentCodePending, got.Status)
	assert.False(t, got.Enable)
	page, err := c.Payments.List(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, page.Items)
}

func codeIDs(list []monime.PaymentCode) []string {
	ids := make([]string, len(list))
	for i, p := range list {
		ids[i] = p.ID
	}
	return ids
}

// A phone is verified by dialling its OTP from it, and from no other.
func TestContractUSSDOTPs(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := contractClient(t, fake)
	ctx := context.Background()

	otp, err := c.USSDOTPs.Create(ctx, &monime.USSDOTPCreateParams{AuthorizedPhoneNumber: "+23276111222",
		VerificationMessage: "Welcome", Duration: 5 * time.Minute, Metadata: monime.Metadata{"user": "u-1"}})
	require.NoError(t, err)
	assert.NotEmpty(t, otp.ID)
	assert.Equal(t, monime.USSDOTPPending, otp.Status)
	assert.Regexp(t, `^\*715\*2\*\d{6}#$`, otp.DialCode)
	assert.Equal(t, "+23276111222", otp.AuthorizedPhoneNumber)
	assert.Equal(t, "Welcome", otp.VerificationMessage)
	assert.Equal(t, monime.Metadata{"user": "u-1"}, otp.Metadata)
	assert.WithinDuration(t, otp.CreateTime.Add(5*time.Minute), otp.ExpireTime, time.Second)

	other, err := c.USSDOTPs.Create(ctx, &monime.USSDOTPCreateParams{AuthorizedPhoneNumber: "+23277000111"})
	require.NoError(t, err)
	assert.WithinDuration(t, other.CreateTime.Add(5*time.Minute), other.ExpireTime, time.Second, "Monime's default, 5 minutes")

	got, err := c.USSDOTPs.Get(ctx, otp.ID)
	require.NoError(t, err)
	assert.Equal(t, otp.DialCode, got.DialCode)
	page, err := c.USSDOTPs.List(ctx, nil)
	require.NoError(t, err)
	var listed []string
	for _, o := range page.Items {
		listed = append(listed, o.ID)
	}
	assert.Equal(t, []string{other.ID, otp.ID}, listed, "newest first")
	listed = nil
	for o, err := range c.USSDOTPs.All(ctx, &monime.USSDOTPListParams{Limit: 1}) {
		require.NoError(t, err)
		listed = append(listed, o.ID)
	}
	assert.Equal(t, []string{other.ID, otp.ID}, listed, "pages of 1")

	assert.ErrorIs(t, fake.DialOTP(otp.ID, "+23276999999"), api.ErrOTPWrongPhone)
	got, err = c.USSDOTPs.Get(ctx, otp.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.USSDOTPPending, got.Status, "another phone verifies nothing")

	require.NoError(t, fake.DialOTP(otp.ID, "+23276111222"))
	got, err = c.USSDOTPs.Get(ctx, otp.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.USSDOTPVerified, got.Status)
	assert.True(t, got.Status.IsFinal())
	assert.ErrorIs(t, fake.DialOTP(otp.ID, "+23276111222"), api.ErrOTPNotPending)

	require.NoError(t, c.USSDOTPs.Delete(ctx, otp.ID))
	_, err = c.USSDOTPs.Get(ctx, otp.ID)
	assert.ErrorIs(t, err, monime.ErrNotFound)
}

// A paid order's receipt: read, redeemed in part with a key, exhausted,
// refused whole thereafter, and unknown to the earlier release.
func TestContractReceipts(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := contractClient(t, fake)
	ctx := context.Background()

	s, err := c.CheckoutSessions.Create(ctx, newOrder(7))
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s.ID))
	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	require.NoError(t, err)
	require.NotEmpty(t, s.OrderNumber)

	r, err := c.Receipts.Get(ctx, s.OrderNumber)
	require.NoError(t, err)
	assert.Equal(t, s.OrderNumber, r.OrderNumber)
	assert.Equal(t, "Order #7", r.OrderName)
	assert.Equal(t, monime.ReceiptNotRedeemed, r.Status)
	assert.Equal(t, sle(30_000), r.OrderAmount, "the first line item's currency")
	require.Len(t, r.Entitlements, 2)
	tee := r.Entitlements[0]
	assert.Equal(t, "tee", tee.Key)
	assert.Equal(t, "T-shirt", tee.Name)
	assert.Equal(t, 2, tee.Limit)
	assert.Equal(t, 2, tee.Remaining)
	assert.NotEmpty(t, r.Entitlements[1].Key, "a key for the item without a reference")

	redeem := &monime.ReceiptRedeemParams{Entitlements: []monime.Entitlement{{Key: "tee", Units: 1}}}
	r, err = c.Receipts.Redeem(ctx, s.OrderNumber, redeem, monime.WithIdempotencyKey("stall-1"))
	require.NoError(t, err)
	assert.Equal(t, monime.ReceiptPartiallyRedeemed, r.Status)
	assert.Equal(t, 1, r.Entitlements[0].Remaining)
	assert.Equal(t, 1, r.Entitlements[0].Current)
	r, err = c.Receipts.Redeem(ctx, s.OrderNumber, redeem, monime.WithIdempotencyKey("stall-1"))
	require.NoError(t, err)
	assert.Equal(t, 1, r.Entitlements[0].Remaining, "the same key redeems once")

	r, err = c.Receipts.Redeem(ctx, s.OrderNumber, redeem)
	require.NoError(t, err)
	assert.True(t, r.Entitlements[0].Exhausted)
	assert.Equal(t, 0, r.Entitlements[0].Remaining)

	// Exhausted: refused whole, nothing changes.
	before, err := c.Receipts.Get(ctx, s.OrderNumber)
	require.NoError(t, err)
	_, err = c.Receipts.Redeem(ctx, s.OrderNumber, &monime.ReceiptRedeemParams{Entitlements: []monime.Entitlement{
		{Key: r.Entitlements[1].Key, Units: 1}, {Key: "tee", Units: 1}}})
	require.ErrorIs(t, err, monime.ErrNotRedeemed)
	var none *monime.NotRedeemedError
	require.ErrorAs(t, err, &none)
	assert.Equal(t, before.Entitlements, none.Receipt.Entitlements)
	after, err := c.Receipts.Get(ctx, s.OrderNumber)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a refused redemption changes nothing")

	_, err = c.Receipts.Redeem(ctx, s.OrderNumber, &monime.ReceiptRedeemParams{Entitlements: []monime.Entitlement{{Key: r.Entitlements[1].Key, Units: 5}}})
	assert.ErrorIs(t, err, monime.ErrInvalidRequest, "more units than are left")
	_, err = c.Receipts.Redeem(ctx, s.OrderNumber, &monime.ReceiptRedeemParams{Entitlements: []monime.Entitlement{{Key: "hat"}}})
	assert.ErrorIs(t, err, monime.ErrInvalidRequest, "a key the receipt lacks")
	_, err = c.Receipts.Get(ctx, "000000")
	assert.ErrorIs(t, err, monime.ErrNotFound)

	// caph.2025-06-20 has no receipts: refused before sending.
	old := contractClient(t, fake, monime.WithAPIVersion(monime.APIVersion20250620))
	n := fake.RequestCount()
	_, err = old.Receipts.Get(ctx, s.OrderNumber)
	var verr *monime.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.ErrorIs(t, err, monime.ErrInvalidRequest)
	assert.Contains(t, err.Error(), monime.APIVersion20250620)
	_, err = old.Receipts.Redeem(ctx, s.OrderNumber, &monime.ReceiptRedeemParams{RedeemAll: true})
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, n, fake.RequestCount(), "nothing was sent")
}

// Webhooks made through the API are real: signed with their secret,
// carrying their headers, filtered by their events, silent when disabled.
func TestContractWebhooks(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := contractClient(t, fake)
	ctx := context.Background()

	const secret = "whsec_contract_webhooks_api_0123456789abcdef"
	hook := newReceiver(t, secret)
	wh, err := c.Webhooks.Create(ctx, &monime.WebhookCreateParams{Name: "orders", URL: hook.URL,
		Events: []string{webhook.EventCheckoutSessionCompleted}, Secret: secret,
		Headers: map[string]string{"X-Shop": "kenema"}, Metadata: monime.Metadata{"env": "test"}})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(wh.ID, "whk-"), wh.ID)
	assert.Equal(t, "orders", wh.Name)
	assert.Equal(t, hook.URL, wh.URL)
	assert.True(t, wh.Enabled, "Monime's default")
	assert.Equal(t, []string{webhook.EventCheckoutSessionCompleted}, wh.Events)
	assert.Equal(t, monime.WebhookHS256, wh.VerificationType)
	assert.Equal(t, secret, wh.Secret)
	assert.Equal(t, map[string]string{"X-Shop": "kenema"}, wh.Headers)

	// A real delivery, verified with the secret, with the header.
	s, err := c.CheckoutSessions.Create(ctx, newOrder(1))
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s.ID))
	waitDeliveries(t, fake)
	done := hook.named(webhook.EventCheckoutSessionCompleted)
	require.Len(t, done, 1, "only the events it names")
	assert.Equal(t, 1, hook.count(), "payment events are filtered out")
	got, err := done[0].CheckoutSession()
	require.NoError(t, err)
	assert.Equal(t, s.ID, got.ID)
	hook.mu.Lock()
	assert.Equal(t, "kenema", hook.headers[0].Get("X-Shop"))
	hook.mu.Unlock()

	// Disabled: nothing is delivered.
	off := false
	u, err := c.Webhooks.Update(ctx, wh.ID, &monime.WebhookUpdateParams{Enabled: &off})
	require.NoError(t, err)
	assert.False(t, u.Enabled)
	assert.Equal(t, wh.Events, u.Events)
	s2, err := c.CheckoutSessions.Create(ctx, newOrder(2))
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s2.ID))
	waitDeliveries(t, fake)
	assert.Equal(t, 1, hook.count(), "no delivery while disabled")

	other, err := c.Webhooks.Create(ctx, &monime.WebhookCreateParams{Name: "codes", URL: hook.URL + "/codes",
		Events: []string{webhook.EventPaymentCodeProcessed}, Secret: secret})
	require.NoError(t, err)
	got2, err := c.Webhooks.Get(ctx, wh.ID)
	require.NoError(t, err)
	assert.False(t, got2.Enabled)
	assert.Equal(t, wh.Events, got2.Events, "the rest stays")
	assert.Equal(t, wh.Headers, got2.Headers)
	assert.Equal(t, monime.WebhookHS256, got2.VerificationType)
	assert.Equal(t, secret, got2.Secret)
	_, err = c.Webhooks.Create(ctx, &monime.WebhookCreateParams{Name: "short", URL: hook.URL, Events: []string{"payment.completed"}, Secret: "too-short"})
	var verr *monime.ValidationError
	assert.ErrorAs(t, err, &verr, "a secret under 32 characters is refused before sending")
	page, err := c.Webhooks.List(ctx, nil)
	require.NoError(t, err)
	var listed []string
	for _, w := range page.Items {
		listed = append(listed, w.ID)
	}
	assert.Equal(t, []string{other.ID, wh.ID}, listed, "newest first")
	listed = nil
	for w, err := range c.Webhooks.All(ctx, &monime.WebhookListParams{Limit: 1}) {
		require.NoError(t, err)
		listed = append(listed, w.ID)
	}
	assert.Equal(t, []string{other.ID, wh.ID}, listed)

	require.NoError(t, c.Webhooks.Delete(ctx, wh.ID))
	_, err = c.Webhooks.Get(ctx, wh.ID)
	assert.ErrorIs(t, err, monime.ErrNotFound)
	_, err = c.Webhooks.Get(ctx, "whk-doesnotexist")
	assert.ErrorIs(t, err, monime.ErrNotFound)
}

func TestContractCountries(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := contractClient(t, fake)
	ctx := context.Background()

	page, err := c.Countries.List(ctx, nil)
	require.NoError(t, err)
	require.NotEmpty(t, page.Items)
	var codes []string
	for _, co := range page.Items {
		codes = append(codes, co.Code)
	}
	assert.Contains(t, codes, "SL")
	var all []string
	for co, err := range c.Countries.All(ctx, &monime.CountryListParams{Limit: 1}) {
		require.NoError(t, err)
		all = append(all, co.Code)
	}
	assert.Equal(t, codes, all)

	sl, err := c.Countries.Get(ctx, "SL")
	require.NoError(t, err)
	assert.Equal(t, "Sierra Leone", sl.Name)
	assert.Equal(t, monime.Currency("SLE"), sl.Currency.Code)
	assert.Contains(t, sl.SupportedCurrencies, monime.Currency("SLE"))

	_, err = c.Countries.Get(ctx, "GH")
	assert.ErrorIs(t, err, monime.ErrNotFound)
	assert.False(t, errors.Is(err, monime.ErrInvalidRequest))
}

// Past their time, a code and an OTP are expired and take nothing.
func TestContractCodeAndOTPExpire(t *testing.T) {
	var (
		mu  sync.Mutex
		now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	fake := monimetest.NewServer(t, api.WithClock(clock))
	c := contractClient(t, fake)
	ctx := context.Background()

	pc, err := c.PaymentCodes.Create(ctx, &monime.PaymentCodeCreateParams{Name: "Stall 12", Amount: sle(1_000), Duration: time.Minute})
	require.NoError(t, err)
	otp, err := c.USSDOTPs.Create(ctx, &monime.USSDOTPCreateParams{AuthorizedPhoneNumber: "+23276111222", Duration: time.Minute})
	require.NoError(t, err)

	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	assert.ErrorIs(t, fake.PayCode(pc.ID, sle(1_000)), api.ErrCodeNotPayable)
	assert.ErrorIs(t, fake.DialOTP(otp.ID, "+23276111222"), api.ErrOTPNotPending)
	pc, err = c.PaymentCodes.Get(ctx, pc.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.PaymentCodeExpired, pc.Status)
	otp, err = c.USSDOTPs.Get(ctx, otp.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.USSDOTPExpired, otp.Status)
	require.NoError(t, c.PaymentCodes.Delete(ctx, pc.ID), "an unused code goes in any status")
}
