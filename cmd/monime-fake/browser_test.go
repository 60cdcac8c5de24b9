package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/monimekit/monime-go/internal/browsertest"
)

// flowTimeout bounds the browser flow, start of the browser included.
const flowTimeout = 45 * time.Second

// TestBrowserDashboard drives headless Chromium through the dashboard as a
// developer would: a session created through the API is listed, its page
// pays it with a chosen method, and the signed delivery shows up on the
// Webhooks page. Screenshots go to $ARTIFACTS_DIR (default artifacts/).
func TestBrowserDashboard(t *testing.T) {
	chromium := browsertest.Chromium(t)
	artifacts := browsertest.ArtifactsDir(t)
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-webhook-secret", secret, "-webhook-url", hook.URL)
	id := createSession(t, r.URL, "Order 1042")

	ctx := browsertest.New(t, chromium, 1280, 900, flowTimeout)
	defer func() {
		if t.Failed() {
			browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-failed.png"))
		}
	}()
	row := fmt.Sprintf(`#sessions tr[data-id=%q]`, id)
	browsertest.Step(t, ctx, "open the dashboard and see the session listed",
		chromedp.Navigate(r.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	if got := browsertest.Text(t, ctx, row); !strings.Contains(got, "SLE 300.00") || !strings.Contains(got, "pending") {
		t.Errorf("the session's row says %q, want its amount and status", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-sessions.png"))

	browsertest.Step(t, ctx, "open the session and pay it by Orange Money's rival, m18",
		chromedp.Click(chromedp.CSS(row+" a")),
		chromedp.WaitVisible(chromedp.CSS("#pay")),
		chromedp.SetValue(chromedp.CSS("#channel"), "momo:m18"),
		chromedp.Click(chromedp.CSS("#pay")),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
	)
	if got := browsertest.Text(t, ctx, "#status"); got != "completed" {
		t.Fatalf("after Pay the session is %q, want completed", got)
	}
	if got := browsertest.Text(t, ctx, "#payments"); !strings.Contains(got, "momo · m18") {
		t.Errorf("the payment shows %q, want the chosen channel", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-paid.png"))

	main := `#accounts tr[data-id="fac-monimetest"]`
	browsertest.Step(t, ctx, "open the Accounts page and see the payment booked",
		chromedp.Navigate(r.URL+"/accounts"),
		chromedp.WaitVisible(chromedp.CSS(main)),
		chromedp.WaitVisible(chromedp.CSS(`#ledger tr[data-type="credit"]`)),
	)
	if got := browsertest.Text(t, ctx, main+" .balance"); got != "SLE 300.00" {
		t.Errorf("the main account's balance reads %q, want SLE 300.00 after the payment", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-accounts.png"))

	eventually(t, "the signed delivery at the receiver", func() bool { return len(hook.names()) == 1 })
	deadline := time.Now().Add(browsertest.StepTimeout)
	for {
		browsertest.Step(t, ctx, "open the Webhooks page",
			chromedp.Navigate(r.URL+"/webhooks"),
			chromedp.WaitVisible(chromedp.CSS("#endpoints")),
		)
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		n, err := chromedp.Run(rctx, chromedp.Evaluate[int](`document.querySelectorAll('#deliveries tr.delivery[data-event="checkout_session.completed"][data-ok="true"]').length`))
		cancel()
		if err == nil && n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Webhooks page shows no accepted checkout_session.completed delivery (found %d, %v)", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := browsertest.Text(t, ctx, "#deliveries"); !strings.Contains(got, hook.URL) || !strings.Contains(got, "200") {
		t.Errorf("the delivery row lacks its target or status: %q", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-webhooks.png"))
}
