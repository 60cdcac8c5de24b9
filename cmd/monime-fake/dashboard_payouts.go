package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
)

// The dashboard's pages of money out: payouts with their Complete, Fail
// and Delete buttons, internal transfers, and an account's own ledger with
// a Fund form (the accounts page has one per account too).

// payoutRow is one payout on the payouts page.
type payoutRow struct {
	ID, Status, Amount, Fees        string
	DestType, Provider, Destination string // the kind, the provider's name and id, and the number, account or wallet
	DestReference                   string // the provider's reference, once completed
	Source, SourceReference         string
	FailureCode, FailureMessage     string
	Created, Updated                string
	Pending                         bool
}

// transferRow is one internal transfer on the transfers page.
type transferRow struct {
	ID, Status, Amount, From, To string
	Description, Reference       string
	FailureCode, FailureMessage  string
	Created                      string
}

// destinationKinds name the kinds of a payout's destination.
var destinationKinds = map[string]string{api.ProviderMomo: "Mobile money", api.ProviderBank: "Bank", api.ProviderWallet: "Wallet"}

// describeDestination fills the destination of row from d: its kind, its
// provider (by name, from the fake's catalog), the number, account or
// wallet it pays and the provider's reference.
func describeDestination(row *payoutRow, d gen.PayoutDestination) {
	kind, err := d.Discriminator()
	if err != nil {
		row.DestType = "—"
		return
	}
	row.DestType = kind
	if k, ok := destinationKinds[kind]; ok {
		row.DestType = k
	}
	var provider string
	var ref *string
	switch kind {
	case api.ProviderMomo:
		if m, err := d.AsMomoDestination(); err == nil {
			provider, row.Destination, ref = string(m.ProviderId), m.PhoneNumber, m.TransactionReference
		}
	case api.ProviderBank:
		if b, err := d.AsBankDestination(); err == nil {
			provider, row.Destination, ref = string(b.ProviderId), b.AccountNumber, b.TransactionReference
		}
	case api.ProviderWallet:
		if w, err := d.AsWalletDestination(); err == nil {
			provider, row.Destination, ref = string(w.ProviderId), deref(w.WalletId), w.TransactionReference
		}
	}
	row.Provider = provider
	if p, ok := api.ProviderByID(provider); ok {
		row.Provider = p.Name + " (" + provider + ")"
	}
	row.DestReference = deref(ref)
}

// feesOf formats fees, "—" for none.
func feesOf(fees *[]gen.PaymentFee) string {
	if fees == nil || len(*fees) == 0 {
		return "—"
	}
	var out []string
	for _, f := range *fees {
		out = append(out, f.Code+" "+money(f.Amount))
	}
	return strings.Join(out, ", ")
}

func payoutRowOf(p api.Payout) payoutRow {
	row := payoutRow{
		ID: p.Id, Status: string(p.Status), Amount: money(p.Amount), Fees: feesOf(p.Fees),
		Created: when(p.CreateTime), Updated: when(p.UpdateTime), Pending: p.Status == gen.PayoutStatusPending,
	}
	describeDestination(&row, p.Destination)
	if p.Source != nil {
		row.Source, row.SourceReference = p.Source.FinancialAccountId, deref(p.Source.TransactionReference)
	}
	if p.FailureDetail != nil {
		row.FailureCode, row.FailureMessage = string(p.FailureDetail.Code), deref(p.FailureDetail.Message)
	}
	return row
}

func transferRowOf(t api.InternalTransfer) transferRow {
	row := transferRow{
		ID: t.Id, Status: string(t.Status), Amount: money(t.Amount), From: t.SourceFinancialAccount.Id, To: t.DestinationFinancialAccount.Id,
		Description: deref(t.Description), Reference: deref(t.FinancialTransactionReference), Created: when(t.CreateTime),
	}
	if t.FailureDetail != nil {
		row.FailureCode, row.FailureMessage = string(t.FailureDetail.Code), deref(t.FailureDetail.Message)
	}
	return row
}

func (a *app) pagePayouts(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, "Payouts", "payouts")
	p.statusFilter(r, payoutStatuses, "payout")
	p.FailureCodes = payoutFailureCodes
	for _, po := range dashList[api.Payout](a, r, &p, limit, "after", payoutWithStatus(p.Filter)) {
		p.Payouts = append(p.Payouts, payoutRowOf(po))
	}
	a.render(w, http.StatusOK, "payouts.html", p)
}

func (a *app) pageTransfers(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, "Transfers", "transfers")
	p.statusFilter(r, transferStatuses, "transfer")
	for _, t := range dashList[api.InternalTransfer](a, r, &p, limit, "after", transferWithStatus(p.Filter)) {
		p.Transfers = append(p.Transfers, transferRowOf(t))
	}
	a.render(w, http.StatusOK, "transfers.html", p)
}

// account returns the financial account id if it is in the fake's space.
func (a *app) account(id string) (api.FinancialAccount, bool) {
	acc, ok := api.Find[api.FinancialAccount](a.fake, id)
	if !ok || acc.SpaceID != a.cfg.space {
		return api.FinancialAccount{}, false
	}
	return acc, true
}

func accountRowOf(acc api.FinancialAccount) accountRow {
	return accountRow{
		ID: acc.Id, Name: acc.Name, Description: deref(acc.Description), Currency: acc.Currency,
		UVAN: acc.Uvan, Reference: deref(acc.Reference), Main: acc.Main,
		Balance: money(gen.Money{Currency: gen.Currency(acc.Currency), Value: acc.Available}),
	}
}

