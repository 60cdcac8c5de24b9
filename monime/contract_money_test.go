package monime_test

import (
	"context"
	"fmt"
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

// Contract tests of money out: payouts, internal transfers, financial
// transactions and providers, through the facade against the fake.

// balance reads the available balance of account id.
func balance(t *testing.T, c *monime.Client, id string) int64 {
	t.Helper()
	a, err := c.FinancialAccounts.Get(context.Background(), id, &monime.FinancialAccountGetParams{WithBalance: true})
	require.NoError(t, err)
	require.NotNil(t, a.Balance)
	return a.Balance.Value
}

// momoTo is a payout destination of an Orange Money number.
func momoTo(phone string) monime.PayoutDestination {
	return monime.PayoutDestination{Type: monime.PayoutDestinationMomo, ProviderID: "m17", PhoneNumber: phone}
}

func sle(v int64) monime.Money { return monime.Money{Currency: "SLE", Value: v} }

// A payout's whole life against the fake: held at creation, completed,
// failed with its money given back, deleted, uncovered; every list filter;
// the ledger's transactions under the payout's reference; and the
// payout.completed and payout.failed webhooks.
func TestContractPayouts(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithPayoutFee("payout_fee", 100, 0)) // 1%
	c := contractClient(t, fake)
	ctx := context.Background()
	main := api.MainAccountID(api.DefaultSpaceID)
	require.NoError(t, fake.Fund(main, sle(100_000)))

	const secret = "whsec_contract_payouts_0123456789abcdef"
	var (
		mu     sync.Mutex
		events = map[string]*monime.Payout{} // event name + payout id -> payout
	)
	hook := httptest.NewServer(webhook.Handler(secret, func(_ context.Context, ev *webhook.Event) error {
		p, err := ev.Payout()
		if err != nil {
			return err
		}
		mu.Lock()
		events[ev.Name+" "+p.ID] = p
		mu.Unlock()
		return nil
	}))
	defer hook.Close()
	require.NoError(t, fake.AddWebhook(hook.URL, secret, "payout.completed", "payout.failed"))

	kyc, err := c.ProviderKYC.Get(ctx, "m17", "+23276123456")
	require.NoError(t, err)
	assert.NotEmpty(t, kyc.Account.HolderName, "look the holder up before paying")

	p, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{
		Amount: sle(30_000), Destination: momoTo("+23276123456"), Metadata: monime.Metadata{"batch": "nov"},
	}, monime.WithIdempotencyKey("salary-nov-17"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(p.ID, "pyt-"), p.ID)
	assert.Equal(t, monime.PayoutPending, p.Status)
	require.NotNil(t, p.Source)
	assert.Equal(t, main, p.Source.FinancialAccountID, "no source: the space's main account")
	assert.Equal(t, monime.Fees{{Code: "payout_fee", Amount: sle(300)}}, p.Fees)
	assert.Equal(t, int64(100_000-30_000-300), balance(t, c, main), "a pending payout holds its amount and fees at once")

	again, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{
		Amount: sle(30_000), Destination: momoTo("+23276123456"), Metadata: monime.Metadata{"batch": "nov"},
	}, monime.WithIdempotencyKey("salary-nov-17"))
	require.NoError(t, err)
	assert.Equal(t, p.ID, again.ID, "the same key is the same payout")
	assert.Equal(t, int64(69_700), balance(t, c, main), "and is paid once")

	u, err := c.Payouts.Update(ctx, p.ID, &monime.PayoutUpdateParams{Metadata: monime.Metadata{"batch": "nov", "approved": "yes"}})
	require.NoError(t, err)
	assert.Equal(t, monime.Metadata{"batch": "nov", "approved": "yes"}, u.Metadata)

	require.NoError(t, fake.CompletePayout(p.ID))
	p, err = c.Payouts.Get(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.PayoutCompleted, p.Status)
	assert.True(t, p.Status.IsFinal())
	assert.NotEmpty(t, p.Destination.TransactionReference, "the operator's reference once paid")
	assert.Nil(t, p.FailureDetail)
	assert.Equal(t, int64(69_700), balance(t, c, main), "completing sends the held money out for good")
	_, err = c.Payouts.Update(ctx, p.ID, &monime.PayoutUpdateParams{Metadata: monime.Metadata{"late": "yes"}})
	assert.ErrorIs(t, err, monime.ErrConflict, "a processed payout cannot change")
	assert.ErrorIs(t, c.Payouts.Delete(ctx, p.ID), monime.ErrConflict, "nor be deleted")

	// The ledger: the amount and the fee, each its own debit, under one reference.
	var debits []*monime.FinancialTransaction
	for tx, err := range c.FinancialTransactions.All(ctx, &monime.FinancialTransactionListParams{Reference: p.Source.TransactionReference}) {
		require.NoError(t, err)
		debits = append(debits, tx)
	}
	require.Len(t, debits, 2)
	var out int64
	for _, tx := range debits {
		assert.Equal(t, monime.FinancialTransactionDebit, tx.Type)
		assert.Equal(t, main, tx.FinancialAccountID)
		out += tx.Amount.Value
		got, err := c.FinancialTransactions.Get(ctx, tx.ID)
		require.NoError(t, err)
		assert.Equal(t, tx, got)
	}
	assert.Equal(t, int64(30_300), out)
	assert.ElementsMatch(t, []string{"", "payout_fee"}, []string{debits[0].FeeCode, debits[1].FeeCode})

	// A test destination fails with its code, and the money comes back by reversal.
	f, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{Amount: sle(10_000), Destination: momoTo("+23276000005"),
		Source: &monime.PayoutSource{FinancialAccountID: main}})
	require.NoError(t, err)
	assert.Equal(t, int64(69_700-10_100), balance(t, c, main))
	require.NoError(t, fake.CompletePayout(f.ID))
	f, err = c.Payouts.Get(ctx, f.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.PayoutFailed, f.Status)
	require.NotNil(t, f.FailureDetail)
	assert.Equal(t, monime.PayoutFailureProviderAccountBlocked, f.FailureDetail.Code)
	assert.Equal(t, int64(69_700), balance(t, c, main), "a failed payout gives back what it held")
	credits, err := c.FinancialTransactions.List(ctx, &monime.FinancialTransactionListParams{Reference: f.Source.TransactionReference, Type: monime.FinancialTransactionCredit})
	require.NoError(t, err)
	require.Len(t, credits.Items, 2, "one reversal per held debit")
	for _, tx := range credits.Items {
		require.NotNil(t, tx.OriginatingReversal)
		assert.Equal(t, f.Source.TransactionReference, tx.OriginatingReversal.OriginTxnRef)
	}

	// A control can fail one too, with any of Monime's codes.
	g, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{Amount: sle(1_000),
		Destination: monime.PayoutDestination{Type: monime.PayoutDestinationBank, ProviderID: "slb001", AccountNumber: "0123456789"}})
	require.NoError(t, err)
	require.NoError(t, fake.FailPayout(g.ID, monime.PayoutFailureAuthorizationFailed))
	assert.Error(t, fake.FailPayout(g.ID, monime.PayoutFailureUnknown), "only a pending payout fails")

	// Deleting a pending payout gives its money back; it is gone.
	d, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{Amount: sle(5_000),
		Destination: monime.PayoutDestination{Type: monime.PayoutDestinationWallet, ProviderID: "dw001", WalletID: "w-42"}})
	require.NoError(t, err)
	assert.Equal(t, int64(69_700-5_050), balance(t, c, main))
	require.NoError(t, c.Payouts.Delete(ctx, d.ID))
	assert.Equal(t, int64(69_700), balance(t, c, main))
	_, err = c.Payouts.Get(ctx, d.ID)
	assert.ErrorIs(t, err, monime.ErrNotFound)

	// One the account cannot cover fails at once and moves nothing.
	x, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{Amount: sle(1_000_000), Destination: momoTo("+23276123456")})
	require.NoError(t, err)
	assert.Equal(t, monime.PayoutFailed, x.Status)
	require.NotNil(t, x.FailureDetail)
	assert.Equal(t, monime.PayoutFailureFundInsufficient, x.FailureDetail.Code)
	assert.Equal(t, int64(69_700), balance(t, c, main))

	// Every filter.
	ids := func(params *monime.PayoutListParams) []string {
		var ids []string
		for p, err := range c.Payouts.All(ctx, params) {
			require.NoError(t, err)
			ids = append(ids, p.ID)
		}
		return ids
	}
	assert.Equal(t, []string{x.ID, g.ID, f.ID, p.ID}, ids(&monime.PayoutListParams{Limit: 1}), "newest first, page by page")
	assert.Equal(t, []string{p.ID}, ids(&monime.PayoutListParams{Status: monime.PayoutCompleted}))
	assert.Equal(t, []string{x.ID, g.ID, f.ID}, ids(&monime.PayoutListParams{Status: monime.PayoutFailed}))
	assert.Equal(t, []string{f.ID}, ids(&monime.PayoutListParams{SourceTransactionReference: f.Source.TransactionReference}))
	assert.Equal(t, []string{p.ID}, ids(&monime.PayoutListParams{DestinationTransactionReference: p.Destination.TransactionReference}))
	assert.Len(t, ids(&monime.PayoutListParams{SourceFinancialAccountID: main}), 4)
	assert.Empty(t, ids(&monime.PayoutListParams{SourceFinancialAccountID: "fac-other"}))

	// Errors the fake answers as Monime would.
	_, err = c.Payouts.Create(ctx, &monime.PayoutCreateParams{Amount: sle(1), Destination: momoTo("+23276123456"),
		Source: &monime.PayoutSource{FinancialAccountID: "fac-nowhere"}})
	assert.ErrorIs(t, err, monime.ErrNotFound, "a source the space does not have")
	_, err = c.Payouts.Get(ctx, "pyt-unknown")
	assert.ErrorIs(t, err, monime.ErrNotFound)

	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, fake.WaitForDeliveries(wait))
	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, events, "payout.completed "+p.ID)
	assert.Equal(t, p.Destination.TransactionReference, events["payout.completed "+p.ID].Destination.TransactionReference)
	for _, id := range []string{f.ID, g.ID, x.ID} {
		require.Contains(t, events, "payout.failed "+id)
		assert.Equal(t, monime.PayoutFailed, events["payout.failed "+id].Status)
	}
	assert.Len(t, events, 4, "a deleted payout sends nothing")
}

