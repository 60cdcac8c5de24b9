package api

import (
	"encoding/json"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/monime/webhook"
)

// browse sends a request without credentials, as a customer's browser
// would, and does not follow redirects.
func (f *fixture) browse(method, path string, form url.Values) response {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r, err := http.NewRequest(method, f.ts.URL+path, body)
	require.NoError(f.t, err)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	client := *f.client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(r)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// hostedPage opens the hosted page of id and checks it is HTML.
func (f *fixture) hostedPage(id string) string {
	f.t.Helper()
	res := f.browse(http.MethodGet, HostedPagePath+id, nil)
	require.Equal(f.t, http.StatusOK, res.status, "%s", res.body)
	assert.Equal(f.t, "text/html; charset=utf-8", res.header.Get("Content-Type"))
	return string(res.body)
}

// element returns the inner HTML of the first element with the given id
// (up to its first closing tag: use it for elements without nested ones).
func element(t *testing.T, page, id string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<(\w+)[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</(\w+)>`)
	m := re.FindStringSubmatch(page)
	require.NotNil(t, m, "no element #%s in the page:\n%s", id, page)
	return m[2]
}

// text strips tags and collapses spaces.
func text(s string) string {
	s = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

// radios lists the method radio inputs of a page: value, and whether checked.
func radios(page string) (values []string, checked []string) {
	return radioGroup(page, "method")
}

// providers lists the provider radio inputs of one method on a page.
func providers(page, method string) (values []string, checked []string) {
	return radioGroup(page, "provider-"+method)
}

func radioGroup(page, name string) (values []string, checked []string) {
	re := regexp.MustCompile(`<input type="radio" name="` + regexp.QuoteMeta(name) + `" value="(\w+)"( checked)?>`)
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		values = append(values, m[1])
		if m[2] != "" {
			checked = append(checked, m[1])
		}
	}
	return values, checked
}

const shopBody = `{
	"name": "Order #1042",
	"description": "Two shirts and a hat",
	"successUrl": "https://shop.example/ok?order=1042",
	"cancelUrl": "https://shop.example/cancel?order=1042",
	"lineItems": [
		{"name": "T-shirt", "price": {"currency": "SLE", "value": 15000}, "quantity": 2},
		{"name": "Hat", "price": {"currency": "USD", "value": 1250}, "quantity": 3},
		{"name": "Sticker", "price": {"currency": "SLE", "value": 5}}
	],
	"paymentOptions": {
		"card": {"disable": true},
		"bank": {"disabledProviders": ["slb001", "slb004"]},
		"momo": {"enabledProviders": ["m18"], "disabledProviders": ["m18"]},
		"wallet": {"disable": true}
	},
	"brandingOptions": {"primaryColor": "#0A7CFF"}
}`

func TestHostedPageShowsAPendingSession(t *testing.T) {
	f := newFixture(t)
	s := f.create(shopBody)
	require.Equal(t, f.ts.URL+HostedPagePath+s.Id, s.RedirectUrl)
	page := f.hostedPage(s.Id)

	assert.Contains(t, text(element(t, page, "simulator-banner")), "Local Monime simulator")
	assert.Contains(t, text(element(t, page, "simulator-banner")), "No money moves")
	assert.Equal(t, "Order #1042", text(element(t, page, "session-name")))
	assert.Equal(t, "Two shirts and a hat", text(element(t, page, "session-description")))
	assert.Equal(t, "pending", element(t, page, "status"))

	rows := regexp.MustCompile(`(?s)<tr class="line-item">(.*?)</tr>`).FindAllStringSubmatch(page, -1)
	require.Len(t, rows, 3)
	assert.Equal(t, "T-shirt 2 SLE 150.00 SLE 300.00", text(rows[0][1]))
	assert.Equal(t, "Hat 3 USD 12.50 USD 37.50", text(rows[1][1]))
	assert.Equal(t, "Sticker 1 SLE 0.05 SLE 0.05", text(rows[2][1]))
	total := regexp.MustCompile(`(?s)<div id="total"[^>]*>(.*?)</div></div>`).FindStringSubmatch(page)
	require.NotNil(t, total, "#total")
	totals := regexp.MustCompile(`<div class="total-currency">([^<]*)</div>`).FindAllStringSubmatch(total[1], -1)
	require.Len(t, totals, 2, "one line per currency")
	assert.Equal(t, "SLE 300.05", totals[0][1])
	assert.Equal(t, "USD 37.50", totals[1][1])

	values, checked := radios(page)
	assert.Equal(t, []string{"momo", "bank"}, values, "mobile money first; card and wallet are disabled")
	assert.Equal(t, []string{"momo"}, checked, "mobile money is preselected")
	values, checked = providers(page, "bank")
	assert.Equal(t, []string{"slb007"}, values, "bank without the disabled providers")
	assert.Equal(t, []string{"slb007"}, checked)
	values, checked = providers(page, "momo")
	assert.Equal(t, []string{"m18"}, values, "enabledProviders wins over disabledProviders")
	assert.Equal(t, []string{"m18"}, checked)

	assert.Contains(t, page, `<form id="pay-form" class="pay-form" method="post" action="/checkout/`+s.Id+`/pay">`)
	assert.Contains(t, page, `<button id="pay" class="btn-pay" type="submit">Pay</button>`)
	assert.Contains(t, page, `<form id="cancel-form" method="post" action="/checkout/`+s.Id+`/cancel">`)
	assert.Contains(t, page, `<button id="cancel" class="btn-cancel" type="submit">Cancel</button>`)
	assert.Contains(t, page, `style="--accent: #0A7CFF"`)
	for _, id := range []string{"#pay", "#cancel", "#status", "#total", "#session-name", "#simulator-banner"} {
		// chromedp, for one, treats a plain selector string as a DevTools
		// text search: it must not find the stylesheet too.
		assert.NotContains(t, page, id, "the page's text never spells an element's id selector")
	}
	assert.NotContains(t, page, "<script", "the page works without JavaScript")
	assert.NotRegexp(t, `(?i)(src|href)="https?://`, page, "no external assets")
}

func TestHostedPageOffersTheMethodsPaymentOptionsAllow(t *testing.T) {
	for name, tc := range map[string]struct {
		options   string
		methods   []string
		providers map[string][]string
		shows     []string
		hides     []string
	}{
		"no options: everything, mobile money first": {
			options: ``,
			methods: []string{"momo", "card", "bank", "wallet"},
			providers: map[string][]string{
				"momo": {"m17", "m18"}, "card": {"visa", "mastercard"}, "bank": {"slb001", "slb004", "slb007"}, "wallet": {"dw001"},
			},
			shows: []string{"Orange Money (m17)", "Sierra Leone Commercial Bank (slb001)", "SafulPay (dw001)", "Visa", "Mastercard"},
		},
		"disabled providers are left out": {
			options:   `,"paymentOptions":{"momo":{"disabledProviders":["m17"]}}`,
			methods:   []string{"momo", "card", "bank", "wallet"},
			providers: map[string][]string{"momo": {"m18"}},
			hides:     []string{"m17"},
		},
		"a method with no provider left is not offered": {
			options: `,"paymentOptions":{"momo":{"disabledProviders":["m17","m18"]},"bank":{"disable":true}}`,
			methods: []string{"card", "wallet"},
		},
		"enabledProviders wins": {
			options:   `,"paymentOptions":{"bank":{"enabledProviders":["slb004"],"disabledProviders":["slb004"]}}`,
			methods:   []string{"momo", "card", "bank", "wallet"},
			providers: map[string][]string{"bank": {"slb004"}},
			hides:     []string{"slb001", "slb007"},
		},
		"everything disabled: a note, and Pay still works": {
			options: `,"paymentOptions":{"card":{"disable":true},"bank":{"disable":true},"momo":{"disable":true},"wallet":{"disable":true}}`,
			shows:   []string{`id="no-methods"`, `id="pay"`},
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			s := f.create(`{"name":"Order","lineItems":[{"name":"T","price":{"currency":"SLE","value":100}}]` + tc.options + `}`)
			page := f.hostedPage(s.Id)
			values, checked := radios(page)
			assert.Equal(t, tc.methods, values)
			if len(tc.methods) > 0 {
				assert.Equal(t, tc.methods[:1], checked, "the first method is preselected")
			}
			for method, want := range tc.providers {
				values, checked := providers(page, method)
				assert.Equal(t, want, values, method)
				assert.Equal(t, want[:1], checked, "%s: the first provider is preselected", method)
			}
			for _, want := range tc.shows {
				assert.Contains(t, page, want)
			}
			for _, unwanted := range tc.hides {
				assert.NotContains(t, page, unwanted)
			}
		})
	}
}

func TestHostedPageEscapesWhatTheMerchantSent(t *testing.T) {
	f := newFixture(t)
	body, err := json.Marshal(map[string]any{
		"name":        `<script>alert("name")</script>`,
		"description": `"><img src=x onerror=alert(1)>`,
		"lineItems": []map[string]any{{
			"name":  `</td><script>alert('item')</script>`,
			"price": map[string]any{"currency": "SLE", "value": 100},
		}},
		"brandingOptions": map[string]any{"primaryColor": `red;}</style><script>alert(1)</script>`},
	})
	require.NoError(t, err)
	s := f.create(string(body))
	page := f.hostedPage(s.Id)
	assert.NotContains(t, page, "<script")
	assert.NotContains(t, page, "<img")
	assert.Contains(t, page, "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;")
	assert.Equal(t, `<script>alert("name")</script>`, text(element(t, page, "session-name")))
	assert.Contains(t, page, "&lt;/td&gt;&lt;script&gt;alert(&#39;item&#39;)&lt;/script&gt;")
	assert.NotContains(t, page, "--accent: red", "a colour that is not #rgb or #rrggbb is ignored")
}

func TestOpeningTheHostedPageStartsTheSession(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	res := f.browse(http.MethodHead, HostedPagePath+s.Id, nil)
	assert.Equal(t, http.StatusOK, res.status)
	got, _ := Find[Session](f.srv, s.Id)
	assert.False(t, got.Started, "HEAD is not the customer opening the page")

	f.hostedPage(s.Id)
	got, _ = Find[Session](f.srv, s.Id)
	assert.True(t, got.Started)
	del := f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + s.Id})
	require.Equal(t, http.StatusConflict, del.status)
	assert.Equal(t, ReasonSessionNotDeletable, del.apiErr(t).Reason)
	f.hostedPage(s.Id) // opening it again is fine
}

