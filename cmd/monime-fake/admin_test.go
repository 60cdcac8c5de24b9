package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monimekit/monime-go/monime/webhook"
)

// hookReceiver records the webhook deliveries it verifies with secret.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	events []*webhook.Event
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	t.Helper()
	h := &hookReceiver{}
	h.Server = httptest.NewServer(webhook.Handler(secret, func(_ context.Context, ev *webhook.Event) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.events = append(h.events, ev)
		return nil
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) names() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, ev := range h.events {
		out = append(out, ev.Name)
	}
	return out
}

// eventually retries check for up to 10 s.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !check(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within 10 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type adminError struct {
	Error struct{ Code, Message string }
}

func TestAdminDrivesTheSessionLifecycle(t *testing.T) {
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-webhook-secret", secret, "-webhook-url", hook.URL, "-webhook-events", "payment.completed,checkout_session.completed,checkout_session.cancelled,checkout_session.expired")
	paid, cancelled, expired := createSession(t, r.URL, "a"), createSession(t, r.URL, "b"), createSession(t, r.URL, "c")

	var got struct{ Result sessionView }
	if code := call(t, http.MethodPost, r.URL+"/_fake/sessions/"+paid+"/complete", map[string]string{"method": "momo", "provider": "m18"}, &got); code != http.StatusOK {
		t.Fatalf("complete answered %d", code)
	}
	if got.Result.Status != "completed" || got.Result.OrderNumber == nil || len(got.Result.PaymentIDs) != 1 {
		t.Errorf("after complete: %+v", got.Result)
	}
	if code := call(t, http.MethodPost, r.URL+"/_fake/sessions/"+cancelled+"/cancel", nil, &got); code != http.StatusOK || got.Result.Status != "cancelled" {
		t.Errorf("cancel answered %d %s", code, got.Result.Status)
	}
	if code := call(t, http.MethodPost, r.URL+"/_fake/sessions/"+expired+"/expire", nil, &got); code != http.StatusOK || got.Result.Status != "expired" {
		t.Errorf("expire answered %d %s", code, got.Result.Status)
	}

	var list struct{ Result []sessionView }
	call(t, http.MethodGet, r.URL+"/_fake/sessions", nil, &list)
	if len(list.Result) != 3 || list.Result[0].Id != expired || list.Result[2].Id != paid {
		t.Errorf("sessions are not the three, newest first: %+v", list.Result)
	}
	call(t, http.MethodGet, r.URL+"/_fake/sessions?status=cancelled", nil, &list)
	if len(list.Result) != 1 || list.Result[0].Id != cancelled {
		t.Errorf("status=cancelled gave %+v", list.Result)
	}
	var payments struct {
		Result []struct {
			ID        string `json:"id"`
			SessionID string `json:"sessionId"`
		}
	}
	call(t, http.MethodGet, r.URL+"/_fake/payments", nil, &payments)
	if len(payments.Result) != 1 || payments.Result[0].SessionID != paid {
		t.Errorf("payments: %+v", payments.Result)
	}

	eventually(t, "four verified deliveries", func() bool { return len(hook.names()) == 4 })
	// The log records an attempt once its answer is read, a moment after
	// the receiver has the event.
	var deliveries struct{ Result []deliveryView }
	eventually(t, "the paid session's two deliveries in the log", func() bool {
		call(t, http.MethodGet, r.URL+"/_fake/deliveries?session="+paid, nil, &deliveries)
		return len(deliveries.Result) == 2
	})
	if len(deliveries.Result) != 2 {
		t.Fatalf("deliveries of the paid session: %+v", deliveries.Result)
	}
	d := deliveries.Result[0]
	if d.EventName != "checkout_session.completed" || !d.OK || d.StatusCode != 200 || !strings.HasPrefix(d.Signature, "t=") || !strings.Contains(string(d.Body), paid) {
		t.Errorf("newest delivery of the paid session: %+v", d)
	}
	if _, err := webhook.ConstructEvent([]byte(d.Body), d.Signature, secret); err != nil {
		t.Errorf("the recorded signature does not verify the recorded body: %v", err)
	}

	if code := call(t, http.MethodPost, r.URL+"/_fake/deliveries/"+d.EventID+"/redeliver", nil, nil); code != http.StatusAccepted {
		t.Errorf("redeliver answered %d", code)
	}
	eventually(t, "the redelivery", func() bool {
		call(t, http.MethodGet, r.URL+"/_fake/deliveries?session="+paid, nil, &deliveries)
		return len(deliveries.Result) == 3
	})
	if n := len(hook.names()); n != 5 {
		t.Errorf("the receiver verified %d events, want 5", n)
	}
	if deliveries.Result[0].EventID != d.EventID || deliveries.Result[0].Attempt != 2 {
		t.Errorf("the redelivery is not recorded as attempt 2 of the event: %+v", deliveries.Result[0])
	}
}