// Internal transfers move money between two accounts of the space at
// once when covered; the two sides share one reference.
func TestContractInternalTransfers(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := contractClient(t, fake)
	ctx := context.Background()
	main := api.MainAccountID(api.DefaultSpaceID)
	require.NoError(t, fake.Fund(main, sle(80_000)))
	payroll, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{Name: "Payroll", Currency: "SLE"})
	require.NoError(t, err)

	tr, err := c.InternalTransfers.Create(ctx, &monime.InternalTransferCreateParams{Amount: sle(50_000),
		SourceFinancialAccountID: main, DestinationFinancialAccountID: payroll.ID, Description: "Payroll float",
		Metadata: monime.Metadata{"month": "nov"}}, monime.WithIdempotencyKey("float-nov"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(tr.ID, "trn-"), tr.ID)
	assert.Equal(t, monime.InternalTransferCompleted, tr.Status)
	assert.Equal(t, "Payroll float", tr.Description)
	assert.NotEmpty(t, tr.FinancialTransactionReference)
	assert.Equal(t, int64(30_000), balance(t, c, main))
	assert.Equal(t, int64(50_000), balance(t, c, payroll.ID))

	again, err := c.InternalTransfers.Create(ctx, &monime.InternalTransferCreateParams{Amount: sle(50_000),
		SourceFinancialAccountID: main, DestinationFinancialAccountID: payroll.ID, Description: "Payroll float",
		Metadata: monime.Metadata{"month": "nov"}}, monime.WithIdempotencyKey("float-nov"))
	require.NoError(t, err)
	assert.Equal(t, tr.ID, again.ID)
	assert.Equal(t, int64(30_000), balance(t, c, main), "moved once")

	both, err := c.FinancialTransactions.List(ctx, &monime.FinancialTransactionListParams{Reference: tr.FinancialTransactionReference})
	require.NoError(t, err)
	require.Len(t, both.Items, 2)
	sides := map[string]string{}
	for _, tx := range both.Items {
		sides[tx.Type] = tx.FinancialAccountID
		assert.Equal(t, sle(50_000), tx.Amount)
	}
	assert.Equal(t, map[string]string{"debit": main, "credit": payroll.ID}, sides)
	credit, err := c.FinancialTransactions.List(ctx, &monime.FinancialTransactionListParams{FinancialAccountID: payroll.ID})
	require.NoError(t, err)
	require.Len(t, credit.Items, 1)
	assert.Equal(t, &monime.Money{Currency: "SLE", Value: 50_000}, credit.Items[0].BalanceAfter)

	short, err := c.InternalTransfers.Create(ctx, &monime.InternalTransferCreateParams{Amount: sle(40_000),
		SourceFinancialAccountID: main, DestinationFinancialAccountID: payroll.ID})
	require.NoError(t, err)
	assert.Equal(t, monime.InternalTransferFailed, short.Status)
	require.NotNil(t, short.FailureDetail)
	assert.Equal(t, "fund_insufficient", short.FailureDetail.Code)
	assert.Equal(t, int64(30_000), balance(t, c, main), "an uncovered transfer moves nothing")

	u, err := c.InternalTransfers.Update(ctx, tr.ID, &monime.InternalTransferUpdateParams{Description: "November float"})
	require.NoError(t, err)
	assert.Equal(t, "November float", u.Description)
	assert.Equal(t, monime.Metadata{"month": "nov"}, u.Metadata, "what the update leaves out stays")
	assert.ErrorIs(t, c.InternalTransfers.Delete(ctx, tr.ID), monime.ErrConflict, "a completed transfer cannot be deleted")

	list := func(params *monime.InternalTransferListParams) []string {
		var ids []string
		for tr, err := range c.InternalTransfers.All(ctx, params) {
			require.NoError(t, err)
			ids = append(ids, tr.ID)
		}
		return ids
	}
	assert.Equal(t, []string{short.ID, tr.ID}, list(&monime.InternalTransferListParams{Limit: 1}))
	assert.Equal(t, []string{tr.ID}, list(&monime.InternalTransferListParams{Status: monime.InternalTransferCompleted}))
	assert.Equal(t, []string{tr.ID}, list(&monime.InternalTransferListParams{FinancialTransactionReference: tr.FinancialTransactionReference}))
	assert.Len(t, list(&monime.InternalTransferListParams{SourceFinancialAccountID: main, DestinationFinancialAccountID: payroll.ID}), 2)
	assert.Empty(t, list(&monime.InternalTransferListParams{SourceFinancialAccountID: payroll.ID}))

	_, err = c.InternalTransfers.Create(ctx, &monime.InternalTransferCreateParams{Amount: sle(1),
		SourceFinancialAccountID: main, DestinationFinancialAccountID: main})
	var apiErr *monime.Error
	require.ErrorAs(t, err, &apiErr, "an account to itself")
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	_, err = c.InternalTransfers.Get(ctx, "trn-unknown")
	assert.ErrorIs(t, err, monime.ErrNotFound)
}

