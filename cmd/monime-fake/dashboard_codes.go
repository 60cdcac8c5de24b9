package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
)

// The dashboard's pages of USSD: payment codes with a Pay form each (the
// payer dialling the code), USSD OTPs with a Dial form each (the phone
// verifying), and the receipts of completed checkouts with what they
// entitle the customer to.

// codeRow is one payment code on the payment codes page.
type codeRow struct {
	ID, Name, Mode, Status, USSDCode string
	Amount                           string // formatted, "" for any amount
	AmountMajor                      string // the fixed amount in major units, for the Pay form
	Currency                         string // of the code's account: what it takes
	Phone                            string // the authorized phone, "" for any
	Providers                        []string
	Target                           string // of a recurrent code, "" for none
	Collected                        string
	Payments                         []string
	Account, Reference, Customer     string
	Created, Expires                 string
	Enabled                          bool
	Payable                          bool // live, enabled and not past its expireTime: the Pay form shows
	PayProviders                     []providerOption
	PayerHint                        string // the phone PayCode pays from when the field is left empty
}

// providerOption is one choice of a Pay form's provider.
type providerOption struct {
	Value, Label string
	Selected     bool
}

// otpRow is one USSD OTP on the USSD OTPs page.
type otpRow struct {
	ID, Status, DialCode, Phone, Message string
	Created, Expires, Verified           string
	Pending                              bool
}

// receiptRow is one receipt on the receipts page.
type receiptRow struct {
	OrderNumber, OrderName, Status, Amount string
	Session, Created, Updated              string
	Entitlements                           []entitlementRow
}

// entitlementRow is one entitlement of a receipt.
type entitlementRow struct {
	Key, Name                 string
	Limit, Current, Remaining int
	Exhausted                 bool
}

// providerName is a provider as the dashboard names it: Orange Money (m17).
func providerName(id string) string {
	if p, ok := api.ProviderByID(id); ok {
		return p.Name + " (" + id + ")"
	}
	return id
}

// major writes minor units as major units with two decimals, as the Fund
// and Pay forms read them: 75000 is 750.00.
func major(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// codeRowOf is the row of the payment code c, whose account holds
// currency, at now.
func codeRowOf(c api.PaymentCode, currency string, now time.Time) codeRow {
	row := codeRow{
		ID: c.Id, Name: deref(c.Name), Mode: string(c.Mode), Status: string(c.Status), USSDCode: c.UssdCode,
		Currency: currency, Phone: deref(c.AuthorizedPhoneNumber), Payments: c.PaymentIDs,
		Collected: money(gen.Money{Currency: gen.Currency(currency), Value: c.Collected}),
		Account:   deref(c.FinancialAccountId), Reference: deref(c.Reference),
		Created: when(c.CreateTime), Expires: when(c.ExpireTime), Enabled: c.Enable,
	}
	if c.Amount != nil {
		row.Amount, row.AmountMajor, row.Currency = money(*c.Amount), major(c.Amount.Value), string(c.Amount.Currency)
	}
	if c.Customer != nil {
		row.Customer = deref(c.Customer.Name)
	}
	var authorized []string
	if c.AuthorizedProviders != nil {
		authorized = *c.AuthorizedProviders
	}
	for _, p := range authorized {
		row.Providers = append(row.Providers, providerName(p))
	}
	if t := c.RecurrentPaymentTarget; t != nil {
		var parts []string
		if t.ExpectedPaymentCount != nil {
			parts = append(parts, fmt.Sprintf("%d payments", *t.ExpectedPaymentCount))
		}
		if t.ExpectedPaymentTotal != nil {
			parts = append(parts, money(*t.ExpectedPaymentTotal)+" in total")
		}
		row.Target = strings.Join(parts, " and ")
	}
	live := c.Status == gen.PaymentCodeStatusPending || c.Status == gen.PaymentCodeStatusProcessing
	row.Payable = live && c.Enable && now.Before(c.ExpireTime)
	first := string(gen.MomoProviderM17)
	if len(authorized) > 0 {
		first = authorized[0]
	}
	for _, p := range momoPayers {
		row.PayProviders = append(row.PayProviders, providerOption{Value: p, Label: providerName(p), Selected: p == first})
	}
	row.PayerHint = map[string]string{"m17": "+23276123456", "m18": "+23277654321"}[first]
	if row.Phone != "" {
		row.PayerHint = row.Phone
	}
	return row
}

func otpRowOf(o api.USSDOTP) otpRow {
	row := otpRow{
		ID: o.Id, Status: string(o.Status), DialCode: o.DialCode, Phone: o.AuthorizedPhoneNumber, Message: deref(o.VerificationMessage),
		Created: when(o.CreateTime), Expires: when(o.ExpireTime), Pending: o.Status == gen.USSDOTPStatusPending,
	}
	if o.VerifyTime != nil {
		row.Verified = when(*o.VerifyTime)
	}
	return row
}

func receiptRowOf(r api.Receipt) receiptRow {
	row := receiptRow{
		OrderNumber: r.OrderNumber, OrderName: deref(r.OrderName), Status: string(r.Status), Amount: money(r.OrderAmount),
		Session: r.SessionID, Created: when(r.CreateTime), Updated: when(r.UpdateTime),
	}
	if r.Entitlements != nil {
		for _, e := range *r.Entitlements {
			row.Entitlements = append(row.Entitlements, entitlementRow{Key: e.Key, Name: deref(e.Name), Limit: e.Limit, Current: e.Current, Remaining: e.Remaining, Exhausted: e.Exhausted})
		}
	}
	return row
}

// codeCurrency is the currency the payment code c takes: its account's.
func (a *app) codeCurrency(c api.PaymentCode) string {
	if c.Amount != nil {
		return string(c.Amount.Currency)
	}
	if c.FinancialAccountId != nil {
		if acc, ok := api.Find[api.FinancialAccount](a.fake, *c.FinancialAccountId); ok {
			return acc.Currency
		}
	}
	return string(gen.CurrencySLE)
}

func (a *app) pagePaymentCodes(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, "Payment codes", "payment-codes")
	p.statusFilter(r, paymentCodeStatuses, "payment code")
	now := time.Now()
	for _, c := range dashList[api.PaymentCode](a, r, &p, limit, "after", codeWithStatus(p.Filter)) {
		p.PaymentCodes = append(p.PaymentCodes, codeRowOf(c, a.codeCurrency(c), now))
	}
	a.render(w, http.StatusOK, "payment_codes.html", p)
}

