package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/monime/webhook"
)

// apiSecret is an HS256 secret Monime accepts: 32 to 256 characters.
const apiSecret = "whsec_api_0123456789abcdef0123456789abcdef"

// rawReceiver records every request it gets and answers 200.
type rawReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []delivered
}

func newRawReceiver(t *testing.T) *rawReceiver {
	t.Helper()
	rc := &rawReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, delivered{body: body, header: r.Header.Clone()})
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	return rc
}

// events verifies every request with secret and returns the events, in
// the order they arrived.
func (rc *rawReceiver) events(t *testing.T, secret string) []*webhook.Event {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []*webhook.Event
	for _, d := range rc.reqs {
		ev, err := webhook.ConstructEvent(d.body, d.header.Get(webhook.SignatureHeaderName), secret)
		require.NoError(t, err, "the delivery verifies with the webhook's secret")
		out = append(out, ev)
	}
	return out
}

func (rc *rawReceiver) requests() []delivered {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivered(nil), rc.reqs...)
}

// webhookBody is a create body for url with events.
func webhookBody(url string, events ...string) string {
	b, _ := json.Marshal(map[string]any{
		"name": "orders", "url": url, "apiRelease": "caph", "events": events,
		"verificationMethod": map[string]string{"type": "HS256", "secret": apiSecret},
		"headers":            map[string]string{"X-Shop": "main", "Authorization": "Bearer shop-token"},
	})
	return string(b)
}

func (f *fixture) createWebhook(body string, space ...string) gen.Webhook {
	f.t.Helper()
	r := req{method: http.MethodPost, path: "/v1/webhooks", body: body}
	if len(space) > 0 {
		r.space = &space[0]
	}
	res := f.send(r)
	require.Equal(f.t, http.StatusOK, res.status, "create webhook: %s", res.body)
	return res.webhook(f.t)
}

func (f *fixture) patchWebhook(id, body string) gen.Webhook {
	f.t.Helper()
	return okResult[gen.Webhook](f, req{method: http.MethodPatch, path: "/v1/webhooks/" + id, body: body})
}

func (r response) webhook(t *testing.T) gen.Webhook { return result[gen.Webhook](t, r) }

func secretOf(t *testing.T, w gen.Webhook) string {
	t.Helper()
	require.NotNil(t, w.VerificationMethod)
	v, err := w.VerificationMethod.AsHS256Verification()
	require.NoError(t, err)
	require.Equal(t, gen.HS256VerificationTypeHS256, v.Type)
	return v.Secret
}

// completeOne creates a session in space and completes it.
func (f *fixture) completeOne(space string) {
	f.t.Helper()
	res := f.send(req{method: http.MethodPost, path: "/v1/checkout-sessions", body: minimalBody, space: &space})
	require.Equal(f.t, http.StatusOK, res.status, "%s", res.body)
	require.NoError(f.t, f.srv.Complete(res.session(f.t).Id))
	f.waitDeliveries()
}

