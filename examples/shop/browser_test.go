package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/internal/browsertest"
)

// flowTimeout bounds one browser flow, start of the browser included, so a
// broken flow fails well within a minute.
const flowTimeout = 45 * time.Second

// TestBrowserCheckout drives headless Chromium through the whole checkout,
// as a customer would: the shop's product page, Pay with Monime, the hosted
// checkout page of the fake, Pay (or Cancel), and back to the shop's order
// page, which must come to say paid (or cancelled) once the signed webhook
// arrived, give the order number, and lead back to the shop. Then a page on
// another site posts the order form, and the shop must refuse it. A
// screenshot of each final page goes to $ARTIFACTS_DIR (default artifacts/
// at the repository root).
func TestBrowserCheckout(t *testing.T) {
	chromium := browsertest.Chromium(t)
	artifacts := browsertest.ArtifactsDir(t)
	s := startTestSite(t)

	for _, tc := range []struct {
		name   string
		button string // on the hosted page
		want   string // the order page's data-status
	}{
		{"pay", "#pay", "paid"},
		{"cancel", "#cancel", "cancelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := browsertest.New(t, chromium, 1024, 900, flowTimeout)
			shot := filepath.Join(artifacts, "shop-"+tc.name+".png")
			defer func() {
				if t.Failed() {
					browsertest.Screenshot(t, ctx, strings.TrimSuffix(shot, ".png")+"-failed.png")
				}
			}()

			browsertest.Step(t, ctx, "open the shop and press Pay with Monime",
				chromedp.Navigate(s.ShopURL+"/"),
				chromedp.WaitVisible(chromedp.CSS("#pay-with-monime")),
				chromedp.Click(chromedp.CSS("#pay-with-monime")),
			)
			browsertest.Step(t, ctx, "land on the hosted checkout page with its simulator banner",
				chromedp.WaitVisible(chromedp.CSS("#simulator-banner")),
				chromedp.WaitVisible(chromedp.CSS(tc.button)),
			)
			if loc := browsertest.Location(ctx); !strings.HasPrefix(loc, s.FakeURL+"/checkout/scs-") {
				t.Fatalf("Pay with Monime led to %s, want the fake's hosted page under %s", loc, s.FakeURL)
			}
			browsertest.Step(t, ctx, "press "+tc.button, chromedp.Click(chromedp.CSS(tc.button)))

			orderURL := waitForOrderStatus(t, ctx, s.ShopURL+"/orders/", tc.want)
			t.Logf("%s: %s says %s", tc.name, orderURL, tc.want)
			number := browsertest.Text(t, ctx, "#order-number")
			if o := getOrder(t, s.Shop.orders, path.Base(orderURL)); number != o.Number {
				t.Errorf("the order page gives the order number %q, want %q", number, o.Number)
			}
			browsertest.Screenshot(t, ctx, shot)

			browsertest.Step(t, ctx, "go back to the shop",
				chromedp.Click(chromedp.CSS("#back-to-shop")),
				chromedp.WaitVisible(chromedp.CSS("#pay-with-monime")),
			)
		})
	}

	t.Run("cross-site post refused", func(t *testing.T) {
		ctx := browsertest.New(t, chromium, 1024, 900, flowTimeout)
		shot := filepath.Join(artifacts, "shop-cross-site-refused.png")
		defer func() {
			if t.Failed() {
				browsertest.Screenshot(t, ctx, strings.TrimSuffix(shot, ".png")+"-failed.png")
			}
		}()
		// A page on another site (localhost, where the shop is 127.0.0.1)
		// with the shop's order form and a tempting button.
		id := newOrderID()
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><title>You won!</title>
<form method="post" action="%s/orders">
<input type="hidden" name="order_id" value="%s"><input type="hidden" name="quantity" value="5">
<button type="submit" id="claim">Claim your free bag</button></form>`, s.ShopURL, id)
		}))
		defer evil.Close()
		evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
		sessions := len(api.FindAll[api.Session](s.Fake, api.DefaultSpaceID))

		browsertest.Step(t, ctx, "open the other site's page and press its button",
			chromedp.Navigate(evilURL+"/"),
			chromedp.WaitVisible(chromedp.CSS("#claim")),
			chromedp.Click(chromedp.CSS("#claim")),
			chromedp.WaitVisible(chromedp.CSS("#error")),
		)
		if loc := browsertest.Location(ctx); loc != s.ShopURL+"/orders" {
			t.Fatalf("the form led to %s, want the shop's refusal at %s/orders", loc, s.ShopURL)
		}
		if msg := browsertest.Text(t, ctx, "#error"); !strings.Contains(msg, "sent from another website") {
			t.Errorf("the refusal says %q, want why", msg)
		}
		if now := len(api.FindAll[api.Session](s.Fake, api.DefaultSpaceID)); now != sessions {
			t.Errorf("the cross-site post made %d checkout sessions, want none", now-sessions)
		}
		if _, err := s.Shop.orders.get(t.Context(), id); !errors.Is(err, errUnknownOrder) {
			t.Errorf("the cross-site post made order %s (%v)", id, err)
		}
		browsertest.Screenshot(t, ctx, shot)
	})
}

// pageState is what waitForOrderStatus reads from the page.
type pageState struct {
	Href   string `json:"href"`
	Status string `json:"status"`
}

// waitForOrderStatus waits until the browser shows an order page under
// prefix whose status is want, and returns its URL. The order page reloads
// itself until the webhook has arrived, so the test reads it again and
// again, ignoring the moments between two documents.
func waitForOrderStatus(t *testing.T, ctx context.Context, prefix, want string) string {
	t.Helper()
	const read = `({href: location.href, status: (document.querySelector("#status") || {dataset: {}}).dataset.status || ""})`
	deadline := time.Now().Add(browsertest.StepTimeout)
	var last pageState
	var lastErr error
	for time.Now().Before(deadline) {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := chromedp.Run(rctx, chromedp.Evaluate[pageState](read))
		cancel()
		if err == nil && strings.HasPrefix(st.Href, prefix) && st.Status == want {
			return st.Href
		}
		last, lastErr = st, err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the order page did not say %q within %v: last at %q with status %q (read error: %v)", want, browsertest.StepTimeout, last.Href, last.Status, lastErr)
	return ""
}