// The provider catalog and KYC lookups.
func TestContractProviders(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := contractClient(t, fake)
	ctx := context.Background()

	var banks []string
	for b, err := range c.Banks.All(ctx, &monime.ProviderListParams{Country: "SL", Limit: 1}) {
		require.NoError(t, err)
		banks = append(banks, b.ProviderID)
		assert.True(t, b.Features.Payout.CanPayTo, b.ProviderID)
	}
	assert.ElementsMatch(t, []string{"slb001", "slb004", "slb007"}, banks)
	momos, err := c.Momos.List(ctx, &monime.ProviderListParams{Country: "SL"})
	require.NoError(t, err)
	assert.Len(t, momos.Items, 2)
	m17, err := c.Momos.Get(ctx, "m17")
	require.NoError(t, err)
	assert.Equal(t, "SL", m17.Country)
	assert.True(t, m17.Active)
	_, err = c.Banks.Get(ctx, "m17")
	assert.ErrorIs(t, err, monime.ErrNotFound, "a momo is not a bank")
	none, err := c.Banks.List(ctx, &monime.ProviderListParams{Country: "GH"})
	require.NoError(t, err)
	assert.Empty(t, none.Items)

	k1, err := c.ProviderKYC.Get(ctx, "slb001", "0123456789")
	require.NoError(t, err)
	k2, err := c.ProviderKYC.Get(ctx, "slb001", "0123456789")
	require.NoError(t, err)
	assert.Equal(t, k1, k2, "the same holder every time")
	assert.Equal(t, "bank", k1.Provider.Type)
	_, err = c.ProviderKYC.Get(ctx, "m17", api.KYCMissingPhoneNumber)
	assert.ErrorIs(t, err, monime.ErrNotFound, "the documented test number has no holder")
}