func TestWebhookAPICreateGetListUpdateDelete(t *testing.T) {
	f := newFixture(t)
	w := f.createWebhook(webhookBody("https://shop.example/monime", "checkout_session.completed"))
	assert.Regexp(t, `^whk-[0-9A-Za-z]{14}$`, w.Id)
	assert.Equal(t, "orders", w.Name)
	assert.Equal(t, "https://shop.example/monime", w.Url)
	assert.True(t, w.Enabled, "enabled by default")
	assert.Equal(t, "caph", w.ApiRelease)
	assert.Equal(t, &[]string{"checkout_session.completed"}, w.Events)
	assert.Equal(t, &map[string]string{"X-Shop": "main", "Authorization": "Bearer shop-token"}, w.Headers)
	assert.Equal(t, apiSecret, secretOf(t, w), "the secret is returned, as Monime's schema shows")
	assert.Equal(t, f.clock.Now(), w.CreateTime)
	assert.Nil(t, w.UpdateTime)

	res := f.send(req{method: http.MethodGet, path: "/v1/webhooks/" + w.Id})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Equal(t, w, res.webhook(t))

	// Another space does not see it.
	f2 := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"))
	a := f2.createWebhook(webhookBody("https://shop.example/a", "payment.completed"))
	res = f2.send(req{method: http.MethodGet, path: "/v1/webhooks/" + a.Id, space: ptr("spc-other")})
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, ReasonNotFound, res.apiErr(t).Reason)

	// Newest first, paged.
	b := f.createWebhook(webhookBody("https://shop.example/b", "payment.completed"))
	c := f.createWebhook(webhookBody("https://shop.example/c", "payout.failed"))
	res = f.send(req{method: http.MethodGet, path: "/v1/webhooks?limit=2"})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var page gen.WebhookListEnvelope
	require.NoError(t, json.Unmarshal(res.body, &page))
	require.Len(t, page.Result, 2)
	assert.Equal(t, []string{c.Id, b.Id}, []string{page.Result[0].Id, page.Result[1].Id})
	require.NotNil(t, page.Pagination.Next)
	res = f.send(req{method: http.MethodGet, path: "/v1/webhooks?limit=2&after=" + *page.Pagination.Next})
	require.NoError(t, json.Unmarshal(res.body, &page))
	require.Len(t, page.Result, 1)
	assert.Equal(t, w.Id, page.Result[0].Id)
	assert.Nil(t, page.Pagination.Next)

	// An update changes what it sends; the rest stays.
	f.clock.Advance(60e9)
	u := f.patchWebhook(w.Id, `{"enabled":false,"name":"orders (paused)","events":["checkout_session.completed","payment.completed"]}`)
	assert.False(t, u.Enabled)
	assert.Equal(t, "orders (paused)", u.Name)
	assert.Equal(t, &[]string{"checkout_session.completed", "payment.completed"}, u.Events)
	assert.Equal(t, w.Url, u.Url)
	assert.Equal(t, w.Headers, u.Headers)
	assert.Equal(t, apiSecret, secretOf(t, u))
	require.NotNil(t, u.UpdateTime)
	assert.Equal(t, f.clock.Now(), *u.UpdateTime)
	u = f.patchWebhook(w.Id, `{"headers":{},"alertEmails":["ops@shop.example"],"name":null}`)
	assert.Equal(t, &map[string]string{}, u.Headers, "headers sent replace the old ones whole")
	assert.Equal(t, &[]string{"ops@shop.example"}, u.AlertEmails)
	assert.Equal(t, "orders (paused)", u.Name, "null leaves a member as it was")

	res = f.send(req{method: http.MethodPatch, path: "/v1/webhooks/whk-nothere", body: `{"enabled":true}`})
	require.Equal(t, http.StatusNotFound, res.status)

	res = f.send(req{method: http.MethodDelete, path: "/v1/webhooks/" + w.Id})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	res = f.send(req{method: http.MethodGet, path: "/v1/webhooks/" + w.Id})
	require.Equal(t, http.StatusNotFound, res.status)
	res = f.send(req{method: http.MethodDelete, path: "/v1/webhooks/" + w.Id})
	require.Equal(t, http.StatusNotFound, res.status)

	// Find and FindAll know them.
	got, ok := Find[WebhookEndpoint](f.srv, b.Id)
	require.True(t, ok)
	assert.Equal(t, apiSecret, got.Secret())
	assert.Len(t, FindAll[WebhookEndpoint](f.srv, DefaultSpaceID), 2)
}

func TestWebhookAPICreateIsIdempotent(t *testing.T) {
	f := newFixture(t)
	key := "key-webhook-1"
	body := webhookBody("https://shop.example/monime", "checkout_session.completed")
	first := f.send(req{method: http.MethodPost, path: "/v1/webhooks", body: body, key: &key})
	again := f.send(req{method: http.MethodPost, path: "/v1/webhooks", body: body, key: &key})
	require.Equal(t, http.StatusOK, again.status, "%s", again.body)
	assert.Equal(t, first.webhook(t).Id, again.webhook(t).Id)
	assert.Len(t, FindAll[WebhookEndpoint](f.srv, DefaultSpaceID), 1)
}

func TestWebhookAPIWithoutVerificationMethodGetsAnHS256Secret(t *testing.T) {
	f := newFixture(t)
	w := f.createWebhook(`{"name":"n","url":"https://shop.example/x","apiRelease":"caph","events":["payment.completed"]}`)
	s := secretOf(t, w)
	assert.Regexp(t, `^whsec_[0-9A-Za-z]{58}$`, s)
	other := f.createWebhook(`{"name":"n","url":"https://shop.example/x","apiRelease":"caph","events":["payment.completed"]}`)
	assert.NotEqual(t, s, secretOf(t, other))
}

