package monime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/internal/contract"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
)

// Contract tests: the facade against the fake, with both sides checked
// against spec/ (the client's traffic by contract.Transport, the fake's by
// its own request and response validation).

func contractClient(t *testing.T, fake *monimetest.Server, opts ...monime.ClientOption) *monime.Client {
	tr := contract.NewTransport(t, nil)
	tr.Next = fake.HTTPClient().Transport
	return fake.Client(append([]monime.ClientOption{monime.WithHTTPClient(&http.Client{Transport: tr})}, opts...)...)
}

func newOrder(n int) *monime.CheckoutSessionCreateParams {
	return &monime.CheckoutSessionCreateParams{
		Name:       fmt.Sprintf("Order #%d", n),
		Reference:  fmt.Sprint(n),
		LineItems:  []monime.LineItem{{Name: "T-shirt", Price: monime.Money{Currency: "SLE", Value: 15000}, Quantity: 2, Reference: "tee"}, {Name: "Cap", Price: monime.Money{Currency: "USD", Value: 900}}},
		SuccessURL: "https://shop.example/ok",
		CancelURL:  "https://shop.example/cancel",
		Metadata:   monime.Metadata{"order": fmt.Sprint(n)},
		PaymentOptions: &monime.PaymentOptions{
			Momo: &monime.MethodOptions{EnabledProviders: []string{monime.MomoProviderM17}},
		},
		BrandingOptions: &monime.BrandingOptions{PrimaryColor: "#112233"},
	}
}

func TestContractFullLifecycle(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := contractClient(t, fake)
	ctx := context.Background()

	var ids []string
	for i := range 7 {
		s, err := c.CheckoutSessions.Create(ctx, newOrder(i))
		require.NoError(t, err)
		assert.Equal(t, monime.CheckoutSessionStatusPending, s.Status)
		assert.Equal(t, fmt.Sprintf("Order #%d", i), s.Name)
		assert.Equal(t, monime.Metadata{"order": fmt.Sprint(i)}, s.Metadata)
		assert.Len(t, s.LineItems, 2)
		assert.NotEmpty(t, s.LineItems[0].ID)
		totals, err := s.Totals()
		require.NoError(t, err)
		assert.Equal(t, map[monime.Currency]int64{"SLE": 30000, "USD": 900}, totals)
		assert.True(t, s.ExpireTime.After(s.CreateTime))
		ids = append(ids, s.ID)
	}

	got, err := c.CheckoutSessions.Get(ctx, ids[3])
	require.NoError(t, err)
	assert.Equal(t, "3", got.Reference)

	// Newest first, across pages of 3.
	var listed []string
	for s, err := range c.CheckoutSessions.All(ctx, &monime.CheckoutSessionListParams{Limit: 3}) {
		require.NoError(t, err)
		listed = append(listed, s.ID)
	}
	want := make([]string, len(ids))
	for i, id := range ids {
		want[len(ids)-1-i] = id
	}
	assert.Equal(t, want, listed)

	require.NoError(t, c.CheckoutSessions.Delete(ctx, ids[0]))
	_, err = c.CheckoutSessions.Get(ctx, ids[0])
	assert.ErrorIs(t, err, monime.ErrNotFound)

	require.NoError(t, fake.Start(ids[1]))
	err = c.CheckoutSessions.Delete(ctx, ids[1])
	assert.ErrorIs(t, err, monime.ErrConflict)

	require.NoError(t, fake.Cancel(ids[2]))
	require.NoError(t, fake.Expire(ids[4]))
	require.NoError(t, fake.Complete(ids[5]))
	for id, status := range map[string]monime.CheckoutSessionStatus{ids[2]: "cancelled", ids[4]: "expired", ids[5]: "completed", ids[6]: "pending"} {
		s, err := c.CheckoutSessions.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, status, s.Status)
		assert.Equal(t, status == "completed", s.OrderNumber != "")
	}
}

