package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func getPage(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func postForm(t *testing.T, u string, form url.Values, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestDashboardListsPaysAndShowsDeliveries(t *testing.T) {
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-webhook-secret", secret, "-webhook-url", hook.URL)
	older := createSession(t, r.URL, "older")
	id := createSession(t, r.URL, "newer")

	code, body := getPage(t, r.URL+"/")
	if code != http.StatusOK || !strings.Contains(body, id) || !strings.Contains(body, "SLE 300.00") || !strings.Contains(body, "ref-newer") {
		t.Fatalf("the session list (%d) lacks the session, its amount or reference:\n%s", code, body)
	}
	if strings.Index(body, id) > strings.Index(body, older) {
		t.Error("the list is not newest first")
	}
	if _, body := getPage(t, r.URL+"/?status=completed"); strings.Contains(body, id) {
		t.Error("status=completed lists a pending session")
	}

	resp := postForm(t, r.URL+"/sessions/"+id+"/pay", url.Values{"channel": {"card:visa"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/sessions/"+id) {
		t.Fatalf("pay answered %d to %q, want 303 back to the session", resp.StatusCode, resp.Header.Get("Location"))
	}
	eventually(t, "the delivery", func() bool { return len(hook.names()) == 1 })
	eventually(t, "the delivery on the page", func() bool {
		_, body = getPage(t, r.URL+"/sessions/"+id)
		return strings.Contains(body, "checkout_session.completed")
	})
	for _, want := range []string{`id="status">completed`, "card · visa", "Monime-Signature: t=", "cart", "c_77", "/checkout/" + id} {
		if !strings.Contains(body, want) {
			t.Errorf("the paid session's page lacks %q", want)
		}
	}

	resp = postForm(t, r.URL+"/sessions/"+id+"/cancel", nil)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("cancel of a paid session answered %d, want 409", resp.StatusCode)
	}
	resp = postForm(t, r.URL+"/sessions/"+older+"/expire", nil, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site form post answered %d, want 403", resp.StatusCode)
	}
	if code, _ := getPage(t, r.URL+"/sessions/scs-nope"); code != http.StatusNotFound {
		t.Errorf("an unknown session's page answered %d", code)
	}

	resp = postForm(t, r.URL+"/webhooks", url.Values{"url": {"http://127.0.0.1:9/added"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("adding an endpoint answered %d", resp.StatusCode)
	}
	if resp := postForm(t, r.URL+"/webhooks", url.Values{"url": {"not a url"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("adding a bad endpoint answered %d", resp.StatusCode)
	}
	_, body = getPage(t, r.URL+"/webhooks")
	if !strings.Contains(body, "http://127.0.0.1:9/added") || !strings.Contains(body, "Redeliver") {
		t.Errorf("the webhooks page lacks the new endpoint or the redeliver button:\n%s", body)
	}
}