func TestWebhookAPIRefusesBadWebhooks(t *testing.T) {
	for _, validate := range []bool{true, false} {
		t.Run(fmt.Sprintf("request validation %v", validate), func(t *testing.T) {
			f := newFixture(t, WithRequestValidation(validate), WithOwnAddress("127.0.0.1:8089"))
			base := map[string]any{"name": "orders", "url": "https://shop.example/monime", "apiRelease": "caph", "events": []string{"checkout_session.completed"}}
			with := func(k string, v any) string {
				m := map[string]any{}
				for kk, vv := range base {
					m[kk] = vv
				}
				if v == nil {
					delete(m, k)
				} else {
					m[k] = v
				}
				b, _ := json.Marshal(m)
				return string(b)
			}
			hs := func(n int) map[string]string {
				return map[string]string{"type": "HS256", "secret": strings.Repeat("s", n)}
			}
			eleven := map[string]string{}
			for i := range 11 {
				eleven[fmt.Sprintf("X-H%d", i)] = "v"
			}
			for name, tc := range map[string]struct{ body, field, says string }{
				"ES256":                  {with("verificationMethod", map[string]string{"type": "ES256"}), "verificationMethod", "ES256"},
				"a 31-character secret":  {with("verificationMethod", hs(31)), "verificationMethod.secret", "32"},
				"a 257-character secret": {with("verificationMethod", hs(257)), "verificationMethod.secret", "256"},
				"siriusb":                {with("apiRelease", "siriusb"), "apiRelease", "caph"},
				"no events":              {with("events", []string{}), "events", ""},
				"a bad event name":       {with("events", []string{"completed"}), "events", ""},
				"Content-Type":           {with("headers", map[string]string{"content-type": "text/plain"}), "headers", ""},
				"Monime-Signature":       {with("headers", map[string]string{"Monime-Signature": "t=1,v1=x"}), "headers", ""},
				"eleven headers":         {with("headers", eleven), "headers", ""},
				"three alert emails":     {with("alertEmails", []string{"a@x.sl", "b@x.sl", "c@x.sl"}), "alertEmails", ""},
				"a bad alert email":      {with("alertEmails", []string{"ops"}), "alertEmails", ""},
				"a relative URL":         {with("url", "/monime"), "url", ""},
				"the fake's own URL":     {with("url", "http://127.0.0.1:8089/hooks"), "url", "where this fake is served"},
				"no name":                {with("name", nil), "name", ""},
			} {
				res := f.send(req{method: http.MethodPost, path: "/v1/webhooks", body: tc.body})
				require.Equal(t, http.StatusBadRequest, res.status, "%s: %s", name, res.body)
				e := res.apiErr(t)
				assert.Equal(t, ReasonValidation, e.Reason, name)
				found := false
				for _, fd := range fields(e) {
					found = found || strings.HasPrefix(fd, tc.field)
				}
				assert.True(t, found, "%s: fields %v name %s", name, fields(e), tc.field)
				assert.Contains(t, string(res.body), tc.says, name)
			}
			for _, n := range []int{32, 256} {
				res := f.send(req{method: http.MethodPost, path: "/v1/webhooks", body: with("verificationMethod", hs(n))})
				require.Equal(t, http.StatusOK, res.status, "a %d-character secret: %s", n, res.body)
			}
			res := f.send(req{method: http.MethodPost, path: "/v1/webhooks", body: with("verificationMethod", map[string]string{"type": "ES256"})})
			assert.Contains(t, string(res.body), "ES256 delivery is not documented by Monime, so the fake cannot sign that way; use HS256")
			assert.Empty(t, FindAll[WebhookEndpoint](f.srv, DefaultSpaceID)[2:], "only the two good ones were stored")

			w := FindAll[WebhookEndpoint](f.srv, DefaultSpaceID)[0]
			for name, body := range map[string]string{
				"siriusb":        `{"apiRelease":"siriusb"}`,
				"a reserved one": `{"headers":{"User-Agent":"me"}}`,
				"no events":      `{"events":[]}`,
				"a bad URL":      `{"url":"ftp://shop.example"}`,
			} {
				res := f.send(req{method: http.MethodPatch, path: "/v1/webhooks/" + w.Id, body: body})
				require.Equal(t, http.StatusBadRequest, res.status, "%s: %s", name, res.body)
			}
		})
	}
}