func TestContractErrorReasons(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithCredentials(api.DefaultToken, api.DefaultSpaceID), api.WithCredentials("mon_test_limited", "spc-limited"), api.WithRateLimit(2))
	c := contractClient(t, fake)
	ctx := context.Background()

	check := func(err error, status int, reason string, sentinel error) {
		t.Helper()
		var apiErr *monime.Error
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Equal(t, reason, apiErr.Reason)
		assert.NotEmpty(t, apiErr.RequestID)
		assert.NotEmpty(t, apiErr.Message)
		assert.ErrorIs(t, err, sentinel)
	}

	_, err := fake.ClientFor("mon_test_wrong", api.DefaultSpaceID).CheckoutSessions.Get(ctx, "scs-x")
	check(err, 401, api.ReasonUnauthorized, monime.ErrUnauthorized)

	_, err = c.CheckoutSessions.Get(ctx, "scs-x", monime.WithSpaceID("spc-limited"))
	check(err, 403, api.ReasonForbidden, monime.ErrForbidden)

	_, err = c.CheckoutSessions.Get(ctx, "scs-doesnotexist")
	check(err, 404, api.ReasonNotFound, monime.ErrNotFound)

	_, err = c.CheckoutSessions.Create(ctx, newOrder(1), monime.WithIdempotencyKey("order-1"))
	require.NoError(t, err)
	_, err = c.CheckoutSessions.Create(ctx, newOrder(2), monime.WithIdempotencyKey("order-1"))
	check(err, 409, monime.ReasonIdempotencyKeyInUse, monime.ErrConflict)
	var apiErr *monime.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "order-1", apiErr.IdempotencyKey)

	limited := fake.ClientFor("mon_test_limited", "spc-limited", monime.WithMaxRetries(0))
	var last error
	for range 5 {
		if _, last = limited.CheckoutSessions.List(ctx, nil); last != nil {
			break
		}
	}
	check(last, 429, api.ReasonTooManyRequests, monime.ErrRateLimited)
	require.ErrorAs(t, last, &apiErr)
	assert.GreaterOrEqual(t, apiErr.RetryAfter, time.Second)
	assert.Equal(t, "endpoint-limit", apiErr.RateLimit)
}

// The proof that retries never double-charge: 1,000 creates from 32
// goroutines while about 30% of attempts meet a fault, among them answers
// lost after the session was stored. Every call succeeds, exactly 1,000
// sessions exist, and each call got the session stored under its key.
func TestRetriesUnderInjectedFaultsNeverDoubleCreate(t *testing.T) {
	const calls, workers = 1000, 32
	fake := monimetest.NewServer(t, api.WithFaultFunc(api.RandomFaults(20261121, 0.3,
		api.Fault{Status: 500}, api.Fault{Status: 502}, api.Fault{Status: 503},
		api.Fault{Status: 429, RetryAfter: 1},
		api.Fault{Reset: true},
		api.Fault{Drop: true},
	)))
	// 12 retries: a call fails only if 13 attempts in a row meet a fault
	// (0.3^13, about 1.6e-7 per call).
	c := fake.Client(monime.WithMaxRetries(12), monime.WithRetryBackoff(time.Millisecond, 4*time.Millisecond))
	ctx := context.Background()

	returned, attempts, replays := keyedCreates(t, calls, workers, "order-%04d", func(n int, key string, info *monime.ResponseInfo) (string, error) {
		s, err := c.CheckoutSessions.Create(ctx, newOrder(n), monime.WithIdempotencyKey(key), monime.WithResponseInfo(info))
		if err != nil {
			return "", err
		}
		return s.ID, nil
	})

	byID := map[string]bool{}
	for s, err := range fake.Client().CheckoutSessions.All(context.Background(), &monime.CheckoutSessionListParams{Limit: 50}) {
		require.NoError(t, err)
		assert.False(t, byID[s.ID], "session %s stored twice", s.ID)
		byID[s.ID] = true
		rec, ok := monimetest.Find[api.Session](fake, s.ID) // the key it was created with, which reads hide
		require.True(t, ok, s.ID)
		assert.Equal(t, returned[rec.IdempotencyKey], s.ID, "the call with key %s got another session than the one stored", rec.IdempotencyKey)
	}
	require.Len(t, byID, calls, "exactly one session per call")
	assert.Len(t, returned, calls)
	t.Logf("%d calls, %d attempts (%.2f per call), %d answered from the idempotency cache", calls, attempts, float64(attempts)/calls, replays)
	assert.Greater(t, attempts, int64(calls*11/10), "faults were injected")
	assert.Positive(t, replays, "some answers were lost after the session was stored, and replayed")
}

