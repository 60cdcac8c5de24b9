package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/monimekit/monime-go/api"
)

// Start the fake, create a session over HTTP, pay it as the customer would,
// and read it back.
func Example() {
	srv, err := api.New(api.WithResponseValidation(true))
	if err != nil {
		fmt.Println(err)
		return
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	body := `{"name":"Order #1042","lineItems":[{"name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2}]}`
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/checkout-sessions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+api.DefaultToken)
	req.Header.Set("Monime-Space-Id", api.DefaultSpaceID)
	req.Header.Set("Idempotency-Key", "order-1042")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var created struct {
		Result struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, created.Result.Status)

	if err := srv.Complete(created.Result.ID); err != nil {
		fmt.Println(err)
		return
	}
	s, _ := api.Find[api.Session](srv, created.Result.ID)
	fmt.Println(s.Status, s.OrderNumber != nil, len(srv.ResponseViolations()))
	// Output:
	// 200 pending
	// completed true 0
}

// Make the next create fail with a 503, as an overloaded Monime would.
func ExampleServer_InjectFault() {
	srv, err := api.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := srv.InjectFault(http.MethodPost, "/v1/checkout-sessions", 1, api.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 1}); err != nil {
		fmt.Println(err)
		return
	}

	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/checkout-sessions", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+api.DefaultToken)
	req.Header.Set("Monime-Space-Id", api.DefaultSpaceID)
	req.Header.Set("Idempotency-Key", "k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"))
	// Output: 503 1
}
