package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/monimekit/monime-go/api"
)

// flowTimeout bounds one browser flow, start of the browser included, so a
// broken flow fails well within a minute.
const flowTimeout = 45 * time.Second

// stepTimeout bounds each wait inside a flow.
const stepTimeout = 15 * time.Second

// TestBrowserCheckout drives headless Chromium through the whole checkout,
// as a customer would: the shop's product page, Pay with Monime, the hosted
// checkout page of the fake, Pay (or Cancel), and back to the shop's order
// page, which must come to say paid (or cancelled) once the signed webhook
// arrived, give the order number, and lead back to the shop. Then a page on
// another site posts the order form, and the shop must refuse it. A
// screenshot of each final page goes to $ARTIFACTS_DIR (default artifacts/
// at the repository root).
func TestBrowserCheckout(t *testing.T) {
	chromium := findChromium(t)
	artifacts := artifactsDir(t)
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
			ctx := newBrowser(t, chromium)
			shot := filepath.Join(artifacts, "shop-"+tc.name+".png")
			defer func() {
				if t.Failed() {
					saveScreenshot(t, ctx, strings.TrimSuffix(shot, ".png")+"-failed.png")
				}
			}()

			step(t, ctx, "open the shop and press Pay with Monime",
				chromedp.Navigate(s.ShopURL+"/"),
				chromedp.WaitVisible(chromedp.CSS("#pay-with-monime")),
				chromedp.Click(chromedp.CSS("#pay-with-monime")),
			)
			step(t, ctx, "land on the hosted checkout page with its simulator banner",
				chromedp.WaitVisible(chromedp.CSS("#simulator-banner")),
				chromedp.WaitVisible(chromedp.CSS(tc.button)),
			)
			if loc := location(t, ctx); !strings.HasPrefix(loc, s.FakeURL+"/checkout/scs-") {
				t.Fatalf("Pay with Monime led to %s, want the fake's hosted page under %s", loc, s.FakeURL)
			}
			step(t, ctx, "press "+tc.button, chromedp.Click(chromedp.CSS(tc.button)))

			orderURL := waitForOrderStatus(t, ctx, s.ShopURL+"/orders/", tc.want)
			t.Logf("%s: %s says %s", tc.name, orderURL, tc.want)
			number := textOf(t, ctx, "#order-number")
			if o := getOrder(t, s.Shop.orders, path.Base(orderURL)); number != o.Number {
				t.Errorf("the order page gives the order number %q, want %q", number, o.Number)
			}
			saveScreenshot(t, ctx, shot)

			step(t, ctx, "go back to the shop",
				chromedp.Click(chromedp.CSS("#back-to-shop")),
				chromedp.WaitVisible(chromedp.CSS("#pay-with-monime")),
			)
		})
	}

	t.Run("cross-site post refused", func(t *testing.T) {
		ctx := newBrowser(t, chromium)
		shot := filepath.Join(artifacts, "shop-cross-site-refused.png")
		defer func() {
			if t.Failed() {
				saveScreenshot(t, ctx, strings.TrimSuffix(shot, ".png")+"-failed.png")
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
		sessions := len(s.Fake.Sessions(api.DefaultSpaceID))

		step(t, ctx, "open the other site's page and press its button",
			chromedp.Navigate(evilURL+"/"),
			chromedp.WaitVisible(chromedp.CSS("#claim")),
			chromedp.Click(chromedp.CSS("#claim")),
			chromedp.WaitVisible(chromedp.CSS("#error")),
		)
		if loc := location(t, ctx); loc != s.ShopURL+"/orders" {
			t.Fatalf("the form led to %s, want the shop's refusal at %s/orders", loc, s.ShopURL)
		}
		if msg := textOf(t, ctx, "#error"); !strings.Contains(msg, "sent from another website") {
			t.Errorf("the refusal says %q, want why", msg)
		}
		if now := len(s.Fake.Sessions(api.DefaultSpaceID)); now != sessions {
			t.Errorf("the cross-site post made %d checkout sessions, want none", now-sessions)
		}
		if _, err := s.Shop.orders.get(t.Context(), id); !errors.Is(err, errUnknownOrder) {
			t.Errorf("the cross-site post made order %s (%v)", id, err)
		}
		saveScreenshot(t, ctx, shot)
	})
}

// textOf is the visible text of the element sel on the page.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	text, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v (at %s)", sel, err, location(t, ctx))
	}
	return strings.TrimSpace(text)
}

// findChromium returns the path of Chromium ($CHROMIUM_PATH, or the usual
// names, Google Chrome included), or ends the test: with a failure on CI
// (CI=true), where the browser test must run, and with a skip elsewhere.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const how = "Chromium is not installed (looked for /usr/bin/chromium and chromium on PATH); install it with `apt-get install chromium` to run the browser test"
	if os.Getenv("CI") == "true" {
		t.Fatal(how + "; on CI, .ci/run installs it")
	}
	t.Skip(how)
	return ""
}

// artifactsDir is $ARTIFACTS_DIR, or artifacts/ at the repository root,
// created if needed.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			t.Fatalf("find the repository root for artifacts/: %v; set ARTIFACTS_DIR", err)
		}
		dir = filepath.Join(root, "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create the artifacts directory: %v; set ARTIFACTS_DIR to a writable directory", err)
	}
	return dir
}

// repoRoot walks up from the package directory to the directory of go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// newBrowser starts headless Chromium with a fresh profile for this test
// and closes it when the test ends. The browser lives at most flowTimeout.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Nothing but loopback is reachable here: no update checks, no QUIC,
		// no sync, no background requests.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
	)
	bounded, cancelBound := context.WithTimeout(context.Background(), flowTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(bounded, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for Chromium to exit, before TempDir is removed
		cancelBound()
	})
	// The first Run starts the browser; its context is the browser's life.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	return ctx
}

// step runs actions in the browser within stepTimeout, failing the test
// with what it was doing.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v (at %s)", what, err, location(t, ctx))
	}
}

// location is the page's URL, or why it is unknown.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(lctx, chromedp.Location())
	if err != nil {
		return fmt.Sprintf("unknown location: %v", err)
	}
	return loc
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
	deadline := time.Now().Add(stepTimeout)
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
	t.Fatalf("the order page did not say %q within %v: last at %q with status %q (read error: %v)", want, stepTimeout, last.Href, last.Status, lastErr)
	return ""
}

// saveScreenshot writes a PNG of the whole page to path and logs it.
func saveScreenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)) // quality 100 means PNG
	if err != nil {
		t.Errorf("screenshot for %s: %v", path, err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("save the screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", path)
}