func entryRowOf(e api.LedgerEntry) entryRow {
	return entryRow{
		ID: e.ID, Booked: when(e.CreateTime), Account: e.AccountID, Type: e.Type, Amount: money(e.Amount),
		BalanceAfter: money(gen.Money{Currency: e.Amount.Currency, Value: e.BalanceAfter}), For: entryPurpose(e), Reference: e.Reference,
	}
}

// pageAccount is one account's ledger, newest first, with the balance
// after each entry (the running balance), and its Fund form.
func (a *app) pageAccount(w http.ResponseWriter, r *http.Request) {
	acc, ok := a.account(r.PathValue("id"))
	if !ok {
		a.problem(w, r, http.StatusNotFound, fmt.Sprintf("There is no financial account %q in space %s; the accounts page lists those there are.", r.PathValue("id"), a.cfg.space), "/accounts")
		return
	}
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, acc.Name, "accounts")
	row := accountRowOf(acc)
	p.Account = &row
	for _, e := range dashList[api.LedgerEntry](a, r, &p, limit, "after", ofAccount(acc.Id)) {
		p.Entries = append(p.Entries, entryRowOf(e))
	}
	a.render(w, http.StatusOK, "account.html", p)
}

// payoutsBack is where a payout's form comes back to: the payouts page
// the form was on (its status filter kept), never another site.
func payoutsBack(raw string) string { return listBack(raw, "/payouts") }

// withNotice is back with notice added to its query.
func withNotice(back, notice string) string {
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	return back + sep + "notice=" + url.QueryEscape(notice)
}

// formPayoutAction is the Complete, Fail and Delete buttons of a pending
// payout.
func (a *app) formPayoutAction(w http.ResponseWriter, r *http.Request) {
	if !a.parseForm(w, r, "/payouts") {
		return
	}
	id, action := r.PathValue("id"), r.PathValue("action")
	back := payoutsBack(r.PostForm.Get("back"))
	code := r.PostForm.Get("code")
	if err := a.actOnPayout(id, action, code); err != nil {
		status, _ := payoutActionError(err)
		a.problem(w, r, status, "Nothing changed: "+err.Error(), back)
		return
	}
	notice := map[string]string{
		"complete": "Payout " + id + " completed; payout.completed is on its way.",
		"fail":     "Payout " + id + " failed; what it held is back in its account, and payout.failed is on its way.",
		"delete":   "Payout " + id + " deleted; what it held is back in its account.",
	}[action]
	if p, ok := a.payout(id); ok && action == "complete" && p.FailureDetail != nil {
		notice = "Payout " + id + " went to a test destination, so it failed with " + string(p.FailureDetail.Code) + " instead; what it held is back in its account, and payout.failed is on its way."
	}
	http.Redirect(w, r, withNotice(back, notice), http.StatusSeeOther)
}

// thousands is an amount whose commas group its whole part by thousands.
var thousands = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$`)

// parseMajor reads an amount in major units, such as "1500", "1,500.5"
// or "1500.00", as minor units (two decimals, as every amount the fake
// shows): positive, and at most two decimals. A comma may only group
// thousands: "1,50" is refused, not read as 150.
func parseMajor(raw string) (int64, error) {
	s := strings.TrimSpace(raw)
	if strings.Contains(s, ",") {
		if !thousands.MatchString(s) {
			return 0, fmt.Errorf("%q is not an amount: use a dot for decimals and commas only between thousands, such as 1,500.00 or 1500.00", raw)
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	whole, frac, dotted := strings.Cut(s, ".")
	digits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	switch {
	case s == "":
		return 0, fmt.Errorf("the amount is empty; enter one in major units, such as 1500.00")
	case !digits(whole) || dotted && (!digits(frac) || len(frac) > 2):
		return 0, fmt.Errorf("%q is not an amount in major units with at most two decimals, such as 1500.00", raw)
	}
	frac = (frac + "00")[:2]
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large an amount", raw)
	}
	if v <= 0 {
		return 0, fmt.Errorf("%q is not positive; enter an amount above zero", raw)
	}
	return v, nil
}

// formFund is the Fund form of an account: an amount in major units of
// the account's currency, credited as money arriving from outside.
func (a *app) formFund(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	back := "/accounts"
	if r.URL.Query().Get("from") == "account" {
		back = "/accounts/" + url.PathEscape(id)
	}
	if !a.parseForm(w, r, back) {
		return
	}
	acc, ok := a.account(id)
	if !ok {
		a.problem(w, r, http.StatusNotFound, fmt.Sprintf("Nothing was funded: space %s has no financial account %q; the Accounts page lists those it has.", a.cfg.space, id), "/accounts")
		return
	}
	value, err := parseMajor(r.PostForm.Get("amount"))
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, "Nothing was funded: "+err.Error()+".", back)
		return
	}
	amount := gen.Money{Currency: gen.Currency(acc.Currency), Value: value}
	if err := a.fake.Fund(id, amount); err != nil {
		a.problem(w, r, http.StatusBadRequest, "Nothing was funded: "+strings.TrimPrefix(err.Error(), fmt.Sprintf("api: Fund(%q): ", id)), back)
		return
	}
	http.Redirect(w, r, withNotice(back, "Funded "+acc.Name+" with "+money(amount)+"."), http.StatusSeeOther)
}