func TestHostedPayCompletesRedirectsAndDelivers(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	s := f.create(shopBody)
	f.hostedPage(s.Id)

	res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", url.Values{"method": {"momo"}})
	require.Equal(t, http.StatusSeeOther, res.status, "%s", res.body)
	assert.Equal(t, "https://shop.example/ok?order=1042", res.header.Get("Location"))

	got := f.get(s.Id)
	assert.Equal(t, gen.CheckoutSessionStatusCompleted, got.Status)
	require.NotNil(t, got.OrderNumber)

	f.waitDeliveries()
	_, events := rc.got()
	require.Len(t, events, 1)
	assert.Equal(t, webhook.EventCheckoutSessionCompleted, events[0].Name)
	cs, err := events[0].CheckoutSession()
	require.NoError(t, err)
	assert.Equal(t, *got.OrderNumber, cs.OrderNumber)

	page := f.hostedPage(s.Id)
	assert.Equal(t, "completed", element(t, page, "status"))
	assert.Contains(t, text(element(t, page, "outcome")), "This checkout was paid")
	assert.Equal(t, *got.OrderNumber, element(t, page, "order-number"))
	assert.Contains(t, page, `href="https://shop.example/ok?order=1042"`)
	assert.NotContains(t, page, `id="pay"`)
	assert.NotContains(t, page, `id="cancel"`)
	assert.NotContains(t, page, "<form")

	again := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", nil)
	assert.Equal(t, http.StatusConflict, again.status)
	assert.Contains(t, string(again.body), "already completed")
	cancel := f.browse(http.MethodPost, HostedPagePath+s.Id+"/cancel", nil)
	assert.Equal(t, http.StatusConflict, cancel.status)
	assert.Equal(t, *got.OrderNumber, *f.get(s.Id).OrderNumber, "nothing changed")
	f.waitDeliveries()
	assert.Len(t, f.srv.Deliveries(), 1, "no second event")
}

