package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime/monimetest"
)

func TestABurstOfNewOrdersFromOneClientIsLimitedAndLeavesNothingBehind(t *testing.T) {
	fake := monimetest.NewServer(t)
	sh, shopURL := serveShop(t, fake, shopConfig{NewOrderBurst: 3, NewOrderEvery: time.Hour})
	clock := &testClock{now: time.Now()}
	sh.orders.now = clock.Now

	// Twenty new orders at once from one address, as a script would.
	const n = 20
	var mu sync.Mutex
	var accepted []string
	limited := 0
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			id := newOrderID()
			resp, err := customer.PostForm(shopURL+"/orders", url.Values{"order_id": {id}, "quantity": {"1"}})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			switch resp.StatusCode {
			case http.StatusSeeOther:
				accepted = append(accepted, id)
			case http.StatusTooManyRequests:
				limited++
				if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
					t.Errorf("429 with Retry-After %q, want a number of seconds", resp.Header.Get("Retry-After"))
				}
			default:
				t.Errorf("a new order got %d, want 303 or 429", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if len(accepted) != 3 || limited != n-3 {
		t.Fatalf("%d orders at once: %d accepted and %d limited, want 3 and %d", n, len(accepted), limited, n-3)
	}
	if got := len(sessionsAtMonime(t, fake)); got != 3 {
		t.Fatalf("the burst created %d checkout sessions at Monime, want 3", got)
	}
	// Sending an accepted order's form again costs nothing and still works.
	checkout(t, shopURL, accepted[0], 1)

	// Their sessions expire unpaid: the orders say so, and a day later
	// they are gone.
	clock.Advance(api.DefaultSessionTTL + time.Minute)
	sh.sweep(t.Context())
	if st, _ := statusOnPage(t, shopURL, accepted[0]); st != "expired" {
		t.Fatalf("after its session expired the order is %q, want expired", st)
	}
	clock.Advance(keepUnpaid)
	sh.sweep(t.Context())
	if n := countRows(t, sh.orders, "orders", "1"); n != 0 {
		t.Fatalf("a day after their sessions expired the store still holds %d unpaid orders", n)
	}
	if code, _ := page(t, shopURL+"/orders/"+accepted[0]); code != http.StatusNotFound {
		t.Fatalf("a removed order's page answers %d, want 404", code)
	}
}

func TestEachClientHasItsOwnLimit(t *testing.T) {
	fake := monimetest.NewServer(t)
	sh, shopURL := serveShop(t, fake, shopConfig{NewOrderBurst: 1, NewOrderEvery: time.Hour})
	order := func(remoteAddr string) int {
		form := url.Values{"order_id": {newOrderID()}, "quantity": {"1"}}
		req := httptest.NewRequest(http.MethodPost, shopURL+"/orders", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = remoteAddr
		rec := httptest.NewRecorder()
		sh.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, step := range []struct {
		from string
		want int
	}{
		{"198.51.100.7:40000", http.StatusSeeOther},
		{"198.51.100.7:40001", http.StatusTooManyRequests}, // same address, another connection
		{"198.51.100.8:40000", http.StatusSeeOther},
		{"[2001:db8:1:2::1]:40000", http.StatusSeeOther},
		{"[2001:db8:1:2::99]:40000", http.StatusTooManyRequests}, // same /64
		{"[2001:db8:1:3::1]:40000", http.StatusSeeOther},
		{"[::ffff:198.51.100.8]:40000", http.StatusTooManyRequests}, // 198.51.100.8 again
	} {
		if got := order(step.from); got != step.want {
			t.Errorf("a new order from %s: got %d, want %d", step.from, got, step.want)
		}
	}
}

func TestTheLimiterRefillsAndForgetsIdleClients(t *testing.T) {
	clock := newTestClock()
	l := newClientLimiter(10*time.Second, 2)
	l.now = clock.Now
	for i := range 2 {
		if ok, _ := l.allow("192.0.2.1:1"); !ok {
			t.Fatalf("order %d of a burst of 2 refused", i+1)
		}
	}
	if ok, wait := l.allow("192.0.2.1:1"); ok || wait != 10*time.Second {
		t.Fatalf("the third order: allowed %v, wait %v; want refused for 10s", ok, wait)
	}
	clock.Advance(10 * time.Second)
	if ok, _ := l.allow("192.0.2.1:1"); !ok {
		t.Fatal("10s later the next order is still refused")
	}
	// Once its bucket has refilled, a client takes no memory.
	clock.Advance(time.Minute)
	l.allow("192.0.2.2:1")
	if len(l.clients) != 1 {
		t.Fatalf("the limiter holds %d clients, want only the one that just ordered", len(l.clients))
	}
}
