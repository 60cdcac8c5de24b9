package main

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// adminPage is one page of an admin list.
type adminPage struct {
	Result []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	Pagination struct {
		Count int
		Next  string
	}
}

func TestAdminListsPageLikeTheAPI(t *testing.T) {
	r := start(t, nil)
	var want []string // newest first
	for i := range 12 {
		want = append([]string{createSession(t, r.URL, fmt.Sprintf("s%02d", i))}, want...)
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/sessions/"+want[3]+"/cancel", nil, nil))

	var first adminPage
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/sessions", nil, &first))
	assert.Len(t, first.Result, 10, "the default limit is the API's, 10")
	assert.Equal(t, 10, first.Pagination.Count)
	require.NotEmpty(t, first.Pagination.Next)

	var got []string
	next := ""
	for {
		var p adminPage
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/sessions?limit=5&after="+url.QueryEscape(next), nil, &p))
		for _, s := range p.Result {
			got = append(got, s.ID)
		}
		if next = p.Pagination.Next; next == "" {
			break
		}
	}
	assert.Equal(t, want, got, "pages of five, newest first, cover every session once")

	var cancelled adminPage
	call(t, http.MethodGet, r.URL+"/_fake/sessions?status=cancelled&limit=50", nil, &cancelled)
	require.Len(t, cancelled.Result, 1)
	assert.Equal(t, want[3], cancelled.Result[0].ID)
	assert.Empty(t, cancelled.Pagination.Next)

	for path, msg := range map[string]string{
		"/_fake/sessions?limit=51":     "limit \"51\" is not a whole number from 1 to 50",
		"/_fake/ledger?limit=0":        "from 1 to 50",
		"/_fake/payments?after=bogus":  "not one this API issued",
		"/_fake/payments?status=paid":  `status "paid" is not a payment status`,
		"/_fake/accounts?after=%21%21": "not one this API issued",
	} {
		var e adminError
		assert.Equal(t, http.StatusBadRequest, call(t, http.MethodGet, r.URL+path, nil, &e), path)
		assert.Contains(t, e.Error.Message, msg, path)
	}

	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/sessions/"+want[0]+"/complete", nil, nil))
	var payments adminPage
	call(t, http.MethodGet, r.URL+"/_fake/payments?status=completed&limit=1", nil, &payments)
	require.Len(t, payments.Result, 1)
	assert.Equal(t, "completed", payments.Result[0].Status)
	var none adminPage
	call(t, http.MethodGet, r.URL+"/_fake/payments?status=pending", nil, &none)
	assert.Empty(t, none.Result)
}

// nextLink is the href of the page's next-page link, "" without one.
func nextLink(body string) string {
	m := regexp.MustCompile(`href="([^"]*)" id="next-page"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestDashboardPagesSessionsAndPayments(t *testing.T) {
	r := start(t, nil)
	var want []string // newest first
	for i := range dashboardPageSize + 3 {
		want = append([]string{createSession(t, r.URL, fmt.Sprintf("s%02d", i))}, want...)
	}
	code, body := getPage(t, r.URL+"/")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, dashboardPageSize, strings.Count(body, "<tr data-id="), "the first page holds a page of rows")
	assert.Contains(t, body, want[0])
	assert.NotContains(t, body, `data-id="`+want[dashboardPageSize]+`"`)
	next := nextLink(body)
	require.NotEmpty(t, next, "the first page links the next")

	code, body = getPage(t, r.URL+next)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 3, strings.Count(body, "<tr data-id="))
	assert.Contains(t, body, `data-id="`+want[len(want)-1]+`"`)
	assert.Empty(t, nextLink(body), "the last page links no further")

	_, body = getPage(t, r.URL+"/?after=bogus")
	assert.Contains(t, body, "That page link is out of date")
	assert.Contains(t, body, want[0], "a bad cursor shows the first page")

	for _, id := range want[:2] {
		require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/sessions/"+id+"/complete", map[string]string{"method": "card", "provider": "visa"}, nil))
	}
	code, body = getPage(t, r.URL+"/payments")
	require.Equal(t, http.StatusOK, code, body)
	assert.Equal(t, 2, strings.Count(body, `data-status="completed"`))
	assert.Contains(t, body, `href="/sessions/`+want[0]+`"`)
	assert.Contains(t, body, `<a href="/payments" class="here">Payments</a>`, "the nav links the page")
	_, body = getPage(t, r.URL+"/payments?status=pending")
	assert.Contains(t, body, "No pending payments yet")
	_, body = getPage(t, r.URL+"/payments?status=paid")
	assert.Contains(t, body, "&#34;paid&#34; is not a payment status; showing all payments.")
	_, body = getPage(t, r.URL+"/?status=pend")
	assert.Contains(t, body, "&#34;pend&#34; is not a session status; showing all sessions.")
	_, body = getPage(t, r.URL+"/?status=completed")
	assert.NotContains(t, body, "is not a session status")
}

func TestDashboardShowsThousands(t *testing.T) {
	r := start(t, nil)
	body := map[string]any{
		"name":      "Generator",
		"lineItems": []any{map[string]any{"name": "Diesel generator", "price": map[string]any{"currency": "SLE", "value": 123456789}, "quantity": 1}},
	}
	var out struct{ Result struct{ ID string } }
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/v1/checkout-sessions", body, &out, append(apiHeaders, "Idempotency-Key", "k-gen")...))
	_, page := getPage(t, r.URL+"/")
	assert.Contains(t, page, "SLE 1,234,567.89")
	_, page = getPage(t, r.URL+"/sessions/"+out.Result.ID)
	assert.Contains(t, page, "SLE 1,234,567.89")
}

func TestWebhookEndpointsAreShownWithTheirSecretAndRemovable(t *testing.T) {
	const secret = "test-secret-0123456789abcdefghijklmnop"
	r := start(t, nil, "-webhook-secret", secret, "-webhook-url", "http://127.0.0.1:9/from-flag")
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/webhooks", map[string]any{"url": "http://127.0.0.1:9/own?x=1", "secret": "own-secret-0123456789abcdefghijklmn"}, nil))

	_, body := getPage(t, r.URL+"/webhooks")
	assert.Contains(t, body, secret, "the fake's secret is shown")
	assert.Contains(t, body, "own-secret-0123456789abcdefghijklmn", "an endpoint's own secret is shown")

	resp := postForm(t, r.URL+"/webhooks/remove", url.Values{"url": {"http://127.0.0.1:9/from-flag"}})
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = getPage(t, r.URL+"/webhooks")
	assert.NotContains(t, body, "/from-flag")
	assert.Contains(t, body, "/own?x=1")
	resp = postForm(t, r.URL+"/webhooks/remove", url.Values{"url": {"http://127.0.0.1:9/from-flag"}})
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "removing it twice")
	resp = postForm(t, r.URL+"/webhooks/remove", url.Values{"url": {"http://127.0.0.1:9/own?x=1"}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a cross-site remove")

	var hooks struct{ Result []struct{ URL string } }
	require.Equal(t, http.StatusOK, call(t, http.MethodDelete, r.URL+"/_fake/webhooks/"+url.PathEscape("http://127.0.0.1:9/own?x=1"), nil, &hooks))
	assert.Empty(t, hooks.Result)
	var e adminError
	assert.Equal(t, http.StatusNotFound, call(t, http.MethodDelete, r.URL+"/_fake/webhooks/"+url.PathEscape("http://127.0.0.1:9/own?x=1"), nil, &e))
	assert.Contains(t, e.Error.Message, "no webhook receiver has the URL")
}

// deliveryPage is one page of GET /_fake/deliveries.
type deliveryPage struct {
	Result     []deliveryView
	Pagination struct {
		Count int
		Next  string
	}
}

func TestDeliveriesPageLikeTheOtherLists(t *testing.T) {
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-webhook-secret", secret, "-webhook-url", hook.URL)
	var want []string // the sessions of the deliveries, newest first
	for i := range 7 {
		id := createSession(t, r.URL, fmt.Sprintf("s%02d", i))
		require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/sessions/"+id+"/cancel", nil, nil))
		eventually(t, "the delivery of the cancellation", func() bool { return len(hook.names()) == i+1 })
		want = append([]string{id}, want...)
	}
	// The receiver has each event; the log records an attempt once its
	// answer is read, a moment later.
	eventually(t, "seven deliveries in the log", func() bool {
		var all deliveryPage
		call(t, http.MethodGet, r.URL+"/_fake/deliveries", nil, &all)
		return len(all.Result) == 7
	})

	var first deliveryPage
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/deliveries?limit=3", nil, &first))
	assert.Equal(t, 3, first.Pagination.Count)
	require.NotEmpty(t, first.Pagination.Next)
	var got []string
	for next := ""; ; {
		var p deliveryPage
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/deliveries?limit=3&after="+url.QueryEscape(next), nil, &p))
		assert.LessOrEqual(t, len(p.Result), 3)
		for _, d := range p.Result {
			got = append(got, d.SessionID)
		}
		if next = p.Pagination.Next; next == "" {
			break
		}
	}
	assert.Equal(t, want, got, "pages of three, newest first, cover every delivery once")

	var all, one deliveryPage
	call(t, http.MethodGet, r.URL+"/_fake/deliveries", nil, &all)
	assert.Len(t, all.Result, 7, "the default limit, 10, holds them all")
	assert.Empty(t, all.Pagination.Next)
	call(t, http.MethodGet, r.URL+"/_fake/deliveries?session="+want[2], nil, &one)
	require.Len(t, one.Result, 1)
	assert.Equal(t, want[2], one.Result[0].SessionID)

	var sessions adminPage
	call(t, http.MethodGet, r.URL+"/_fake/sessions?limit=1", nil, &sessions)
	for path, msg := range map[string]string{
		"/_fake/deliveries?limit=51":                                           "limit \"51\" is not a whole number from 1 to 50",
		"/_fake/deliveries?limit=x":                                            "from 1 to 50",
		"/_fake/deliveries?after=bogus":                                        "not one the delivery log issued",
		"/_fake/deliveries?after=" + url.QueryEscape(sessions.Pagination.Next): "not one the delivery log issued",
	} {
		var e adminError
		assert.Equal(t, http.StatusBadRequest, call(t, http.MethodGet, r.URL+path, nil, &e), path)
		assert.Contains(t, e.Error.Message, msg, path)
	}

	code, body := getPage(t, r.URL+"/webhooks?limit=3")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 3, strings.Count(body, `<tr class="delivery"`), "the webhooks page shows a page of deliveries")
	assert.Contains(t, body, `href="/sessions/`+want[0]+`"`)
	next := nextLink(body)
	require.NotEmpty(t, next, "the webhooks page links the next page")
	assert.Contains(t, next, "limit=3", "the next page keeps the limit")
	_, body = getPage(t, r.URL+next)
	assert.Equal(t, 3, strings.Count(body, `<tr class="delivery"`))
	assert.Contains(t, body, `href="/sessions/`+want[3]+`"`)
	assert.NotContains(t, body, `href="/sessions/`+want[0]+`"`)
	_, body = getPage(t, r.URL+"/webhooks?after=bogus")
	assert.Contains(t, body, "That page link is out of date")
	assert.Equal(t, 7, strings.Count(body, `<tr class="delivery"`), "a bad cursor shows the first page")

	_, body = getPage(t, r.URL+"/sessions/"+want[1])
	assert.Equal(t, 1, strings.Count(body, `<tr class="delivery"`), "a session's page shows its own deliveries")
	assert.Empty(t, nextLink(body))
}

func TestDashboardTakesALimit(t *testing.T) {
	r := start(t, nil)
	var want []string // newest first
	for i := range 5 {
		want = append([]string{createSession(t, r.URL, fmt.Sprintf("s%02d", i))}, want...)
	}
	code, body := getPage(t, r.URL+"/?limit=2")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 2, strings.Count(body, "<tr data-id="))
	assert.Contains(t, body, `data-id="`+want[1]+`"`)
	next := nextLink(body)
	assert.Contains(t, next, "limit=2", "the next page keeps the limit")
	_, body = getPage(t, r.URL+next)
	assert.Equal(t, 2, strings.Count(body, "<tr data-id="))
	assert.Contains(t, body, `data-id="`+want[2]+`"`)

	for _, path := range []string{"/?limit=abc", "/?limit=0", "/payments?limit=51", "/accounts?limit=-1", "/webhooks?limit=1.5", "/sessions/" + want[0] + "?limit=x"} {
		code, body := getPage(t, r.URL+path)
		assert.Equal(t, http.StatusBadRequest, code, path)
		assert.Contains(t, body, "is not a whole number from 1 to 50", path)
	}
	code, _ = getPage(t, r.URL+"/accounts?limit=50")
	assert.Equal(t, http.StatusOK, code)
}

func TestAdminWebhookListShowsThoseCreatedThroughTheAPI(t *testing.T) {
	r := start(t, nil, "-webhook-url", "http://127.0.0.1:9/from-flag")
	body := map[string]any{"name": "orders", "url": "http://127.0.0.1:9/from-api", "apiRelease": "caph", "events": []string{"payment.completed"},
		"verificationMethod": map[string]string{"type": "HS256", "secret": "api-secret-0123456789abcdefghijklmn"}}
	var created struct{ Result struct{ ID string } }
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/v1/webhooks", body, &created, append(append([]string{}, apiHeaders...), "Idempotency-Key", "whk-admin")...))
	require.Equal(t, http.StatusOK, call(t, http.MethodPatch, r.URL+"/v1/webhooks/"+created.Result.ID, map[string]any{"enabled": false}, nil, apiHeaders...))

	var hooks struct {
		Result []struct {
			URL, ID, Space string
			Events         []string
			Disabled       bool
		}
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, r.URL+"/_fake/webhooks", nil, &hooks))
	require.Len(t, hooks.Result, 2)
	assert.Equal(t, "http://127.0.0.1:9/from-flag", hooks.Result[0].URL)
	assert.Empty(t, hooks.Result[0].ID, "a configured receiver has no id")
	assert.False(t, hooks.Result[0].Disabled)
	fromAPI := hooks.Result[1]
	assert.Equal(t, "http://127.0.0.1:9/from-api", fromAPI.URL)
	assert.Equal(t, created.Result.ID, fromAPI.ID)
	assert.Equal(t, "spc-monimetest", fromAPI.Space, "the default space")
	assert.Equal(t, []string{"payment.completed"}, fromAPI.Events)
	assert.True(t, fromAPI.Disabled)
}