func TestHostedCancelCancelsRedirectsAndDelivers(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	s := f.create(shopBody)

	res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/cancel", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.status, "%s", res.body)
	assert.Equal(t, "https://shop.example/cancel?order=1042", res.header.Get("Location"))
	assert.Equal(t, gen.CheckoutSessionStatusCancelled, f.get(s.Id).Status)

	f.waitDeliveries()
	_, events := rc.got()
	require.Len(t, events, 1)
	assert.Equal(t, webhook.EventCheckoutSessionCancelled, events[0].Name)

	page := f.hostedPage(s.Id)
	assert.Equal(t, "cancelled", element(t, page, "status"))
	assert.Contains(t, text(element(t, page, "outcome")), "This checkout was cancelled")
	assert.NotContains(t, page, `id="pay"`)
	assert.NotContains(t, page, `id="cancel"`)
	assert.Equal(t, http.StatusConflict, f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", nil).status)
	assert.Equal(t, gen.CheckoutSessionStatusCancelled, f.get(s.Id).Status)
}

func TestHostedPayFromAPlainGoClient(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody) // no successUrl: back to the page
	resp, err := http.Post(s.RedirectUrl+"/pay", "", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the client followed the 303 to the page")
	assert.Equal(t, s.RedirectUrl, resp.Request.URL.String())
	assert.Contains(t, string(body), "This checkout was paid")
	assert.Equal(t, gen.CheckoutSessionStatusCompleted, f.get(s.Id).Status)

	other := f.create(minimalBody)
	res := f.browse(http.MethodPost, HostedPagePath+other.Id+"/cancel", nil)
	require.Equal(t, http.StatusSeeOther, res.status)
	assert.Equal(t, other.RedirectUrl, res.header.Get("Location"))
}

func TestHostedPageOfAnExpiredSession(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret), WithSessionTTL(10*time.Minute))
	s := f.create(shopBody)
	f.clock.Advance(10 * time.Minute)

	page := f.hostedPage(s.Id)
	assert.Equal(t, "expired", element(t, page, "status"), "expired by the clock, noticed by opening the page")
	assert.Contains(t, text(element(t, page, "outcome")), "This checkout expired on 1 Sep 2025 12:10:00 UTC")
	assert.NotContains(t, page, `id="pay"`)
	assert.NotContains(t, page, `id="cancel"`)
	res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", nil)
	assert.Equal(t, http.StatusConflict, res.status)
	assert.Contains(t, string(res.body), "already expired")

	f.waitDeliveries()
	_, events := rc.got()
	require.Len(t, events, 1)
	assert.Equal(t, webhook.EventCheckoutSessionExpired, events[0].Name)
}