// keyedCreates makes calls creates from workers goroutines, the nth (from
// 1) with the idempotency key fmt.Sprintf(keyFormat, n). create returns
// the id it got. It returns the id each key got, and how many attempts
// the calls made and how many were answered from the idempotency cache;
// a failed call fails the test.
func keyedCreates(t *testing.T, calls, workers int, keyFormat string, create func(n int, key string, info *monime.ResponseInfo) (string, error)) (returned map[string]string, attempts, replays int64) {
	t.Helper()
	var (
		mu             sync.Mutex
		tries, replies atomic.Int64
		next           atomic.Int64
		wg             sync.WaitGroup
	)
	returned = map[string]string{}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := int(next.Add(1))
				if n > calls {
					return
				}
				key := fmt.Sprintf(keyFormat, n)
				var info monime.ResponseInfo
				id, err := create(n, key, &info)
				if !assert.NoError(t, err, key) {
					continue
				}
				tries.Add(int64(info.Attempts))
				if info.Replayed {
					replies.Add(1)
				}
				mu.Lock()
				returned[key] = id
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return returned, tries.Load(), replies.Load()
}

// Payments, through the facade against the fake, both sides checked
// against spec/: every channel kind, every list filter, paging, and an
// update.
func TestContractPayments(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithFee("processing_fee", 100, 50))
	c := contractClient(t, fake)
	ctx := context.Background()

	channels := []struct {
		kind     monime.PaymentChannelType
		provider string
	}{
		{monime.PaymentChannelMomo, monime.MomoProviderM18},
		{monime.PaymentChannelCard, "visa"},
		{monime.PaymentChannelBank, monime.BankProviderSLB004},
		{monime.PaymentChannelWallet, monime.WalletProviderDW001},
	}
	var paid []*monime.CheckoutSession
	for i, ch := range channels {
		s, err := c.CheckoutSessions.Create(ctx, &monime.CheckoutSessionCreateParams{
			Name:      fmt.Sprintf("Order #%d", i),
			LineItems: []monime.LineItem{{Name: "Tee", Price: monime.Money{Currency: "SLE", Value: 15000}, Quantity: 2}},
		})
		require.NoError(t, err)
		require.NoError(t, fake.CompleteWith(s.ID, ch.kind, ch.provider))
		s, err = c.CheckoutSessions.Get(ctx, s.ID)
		require.NoError(t, err)
		paid = append(paid, s)

		payments, err := c.Payments.ForCheckoutSession(ctx, s)
		require.NoError(t, err)
		require.Len(t, payments, 1, "one payment for a one-currency session")
		p := payments[0]
		assert.Equal(t, monime.PaymentStatusCompleted, p.Status)
		assert.Equal(t, monime.Money{Currency: "SLE", Value: 30000}, p.Amount, "the session's total")
		assert.Equal(t, ch.kind, p.Channel.Type)
		switch ch.kind {
		case monime.PaymentChannelMomo:
			assert.Equal(t, ch.provider, p.Channel.Momo.Provider)
		case monime.PaymentChannelCard:
			assert.Equal(t, ch.provider, p.Channel.Card.Scheme)
		case monime.PaymentChannelBank:
			assert.Equal(t, ch.provider, p.Channel.Bank.Provider)
		case monime.PaymentChannelWallet:
			assert.Equal(t, ch.provider, p.Channel.Wallet.Provider)
		}
		fees, err := p.Fees.Total()
		require.NoError(t, err)
		assert.Equal(t, monime.Money{Currency: "SLE", Value: 350}, fees, "1% of 300.00 plus 0.50")
		assert.Equal(t, s.OrderNumber, p.OrderNumber)
		assert.NotEmpty(t, p.FinancialTransactionReference)

		got, err := c.Payments.Get(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, p, *got)
		byRef, err := c.Payments.List(ctx, &monime.PaymentListParams{FinancialTransactionReference: p.FinancialTransactionReference})
		require.NoError(t, err)
		require.Len(t, byRef.Items, 1)
		assert.Equal(t, p.ID, byRef.Items[0].ID)
	}

	var all []string
	for p, err := range c.Payments.All(ctx, &monime.PaymentListParams{Limit: 1}) {
		require.NoError(t, err)
		all = append(all, p.OrderNumber)
	}
	assert.Len(t, all, len(channels), "one page at a time, every payment once")
	assert.Equal(t, paid[len(paid)-1].OrderNumber, all[0], "newest first")

	first, err := c.Payments.ForCheckoutSession(ctx, paid[0])
	require.NoError(t, err)
	updated, err := c.Payments.Update(ctx, first[0].ID, &monime.PaymentUpdateParams{Name: "Order #0", Metadata: monime.Metadata{"ledger": "2025-09"}})
	require.NoError(t, err)
	assert.Equal(t, "Order #0", updated.Name)
	assert.Equal(t, monime.Metadata{"ledger": "2025-09"}, updated.Metadata)
	assert.Equal(t, first[0].Amount, updated.Amount, "an update changes nothing else")

	_, err = c.Payments.Get(ctx, "pay-unknown")
	assert.ErrorIs(t, err, monime.ErrNotFound)
	none, err := c.Payments.List(ctx, &monime.PaymentListParams{OrderNumber: "ord-none", FinancialAccountID: "fac-none"})
	require.NoError(t, err)
	assert.Empty(t, none.Items)
}

