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
// pays it with a chosen method, a payout made through the API is
// completed on the Payouts page, the signed delivery shows up on the
// Webhooks page, and a payment code made through the API is paid on the
// Payment codes page and its payment listed on the Payments page. Screenshots go to $ARTIFACTS_DIR (default artifacts/).
func TestBrowserDashboard(t *testing.T) {
	chromium := browsertest.Chromium(t)
	artifacts := browsertest.ArtifactsDir(t)
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-webhook-secret", secret, "-webhook-url", hook.URL, "-payout-delay", "0")
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

	payment := `#payments tr[data-status="completed"]`
	browsertest.Step(t, ctx, "open the Payments page from the nav and see the payment",
		chromedp.Click(chromedp.CSS(`nav a[href="/payments"]`)),
		chromedp.WaitVisible(chromedp.CSS(payment)),
	)
	if got := browsertest.Text(t, ctx, payment); !strings.Contains(got, "SLE 300.00") || !strings.Contains(got, "momo · m18") || !strings.Contains(got, id) {
		t.Errorf("the payment's row says %q, want its amount, channel and session", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-payments.png"))

	payout := createPayout(t, r.URL, "salary-nov", 10000, "+23276123456")
	pending := fmt.Sprintf(`#payouts tr[data-id=%q]`, payout.Id)
	browsertest.Step(t, ctx, "open the Payouts page from the nav and see the payout pending",
		chromedp.Click(chromedp.CSS(`nav a[href="/payouts"]`)),
		chromedp.WaitVisible(chromedp.CSS(pending+` button.complete`)),
	)
	if got := browsertest.Text(t, ctx, pending); !strings.Contains(got, "SLE 100.00") || !strings.Contains(got, "Orange Money (m17)") || !strings.Contains(got, "pending") {
		t.Errorf("the payout's row says %q, want its amount, provider and status", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-payouts.png"))
	browsertest.Step(t, ctx, "complete the payout",
		chromedp.Click(chromedp.CSS(pending+` button.complete`)),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#payouts tr[data-id=%q][data-status="completed"]`, payout.Id))),
	)
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-payout-completed.png"))
	if got := balance(t, r.URL, mainAccount); got != 20000 {
		t.Errorf("after the payout the main account holds %d, want 20000 (300.00 paid in, 100.00 out)", got)
	}

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
	if got := browsertest.Text(t, ctx, "#signing-secret"); !strings.Contains(got, secret) {
		t.Errorf("the Webhooks page says %q, want the signing secret", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-webhooks.png"))

	browsertest.Step(t, ctx, "remove the endpoint",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#endpoints tr[data-url=%q] button`, hook.URL))),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
	)
	if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, "Endpoint removed") || !strings.Contains(got, "None yet") {
		t.Errorf("after Remove the page says %q, want the notice and no endpoint", got)
	}

	code := createCode(t, r.URL, "term-1-fees", map[string]any{"name": "Term 1 fees", "amount": sle(75000), "authorizedPhoneNumber": "+23276555000"})
	codeRow := fmt.Sprintf(`#payment-codes tr[data-id=%q]`, code.Id)
	browsertest.Step(t, ctx, "open the Payment codes page from the nav and see the code live",
		chromedp.Click(chromedp.CSS(`nav a[href="/payment-codes"]`)),
		chromedp.WaitVisible(chromedp.CSS(codeRow+` form.pay button`)),
	)
	if got := browsertest.Text(t, ctx, codeRow); !strings.Contains(got, code.UssdCode) || !strings.Contains(got, "SLE 750.00") || !strings.Contains(got, "+23276555000") {
		t.Errorf("the code's row says %q, want its USSD code, amount and authorized phone", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-payment-codes.png"))
	browsertest.Step(t, ctx, "pay the code as its payer, with the amount and phone the form fills in",
		chromedp.Click(chromedp.CSS(codeRow+` form.pay button`)),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#payment-codes tr[data-id=%q][data-status="completed"]`, code.Id))),
	)
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-payment-code-paid.png"))
	byCode := fmt.Sprintf(`#payments td.for a[href="/payment-codes#%s"]`, code.Id)
	browsertest.Step(t, ctx, "open the Payments page and see the code's payment",
		chromedp.Click(chromedp.CSS(`nav a[href="/payments"]`)),
		chromedp.WaitVisible(chromedp.CSS(byCode)),
	)
	if got := browsertest.Text(t, ctx, `#payments tbody tr:first-child`); !strings.Contains(got, "SLE 750.00") || !strings.Contains(got, "momo · m17") || !strings.Contains(got, code.Id) {
		t.Errorf("the newest payment's row says %q, want the code's amount, channel and id", got)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-payments-code.png"))
}

// brokenWords is a script that returns the words of the page (runs of
// characters between spaces and hyphens) that the layout split across two
// lines, and the page's width: on a phone, a word broken mid-word or a page
// wider than the screen is unreadable.
const brokenWords = `(() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    const re = /[^\s\-]+/g;
    for (let m; (m = re.exec(n.data));) {
      const r = document.createRange();
      r.setStart(n, m.index);
      r.setEnd(n, m.index + m[0].length);
      const lines = new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return {broken, scrollWidth: document.documentElement.scrollWidth};
})()`

type phoneLayout struct {
	Broken      []string `json:"broken"`
	ScrollWidth int      `json:"scrollWidth"`
}

// TestBrowserHostedPageOnAPhone opens the hosted checkout page on a
// 390-pixel-wide phone screen, with long names and seven-figure amounts in
// two currencies, before and after paying: the page must fit the screen
// (no horizontal scrolling) and break no word mid-word.
func TestBrowserHostedPageOnAPhone(t *testing.T) {
	chromium := browsertest.Chromium(t)
	artifacts := browsertest.ArtifactsDir(t)
	r := start(t, nil)
	body := map[string]any{
		"name":        "Order 1042 for Aminata Kamara, Freetown",
		"description": "Generator, installation and maintenance for the Lumley branch",
		"lineItems": []any{
			map[string]any{"name": "Diesel generator, soundproofed", "description": "Interchangeable automatic transfer switch included", "price": map[string]any{"currency": "SLE", "value": 123456789}, "quantity": 12},
			map[string]any{"name": "Installation", "price": map[string]any{"currency": "SLE", "value": 4500000}, "quantity": 1},
			map[string]any{"name": "Maintenance subscription", "price": map[string]any{"currency": "USD", "value": 1999900}, "quantity": 3},
		},
	}
	var out struct {
		Result struct {
			RedirectURL string `json:"redirectUrl"`
		}
	}
	if code := call(t, "POST", r.URL+"/v1/checkout-sessions", body, &out, append(apiHeaders, "Idempotency-Key", "phone")...); code != 200 || out.Result.RedirectURL == "" {
		t.Fatalf("create answered %d without a redirectUrl", code)
	}

	const width = 390
	ctx := browsertest.New(t, chromium, width, 844, flowTimeout)
	defer func() {
		if t.Failed() {
			browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-phone-failed.png"))
		}
	}()
	check := func(what string) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[phoneLayout](brokenWords))
		if err != nil {
			t.Fatalf("measuring the %s: %v", what, err)
		}
		if got.ScrollWidth > width {
			t.Errorf("the %s is %d px wide on a %d px screen: it scrolls sideways", what, got.ScrollWidth, width)
		}
		if len(got.Broken) > 0 {
			t.Errorf("the %s breaks words mid-word: %q", what, got.Broken)
		}
	}
	browsertest.Step(t, ctx, "open the hosted page on a phone",
		chromedp.EmulateViewport(width, 844),
		chromedp.Navigate(out.Result.RedirectURL),
		chromedp.WaitVisible(chromedp.CSS("#pay")),
	)
	if got := browsertest.Text(t, ctx, "#total"); !strings.Contains(got, "SLE 14,859,814.68") || !strings.Contains(got, "USD 59,997.00") {
		t.Errorf("the total reads %q, want the sums with thousands separators", got)
	}
	check("pending page")
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-phone-checkout.png"))

	browsertest.Step(t, ctx, "pay on the phone",
		chromedp.Click(chromedp.CSS("#pay")),
		chromedp.WaitVisible(chromedp.CSS("#payments")),
	)
	check("paid page")
	browsertest.Screenshot(t, ctx, filepath.Join(artifacts, "monime-fake-phone-paid.png"))
}
