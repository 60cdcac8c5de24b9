package api

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// TestBooksBalanceWhateverHappens is the books' property: any sequence of
// fundings, payments (of checkouts and payment codes), payouts (completed, failed, failed at a test
// destination, deleted, uncovered) and transfers, in two spaces, leaves
// every balance the sum of its transactions and never negative (CheckBooks,
// and a sum of its own here), and each space's total the money that came in
// (fundings, and payments less their fees) less the money that went out
// (completed payouts and their fees). Each seed is a different sequence;
// the same seed always the same one.
func TestBooksBalanceWhateverHappens(t *testing.T) {
	const seeds, steps = 16, 100
	seen := map[string]int{}
	for seed := uint64(1); seed <= seeds; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { runBooksProperty(t, seed, steps, seen) })
	}
	for _, kind := range []string{"payout pending", "payout failed at once", "payout completed", "payout failed", "payout deleted", "transfer completed", "transfer failed", "payment", "payment code"} {
		require.Positive(t, seen[kind], "the sequences never tried a %s: %v", kind, seen)
	}
}

// booksModel is what the property test expects of the fake: money in and
// out of each space, and the payouts still pending.
type booksModel struct {
	in, out  map[string]int64
	accounts map[string][]string // space -> its SLE accounts
	pending  []string            // payout ids
}

