package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/monimekit/monime-go/monime/monimetest"
)

// send posts form to rawURL with extra headers, as a browser on another
// page or a hand-made request would, and returns the status and the body.
func send(t *testing.T, rawURL string, form url.Values, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := customer.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// crossSite are the headers of a form posted from a page on evil.example:
// a current browser sends both, an older one only Origin.
var crossSite = map[string]map[string]string{
	"Sec-Fetch-Site":         {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
	"Origin alone":           {"Origin": "http://evil.example"},
	"same site, other port":  {"Sec-Fetch-Site": "same-site"},
	"Origin with other port": {"Origin": "http://127.0.0.1:1"},
}

func TestACrossSiteOrderIsRefusedAndReachesNoMonime(t *testing.T) {
	fake, shopURL := shopWithoutWebhooks(t)
	id := newOrderForm(t, shopURL)
	for name, header := range crossSite {
		t.Run(name, func(t *testing.T) {
			code, body := send(t, shopURL+"/orders", url.Values{"order_id": {id}, "quantity": {"1"}}, header)
			if code != http.StatusForbidden || !strings.Contains(body, "sent from another website") {
				t.Errorf("got %d, want 403 with a page that says why\n%s", code, body)
			}
		})
	}
	if n := len(sessionsAtMonime(t, fake)); n != 0 {
		t.Fatalf("cross-site posts created %d checkout sessions at Monime, want none", n)
	}
	if code, _ := page(t, shopURL+"/orders/"+id); code != http.StatusNotFound {
		t.Fatalf("cross-site posts created the order (its page answers %d)", code)
	}

	// The shop's own form, as a browser sends it, still works.
	code, body := send(t, shopURL+"/orders", url.Values{"order_id": {id}, "quantity": {"1"}},
		map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": shopURL})
	if code != http.StatusSeeOther || len(sessionsAtMonime(t, fake)) != 1 {
		t.Fatalf("a same-origin order: got %d and %d sessions, want 303 and one\n%s", code, len(sessionsAtMonime(t, fake)), body)
	}
}

func TestACrossSiteRefreshIsRefusedAndAsksMonimeNothing(t *testing.T) {
	fake, shopURL := shopWithoutWebhooks(t)
	id := newOrderForm(t, shopURL)
	checkout(t, shopURL, id, 1)
	if err := fake.Complete(sessionsAtMonime(t, fake)[0].ID); err != nil {
		t.Fatal(err)
	}
	asked := fake.RequestCount()
	for name, header := range crossSite {
		t.Run(name, func(t *testing.T) {
			if code, body := send(t, shopURL+"/orders/"+id+"/refresh", nil, header); code != http.StatusForbidden {
				t.Errorf("got %d, want 403\n%s", code, body)
			}
		})
	}
	if n := fake.RequestCount() - asked; n != 0 {
		t.Errorf("cross-site refreshes made %d requests to Monime, want none", n)
	}
	if st, _ := statusOnPage(t, shopURL, id); st != "awaiting-payment" {
		t.Errorf("a cross-site refresh changed the order to %q", st)
	}
}

// checkoutAs presses Pay with Monime with the Host header set to host, as
// anyone can, and returns the hosted page it redirects to.
func checkoutAs(t *testing.T, shopURL, host, orderID string) string {
	t.Helper()
	form := url.Values{"order_id": {orderID}, "quantity": {"1"}}
	req, err := http.NewRequest(http.MethodPost, shopURL+"/orders", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := customer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Pay with Monime with Host %s: got %d, want 303", host, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func TestTheCustomerReturnsToTheListenAddressWhateverHostTheRequestNamed(t *testing.T) {
	s := startTestSite(t) // no public URL configured
	for _, action := range []string{"pay", "cancel"} {
		t.Run(action, func(t *testing.T) {
			id := newOrderForm(t, s.ShopURL)
			hosted := checkoutAs(t, s.ShopURL, "evil.example", id)
			code, back, _ := post(t, hosted+"/"+action, url.Values{})
			if want := s.ShopURL + "/orders/" + id; code != http.StatusSeeOther || back != want {
				t.Fatalf("%s: got %d to %q, want 303 to %s", action, code, back, want)
			}
		})
	}
}

func TestTheCustomerReturnsToTheConfiguredPublicURLWhateverHostTheRequestNamed(t *testing.T) {
	fake := monimetest.NewServer(t)
	_, shopURL := serveShop(t, fake, shopConfig{PublicURL: "https://shop.example/"})
	id := newOrderForm(t, shopURL)
	checkoutAs(t, shopURL, "evil.example", id)
	cs := sessionsAtMonime(t, fake)[0]
	if want := "https://shop.example/orders/" + id; cs.SuccessURL != want || cs.CancelURL != want {
		t.Fatalf("success URL %q and cancel URL %q, want both %s", cs.SuccessURL, cs.CancelURL, want)
	}
}

func TestAPublicURLMustBeAnOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"https://shop.example":        "https://shop.example",
		"https://shop.example/":       "https://shop.example",
		"http://127.0.0.1:8080":       "http://127.0.0.1:8080",
		"":                            "",
		"shop.example":                "",
		"ftp://shop.example":          "",
		"https://":                    "",
		"https://shop.example/shop":   "",
		"https://shop.example/?x=1":   "",
		"https://shop.example/#top":   "",
		"https://user@shop.example":   "",
		"https://shop.example\n.evil": "",
	} {
		got, err := parseOrigin(raw)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("parseOrigin(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-public-url", "https://shop.example/pay"}, io.Discard, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "-public-url") {
		t.Errorf("run with a public URL that has a path: %v, want an error naming -public-url", err)
	}
}