func TestHostedPageRefusesWhatItDoesNotKnow(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, HostedPagePath + "scs-unknown", http.StatusNotFound, ""},
		{http.MethodPost, HostedPagePath + "scs-unknown/pay", http.StatusNotFound, ""},
		{http.MethodPost, HostedPagePath + "scs-unknown/cancel", http.StatusNotFound, ""},
		{http.MethodGet, HostedPagePath, http.StatusNotFound, ""},
		{http.MethodGet, HostedPagePath + s.Id + "/refund", http.StatusNotFound, ""},
		{http.MethodGet, HostedPagePath + s.Id + "/pay/now", http.StatusNotFound, ""},
		{http.MethodGet, HostedPagePath + s.Id + "/pay", http.StatusMethodNotAllowed, "POST"},
		{http.MethodPost, HostedPagePath + s.Id, http.StatusMethodNotAllowed, "GET, HEAD"},
	} {
		res := f.browse(tc.method, tc.path, nil)
		assert.Equal(t, tc.status, res.status, "%s %s", tc.method, tc.path)
		assert.Equal(t, "text/html; charset=utf-8", res.header.Get("Content-Type"), "%s %s", tc.method, tc.path)
		assert.Contains(t, string(res.body), `id="simulator-banner"`)
		assert.Equal(t, tc.allow, res.header.Get("Allow"), "%s %s", tc.method, tc.path)
	}
	res := f.browse(http.MethodGet, HostedPagePath+"scs-unknown", nil)
	assert.Contains(t, text(string(res.body)), `no checkout session "scs-unknown"`)
	assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(s.Id).Status)
}

