package monimetest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
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

// total is what a session's line items cost in its one currency.
func total(t *testing.T, s *monime.CheckoutSession) monime.Money {
	t.Helper()
	totals, err := s.Totals()
	require.NoError(t, err)
	require.Len(t, totals, 1)
	for c, v := range totals {
		return monime.Money{Currency: c, Value: v}
	}
	return monime.Money{}
}

func TestPaymentsShowWhatTheClientReads(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	s, err := c.CheckoutSessions.Create(ctx, params())
	require.NoError(t, err)
	assert.Empty(t, allPayments(t, c), "no payment before the customer pays")
	require.NoError(t, fake.Complete(s.ID))
	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	require.NoError(t, err)

	payments := allPayments(t, c)
	require.Len(t, payments, 1)
	p := payments[0]
	assert.Equal(t, monime.PaymentStatusCompleted, p.Status)
	assert.True(t, p.Status.IsFinal())
	assert.Equal(t, total(t, s), p.Amount, "the session's total")
	assert.Equal(t, s.OrderNumber, p.OrderNumber)
	assert.Equal(t, monime.PaymentChannelMomo, p.Channel.Type, "Complete pays the preselected way: mobile money")
	require.NotNil(t, p.Channel.Momo)
	assert.Equal(t, monime.MomoProviderM17, p.Channel.Momo.Provider)
	assert.Equal(t, "+23276***456", p.Channel.Momo.PhoneNumber)
	assert.Empty(t, p.Fees)

	got, err := c.Payments.Get(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, p, *got, "a list and a get agree")
	byOrder, err := c.Payments.ForCheckoutSession(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, []monime.Payment{p}, byOrder)
	rec, ok := monimetest.Find[api.Payment](fake, p.ID)
	require.True(t, ok)
	assert.Equal(t, s.ID, rec.SessionID, "the fake's record names the session")
	_, ok = monimetest.Find[api.Payment](fake, "pay-nope")
	assert.False(t, ok)

	updated, err := c.Payments.Update(ctx, p.ID, &monime.PaymentUpdateParams{Name: "Order #1042", Metadata: monime.Metadata{"ledger": "2025-09"}})
	require.NoError(t, err)
	got, err = c.Payments.Get(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, *updated, *got)
	assert.Equal(t, "Order #1042", got.Name)
}

// allPayments lists every payment of c's space, newest first, through the
// client.
func allPayments(t *testing.T, c *monime.Client) []monime.Payment {
	t.Helper()
	var out []monime.Payment
	for p, err := range c.Payments.All(context.Background(), nil) {
		require.NoError(t, err)
		out = append(out, *p)
	}
	return out
}

func TestPaymentsInAnotherSpace(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithCredentials("mon_test_x", "spc-a", "spc-b"))
	ctx := context.Background()
	a, b := fake.ClientFor("mon_test_x", "spc-a"), fake.ClientFor("mon_test_x", "spc-b")
	sa, err := a.CheckoutSessions.Create(ctx, params())
	require.NoError(t, err)
	sb, err := b.CheckoutSessions.Create(ctx, params())
	require.NoError(t, err)
	require.NoError(t, fake.Complete(sa.ID))
	require.NoError(t, fake.Complete(sb.ID))
	inA, inB := allPayments(t, a), allPayments(t, b)
	require.Len(t, inA, 1)
	require.Len(t, inB, 1)
	assert.NotEqual(t, inA[0].ID, inB[0].ID)
	_, err = b.Payments.Get(ctx, inA[0].ID)
	assert.ErrorIs(t, err, monime.ErrNotFound, "a payment belongs to its session's space")
}

