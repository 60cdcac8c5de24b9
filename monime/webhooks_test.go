package monime

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testWebhookSecret = "whsec_0123456789abcdef0123456789abcdef"

// wireWebhook is a webhook as Monime sends it.
func wireWebhook(id string) map[string]any {
	return map[string]any{"id": id, "name": "orders", "url": "https://shop.example/monime", "enabled": true,
		"events": []any{"checkout_session.completed"}, "apiRelease": "caph",
		"verificationMethod": map[string]any{"type": "HS256", "secret": testWebhookSecret},
		"headers":            map[string]any{"X-Shop": "main"}, "alertEmails": []any{"ops@shop.example"},
		"createTime": "2025-11-03T10:00:00Z", "updateTime": nil, "metadata": nil}
}

func TestWebhooksOnTheWire(t *testing.T) {
	var last seenRequest
	c, _ := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/webhooks":
			writePage(w, wireWebhook("whk-1"))
		case r.Method == http.MethodDelete:
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "messages": []any{}})
		default:
			writeResult(w, wireWebhook("whk-1"))
		}
	}))
	ctx := context.Background()
	on, off := true, false

	wh, err := c.Webhooks.Create(ctx, &WebhookCreateParams{Name: "orders", URL: "https://shop.example/monime",
		Events: []string{"checkout_session.completed"}, Secret: testWebhookSecret, Headers: map[string]string{"X-Shop": "main"},
		AlertEmails: []string{"ops@shop.example"}, Enabled: &on, Metadata: Metadata{"team": "ops"}}, WithIdempotencyKey("hook-orders"))
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"POST", "/v1/webhooks", "", "hook-orders", testSpace, APIVersion, map[string]any{
		"name": "orders", "url": "https://shop.example/monime", "apiRelease": "caph", "events": []any{"checkout_session.completed"},
		"verificationMethod": map[string]any{"type": "HS256", "secret": testWebhookSecret}, "headers": map[string]any{"X-Shop": "main"},
		"alertEmails": []any{"ops@shop.example"}, "enabled": true, "metadata": map[string]any{"team": "ops"}}}, last)
	assert.Equal(t, &Webhook{ID: "whk-1", Name: "orders", URL: "https://shop.example/monime", Enabled: true,
		Events: []string{"checkout_session.completed"}, APIRelease: "caph", VerificationType: WebhookHS256, Secret: testWebhookSecret,
		Headers: map[string]string{"X-Shop": "main"}, AlertEmails: []string{"ops@shop.example"},
		CreateTime: time.Date(2025, 11, 3, 10, 0, 0, 0, time.UTC)}, wh)

	_, err = c.Webhooks.Create(ctx, &WebhookCreateParams{Name: "o", URL: "http://localhost:8080/hook", Events: []string{"payment.completed"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "o", "url": "http://localhost:8080/hook", "apiRelease": "caph",
		"events": []any{"payment.completed"}}, last.body, "no secret, no verification method; zero fields left out")
	assert.Regexp(t, uuidV4, last.key)

	_, err = c.Webhooks.Get(ctx, "whk-1")
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/webhooks/whk-1", "", "", testSpace, APIVersion, nil}, last)

	page, err := c.Webhooks.List(ctx, &WebhookListParams{Limit: 50, After: "c1"})
	require.NoError(t, err)
	assert.Equal(t, "limit=50&after=c1", last.query)
	require.Len(t, page.Items, 1)
	_, err = c.Webhooks.List(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, last.query)

	_, err = c.Webhooks.Update(ctx, "whk-1", &WebhookUpdateParams{Enabled: &off})
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"PATCH", "/v1/webhooks/whk-1", "", "", testSpace, APIVersion, map[string]any{"enabled": false}}, last)
	_, err = c.Webhooks.Update(ctx, "whk-1", &WebhookUpdateParams{Name: "orders-2", URL: "https://shop.example/v2",
		Events: []string{"payment.created", "payment.completed"}, Headers: map[string]string{}, AlertEmails: []string{},
		Metadata: Metadata{"a": "b"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "orders-2", "url": "https://shop.example/v2", "events": []any{"payment.created", "payment.completed"},
		"headers": map[string]any{}, "alertEmails": []any{}, "metadata": map[string]any{"a": "b"}}, last.body,
		"empty, non-nil headers and emails are sent, to clear them")
	assert.Empty(t, last.key)

	require.NoError(t, c.Webhooks.Delete(ctx, "whk-1"))
	assert.Equal(t, seenRequest{"DELETE", "/v1/webhooks/whk-1", "", "", testSpace, APIVersion, nil}, last)

	all := collect(t, c.Webhooks.All(ctx, nil))
	require.Len(t, all, 1)
	assert.Equal(t, "whk-1", all[0].ID)
}

func TestWebhooksRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	create := func(p WebhookCreateParams) func() error {
		if p.Name == "" {
			p.Name = "orders"
		}
		if p.URL == "" {
			p.URL = "https://shop.example/monime"
		}
		if p.Events == nil {
			p.Events = []string{"payment.completed"}
		}
		return func() error { _, err := c.Webhooks.Create(ctx, &p); return err }
	}
	update := func(p *WebhookUpdateParams) func() error {
		return func() error { _, err := c.Webhooks.Update(ctx, "whk-1", p); return err }
	}
	tooMany := make(map[string]string)
	for i := range 11 {
		tooMany[fmt.Sprint("X-", i)] = "v"
	}
	refusedBeforeSending(t, map[string]badCall{
		"create without params": {func() error { _, err := c.Webhooks.Create(ctx, nil); return err }, "params"},
		"no name": {func() error {
			_, err := c.Webhooks.Create(ctx, &WebhookCreateParams{URL: "https://a.example", Events: []string{"e"}})
			return err
		}, "name"},
		"a name too long": {create(WebhookCreateParams{Name: strings.Repeat("n", 101)}), "name"},
		"no url": {func() error {
			_, err := c.Webhooks.Create(ctx, &WebhookCreateParams{Name: "o", Events: []string{"e"}})
			return err
		}, "url"},
		"a relative url":     {create(WebhookCreateParams{URL: "/monime"}), "url"},
		"an ftp url":         {create(WebhookCreateParams{URL: "ftp://shop.example/monime"}), "url"},
		"a url without host": {create(WebhookCreateParams{URL: "https:///monime"}), "url"},
		"a url too long":     {create(WebhookCreateParams{URL: "https://shop.example/" + strings.Repeat("p", 235)}), "url"},
		"no events": {func() error {
			_, err := c.Webhooks.Create(ctx, &WebhookCreateParams{Name: "o", URL: "https://a.example"})
			return err
		}, "events"},
		"an empty event list":   {create(WebhookCreateParams{Events: []string{}}), "events"},
		"an empty event name":   {create(WebhookCreateParams{Events: []string{"payment.completed", ""}}), "events[1]"},
		"an event twice":        {create(WebhookCreateParams{Events: []string{"a", "b", "a"}}), "events[2]"},
		"101 events":            {create(WebhookCreateParams{Events: make([]string, 101)}), "events"},
		"a secret too short":    {create(WebhookCreateParams{Secret: strings.Repeat("s", 31)}), "verificationMethod.secret"},
		"a secret too long":     {create(WebhookCreateParams{Secret: strings.Repeat("s", 257)}), "verificationMethod.secret"},
		"eleven headers":        {create(WebhookCreateParams{Headers: tooMany}), "headers"},
		"a header without name": {create(WebhookCreateParams{Headers: map[string]string{"": "v"}}), "headers"},
		"three alert emails":    {create(WebhookCreateParams{AlertEmails: []string{"a@x", "b@x", "c@x"}}), "alertEmails"},
		"an email twice":        {create(WebhookCreateParams{AlertEmails: []string{"a@x", "a@x"}}), "alertEmails[1]"},
		"bad metadata":          {create(WebhookCreateParams{Metadata: Metadata{"monimeKey": "1"}}), "metadata.monimeKey"},
		"get without an id":     {func() error { _, err := c.Webhooks.Get(ctx, ""); return err }, "id"},
		"get another's id":      {func() error { _, err := c.Webhooks.Get(ctx, "pmc-1"); return err }, "id"},
		"list a page too big":   {func() error { _, err := c.Webhooks.List(ctx, &WebhookListParams{Limit: 51}); return err }, "limit"},
		"update nothing":        {update(nil), "params"},
		"update a bad url":      {update(&WebhookUpdateParams{URL: "mailto:ops@shop.example"}), "url"},
		"update no events":      {update(&WebhookUpdateParams{Events: []string{}}), "events"},
		"delete a dot segment":  {func() error { return c.Webhooks.Delete(ctx, "..") }, "id"},
	})
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
	assert.NoError(t, (&WebhookCreateParams{Name: "o", URL: "https://a.example", Events: []string{"e"}, Secret: strings.Repeat("s", 256),
		AlertEmails: []string{"a@x", "b@x"}}).Validate())
	assert.NoError(t, (&WebhookUpdateParams{Headers: map[string]string{}}).Validate(), "empty headers clear them")
}

func TestWebhooksReadTheIDStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	get := func(result string) (*Webhook, error) {
		body.Store(`{"success":true,"messages":[],"result":` + result + `}`)
		return c.Webhooks.Get(context.Background(), "whk-1")
	}
	for _, bad := range []string{`{"name":"orders"}`, `{"id":7}`, `{"id":null}`} {
		_, err := get(bad)
		assert.Error(t, err, bad)
	}
	h, err := get(`{"id":"whk-1","apiRelease":"siriusc","verificationMethod":{"type":"EdDSA","publicKey":"pk"},"enabled":"yes",
		"events":"all","headers":{"X":1},"url":["u"],"createTime":0}`)
	require.NoError(t, err)
	assert.Equal(t, &Webhook{ID: "whk-1", APIRelease: "siriusc", VerificationType: "EdDSA", PublicKey: "pk"}, h,
		"a new release or signing method reads as text")
}
