package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startBinary runs the built command as its own process and returns it with
// its base URL, read from the banner.
func startBinary(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-log-level", "error"}, args...)...)
	cmd.Env = append(os.Environ(), "MONIME_FAKE_WEBHOOK_SECRET=test-secret-0123456789abcdefghijklmnop")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "base URL "); ok {
				found <- strings.Fields(rest)[0]
			}
		}
	}()
	select {
	case url := <-found:
		return cmd, url
	case <-time.After(30 * time.Second):
		t.Fatal("monime-fake printed no base URL within 30 s")
	}
	return nil, ""
}

// A process killed with SIGKILL, right after answering, loses nothing it
// acknowledged: the next process on the same -data file serves it.
func TestAKilledProcessLosesNoAcknowledgedWrite(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "monime-fake")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "state.json")

	first, url := startBinary(t, bin, "-data", data)
	paid := createSession(t, url, "paid")
	pending := createSession(t, url, "pending")
	call(t, http.MethodPost, url+"/_fake/sessions/"+paid+"/complete", nil, nil)

	// A second process on the same file refuses to start, and says why.
	second := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", data, "-webhook-secret", "test-secret-0123456789abcdefghijklmnop")
	out, err := second.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitUsage || !strings.Contains(string(out), "is in use by another process") {
		t.Fatalf("a second process on the same -data: %v\n%s", err, out)
	}

	// Killed while 16 clients create: every create answered 200 before
	// the kill is there after the restart.
	acked := createUntilKilled(t, url, first, 100)
	_ = first.Wait()

	_, url = startBinary(t, bin, "-data", data)
	for _, id := range acked {
		if code := call(t, http.MethodGet, url+"/v1/checkout-sessions/"+id, nil, nil, apiHeaders...); code != http.StatusOK {
			t.Errorf("session %s, acknowledged before the SIGKILL, answers %d after the restart", id, code)
		}
	}
	var paidView, pendingView struct{ Result sessionView }
	call(t, http.MethodGet, url+"/v1/checkout-sessions/"+paid, nil, &paidView, apiHeaders...)
	call(t, http.MethodGet, url+"/v1/checkout-sessions/"+pending, nil, &pendingView, apiHeaders...)
	if paidView.Result.Status != "completed" || pendingView.Result.Status != "pending" {
		t.Fatalf("after SIGKILL and a restart: %s is %q, %s is %q; want completed and pending", paid, paidView.Result.Status, pending, pendingView.Result.Status)
	}
	var payments struct{ Result []any }
	call(t, http.MethodGet, url+"/_fake/payments", nil, &payments)
	if len(payments.Result) != 1 {
		t.Errorf("after SIGKILL and a restart there are %d payments, want the completed session's one", len(payments.Result))
	}
	if again := createSession(t, url, "pending"); again != pending {
		t.Errorf("the idempotency record was lost: a replayed create made %s, want %s", again, pending)
	}
}

// createUntilKilled creates sessions from 16 clients at once and kills
// proc with SIGKILL once n creates were acknowledged, with more in flight;
// it returns the ids of the acknowledged ones.
func createUntilKilled(t *testing.T, url string, proc *exec.Cmd, n int) []string {
	t.Helper()
	var mu sync.Mutex
	var acked []string
	killed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	body := `{"name":"load","lineItems":[{"type":"custom","name":"T","price":{"currency":"SLE","value":100},"quantity":1}]}`
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-killed:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodPost, url+"/v1/checkout-sessions", strings.NewReader(body))
				for j := 0; j+1 < len(apiHeaders); j += 2 {
					req.Header.Set(apiHeaders[j], apiHeaders[j+1])
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("kill-%d-%d", c, i))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return // killed
				}
				var out struct{ Result struct{ ID string } }
				err = json.NewDecoder(res.Body).Decode(&out)
				_ = res.Body.Close()
				if err == nil && res.StatusCode != http.StatusOK {
					t.Errorf("a create answered %d", res.StatusCode)
					once.Do(func() { close(killed) })
					return
				}
				if err != nil {
					return // killed while the answer was read
				}
				mu.Lock()
				acked = append(acked, out.Result.ID)
				if len(acked) == n {
					once.Do(func() { _ = proc.Process.Kill(); close(killed) }) // SIGKILL: no shutdown, no final save
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < n {
		t.Fatalf("only %d creates were acknowledged", len(acked))
	}
	return acked
}