// The client and the fake apply the same metadata key rules: each key is
// either refused by Validate and by the fake, or taken by both.
func TestMetadataKeyRulesAgreeWithTheFake(t *testing.T) {
	fake := monimetest.NewServer(t)
	keys := []string{"cart", "Cart-2", "order_id", "a", "my_monime", "x-monime", strings.Repeat("k", 64), "9lives",
		"", "a b", "a.b", "_x", "-x", "monime", "MONIME_ref", "Monimeid", strings.Repeat("k", 65), "é", "a\tb", "a\nb", "ключ"}
	for i, k := range keys {
		p := &monime.CheckoutSessionCreateParams{Name: "x", LineItems: []monime.LineItem{{Name: "a", Price: monime.Money{Currency: "SLE", Value: 1}}},
			Metadata: monime.Metadata{k: "v"}}
		clientTakes := p.Validate() == nil

		body, err := json.Marshal(map[string]any{"name": "x", "metadata": map[string]string{k: "v"},
			"lineItems": []any{map[string]any{"name": "a", "price": map[string]any{"currency": "SLE", "value": 1}}}})
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, fake.URL+"/v1/checkout-sessions", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+fake.Token)
		req.Header.Set("Monime-Space-Id", fake.SpaceID)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprint("key-", i))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		fakeTakes := resp.StatusCode == http.StatusOK
		assert.Equal(t, clientTakes, fakeTakes, "key %q: the client takes it: %v; the fake answers %d", k, clientTakes, resp.StatusCode)
	}
}