// The proof that payouts are never made twice: 300 payouts from 16
// goroutines while about 30% of attempts meet a fault (5xx, resets,
// answers lost after the payout was made). Every call succeeds, exactly
// one payout exists per key, and the source balance is exact to the
// minor unit.
func TestRetriedPayoutsUnderInjectedFaultsPayOnce(t *testing.T) {
	const calls, workers, amount, fee = 300, 16, 1_000, 10
	random := api.RandomFaults(20261207, 0.3, api.Fault{Status: 500}, api.Fault{Status: 503}, api.Fault{Reset: true}, api.Fault{Drop: true})
	fake := monimetest.NewServer(t, api.WithPayoutFee("payout_fee", 100, 0), api.WithFaultFunc(func(r *http.Request) api.Fault {
		if r.URL.Path != "/v1/payouts" || r.Method != http.MethodPost {
			return api.Fault{} // the balance reads below are not faulted
		}
		return random(r)
	}))
	main := api.MainAccountID(api.DefaultSpaceID)
	const funded = 1_000_000
	require.NoError(t, fake.Fund(main, sle(funded)))
	c := fake.Client(monime.WithMaxRetries(12), monime.WithRetryBackoff(time.Millisecond, 4*time.Millisecond))
	ctx := context.Background()

	returned, attempts, replays := keyedCreates(t, calls, workers, "salary-%04d", func(n int, key string, info *monime.ResponseInfo) (string, error) {
		p, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{Amount: sle(amount),
			Destination: momoTo(fmt.Sprintf("+2327612%04d", n)), Metadata: monime.Metadata{"key": key}},
			monime.WithIdempotencyKey(key), monime.WithResponseInfo(info))
		if err != nil {
			return "", err
		}
		return p.ID, nil
	})

	seen := map[string]bool{}
	for p, err := range fake.Client().Payouts.All(ctx, &monime.PayoutListParams{Limit: 50}) {
		require.NoError(t, err)
		require.False(t, seen[p.ID], "payout %s listed twice", p.ID)
		seen[p.ID] = true
		assert.Equal(t, returned[p.Metadata["key"]], p.ID, "the call with this key got the payout that was made")
	}
	require.Len(t, seen, calls, "exactly one payout per key")
	assert.Equal(t, int64(funded-calls*(amount+fee)), balance(t, fake.Client(), main), "the source balance is exact")
	require.NoError(t, fake.CheckBooks())
	t.Logf("%d payouts, %d attempts (%.2f per call), %d answered from the idempotency cache", calls, attempts, float64(attempts)/calls, replays)
	assert.Greater(t, attempts, int64(calls*11/10), "faults were injected")
	assert.Positive(t, replays, "some answers were lost after the payout was made, and replayed")
}
