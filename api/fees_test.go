package api

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

func TestWithFeeChargesEveryPayment(t *testing.T) {
	f := newFixture(t, WithFee("processing_fee", 150, 100), WithFee("platform_fee", 0, 25))
	_, p := f.paid(`{"name":"Order","lineItems":[{"name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2}]}`, "card", "")
	require.NotNil(t, p.Fees)
	assert.Equal(t, []gen.PaymentFee{
		{Code: "processing_fee", Amount: gen.Money{Currency: "SLE", Value: 450 + 100}}, // 1.5% of SLE 300.00, plus SLE 1.00
		{Code: "platform_fee", Amount: gen.Money{Currency: "SLE", Value: 25}},
	}, *p.Fees, "in the order given, in the payment's currency")
	assert.Equal(t, gen.Money{Currency: "SLE", Value: 30000}, p.Amount, "the amount is what the customer paid, fees not taken off")

	// A session in two currencies: each payment's fees in its own.
	s := f.create(`{"name":"Order","lineItems":[{"name":"Hat","price":{"currency":"USD","value":1000}},{"name":"Tee","price":{"currency":"SLE","value":2000}}]}`)
	require.NoError(t, f.srv.Complete(s.Id))
	rec, _ := Find[Session](f.srv, s.Id)
	require.Len(t, rec.PaymentIDs, 2)
	for i, want := range []gen.Money{{Currency: "USD", Value: 15 + 100}, {Currency: "SLE", Value: 30 + 100}} {
		fees := *f.payment(rec.PaymentIDs[i]).Fees
		require.Len(t, fees, 2)
		assert.Equal(t, want, fees[0].Amount)
		assert.Equal(t, want.Currency, fees[1].Amount.Currency)
	}
}

func TestApplyFeesRoundsHalfUp(t *testing.T) {
	for _, tc := range []struct {
		bp     int
		fixed  int64
		amount int64
		want   int64
	}{
		{100, 0, 50, 1},  // 0.5 rounds up
		{100, 0, 49, 0},  // 0.49 rounds down
		{100, 0, 150, 2}, // 1.5 rounds up
		{150, 0, 33, 0},  // 0.495
		{150, 0, 34, 1},  // 0.51
		{0, 0, 1000, 0},
		{10000, 0, 1234, 1234},
		{10000, 7, 1234, 1241},
		{250, 0, math.MaxInt64, 230584300921369395}, // no overflow on the way
	} {
		fees, err := applyFees([]feeRule{{code: "fee", basisPoints: tc.bp, fixed: tc.fixed}}, gen.Money{Currency: "SLE", Value: tc.amount})
		require.NoError(t, err)
		require.Len(t, fees, 1)
		assert.Equal(t, tc.want, fees[0].Amount.Value, "%d bp + %d on %d", tc.bp, tc.fixed, tc.amount)
	}
	fees, err := applyFees(nil, gen.Money{Currency: "SLE", Value: 100})
	require.NoError(t, err)
	assert.NotNil(t, fees, "no rules: an empty list, which the API answers as []")
	assert.Empty(t, fees)

	_, err = applyFees([]feeRule{{code: "fee", basisPoints: 10000, fixed: 1}}, gen.Money{Currency: "SLE", Value: math.MaxInt64})
	assert.ErrorContains(t, err, "the fee fee on SLE 9223372036854775807 minor units does not fit in 64 bits")
}

func TestAFeeThatDoesNotFitStopsThePayment(t *testing.T) {
	f := newFixture(t, WithFee("processing_fee", 100, math.MaxInt64))
	s := f.create(minimalBody)
	err := f.srv.Complete(s.Id)
	require.ErrorIs(t, err, ErrSessionNotPayable)
	assert.ErrorContains(t, err, "configure a smaller fee (WithFee, or monime-fake's -fee)")
	assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(s.Id).Status)
	assert.Empty(t, FindAll[Payment](f.srv, DefaultSpaceID))
}

func TestWithFeeRefusesRulesThatCannotWork(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		says string
	}{
		{[]Option{WithFee("", 100, 0)}, `api: WithFee: the code is empty; pass what the fee is for, such as "processing_fee"`},
		{[]Option{WithFee("processing fee", 100, 0)}, `holds a space or control character`},
		{[]Option{WithFee("fee", -1, 0)}, `api: WithFee("fee"): basisPoints must be 0 to 10000 (0% to 100%), got -1; pass 150 for 1.5%`},
		{[]Option{WithFee("fee", 10001, 0)}, `got 10001`},
		{[]Option{WithFee("fee", 100, -5)}, `api: WithFee("fee"): the fixed part must not be negative, got -5`},
		{[]Option{WithFee("fee", 100, 0), WithFee("fee", 50, 0)}, `api: WithFee("fee"): the code is given twice`},
	} {
		_, err := New(tc.opts...)
		assert.ErrorContains(t, err, tc.says)
	}
	_, err := New(WithFee("processing_fee", 0, 0), WithFee("fx_fee", 10000, 0))
	assert.NoError(t, err, "0% and 100% are both rates")
}
