package api

import (
	"fmt"
	"slices"

	"github.com/monimekit/monime-go/gen"
)

// checkCodeObjects checks the payment codes, USSD OTPs and receipts of a
// loaded state as checkObjects checks the rest: each problem names its
// table and id.
func (st *store) checkCodeObjects() []error {
	var problems []error
	for _, c := range st.paymentCodes.all("") {
		problems = append(problems, checkPaymentCode(c)...)
	}
	for _, o := range st.otps.all("") {
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Errorf("%s: %s "+format, append([]any{st.otps.name, o.Id}, args...)...))
		}
		if !o.Status.Valid() {
			bad("has status %q, which is not a USSD OTP status of Monime's API (pending, verified, expired)", o.Status)
		}
		if o.DialCode == "" || o.AuthorizedPhoneNumber == "" {
			bad("has no dialCode or authorizedPhoneNumber")
		}
		if (o.Status == gen.USSDOTPStatusVerified) != (o.VerifyTime != nil) {
			bad("is %s with verifyTime %v; a verified OTP, and only one, has one", o.Status, o.VerifyTime)
		}
	}
	for _, r := range st.receipts.all("") {
		problems = append(problems, checkReceipt(st.receipts.name, r)...)
	}
	return problems
}

func checkPaymentCode(c *PaymentCode) []error {
	var problems []error
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("paymentCodes: %s "+format, append([]any{c.Id}, args...)...))
	}
	if !c.Status.Valid() {
		bad("has status %q, which is not a payment code status of Monime's API (pending, processing, completed, expired, cancelled)", c.Status)
	}
	if !c.Mode.Valid() {
		bad("has mode %q, which is not a payment code mode of Monime's API (one_time, recurrent)", c.Mode)
	}
	if c.Amount != nil && (c.Amount.Value <= 0 || !c.Amount.Currency.Valid()) {
		bad("has an amount of %s %d minor units; it must be positive, in a currency Monime settles in", c.Amount.Currency, c.Amount.Value)
	}
	if c.UssdCode == "" {
		bad("has no ussdCode")
	}
	if c.FinancialAccountId == nil || *c.FinancialAccountId == "" {
		bad("has no financial account")
	}
	if c.ProcessedPaymentData != nil {
		bad("holds processedPaymentData, which only the payment_code.processed event carries")
	}
	if c.Collected < 0 {
		bad("has collected %d minor units, below zero", c.Collected)
	}
	if c.Mode == gen.PaymentCodeModeOneTime && len(c.PaymentIDs) > 1 {
		bad("is one_time but took %d payments", len(c.PaymentIDs))
	}
	if c.Status == gen.PaymentCodeStatusPending && len(c.PaymentIDs) > 0 {
		bad("is pending but took %d payment(s); a used code is processing, completed or expired", len(c.PaymentIDs))
	}
	return problems
}

func checkReceipt(table string, r *Receipt) []error {
	var problems []error
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s: %s "+format, append([]any{table, r.OrderNumber}, args...)...))
	}
	if !r.Status.Valid() {
		bad("has status %q, which is not a receipt status of Monime's API (not_redeemed, partially_redeemed, fully_redeemed)", r.Status)
	}
	if r.OrderAmount.Value < 0 || !r.OrderAmount.Currency.Valid() {
		bad("has an order amount of %s %d minor units; it must be at least zero, in a currency Monime settles in", r.OrderAmount.Currency, r.OrderAmount.Value)
	}
	if r.Entitlements == nil {
		bad("has no entitlements (an empty list is none)")
		return problems
	}
	for i, e := range *r.Entitlements {
		if e.Key == "" || e.Current < 0 || e.Remaining < 0 || e.Current+e.Remaining != e.Limit || e.Exhausted != (e.Remaining == 0) {
			bad("has entitlement %d (%q) with limit %d, current %d, remaining %d, exhausted %v; a key, and current plus remaining make the limit", i+1, e.Key, e.Limit, e.Current, e.Remaining, e.Exhausted)
		}
	}
	if r.Status.Valid() && r.Status != receiptStatus(*r.Entitlements) {
		bad("is %s, but its entitlements make it %s", r.Status, receiptStatus(*r.Entitlements))
	}
	return problems
}

// checkCodeReferences checks what payment codes, their payments and
// receipts name: a code's account and payments, a code payment's code,
// a receipt's completed session.
func (st *store) checkCodeReferences() error {
	for _, c := range st.paymentCodes.all("") {
		a, ok := st.accounts.get(c.SpaceID, *c.FinancialAccountId)
		if !ok {
			return fmt.Errorf("payment code %s settles into financial account %q, which the state does not hold in its space", c.Id, *c.FinancialAccountId)
		}
		var sum int64
		for _, id := range c.PaymentIDs {
			p, ok := st.payments.get(c.SpaceID, id)
			if !ok || p.PaymentCodeID != c.Id {
				return fmt.Errorf("payment code %s took payment %q, which the state does not hold or does not pay into it", c.Id, id)
			}
			if string(p.Amount.Currency) != a.Currency {
				return fmt.Errorf("payment code %s took payment %s in %s, but its account %s holds %s", c.Id, id, p.Amount.Currency, a.Id, a.Currency)
			}
			sum += p.Amount.Value
		}
		if sum != c.Collected {
			return fmt.Errorf("payment code %s says it collected %d minor units, but its payments total %d", c.Id, c.Collected, sum)
		}
	}
	for _, p := range st.payments.all("") {
		if p.PaymentCodeID == "" {
			continue
		}
		if c, ok := st.paymentCodes.get(p.SpaceID, p.PaymentCodeID); !ok || !slices.Contains(c.PaymentIDs, p.Id) {
			return fmt.Errorf("payment %s paid into payment code %q, which the state does not hold or does not name it", p.Id, p.PaymentCodeID)
		}
	}
	for _, r := range st.receipts.all("") {
		s, ok := st.sessions.get(r.SpaceID, r.SessionID)
		if !ok || s.OrderNumber == nil || *s.OrderNumber != r.OrderNumber {
			return fmt.Errorf("receipt %s records the order of checkout session %q, which the state does not hold or whose order number differs", r.OrderNumber, r.SessionID)
		}
	}
	return nil
}
