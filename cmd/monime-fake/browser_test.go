package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// flowTimeout bounds the browser flow, start of the browser included.
const flowTimeout = 45 * time.Second

// stepTimeout bounds each wait inside the flow.
const stepTimeout = 15 * time.Second

// TestBrowserDashboard drives headless Chromium through the dashboard as a
// developer would: a session created through the API is listed, its page
// pays it with a chosen method, and the signed delivery shows up on the
// Webhooks page. Screenshots go to $ARTIFACTS_DIR (default artifacts/).
func TestBrowserDashboard(t *testing.T) {
	chromium := findChromium(t)
	artifacts := artifactsDir(t)
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	r := start(t, nil, "-webhook-secret", secret, "-webhook-url", hook.URL)
	id := createSession(t, r.URL, "Order 1042")

	ctx := newBrowser(t, chromium)
	defer func() {
		if t.Failed() {
			saveScreenshot(t, ctx, filepath.Join(artifacts, "monime-fake-failed.png"))
		}
	}()
	row := fmt.Sprintf(`#sessions tr[data-id=%q]`, id)
	step(t, ctx, "open the dashboard and see the session listed",
		chromedp.Navigate(r.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	if got := textOf(t, ctx, row); !strings.Contains(got, "SLE 300.00") || !strings.Contains(got, "pending") {
		t.Errorf("the session's row says %q, want its amount and status", got)
	}
	saveScreenshot(t, ctx, filepath.Join(artifacts, "monime-fake-sessions.png"))

	step(t, ctx, "open the session and pay it by Orange Money's rival, m18",
		chromedp.Click(chromedp.CSS(row+" a")),
		chromedp.WaitVisible(chromedp.CSS("#pay")),
		chromedp.SetValue(chromedp.CSS("#channel"), "momo:m18"),
		chromedp.Click(chromedp.CSS("#pay")),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
	)
	if got := textOf(t, ctx, "#status"); got != "completed" {
		t.Fatalf("after Pay the session is %q, want completed", got)
	}
	if got := textOf(t, ctx, "#payments"); !strings.Contains(got, "momo · m18") {
		t.Errorf("the payment shows %q, want the chosen channel", got)
	}
	saveScreenshot(t, ctx, filepath.Join(artifacts, "monime-fake-paid.png"))

	eventually(t, "the signed delivery at the receiver", func() bool { return len(hook.names()) == 1 })
	deadline := time.Now().Add(stepTimeout)
	for {
		step(t, ctx, "open the Webhooks page",
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
	if got := textOf(t, ctx, "#deliveries"); !strings.Contains(got, hook.URL) || !strings.Contains(got, "200") {
		t.Errorf("the delivery row lacks its target or status: %q", got)
	}
	saveScreenshot(t, ctx, filepath.Join(artifacts, "monime-fake-webhooks.png"))
}

// textOf is the visible text of the element sel on the page.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	text, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(text)
}

// findChromium returns the path of Chromium, or ends the test: with a
// failure when CI=true, where the browser test must run, else with a skip.
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

// artifactsDir is $ARTIFACTS_DIR, or artifacts/ at the repository root.
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

// newBrowser starts headless Chromium with a fresh profile, with the
// shop's browser test's flags, and closes it when the test ends.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	bounded, cancelBound := context.WithTimeout(context.Background(), flowTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(bounded, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelBound()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	return ctx
}

// step runs actions in the browser within stepTimeout.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// saveScreenshot writes a PNG of the whole page to path.
func saveScreenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
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