func TestHostedPayRefusesAMethodTheSessionDoesNotOffer(t *testing.T) {
	f := newFixture(t)
	s := f.create(shopBody) // card is disabled
	res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", url.Values{"method": {"card"}})
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Contains(t, text(string(res.body)), `Nothing was paid: the method "card" is not one this checkout session offers; choose one of momo, bank`)
	assert.Equal(t, gen.CheckoutSessionStatusPending, f.get(s.Id).Status)
}

func TestHostedPagesAreNotTheAPI(t *testing.T) {
	f := newFixture(t, WithRateLimit(1))
	require.NoError(t, f.srv.InjectFault("", "/checkout/*", 100, Fault{Status: http.StatusServiceUnavailable}))
	s := f.create(minimalBody)
	before := f.srv.RequestCount()
	for range 3 {
		f.hostedPage(s.Id)
	}
	assert.Equal(t, before, f.srv.RequestCount())
	assert.Empty(t, f.browse(http.MethodGet, HostedPagePath+s.Id, nil).header.Get("Monime-Request-Id"))
}

func TestHostedPageUnderAHostedPageBaseWithAPath(t *testing.T) {
	f := newFixture(t, WithHostedPageBase("https://pay.shop.example/monime/"))
	s := f.create(`{"name":"Order","lineItems":[{"name":"T","price":{"currency":"SLE","value":100}}]}`)
	assert.Equal(t, "https://pay.shop.example/monime/checkout/"+s.Id, s.RedirectUrl)
	for _, path := range []string{"/monime" + HostedPagePath + s.Id, HostedPagePath + s.Id} {
		res := f.browse(http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, res.status, path)
		assert.Contains(t, string(res.body), `action="/monime/checkout/`+s.Id+`/pay"`)
		assert.Contains(t, string(res.body), `action="/monime/checkout/`+s.Id+`/cancel"`)
	}
	res := f.browse(http.MethodPost, "/monime"+HostedPagePath+s.Id+"/pay", nil)
	require.Equal(t, http.StatusSeeOther, res.status)
	assert.Equal(t, s.RedirectUrl, res.header.Get("Location"), "back to the page, at the configured base")
}

func TestHostedPageDoesNotRedirectToOddURLs(t *testing.T) {
	f := newFixture(t, WithRequestValidation(false))
	s := f.create(`{"name":"Order","successUrl":"javascript:alert(1)","lineItems":[{"name":"T","price":{"currency":"SLE","value":100}}]}`)
	res := f.browse(http.MethodPost, HostedPagePath+s.Id+"/pay", nil)
	require.Equal(t, http.StatusSeeOther, res.status)
	assert.Equal(t, s.RedirectUrl, res.header.Get("Location"))
	assert.NotContains(t, f.hostedPage(s.Id), "javascript:")
}