func TestWebhookAPIDeliversSignedFilteredEventsWithItsHeaders(t *testing.T) {
	rc := newRawReceiver(t)
	other := newRawReceiver(t)
	f := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"), WithWebhookRetry(1, 0))
	w := f.createWebhook(webhookBody(rc.URL, "checkout_session.completed", "payment.completed"))
	f.createWebhook(webhookBody(other.URL, "payment.created"), "spc-other")

	f.completeOne(DefaultSpaceID)
	evs := rc.events(t, apiSecret)
	assert.Equal(t, []string{"payment.completed", "checkout_session.completed"}, names(evs), "only the events it named, in order")
	for _, d := range rc.requests() {
		assert.Equal(t, "main", d.header.Get("X-Shop"), "its own header")
		assert.Equal(t, "Bearer shop-token", d.header.Get("Authorization"), "a header to authenticate the sender at the endpoint")
		assert.Equal(t, "application/json", d.header.Get("Content-Type"))
		_, err := webhook.ConstructEvent(d.body, d.header.Get(webhook.SignatureHeaderName), "whsec_some_other_secret_0123456789abcdef")
		assert.Error(t, err, "signed with its secret, no other")
	}
	assert.Empty(t, other.requests(), "another space's webhook gets none of this space's events")

	// The same delivery log as AddWebhook's receivers, and Redeliver works.
	var mine []Delivery
	for _, d := range f.srv.Deliveries() {
		if d.URL == rc.URL {
			mine = append(mine, d)
		}
	}
	require.Len(t, mine, 2)
	assert.True(t, mine[0].OK())
	require.NoError(t, f.srv.Redeliver(mine[1].EventID, rc.URL))
	f.waitDeliveries()
	require.Len(t, rc.requests(), 3)
	assert.Equal(t, "main", rc.requests()[2].header.Get("X-Shop"))

	// The other space's events reach the other space's webhook only.
	f.completeOne("spc-other")
	assert.Equal(t, []string{"payment.created"}, names(other.events(t, apiSecret)))
	assert.Len(t, rc.requests(), 3)

	// Disabled: nothing; enabled again: the next event.
	f.patchWebhook(w.Id, `{"enabled":false}`)
	f.completeOne(DefaultSpaceID)
	assert.Len(t, rc.requests(), 3, "nothing while disabled")
	f.patchWebhook(w.Id, `{"enabled":true,"events":["checkout_session.completed"],"headers":{"X-Shop":"annex"}}`)
	f.completeOne(DefaultSpaceID)
	reqs := rc.requests()
	require.Len(t, reqs, 4, "the update takes effect for the next event")
	assert.Equal(t, "annex", reqs[3].header.Get("X-Shop"))

	// A new URL gets the next event; the old one none.
	moved := newRawReceiver(t)
	f.patchWebhook(w.Id, fmt.Sprintf(`{"url":%q}`, moved.URL))
	f.completeOne(DefaultSpaceID)
	assert.Len(t, rc.requests(), 4)
	assert.Equal(t, []string{"checkout_session.completed"}, names(moved.events(t, apiSecret)))

	// Deleted: nothing more.
	res := f.send(req{method: http.MethodDelete, path: "/v1/webhooks/" + w.Id})
	require.Equal(t, http.StatusOK, res.status)
	f.completeOne(DefaultSpaceID)
	assert.Len(t, moved.requests(), 1, "nothing after delete")
}

func TestWebhooksListsAPIWebhooksToo(t *testing.T) {
	rc := newRawReceiver(t)
	f := newFixture(t, WithWebhook(rc.URL, testSecret))
	w := f.createWebhook(webhookBody("https://shop.example/monime", "payment.completed"))
	f.patchWebhook(w.Id, `{"enabled":false}`)
	hooks := f.srv.Webhooks()
	require.Len(t, hooks, 2)
	assert.Equal(t, Webhook{URL: rc.URL, Events: defaultWebhookEvents, Secret: testSecret}, hooks[0])
	assert.Equal(t, Webhook{URL: "https://shop.example/monime", Events: []string{"payment.completed"}, Secret: apiSecret,
		ID: w.Id, SpaceID: DefaultSpaceID, Name: "orders", Disabled: true, Headers: map[string]string{"X-Shop": "main", "Authorization": "Bearer shop-token"}}, hooks[1])
	// RemoveWebhook removes only receivers of WithWebhook and AddWebhook.
	assert.ErrorIs(t, f.srv.RemoveWebhook("https://shop.example/monime"), ErrWebhookNotFound)
	// Reset forgets the API's, as every other object.
	f.srv.Reset()
	assert.Len(t, f.srv.Webhooks(), 1)
}