// Financial accounts end to end against the fake: the main account is
// there from the start, a created account settles a checkout into its
// balance (the payment less its fees), and every request and answer is
// checked against spec/.
func TestContractFinancialAccounts(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithFee("processing_fee", 100, 0)) // 1%
	c := contractClient(t, fake)
	ctx := context.Background()

	main, err := c.FinancialAccounts.Get(ctx, api.MainAccountID(api.DefaultSpaceID), &monime.FinancialAccountGetParams{WithBalance: true})
	require.NoError(t, err)
	assert.Equal(t, &monime.Money{Currency: "SLE", Value: 0}, main.Balance)

	a, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{Name: "Payroll", Currency: "SLE",
		Reference: "payroll", Description: "salaries", Metadata: monime.Metadata{"team": "ops"}}, monime.WithIdempotencyKey("acct-payroll"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(a.ID, "fac-"), a.ID)
	assert.NotEmpty(t, a.UVAN)
	assert.Nil(t, a.Balance, "not asked for")
	again, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{Name: "Payroll", Currency: "SLE",
		Reference: "payroll", Description: "salaries", Metadata: monime.Metadata{"team": "ops"}}, monime.WithIdempotencyKey("acct-payroll"))
	require.NoError(t, err)
	assert.Equal(t, a.ID, again.ID, "the same key replays the first account")
	_, err = c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{Name: "Payroll too", Currency: "SLE", Reference: "payroll"})
	assert.ErrorIs(t, err, monime.ErrConflict, "references are unique in a space")

	order := newOrder(1)
	order.LineItems = order.LineItems[:1] // SLE 300.00
	order.FinancialAccountID = a.ID
	s, err := c.CheckoutSessions.Create(ctx, order)
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s.ID))
	a, err = c.FinancialAccounts.Get(ctx, a.ID, &monime.FinancialAccountGetParams{WithBalance: true})
	require.NoError(t, err)
	assert.Equal(t, &monime.Money{Currency: "SLE", Value: 30000 - 300}, a.Balance, "the payment less its 1% fee")

	order.FinancialAccountID = "fac-nowhere"
	_, err = c.CheckoutSessions.Create(ctx, order)
	var apiErr *monime.Error
	require.ErrorAs(t, err, &apiErr, "a session naming an account the space does not have is refused")
	assert.True(t, apiErr.StatusCode >= 400 && apiErr.StatusCode < 500, "%v", err)
	assert.Contains(t, err.Error(), "fac-nowhere")

	page, err := c.FinancialAccounts.List(ctx, &monime.FinancialAccountListParams{Reference: "payroll", WithBalance: true})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, a.ID, page.Items[0].ID)
	assert.Equal(t, a.Balance, page.Items[0].Balance)
	page, err = c.FinancialAccounts.List(ctx, &monime.FinancialAccountListParams{UVAN: a.UVAN})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Nil(t, page.Items[0].Balance)

	var ids []string
	for acct, err := range c.FinancialAccounts.All(ctx, &monime.FinancialAccountListParams{Limit: 1}) {
		require.NoError(t, err)
		ids = append(ids, acct.ID)
	}
	assert.ElementsMatch(t, []string{main.ID, a.ID}, ids, "every account, one page at a time")

	u, err := c.FinancialAccounts.Update(ctx, a.ID, &monime.FinancialAccountUpdateParams{Name: "Payroll 2026", Metadata: monime.Metadata{"year": "2026"}})
	require.NoError(t, err)
	assert.Equal(t, "Payroll 2026", u.Name)
	assert.Equal(t, "payroll", u.Reference, "what the update leaves out stays")
	assert.Equal(t, "salaries", u.Description)
	assert.Equal(t, monime.Metadata{"year": "2026"}, u.Metadata)
	assert.False(t, u.UpdateTime.IsZero())

	_, err = c.FinancialAccounts.Get(ctx, "fac-unknown", nil)
	assert.ErrorIs(t, err, monime.ErrNotFound)
	_, err = c.FinancialAccounts.Update(ctx, "fac-unknown", &monime.FinancialAccountUpdateParams{Name: "x"})
	assert.ErrorIs(t, err, monime.ErrNotFound)
}