func TestFormatMoney(t *testing.T) {
	huge, _ := new(big.Int).SetString("922337203685477580700000", 10) // MaxInt64 times 100000
	for minor, want := range map[string]string{
		"0":            "SLE 0.00",
		"5":            "SLE 0.05",
		"100":          "SLE 1.00",
		"15000":        "SLE 150.00",
		"-250":         "SLE -2.50",
		"99999":        "SLE 999.99",
		"100000":       "SLE 1,000.00",
		"123456789":    "SLE 1,234,567.89",
		"-123456789":   "SLE -1,234,567.89",
		"100000000000": "SLE 1,000,000,000.00",
	} {
		n, ok := new(big.Int).SetString(minor, 10)
		require.True(t, ok)
		assert.Equal(t, want, FormatMoney("SLE", n), minor)
	}
	assert.Equal(t, "USD 9,223,372,036,854,775,807,000.00", FormatMoney("USD", huge))
	assert.Equal(t, "1.00", FormatMoney("", big.NewInt(100)), "no currency, no leading space")
}

func TestHostedPageGroupsThousands(t *testing.T) {
	f := newFixture(t)
	s := f.create(`{"name":"Generator","lineItems":[{"name":"Diesel generator","price":{"currency":"SLE","value":123456789},"quantity":2}]}`)
	page := f.hostedPage(s.Id)
	assert.Contains(t, page, "SLE 1,234,567.89", "the unit price")
	assert.Contains(t, page, "SLE 2,469,135.78", "the line total and the total")
}

func TestHostedPayRacesPayOnce(t *testing.T) {
	rc := newReceiver(t, 0)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	s := f.create(shopBody)
	const n = 32
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			action := "/pay"
			if i%2 == 1 {
				action = "/cancel"
			}
			r, err := http.NewRequest(http.MethodPost, f.ts.URL+HostedPagePath+s.Id+action, nil)
			if !assert.NoError(t, err) {
				return
			}
			client := *f.client
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := client.Do(r)
			if !assert.NoError(t, err) {
				return
			}
			_ = resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	assert.Equal(t, map[int]int{http.StatusSeeOther: 1, http.StatusConflict: n - 1}, count, "one customer action wins, the rest see 409")
	f.waitDeliveries()
	_, events := rc.got()
	assert.Len(t, events, 1, "one event")
}

// FuzzHostedPage sends arbitrary methods, paths and form bodies to the
// hosted pages: they must answer HTML with a status the contract names, and
// never panic.
func FuzzHostedPage(f *testing.F) {
	srv := mustNew(f)
	ts := httptest.NewServer(srv)
	f.Cleanup(ts.Close)
	s := createDirect(f, srv, shopBody)
	for _, seed := range [][3]string{
		{"GET", s, ""}, {"POST", s + "/pay", "method=bank"}, {"POST", s + "/pay", "method=%zz"},
		{"POST", s + "/cancel", ""}, {"GET", "", ""}, {"DELETE", s, ""}, {"POST", s + "/pay/x", ""},
		{"GET", "scs-<script>", ""}, {"POST", s + "/pay", "method=card&method=bank"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	allowed := map[int]bool{200: true, 303: true, 400: true, 404: true, 405: true, 409: true}
	f.Fuzz(func(t *testing.T, method, rest, form string) {
		r, err := http.NewRequest(method, "http://fake.test"+HostedPagePath, strings.NewReader(form))
		if err != nil {
			t.Skip()
		}
		r.URL.Path += rest
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if !allowed[w.Code] {
			t.Fatalf("%s %q with %q: status %d: %s", method, rest, form, w.Code, w.Body)
		}
		if w.Code != http.StatusSeeOther && !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("%s %q: not HTML: %q", method, rest, w.Header().Get("Content-Type"))
		}
		if strings.Contains(w.Body.String(), "<script") {
			t.Fatalf("%s %q: the page echoes a script tag: %s", method, rest, w.Body)
		}
	})
}

// createDirect creates a session through the handler, without a network.
func createDirect(tb testing.TB, srv *Server, body string) string {
	tb.Helper()
	r := httptest.NewRequest(http.MethodPost, "/v1/checkout-sessions", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+DefaultToken)
	r.Header.Set("Monime-Space-Id", DefaultSpaceID)
	r.Header.Set("Idempotency-Key", newID("key-", 16))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	var env gen.CheckoutSessionEnvelope
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &env) != nil {
		tb.Fatalf("create: %d %s", w.Code, w.Body)
	}
	return env.Result.Id
}