func runBooksProperty(t *testing.T, seed uint64, steps int, seen map[string]int) {
	spaces := []string{DefaultSpaceID, "spc-other"}
	f := newFixture(t, WithCredentials(DefaultToken, spaces...), WithFee("processing_fee", 150, 10), WithPayoutFee("payout_fee", 100, 25))
	rng := rand.New(rand.NewPCG(seed, 22))
	m := booksModel{in: map[string]int64{}, out: map[string]int64{}, accounts: map[string][]string{}}
	for _, space := range spaces {
		m.accounts[space] = []string{MainAccountID(space)}
	}
	var log []string // what happened, for the failure message
	send := func(space, method, path, body string) response {
		res := f.send(req{method: method, path: path, body: body, space: &space})
		require.Less(t, res.status, 500, "%s %s: %s\n%v", method, path, res.body, log)
		return res
	}
	settled := func(id string) { // a payout left pending: count what it paid
		p, ok := Find[Payout](f.srv, id)
		if !ok {
			seen["payout deleted"]++
			return
		}
		seen["payout "+string(p.Status)]++
		if p.Status == gen.PayoutStatusCompleted {
			total, _ := payoutTotal(&p)
			m.out[p.SpaceID] += total
		}
	}
	for step := range steps {
		space := spaces[rng.IntN(len(spaces))]
		accounts := m.accounts[space]
		account := accounts[rng.IntN(len(accounts))]
		value := 1 + rng.Int64N(5000)
		var what string
		switch op := rng.IntN(10); {
		case op == 0 && len(accounts) < 4:
			a := send(space, http.MethodPost, "/v1/financial-accounts", `{"name":"Float","currency":"SLE"}`).account(t)
			m.accounts[space] = append(accounts, a.Id)
			what = "open " + a.Id
		case op <= 1:
			require.NoError(t, f.srv.Fund(account, gen.Money{Currency: "SLE", Value: value}))
			m.in[space] += value
			what = fmt.Sprintf("fund %s %d", account, value)
		case op == 2 && rng.IntN(2) == 0:
			c := send(space, http.MethodPost, "/v1/payment-codes", fmt.Sprintf(`{"name":"Stall","financialAccountId":%q}`, account)).paymentCode(t)
			require.NoError(t, f.srv.PayCode(c.Id, "", "", gen.Money{Currency: "SLE", Value: value}))
			rec, _ := Find[PaymentCode](f.srv, c.Id)
			p, _ := Find[Payment](f.srv, rec.PaymentIDs[0])
			seen["payment code"]++
			m.in[space] += p.Amount.Value
			for _, fee := range *p.Fees {
				m.in[space] -= fee.Amount.Value
			}
			what = fmt.Sprintf("payment code %s %d", account, value)
		case op == 2:
			s := send(space, http.MethodPost, "/v1/checkout-sessions", fmt.Sprintf(`{"name":"Order","financialAccountId":%q,"lineItems":[{"name":"Tee","price":{"currency":"SLE","value":%d}}]}`, account, value)).session(t)
			require.NoError(t, f.srv.Complete(s.Id))
			rec, _ := Find[Session](f.srv, s.Id)
			p, _ := Find[Payment](f.srv, rec.PaymentIDs[0])
			seen["payment"]++
			m.in[space] += p.Amount.Value
			for _, fee := range *p.Fees {
				m.in[space] -= fee.Amount.Value
			}
			what = fmt.Sprintf("payment %s %d", account, value)
		case op <= 5:
			phone := "+23276123456"
			if rng.IntN(4) == 0 {
				phone = fmt.Sprintf("+2327600000%d", 1+rng.IntN(7)) // fails when processed
			}
			source := ""
			if rng.IntN(2) == 0 {
				source = fmt.Sprintf(`"source":{"financialAccountId":%q},`, account)
			}
			p := send(space, http.MethodPost, "/v1/payouts", fmt.Sprintf(`{"amount":{"currency":"SLE","value":%d},%s"destination":{"type":"momo","providerId":"m17","phoneNumber":%q}}`, value, source, phone)).payout(t)
			if p.Status == gen.PayoutStatusPending {
				m.pending = append(m.pending, p.Id)
				seen["payout pending"]++
			} else {
				seen["payout failed at once"]++
			}
			what = fmt.Sprintf("payout %s %d from %s: %s", p.Id, value, p.Source.FinancialAccountId, p.Status)
		case op <= 7 && len(m.pending) > 0:
			i := rng.IntN(len(m.pending))
			id := m.pending[i]
			m.pending = append(m.pending[:i], m.pending[i+1:]...)
			p, _ := Find[Payout](f.srv, id)
			switch rng.IntN(3) {
			case 0:
				require.NoError(t, f.srv.CompletePayout(id))
				what = "complete " + id
			case 1:
				require.NoError(t, f.srv.FailPayout(id, "provider_unknown"))
				what = "fail " + id
			default:
				require.Equal(t, http.StatusOK, send(p.SpaceID, http.MethodDelete, "/v1/payouts/"+id, "").status)
				what = "delete " + id
			}
			settled(id)
		default:
			to := accounts[rng.IntN(len(accounts))]
			if to == account {
				what = "no transfer"
				break
			}
			tr := send(space, http.MethodPost, "/v1/internal-transfers", transferBody(account, to, value)).transfer(t)
			seen["transfer "+string(tr.Status)]++
			what = fmt.Sprintf("transfer %s %d to %s: %s", account, value, to, tr.Status)
		}
		log = append(log, fmt.Sprintf("%d: %s", step, what))
		require.NoError(t, f.srv.CheckBooks(), "after %v", log)
	}
	for _, id := range m.pending { // settle the rest, either way
		if rng.IntN(2) == 0 {
			require.NoError(t, f.srv.CompletePayout(id))
		} else {
			require.NoError(t, f.srv.FailPayout(id, "unknown"))
		}
		settled(id)
	}
	require.NoError(t, f.srv.CheckBooks())
	for _, space := range spaces {
		sums := map[string]int64{}
		for _, e := range FindAll[LedgerEntry](f.srv, space) {
			if e.Type == EntryCredit {
				sums[e.AccountID] += e.Amount.Value
			} else {
				sums[e.AccountID] -= e.Amount.Value
			}
		}
		var total int64
		for _, a := range FindAll[FinancialAccount](f.srv, space) {
			require.Equal(t, sums[a.Id], a.Available, "account %s: its balance is the sum of its transactions\n%v", a.Id, log)
			require.GreaterOrEqual(t, a.Available, int64(0), "account %s", a.Id)
			total += a.Available
		}
		require.Equal(t, m.in[space]-m.out[space], total, "space %s: its total is money in less money out\n%v", space, log)
	}
}