func TestCompleteWithEachKind(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	pay := func(method monime.PaymentChannelType, provider string) monime.Payment {
		t.Helper()
		p := params()
		p.PaymentOptions = nil
		s, err := c.CheckoutSessions.Create(ctx, p)
		require.NoError(t, err)
		require.NoError(t, fake.CompleteWith(s.ID, method, provider))
		s, err = c.CheckoutSessions.Get(ctx, s.ID)
		require.NoError(t, err)
		ps, err := c.Payments.ForCheckoutSession(ctx, s)
		require.NoError(t, err)
		require.Len(t, ps, 1)
		return ps[0]
	}

	momo := pay(monime.PaymentChannelMomo, monime.MomoProviderM18)
	require.NotNil(t, momo.Channel.Momo)
	assert.Equal(t, monime.MomoProviderM18, momo.Channel.Momo.Provider)
	assert.Regexp(t, `^MP\d{6}\.\d{4}\.[0-9A-Z]{6}$`, momo.Channel.Momo.Reference)

	bank := pay(monime.PaymentChannelBank, monime.BankProviderSLB004)
	assert.Equal(t, monime.PaymentChannelBank, bank.Channel.Type)
	require.NotNil(t, bank.Channel.Bank)
	assert.Equal(t, monime.BankProviderSLB004, bank.Channel.Bank.Provider)
	assert.Regexp(t, `^\*{4}\d{4}$`, bank.Channel.Bank.AccountNumber)

	card := pay(monime.PaymentChannelCard, "mastercard")
	require.NotNil(t, card.Channel.Card)
	assert.Equal(t, "mastercard", card.Channel.Card.Scheme)
	assert.Equal(t, "4444", card.Channel.Card.Last4)

	wallet := pay(monime.PaymentChannelWallet, "")
	require.NotNil(t, wallet.Channel.Wallet)
	assert.Equal(t, monime.WalletProviderDW001, wallet.Channel.Wallet.Provider, "no provider: the first")
	assert.NotEmpty(t, wallet.Channel.Wallet.Fingerprint)

	again := pay(monime.PaymentChannelBank, monime.BankProviderSLB004)
	assert.Equal(t, bank.Channel.Bank.Fingerprint, again.Channel.Bank.Fingerprint, "the same payer, the same fingerprint")

	s, err := c.CheckoutSessions.Create(ctx, params()) // card disabled
	require.NoError(t, err)
	err = fake.CompleteWith(s.ID, monime.PaymentChannelCard, "")
	assert.ErrorIs(t, err, api.ErrChannelNotOffered)
	assert.ErrorContains(t, err, `the method "card" is not one this checkout session offers`)
	assert.Len(t, allPayments(t, c), 5, "nothing recorded for the refused one")
}

func TestPaymentFeesFromTheOption(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithFee("processing_fee", 100, 50))
	c := fake.Client()
	ctx := context.Background()
	s, err := c.CheckoutSessions.Create(ctx, params()) // SLE 300.00
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s.ID))
	p := allPayments(t, c)[0]
	assert.Equal(t, monime.Fees{{Code: "processing_fee", Amount: monime.Money{Currency: "SLE", Value: 300 + 50}}}, p.Fees)
	net, err := p.Net()
	require.NoError(t, err)
	assert.Equal(t, monime.Money{Currency: "SLE", Value: 30000 - 350}, net)
}

// The story of issue 16 through the real client: create, pay on the hosted
// page with mobile money as a browser would, receive both payment events
// and the checkout one, and find the payment by its order number, the
// session's total.
func TestPayOnTheHostedPageThenReconcile(t *testing.T) {
	const secret = "whsec_monimetest"
	var mu sync.Mutex
	var events []*webhook.Event
	receiver := httptest.NewServer(webhook.Handler(secret, func(_ context.Context, ev *webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
		return nil
	}))
	defer receiver.Close()
	fake := monimetest.NewServer(t)
	require.NoError(t, fake.AddWebhook(receiver.URL, secret, "payment.created", "payment.completed", "checkout_session.completed"))
	c := fake.Client()
	ctx := context.Background()

	s, err := c.CheckoutSessions.Create(ctx, params())
	require.NoError(t, err)

	// The customer's browser: open the page, submit the Pay form as it
	// stands (mobile money is preselected).
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(s.RedirectURL)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	form := regexp.MustCompile(`<form id="pay-form"[^>]*action="([^"]+)"`).FindSubmatch(page)
	require.NotNil(t, form, "%s", page)
	choice := url.Values{}
	for _, in := range regexp.MustCompile(`<input type="radio" name="([^"]+)" value="([^"]+)" checked>`).FindAllSubmatch(page, -1) {
		choice.Add(string(in[1]), string(in[2]))
	}
	assert.Equal(t, "momo", choice.Get("method"))
	assert.Equal(t, "m17", choice.Get("provider-momo"))
	resp, err = browser.Post(fake.URL+string(form[1]), "application/x-www-form-urlencoded", strings.NewReader(choice.Encode()))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "https://shop.example/ok", resp.Header.Get("Location"))

	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, fake.WaitForDeliveries(wait))
	mu.Lock()
	got := append([]*webhook.Event(nil), events...)
	mu.Unlock()
	require.Len(t, got, 3)
	assert.Equal(t, []string{"payment.created", "payment.completed", "checkout_session.completed"}, []string{got[0].Name, got[1].Name, got[2].Name})
	paid, err := got[2].CheckoutSession()
	require.NoError(t, err)

	found, err := c.Payments.List(ctx, &monime.PaymentListParams{OrderNumber: paid.OrderNumber})
	require.NoError(t, err)
	require.Len(t, found.Items, 1)
	p := found.Items[0]
	assert.Equal(t, total(t, paid), p.Amount, "the payment is the session's total")
	assert.Equal(t, monime.PaymentStatusCompleted, p.Status)
	assert.Equal(t, got[1].Object.ID, p.ID)
	assert.Equal(t, monime.PaymentChannelMomo, p.Channel.Type)
	assert.Equal(t, monime.MomoProviderM17, p.Channel.Momo.Provider)
}