func TestAdminRefusesBadInputWithClearErrors(t *testing.T) {
	r := start(t, nil)
	id := createSession(t, r.URL, "x")
	call(t, http.MethodPost, r.URL+"/_fake/sessions/"+id+"/cancel", nil, nil)
	for _, tc := range []struct {
		method, path, body string
		status             int
		code, says         string
	}{
		{"GET", "/_fake/sessions?status=paid", "", 400, "validation_error", `status "paid" is not a session status`},
		{"GET", "/_fake/sessions/scs-nope", "", 404, "not_found", `no checkout session "scs-nope"`},
		{"POST", "/_fake/sessions/scs-nope/complete", "", 404, "not_found", "no checkout session"},
		{"POST", "/_fake/sessions/" + id + "/complete", "", 409, "session_final", "cancelled"},
		{"POST", "/_fake/sessions/" + id + "/refund", "", 404, "not_found", "completed, cancelled or expired"},
		{"POST", "/_fake/sessions/" + id + "/complete", `{"method":"cash"}`, 409, "session_final", "already final"},
		{"POST", "/_fake/sessions/" + id + "/complete", `{"methd":"momo"}`, 400, "validation_error", "unknown field"},
		{"POST", "/_fake/sessions/" + id + "/complete", `{"method":`, 400, "validation_error", "not the JSON object"},
		{"POST", "/_fake/faults", `{"path":"/v1/checkout-sessions"}`, 400, "validation_error", "does nothing"},
		{"POST", "/_fake/faults", `{"status":503}`, 400, "validation_error", "path is missing"},
		{"POST", "/_fake/faults", `{"path":"/v1/x","status":200}`, 400, "validation_error", "POST /_fake/faults: "},
		{"POST", "/_fake/faults", `{"path":"/v1/x","status":503,"method":"post"}`, 400, "validation_error", "POST /_fake/faults: method"},
		{"POST", "/_fake/webhooks", `{"url":"localhost:3000"}`, 400, "validation_error", "url"},
		{"POST", "/_fake/webhooks", `{"url":"http://127.0.0.1:1/h","events":["nope"]}`, 400, "validation_error", `"nope" is not an event`},
		{"POST", "/_fake/webhooks", ``, 400, "validation_error", "body is empty"},
		{"POST", "/_fake/deliveries/evt-nope/redeliver", ``, 404, "not_found", "no recorded delivery"},
		{"GET", "/_fake/nothing", "", 404, "not_found", "the admin API has no GET /_fake/nothing"},
	} {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		req, _ := http.NewRequest(tc.method, r.URL+tc.path, body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e adminError
		err = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.status || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.says) ||
			strings.Contains(e.Error.Message, "InjectFault") || strings.Contains(e.Error.Message, "api.With") {
			t.Errorf("%s %s %s: %d %+v (%v), want %d %s saying %q", tc.method, tc.path, tc.body, resp.StatusCode, e.Error, err, tc.status, tc.code, tc.says)
		}
	}
}

func TestAdminFaultsWebhooksAndReset(t *testing.T) {
	r := start(t, nil)
	if code := call(t, http.MethodPost, r.URL+"/_fake/faults", map[string]any{"method": "POST", "path": "/v1/checkout-sessions", "count": 2, "status": 503}, nil); code != http.StatusOK {
		t.Fatalf("adding a fault answered %d", code)
	}
	for i := range 3 {
		want := http.StatusServiceUnavailable
		if i == 2 {
			want = http.StatusOK
		}
		req, _ := http.NewRequest(http.MethodPost, r.URL+"/v1/checkout-sessions", strings.NewReader(`{"name":"n","lineItems":[{"type":"custom","name":"i","price":{"currency":"SLE","value":100},"quantity":1}]}`))
		for j := 0; j+1 < len(apiHeaders); j += 2 {
			req.Header.Set(apiHeaders[j], apiHeaders[j+1])
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "fault-test")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("create %d answered %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	call(t, http.MethodPost, r.URL+"/_fake/faults", map[string]any{"path": "/v1/*", "status": 500, "count": 9}, nil)
	call(t, http.MethodDelete, r.URL+"/_fake/faults", nil, nil)
	if code := call(t, http.MethodGet, r.URL+"/v1/checkout-sessions", nil, nil, apiHeaders...); code != http.StatusOK {
		t.Errorf("after clearing the faults, a list answered %d", code)
	}

	var hooks struct {
		Result []struct {
			URL    string
			Events []string
		}
	}
	call(t, http.MethodPost, r.URL+"/_fake/webhooks", map[string]any{"url": "http://127.0.0.1:9/hooks", "events": []string{"payment.created"}}, &hooks)
	if len(hooks.Result) != 1 || hooks.Result[0].URL != "http://127.0.0.1:9/hooks" || hooks.Result[0].Events[0] != "payment.created" {
		t.Errorf("webhooks after the add: %+v", hooks.Result)
	}

	call(t, http.MethodPost, r.URL+"/_fake/reset", nil, nil)
	var list struct{ Result []sessionView }
	call(t, http.MethodGet, r.URL+"/_fake/sessions", nil, &list)
	if len(list.Result) != 0 {
		t.Errorf("sessions after a reset: %d", len(list.Result))
	}
	createSession(t, r.URL, "fault-test") // the key is free again
}

func TestAdminRefusesCrossSitePosts(t *testing.T) {
	r := start(t, nil)
	id := createSession(t, r.URL, "csrf")
	req, _ := http.NewRequest(http.MethodPost, r.URL+"/_fake/sessions/"+id+"/complete", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site post answered %d, want 403", resp.StatusCode)
	}
	var got struct{ Result sessionView }
	call(t, http.MethodGet, r.URL+"/_fake/sessions/"+id, nil, &got)
	if got.Result.Status != "pending" {
		t.Errorf("a refused cross-site post changed the session to %s", got.Result.Status)
	}
}

// A session expires at its expireTime, and its webhook is sent then, even
// when no request arrives to notice.
func TestSessionsExpireOnTimeWithoutARequest(t *testing.T) {
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-session-ttl", "1s", "-webhook-url", hook.URL, "-webhook-secret", secret)
	createSession(t, r.URL, "soon")
	eventually(t, "checkout_session.expired without a request", func() bool {
		names := hook.names()
		return len(names) == 1 && names[0] == "checkout_session.expired"
	})
}
