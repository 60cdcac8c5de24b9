// Package browsertest starts headless Chromium for this module's browser
// tests (the shop example's and monime-fake's), kept to loopback: every
// request Chromium makes to any other host goes to a proxy that is a trap
// on loopback, which answers nothing and logs what was tried, and no
// host name but localhost resolves. Only this module's tests import it.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// StepTimeout bounds each wait inside a flow.
const StepTimeout = 15 * time.Second

// Chromium returns the path of Chromium ($CHROMIUM_PATH, or the usual
// names, Google Chrome included), or ends the test: with a failure on CI
// (CI=true), where the browser tests must run, and with a skip elsewhere.
func Chromium(t *testing.T) string {
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

// New starts Chromium at path, headless with a fresh profile and a window of
// width by height, for at most life, and closes it when the test ends. No
// request leaves loopback: Chromium sends whatever is not for 127.0.0.1 or
// localhost through a proxy that is a trap on loopback, and resolves no
// other name. Chromium's own background requests (update and time checks,
// which its flags do not all silence) end at the trap, which logs them.
func New(t *testing.T, path string, width, height int, life time.Duration) context.Context {
	t.Helper()
	trap := newTrap(t)
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
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,NetworkTimeServiceQuerying,CertificateTransparencyComponentUpdater"),
		chromedp.ProxyServer("http://"+trap.addr),
		chromedp.Flag("proxy-bypass-list", "127.0.0.1;localhost"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	bounded, cancelBound := context.WithTimeout(context.Background(), life)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(bounded, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for Chromium to exit, before TempDir is removed
		cancelBound()
		if tried := trap.reached(); len(tried) > 0 {
			t.Logf("Chromium's background requests, stopped at the loopback trap: %s", strings.Join(tried, "; "))
		}
	})
	// The first Run starts the browser; its context is the browser's life.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	return ctx
}

// trap is the proxy Chromium is given: it answers nothing, and remembers
// the first line of every request (the host Chromium wanted).
type trap struct {
	addr string
	mu   sync.Mutex
	seen []string
}

func newTrap(t *testing.T) *trap {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for the proxy trap: %v", err)
	}
	tr := &trap{addr: l.Addr().String()}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go tr.record(conn)
		}
	}()
	return tr
}

func (tr *trap) record(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 512)
	n, _ := conn.Read(buf)
	line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	tr.mu.Lock()
	tr.seen = append(tr.seen, strings.TrimSpace(line))
	tr.mu.Unlock()
}

func (tr *trap) reached() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.seen...)
}

// Step runs actions in the browser within StepTimeout, failing the test
// with what it was doing and where.
func Step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v (at %s)", what, err, Location(ctx))
	}
}

// Location is the page's URL, or why it is unknown.
func Location(ctx context.Context) string {
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(lctx, chromedp.Location())
	if err != nil {
		return fmt.Sprintf("unknown location: %v", err)
	}
	return loc
}

// Text is the visible text of the element sel on the page.
func Text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	text, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v (at %s)", sel, err, Location(ctx))
	}
	return strings.TrimSpace(text)
}

// Screenshot writes a PNG of the whole page to path (in ArtifactsDir, as
// a rule) and logs where.
func Screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, StepTimeout)
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

// ArtifactsDir is $ARTIFACTS_DIR, or artifacts/ at the repository root,
// created if needed.
func ArtifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		root, err := RepoRoot()
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

// RepoRoot walks up from the working directory to the directory of go.mod.
func RepoRoot() (string, error) {
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
