package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime/webhook"
)

// createSession creates a session on the fake at baseURL and returns its id
// and redirectUrl.
func createSession(baseURL, body string) (id, redirectURL string, err error) {
	req, err := http.NewRequest(http.MethodPost, baseURL+"/v1/checkout-sessions", strings.NewReader(body))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Authorization", "Bearer "+api.DefaultToken)
	req.Header.Set("Monime-Space-Id", api.DefaultSpaceID)
	req.Header.Set("Idempotency-Key", "order-1042")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var created struct {
		Result struct {
			ID          string `json:"id"`
			RedirectURL string `json:"redirectUrl"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil {
		return "", "", err
	}
	return created.Result.ID, created.Result.RedirectURL, nil
}

// Receive the signed event the fake sends when a session is paid, with the
// same webhook.Handler a merchant mounts in production.
func ExampleServer_AddWebhook() {
	const secret = "whsec_example"
	events := make(chan string, 1)
	receiver := httptest.NewServer(webhook.Handler(secret, func(_ context.Context, ev *webhook.Event) error {
		s, err := ev.CheckoutSession()
		if err != nil {
			return err
		}
		events <- ev.Name + " " + string(s.Status)
		return nil
	}))
	defer receiver.Close()

	srv, err := api.New()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := srv.AddWebhook(receiver.URL, secret); err != nil { // or api.WithWebhook(url, secret) at New
		log.Fatal(err)
	}

	id, _, err := createSession(ts.URL, `{"name":"Order #1042","lineItems":[{"name":"T-shirt","price":{"currency":"SLE","value":15000}}]}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.Complete(id); err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.WaitForDeliveries(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(<-events)
	d := srv.Deliveries()[0]
	fmt.Println(d.Attempt, d.StatusCode, d.OK())
	// Output:
	// checkout_session.completed completed
	// 1 200 true
}

// Play the customer on the hosted checkout page with a plain http.Client:
// POST to the Pay form's action and be sent on to the successUrl.
func ExampleHostedPagePath() {
	srv, err := api.New()
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	id, redirectURL, err := createSession(ts.URL, `{"name":"Order #1042","successUrl":"https://shop.example/ok","lineItems":[{"name":"T-shirt","price":{"currency":"SLE","value":15000}}]}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(redirectURL == ts.URL+api.HostedPagePath+id)

	customer := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // look at the redirect instead of following it
	}}
	resp, err := customer.Post(redirectURL+"/pay", "application/x-www-form-urlencoded", strings.NewReader("method=momo"))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	s, _ := api.Find[api.Session](srv, id)
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"), s.Status)
	// Output:
	// true
	// 303 https://shop.example/ok completed
}
