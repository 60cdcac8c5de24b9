package api

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// checkedForm is what a browser submits for the form with the given id on
// page: its action, and the value of every checked radio input.
func checkedForm(t *testing.T, page, id string) (action string, form url.Values) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<form id="` + id + `"[^>]*action="([^"]*)">(.*?)</form>`).FindStringSubmatch(page)
	require.NotNil(t, m, "no form #%s", id)
	form = url.Values{}
	for _, in := range regexp.MustCompile(`<input type="radio" name="([^"]+)" value="([^"]*)" checked>`).FindAllStringSubmatch(m[2], -1) {
		form.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return html.UnescapeString(m[1]), form
}

// The whole story over HTTP: a shop creates a session, the customer pays
// on the hosted page as a browser would (the preselected mobile money),
// the shop's receiver gets both payment events and then the checkout one,
// and the payment, found by the session's order number, is the session's
// total.
func TestEndToEndPayWithMobileMoneyAndReconcile(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret, "payment.created", "payment.completed", "checkout_session.completed"))

	s := f.create(`{"name":"Order #1042","successUrl":"https://shop.example/ok","lineItems":[
		{"name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2},
		{"name":"Cap","price":{"currency":"SLE","value":2500}}]}`)
	var total int64
	for _, li := range s.LineItems.Data {
		total += li.Price.Value * int64(li.Quantity)
	}

	// The customer's browser opens the page and submits the Pay form as it
	// stands.
	page := f.browse(http.MethodGet, mustPath(t, s.RedirectUrl), nil)
	require.Equal(t, http.StatusOK, page.status)
	action, form := checkedForm(t, string(page.body), "pay-form")
	assert.Equal(t, url.Values{"method": {"momo"}, "provider-momo": {"m17"}, "provider-card": {"visa"}, "provider-bank": {"slb001"}, "provider-wallet": {"dw001"}}, form,
		"mobile money is preselected, with the first provider of every method")
	res := f.browse(http.MethodPost, action, form)
	require.Equal(t, http.StatusSeeOther, res.status, "%s", res.body)
	assert.Equal(t, "https://shop.example/ok", res.header.Get("Location"))

	// The shop's receiver: both payment events, then the checkout one, each
	// signature verified by webhook.Handler.
	f.waitDeliveries()
	_, events := rc.got()
	require.Equal(t, []string{"payment.created", "payment.completed", "checkout_session.completed"}, names(events))
	cs, err := events[2].CheckoutSession()
	require.NoError(t, err)
	require.NotEmpty(t, cs.OrderNumber)

	// Reconcile: the payment of the order number, through the API.
	found := f.listPayments(url.Values{"orderNumber": {cs.OrderNumber}})
	require.Len(t, found.Result, 1)
	p := found.Result[0]
	assert.Equal(t, gen.Money{Currency: "SLE", Value: total}, p.Amount, "the session's total")
	assert.Equal(t, int64(32500), total)
	assert.Equal(t, gen.PaymentStatusCompleted, p.Status)
	assert.Equal(t, events[1].Object.ID, p.Id, "payment.completed was about this payment")
	assert.Equal(t, p.Id, paymentData(t, events[0]).Id)
	kind, provider := channelOf(t, p)
	assert.Equal(t, "momo", kind)
	assert.Equal(t, "m17", provider)
	assert.Equal(t, &[]gen.PaymentFee{}, p.Fees)
}

// mustPath returns the path of an absolute URL.
func mustPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Path
}
