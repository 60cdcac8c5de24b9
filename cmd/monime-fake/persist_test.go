package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/monimekit/monime-go/api"
)

func TestDataSurvivesARestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.json")
	const secret = "test-secret-0123456789abcdefghijklmnop"
	hook := newHookReceiver(t, secret)
	first := start(t, nil, "-data", data, "-webhook-secret", secret)
	call(t, http.MethodPost, first.URL+"/_fake/webhooks", map[string]any{"url": hook.URL}, nil)
	paid := createSession(t, first.URL, "paid")
	pending := createSession(t, first.URL, "pending")
	call(t, http.MethodPost, first.URL+"/_fake/sessions/"+paid+"/complete", nil, nil)
	eventually(t, "the delivery", func() bool { return len(hook.names()) == 1 })
	if code := first.Stop(t); code != exitOK {
		t.Fatalf("stop: status %d", code)
	}

	second := start(t, nil, "-data", data, "-webhook-secret", secret)
	var list struct{ Result []sessionView }
	call(t, http.MethodGet, second.URL+"/_fake/sessions", nil, &list)
	if len(list.Result) != 2 || list.Result[0].Id != pending || list.Result[1].Id != paid || list.Result[1].Status != "completed" {
		t.Fatalf("sessions after the restart: %+v", list.Result)
	}
	// The same create with the same key replays the first answer, not a new session.
	if again := createSession(t, second.URL, "pending"); again != pending {
		t.Errorf("the idempotency record was lost: a replayed create made %s, want %s", again, pending)
	}
	var deliveries struct{ Result []deliveryView }
	call(t, http.MethodGet, second.URL+"/_fake/deliveries", nil, &deliveries)
	if len(deliveries.Result) != 1 || deliveries.Result[0].SessionID != paid {
		t.Errorf("the delivery log after the restart: %+v", deliveries.Result)
	}
	call(t, http.MethodPost, second.URL+"/_fake/sessions/"+pending+"/cancel", nil, nil)
	eventually(t, "a delivery to the receiver added before the restart", func() bool { return len(hook.names()) == 2 })
	var payments struct{ Result []any }
	call(t, http.MethodGet, second.URL+"/_fake/payments", nil, &payments)
	if len(payments.Result) != 1 {
		t.Errorf("payments after the restart: %d", len(payments.Result))
	}
}

func TestAnAcknowledgedWriteIsOnDiskBeforeTheAnswer(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.json")
	r := start(t, nil, "-data", data)
	id := createSession(t, r.URL, "acked")
	call(t, http.MethodPost, r.URL+"/_fake/sessions/"+id+"/complete", nil, nil)

	// As after a SIGKILL: no shutdown ran, and another process reads the file.
	raw, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	restored, err := api.New(api.WithState(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("the file written while running does not load: %v", err)
	}
	defer restored.Close()
	s, ok := api.Find[api.Session](restored, id)
	if !ok || s.Status != "completed" || len(s.PaymentIDs) != 1 {
		t.Errorf("the acknowledged completion is not on disk: %+v %v", s, ok)
	}
	if info, err := os.Stat(data); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the data file (it holds webhook secrets) is not private: %v %v", info.Mode(), err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(data), ".state.json.tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestACorruptDataFileIsRefusedAndLeftAlone(t *testing.T) {
	dir := t.TempDir()
	for _, content := range []string{"{not json", `{"format":"monime-fake-state","version":99}`, ""} {
		data := filepath.Join(dir, "state.json")
		if err := os.WriteFile(data, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runOnce(t, nil, "-addr", "127.0.0.1:0", "-data", data, "-webhook-secret", "test-secret-0123456789abcdefghijklmnop")
		if code != exitUsage || !strings.Contains(stderr, "-data "+data+" does not hold a state") || !strings.Contains(stderr, "left as it was") {
			t.Errorf("%q: status %d, stderr:\n%s", content, code, stderr)
		}
		if strings.Contains(stdout, "dashboard") {
			t.Errorf("%q: it started anyway", content)
		}
		if got, _ := os.ReadFile(data); string(got) != content {
			t.Errorf("%q: the file was changed to %q", content, got)
		}
	}
	unreadable := filepath.Join(dir, "dir-not-file")
	if err := os.Mkdir(unreadable, 0o700); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runOnce(t, nil, "-addr", "127.0.0.1:0", "-data", unreadable, "-webhook-secret", "x"); code != exitUsage || !strings.Contains(stderr, "cannot be read") {
		t.Errorf("a directory as -data: status %d, stderr:\n%s", code, stderr)
	}
}

func TestAGeneratedSecretIsKeptWithTheData(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.json")
	first := start(t, nil, "-data", data)
	secret := first.banner(t, "webhook secret")
	first.Stop(t)
	second := start(t, nil, "-data", data)
	if got := second.banner(t, "webhook secret"); got != secret {
		t.Errorf("the secret changed across a restart with -data: %q, then %q", secret, got)
	}
}
