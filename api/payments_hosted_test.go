package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// channelOf returns the type and the provider (a card's scheme) of a
// payment's channel.
func channelOf(t *testing.T, p gen.Payment) (kind, provider string) {
	t.Helper()
	raw, err := json.Marshal(p.Channel)
	require.NoError(t, err)
	var ch struct{ Type, Provider, Scheme string }
	require.NoError(t, json.Unmarshal(raw, &ch))
	return ch.Type, ch.Provider + ch.Scheme
}

// paymentOf returns the one payment of session id, as a read answers it.
func (f *fixture) paymentOf(id string) gen.Payment {
	f.t.Helper()
	rec, ok := Find[Session](f.srv, id)
	require.True(f.t, ok)
	require.Len(f.t, rec.PaymentIDs, 1)
	return f.payment(rec.PaymentIDs[0])
}

func TestHostedPayWithTheMethodAndProviderChosen(t *testing.T) {
	for _, m := range methodOrder {
		for _, provider := range providersOf(m) {
			f := newFixture(t)
			s := f.create(minimalBody)
			form := url.Values{"method": {string(m)}, "provider-" + string(m): {provider}}
			for _, other := range methodOrder { // the browser sends every group's checked radio
				if other != m {
					form.Set("provider-"+string(other), providersOf(other)[0])
				}
			}
			res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", form)
			require.Equal(t, http.StatusSeeOther, res.status, "%s", res.body)
			kind, got := channelOf(t, f.paymentOf(s.Id))
			assert.Equal(t, string(m), kind)
			assert.Equal(t, provider, got, "%s", m)
		}
	}
}

func TestHostedPayFormFallbacks(t *testing.T) {
	for name, tc := range map[string]struct {
		form           url.Values
		kind, provider string
	}{
		"no form: the preselected choice":    {nil, "momo", "m17"},
		"a method alone: its first provider": {url.Values{"method": {"bank"}}, "bank", "slb001"},
		"a script's plain provider field":    {url.Values{"method": {"bank"}, "provider": {"slb007"}}, "bank", "slb007"},
		"provider-<method> wins over it":     {url.Values{"method": {"momo"}, "provider-momo": {"m18"}, "provider": {"m17"}}, "momo", "m18"},
		"a card's scheme":                    {url.Values{"method": {"card"}, "provider-card": {"mastercard"}}, "card", "mastercard"},
	} {
		f := newFixture(t)
		s := f.create(minimalBody)
		res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", tc.form)
		require.Equal(t, http.StatusSeeOther, res.status, "%s: %s", name, res.body)
		kind, provider := channelOf(t, f.paymentOf(s.Id))
		assert.Equal(t, tc.kind, kind, name)
		assert.Equal(t, tc.provider, provider, name)
	}
}

func TestHostedPayRefusesAProviderTheSessionDoesNotOffer(t *testing.T) {
	f := newFixture(t)
	s := f.create(shopBody) // momo: m18 only; bank: slb007 only
	for _, form := range []url.Values{
		{"method": {"momo"}, "provider-momo": {"m17"}},
		{"method": {"bank"}, "provider": {"slb001"}},
		{"method": {"momo"}, "provider-momo": {"<script>"}},
	} {
		res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", form)
		assert.Equal(t, http.StatusBadRequest, res.status, "%v", form)
		assert.Contains(t, text(string(res.body)), "This payment method is not offered")
		assert.Contains(t, text(string(res.body)), "Nothing was paid: ")
		assert.NotContains(t, string(res.body), "<script>", "the page escapes what the form sent")
	}
	assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(s.Id).Status)
	assert.Empty(t, FindAll[Payment](f.srv, DefaultSpaceID))
}

func TestHostedPageOfAPaidSessionShowsWhatWasPaidAndHow(t *testing.T) {
	f := newFixture(t)
	s := f.create(shopBody) // SLE 300.05 and USD 37.50
	res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", url.Values{"method": {"momo"}, "provider-momo": {"m18"}})
	require.Equal(t, http.StatusSeeOther, res.status, "%s", res.body)
	page := f.hostedPage(s.Id)

	rows := regexp.MustCompile(`(?s)<li class="payment">(.*?)</li>`).FindAllStringSubmatch(page, -1)
	require.Len(t, rows, 2, "one payment per currency")
	rec, _ := Find[Session](f.srv, s.Id)
	for i, want := range []string{"SLE 300.05 by Mobile money, Afrimoney (m18), +23277***321 · reference ", "USD 37.50 by Mobile money, Afrimoney (m18), +23277***321 · reference "} {
		assert.Contains(t, text(rows[i][1]), want)
		momo, err := f.payment(rec.PaymentIDs[i]).Channel.AsMomoChannel()
		require.NoError(t, err)
		assert.Contains(t, rows[i][1], *momo.Reference)
	}

	card := f.create(minimalBody)
	require.NoError(t, f.srv.CompleteWith(card.Id, "card", "mastercard"))
	assert.Contains(t, paymentsShown(t, f.hostedPage(card.Id)), "SLE 150.00 by Card, Mastercard, ending 4444")
	bank := f.create(minimalBody)
	require.NoError(t, f.srv.CompleteWith(bank.Id, "bank", "slb001"))
	assert.Regexp(t, `SLE 150\.00 by Bank, Sierra Leone Commercial Bank \(slb001\), account \*{4}\d{4} · reference FT`, paymentsShown(t, f.hostedPage(bank.Id)))
	wallet := f.create(minimalBody)
	require.NoError(t, f.srv.CompleteWith(wallet.Id, "wallet", ""))
	assert.Contains(t, paymentsShown(t, f.hostedPage(wallet.Id)), "SLE 150.00 by Wallet, SafulPay (dw001), wallet ****")
}

// paymentsShown is the text of the list of payments on a page.
func paymentsShown(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<ul id="payments"[^>]*>(.*?)</ul>`).FindStringSubmatch(page)
	require.NotNil(t, m, "no #payments in the page:\n%s", page)
	return text(m[1])
}
