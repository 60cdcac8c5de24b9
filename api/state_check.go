package api

import (
	"errors"
	"fmt"

	"github.com/monimekit/monime-go/gen"
)

// checkObjects checks every stored object the way the API checks what
// arrives: statuses and currencies from the spec's enums, amounts not
// below zero, quantities of at least one. Each problem names its table and
// id. The references between tables and the books are checked by
// checkReferences.
func (st *store) checkObjects() error {
	var problems []error
	for _, s := range st.sessions.all("") {
		problems = append(problems, checkSession(s)...)
	}
	for _, p := range st.payments.all("") {
		problems = append(problems, checkPayment(p)...)
	}
	for _, p := range st.payouts.all("") {
		problems = append(problems, checkPayout(p)...)
	}
	for _, t := range st.transfers.all("") {
		problems = append(problems, checkTransfer(t)...)
	}
	for _, w := range st.endpoints.all("") {
		problems = append(problems, checkEndpoint(w)...)
	}
	problems = append(problems, st.checkCodeObjects()...)
	for _, a := range st.accounts.all("") {
		if !gen.Currency(a.Currency).Valid() {
			problems = append(problems, fmt.Errorf("%s: %s holds currency %q, which Monime does not settle in", st.accounts.name, a.Id, a.Currency))
		}
	}
	return errors.Join(problems...)
}

func checkSession(s *Session) []error {
	var problems []error
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("sessions: %s "+format, append([]any{s.Id}, args...)...))
	}
	if !s.Status.Valid() {
		bad("has status %q, which is not a checkout session status of Monime's API (pending, completed, cancelled, expired)", s.Status)
	}
	for i, item := range s.LineItems.Data {
		switch {
		case item.Price.Value < 0:
			bad("has line item %d priced %d minor units, below zero", i+1, item.Price.Value)
		case !item.Price.Currency.Valid():
			bad("has line item %d priced in %q, a currency Monime does not settle in", i+1, item.Price.Currency)
		case item.Quantity < 1:
			bad("has line item %d with quantity %d, below one", i+1, item.Quantity)
		case !item.Type.Valid():
			bad("has line item %d of type %q, which Monime's API does not define", i+1, item.Type)
		}
	}
	return problems
}

func checkPayment(p *Payment) []error {
	var problems []error
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("payments: %s "+format, append([]any{p.Id}, args...)...))
	}
	if !p.Status.Valid() {
		bad("has status %q, which is not a payment status of Monime's API", p.Status)
	}
	if p.Amount.Value < 0 || !p.Amount.Currency.Valid() {
		bad("has an amount of %s %d minor units; it must be at least zero, in a currency Monime settles in", p.Amount.Currency, p.Amount.Value)
	}
	if p.Fees != nil {
		for i, f := range *p.Fees {
			if f.Amount.Value < 0 {
				bad("has fee %d (%s) of %d minor units, below zero", i+1, f.Code, f.Amount.Value)
			}
		}
	}
	return problems
}

func checkPayout(p *Payout) []error {
	var problems []error
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("payouts: %s "+format, append([]any{p.Id}, args...)...))
	}
	if !p.Status.Valid() {
		bad("has status %q, which is not a payout status of Monime's API (pending, processing, completed, failed)", p.Status)
	}
	if p.Amount.Value <= 0 || !p.Amount.Currency.Valid() {
		bad("has an amount of %s %d minor units; it must be positive, in a currency Monime settles in", p.Amount.Currency, p.Amount.Value)
	}
	if p.Source == nil || p.Source.FinancialAccountId == "" {
		bad("has no source financial account")
	}
	if p.Fees == nil {
		bad("has no fees (an empty list is none)")
	} else {
		for i, f := range *p.Fees {
			if f.Amount.Value < 0 || f.Amount.Currency != p.Amount.Currency {
				bad("has fee %d (%s) of %s %d minor units; a fee is at least zero, in the payout's currency", i+1, f.Code, f.Amount.Currency, f.Amount.Value)
			}
		}
	}
	if (p.Status == gen.PayoutStatusFailed) != (p.FailureDetail != nil) {
		bad("is %s with failureDetail %v; a failed payout, and only one, says why", p.Status, p.FailureDetail)
	} else if p.FailureDetail != nil && !p.FailureDetail.Code.Valid() {
		bad("failed with code %q, which is not a payout failure code of Monime's API", p.FailureDetail.Code)
	}
	return problems
}

func checkTransfer(t *InternalTransfer) []error {
	var problems []error
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("internalTransfers: %s "+format, append([]any{t.Id}, args...)...))
	}
	if !t.Status.Valid() {
		bad("has status %q, which is not an internal transfer status of Monime's API (pending, processing, completed, failed)", t.Status)
	}
	if t.Amount.Value <= 0 || !t.Amount.Currency.Valid() {
		bad("has an amount of %s %d minor units; it must be positive, in a currency Monime settles in", t.Amount.Currency, t.Amount.Value)
	}
	if (t.Status == gen.InternalTransferStatusCompleted) != (t.FinancialTransactionReference != nil) {
		bad("is %s with financialTransactionReference %v; a completed transfer, and only one, has one", t.Status, t.FinancialTransactionReference)
	}
	return problems
}