func TestWebhookAPIStateSurvivesARestart(t *testing.T) {
	rc := newRawReceiver(t)
	f := newFixture(t, WithWebhookRetry(1, 0))
	w := f.createWebhook(webhookBody(rc.URL, "checkout_session.completed"))
	f.completeOne(DefaultSpaceID)
	require.Len(t, rc.requests(), 1)

	g := restart(t, f, WithWebhookRetry(1, 0))
	res := g.send(req{method: http.MethodGet, path: "/v1/webhooks/" + w.Id})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Equal(t, w, res.webhook(t))
	assert.Len(t, g.srv.Deliveries(), 1, "the delivery log came along")
	g.completeOne(DefaultSpaceID)
	evs := rc.events(t, apiSecret)
	assert.Equal(t, []string{"checkout_session.completed", "checkout_session.completed"}, names(evs), "deliveries go on after the restart")
	assert.Equal(t, "main", rc.requests()[1].header.Get("X-Shop"))
}

func TestABadWebhookRowDoesNotLoad(t *testing.T) {
	f := newFixture(t)
	w := f.createWebhook(webhookBody("https://shop.example/monime", "checkout_session.completed"))
	var buf bytes.Buffer
	require.NoError(t, f.srv.SaveState(&buf))
	state := buf.String()
	require.Contains(t, state, `"webhookEndpoints"`)
	for _, tc := range []struct{ name, from, to, want string }{
		{"a short secret", apiSecret, "short", "webhookEndpoints: " + w.Id + " verificationMethod"},
		{"siriusb", `"apiRelease": "caph"`, `"apiRelease": "siriusb"`, "webhookEndpoints: " + w.Id + " apiRelease"},
		{"a bad URL", `"url": "https://shop.example/monime"`, `"url": "shop.example"`, "webhookEndpoints: " + w.Id + " url"},
		{"a reserved header", `"X-Shop"`, `"Monime-Signature"`, "webhookEndpoints: " + w.Id + " headers"},
		{"enabled not a boolean", `"enabled": true`, `"enabled": "yes"`, "webhookEndpoints: entry 1 of the state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := strings.Replace(state, tc.from, tc.to, 1)
			require.NotEqual(t, state, broken)
			_, err := New(WithState(strings.NewReader(broken)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// The rows of -data (TrackChanges, TakeChanges, WithChanges) hold API
// webhooks too: a fake rebuilt from them delivers to them.
func TestWebhookAPIRowsRebuildAFake(t *testing.T) {
	rc := newRawReceiver(t)
	f := newFixture(t, WithWebhookRetry(1, 0))
	f.srv.TrackChanges()
	w := f.createWebhook(webhookBody(rc.URL, "checkout_session.completed"))
	c, err := f.srv.TakeChanges()
	require.NoError(t, err)
	found := false
	for _, r := range c.Rows {
		found = found || r.Table == "webhookEndpoints" && r.ID == w.Id
	}
	assert.True(t, found, "a row of the new webhook")
	f.patchWebhook(w.Id, `{"headers":{"X-Shop":"rows"}}`)
	all, err := f.srv.AllChanges()
	require.NoError(t, err)
	g := newFixture(t, WithChanges(all), WithClock(f.clock.Now), WithWebhookRetry(1, 0))
	g.completeOne(DefaultSpaceID)
	require.Len(t, rc.events(t, apiSecret), 1)
	assert.Equal(t, "rows", rc.requests()[0].header.Get("X-Shop"))
}

// Payout events reach an API webhook of their space as checkout events do.
func TestWebhookAPIDeliversPayoutEvents(t *testing.T) {
	rc := newRawReceiver(t)
	f := newFixture(t, WithWebhookRetry(1, 0))
	f.createWebhook(webhookBody(rc.URL, "payout.completed"))
	f.fund(MainAccountID(DefaultSpaceID), 10000)
	p := f.createPayout(payoutBody(1000, "+23276123456"))
	require.NoError(t, f.srv.CompletePayout(p.Id))
	f.waitDeliveries()
	evs := rc.events(t, apiSecret)
	require.Equal(t, []string{"payout.completed"}, names(evs))
	assert.Equal(t, p.Id, evs[0].Object.ID)
}