func (a *app) pageOTPs(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, "USSD OTPs", "ussd-otps")
	p.statusFilter(r, otpStatuses, "USSD OTP")
	for _, o := range dashList[api.USSDOTP](a, r, &p, limit, "after", otpWithStatus(p.Filter)) {
		p.OTPs = append(p.OTPs, otpRowOf(o))
	}
	a.render(w, http.StatusOK, "ussd_otps.html", p)
}

func (a *app) pageReceipts(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.dashLimit(w, r)
	if !ok {
		return
	}
	p := a.newPage(r, "Receipts", "receipts")
	p.statusFilter(r, receiptStatuses, "receipt")
	for _, rc := range dashList[api.Receipt](a, r, &p, limit, "after", receiptWithStatus(p.Filter)) {
		p.Receipts = append(p.Receipts, receiptRowOf(rc))
	}
	a.render(w, http.StatusOK, "receipts.html", p)
}

// formPayCode is the Pay form of a payment code: an amount in major units
// of the code's currency (empty for its fixed amount), the payer's phone
// (empty for the authorized one) and the provider.
func (a *app) formPayCode(w http.ResponseWriter, r *http.Request) {
	if !a.parseForm(w, r, "/payment-codes") {
		return
	}
	id := r.PathValue("id")
	back := listBack(r.PostForm.Get("back"), "/payment-codes")
	c, ok := a.paymentCode(id)
	if !ok {
		a.problem(w, r, http.StatusNotFound, "Nothing was paid: "+errNoCode(id, a.cfg.space).Error()+".", back)
		return
	}
	var amount *gen.Money
	if raw := strings.TrimSpace(r.PostForm.Get("amount")); raw != "" || c.Amount == nil {
		value, err := parseMajor(raw)
		if err != nil {
			a.problem(w, r, http.StatusBadRequest, "Nothing was paid: "+err.Error()+".", back)
			return
		}
		amount = &gen.Money{Currency: gen.Currency(a.codeCurrency(c)), Value: value}
	}
	phone, provider := strings.TrimSpace(r.PostForm.Get("phone")), r.PostForm.Get("provider")
	if err := a.payCode(id, amount, phone, provider); err != nil {
		status, _ := ussdActionError(err)
		a.problem(w, r, status, "Nothing was paid: "+err.Error()+".", back)
		return
	}
	if amount == nil {
		amount = c.Amount
	}
	now, _ := a.paymentCode(id)
	notice := fmt.Sprintf("Paid %s into %s (%s)", money(*amount), deref(c.Name), c.UssdCode)
	if n := len(now.PaymentIDs); n > 0 {
		notice += " as payment " + now.PaymentIDs[n-1]
	}
	notice += fmt.Sprintf("; the code is %s, and payment.completed and payment_code.processed are on their way.", now.Status)
	http.Redirect(w, r, withNotice(back, notice), http.StatusSeeOther)
}

// formDialOTP is the Dial form of a pending USSD OTP: the phone that
// dials it (empty for its authorized phone).
func (a *app) formDialOTP(w http.ResponseWriter, r *http.Request) {
	if !a.parseForm(w, r, "/ussd-otps") {
		return
	}
	id := r.PathValue("id")
	back := listBack(r.PostForm.Get("back"), "/ussd-otps")
	if err := a.dialOTP(id, strings.TrimSpace(r.PostForm.Get("phone"))); err != nil {
		status, _ := ussdActionError(err)
		a.problem(w, r, status, "Nothing was verified: "+err.Error()+".", back)
		return
	}
	http.Redirect(w, r, withNotice(back, "USSD OTP "+id+" verified."), http.StatusSeeOther)
}

// listBack is where a form on the list page at path comes back to: the
// page the form was on (its status filter kept), never another site.
func listBack(raw, path string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path != path || u.Host != "" || u.Scheme != "" {
		return path
	}
	if status := u.Query().Get("status"); status != "" {
		return path + "?status=" + url.QueryEscape(status)
	}
	return path
}
