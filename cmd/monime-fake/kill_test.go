package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown, no final save
		t.Fatal(err)
	}
	_ = first.Wait()

	_, url = startBinary(t, bin, "-data", data)
	var list struct{ Result []sessionView }
	call(t, http.MethodGet, url+"/_fake/sessions", nil, &list)
	if len(list.Result) != 2 || list.Result[0].Id != pending || list.Result[1].Id != paid || list.Result[1].Status != "completed" {
		t.Fatalf("after SIGKILL and a restart the sessions are %+v; want %s pending and %s completed", list.Result, pending, paid)
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
