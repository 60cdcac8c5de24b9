package api

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/monimekit/monime-go/gen"
)

// feeRule is one fee the fake charges on every payment: basisPoints
// hundredths of a percent of the amount, rounded half up, plus fixed minor
// units of the payment's currency.
type feeRule struct {
	code        string
	basisPoints int
	fixed       int64
}

// maxFeeCodeLength bounds a fee's code; Monime's codes are short snake_case
// words such as processing_fee.
const maxFeeCodeLength = 64

// WithFee makes every payment the fake records carry a fee named code
// (such as "processing_fee") of basisPoints hundredths of a percent of the
// payment's amount, rounded half up to a whole minor unit, plus fixed minor
// units of the payment's currency: WithFee("processing_fee", 150, 100) on
// SLE 300.00 is SLE 4.50 + SLE 1.00 = SLE 5.50. Repeat it for more fees;
// they appear in fees in the order given. Without it payments carry no
// fees (fees: []), so the merchant receives the whole amount.
//
// The rule is the same for every channel and currency. New fails on an
// empty code, a code given twice, basisPoints outside 0 to 10000 (0% to
// 100%) or a negative fixed part.
func WithFee(code string, basisPoints int, fixed int64) Option {
	return feeOption("WithFee", code, basisPoints, fixed, func(c *config) *[]feeRule { return &c.fees })
}

// WithPayoutFee makes every payout the fake accepts carry a fee named code
// (such as "payout_fee"), computed as WithFee computes a payment's: basisPoints
// hundredths of a percent of the payout's amount, rounded half up, plus
// fixed minor units of its currency. Repeat it for more fees. The source
// account pays each fee on top of the amount, as a debit of its own
// (originatingFee.code) under the payout's reference: a payout is covered
// only when the account holds the amount and its fees, and failing or
// deleting it gives the fees back with the amount. Without it payouts carry
// no fees (fees: []). New fails on the values WithFee refuses.
func WithPayoutFee(code string, basisPoints int, fixed int64) Option {
	return feeOption("WithPayoutFee", code, basisPoints, fixed, func(c *config) *[]feeRule { return &c.payoutFees })
}

// feeOption is WithFee and WithPayoutFee, named option, adding the rule
// to the list rules returns.
func feeOption(option, code string, basisPoints int, fixed int64, rules func(*config) *[]feeRule) Option {
	return func(c *config) error {
		switch {
		case code == "":
			return optionErrorf(option, "", "the code is empty; pass what the fee is for, such as %q", "processing_fee")
		case len(code) > maxFeeCodeLength || strings.ContainsFunc(code, func(r rune) bool { return r <= ' ' || r == 0x7f }):
			return optionErrorf(option, "", "the code %q is over %d bytes or holds a space or control character; pass a short word such as %q", code, maxFeeCodeLength, "processing_fee")
		case basisPoints < 0 || basisPoints > 10000:
			return optionErrorf(option, code, "basisPoints must be 0 to 10000 (0%% to 100%%), got %d; pass 150 for 1.5%%", basisPoints)
		case fixed < 0:
			return optionErrorf(option, code, "the fixed part must not be negative, got %d; pass minor units, such as 100 for SLE 1.00", fixed)
		}
		list := rules(c)
		for _, r := range *list {
			if r.code == code {
				return optionErrorf(option, code, "the code is given twice; give each fee once, with its percentage and fixed part together")
			}
		}
		*list = append(*list, feeRule{code: code, basisPoints: basisPoints, fixed: fixed})
		return nil
	}
}

// applyFees returns the fees of a payment of amount under rules, always a
// non-nil slice (the API answers fees: [] when there are none). It fails
// when a fee does not fit in an int64 of minor units.
func applyFees(rules []feeRule, amount gen.Money) ([]gen.PaymentFee, error) {
	fees := make([]gen.PaymentFee, 0, len(rules))
	for _, r := range rules {
		// (amount * basisPoints + 5000) / 10000 + fixed, in big integers: the
		// product of an int64 amount and a rate can overflow int64.
		v := new(big.Int).Mul(big.NewInt(amount.Value), big.NewInt(int64(r.basisPoints)))
		v.Add(v, big.NewInt(5000))
		v.Quo(v, big.NewInt(10000))
		v.Add(v, big.NewInt(r.fixed))
		if !v.IsInt64() {
			return nil, fmt.Errorf("the %s fee on %s %d minor units does not fit in 64 bits", r.code, amount.Currency, amount.Value)
		}
		fees = append(fees, gen.PaymentFee{Code: r.code, Amount: gen.Money{Currency: amount.Currency, Value: v.Int64()}})
	}
	return fees, nil
}
