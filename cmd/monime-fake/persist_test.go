package main

import (
	"database/sql"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	dir := t.TempDir()
	data := filepath.Join(dir, "state.db")
	r := start(t, nil, "-data", data)
	id := createSession(t, r.URL, "acked")
	call(t, http.MethodPost, r.URL+"/_fake/sessions/"+id+"/complete", nil, nil)

	// As after a SIGKILL: no shutdown ran; what is on disk is the database
	// and its write-ahead log, copied here as they are.
	crashed := filepath.Join(t.TempDir(), "state.db")
	for _, suffix := range []string{"", "-wal"} {
		raw, err := os.ReadFile(data + suffix)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(crashed+suffix, raw, 0o600))
	}
	p, restore, err := openData(crashed, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.closeDB() })
	require.NotNil(t, restore)
	restored, err := api.New(restore)
	require.NoError(t, err, "the database written while running loads")
	defer restored.Close()
	s, ok := api.Find[api.Session](restored, id)
	assert.True(t, ok && s.Status == "completed" && len(s.PaymentIDs) == 1, "the acknowledged completion is not on disk: %+v %v", s, ok)

	for _, suffix := range []string{"", "-wal"} { // both hold webhook secrets (exclusive mode makes no -shm)
		info, err := os.Stat(data + suffix)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "%s holds webhook secrets: it is private", filepath.Base(data+suffix))
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*tmp*"))
	assert.Empty(t, leftovers, "temporary files left behind")
}

// A second fake on the same -data refuses to start while the first runs,
// and starts once the first has stopped.
func TestASecondProcessOnTheSameDataRefusesToStart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	first := start(t, nil, "-data", data, "-webhook-secret", "test-secret-0123456789abcdefghijklmnop")
	code, stdout, stderr := runOnce(t, nil, "-addr", "127.0.0.1:0", "-data", data, "-webhook-secret", "test-secret-0123456789abcdefghijklmnop")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "-data "+data+" is in use by another process")
	assert.NotContains(t, stdout, "dashboard", "it started anyway")
	require.Equal(t, exitOK, first.Stop(t))
	start(t, nil, "-data", data, "-webhook-secret", "test-secret-0123456789abcdefghijklmnop")
}

// A state file of the releases before SQLite is imported once into
// FILE.db and left byte for byte as it was; the next start uses the
// database.
func TestAJSONStateFileIsImportedOnceAndLeftAsItWas(t *testing.T) {
	legacy, err := os.ReadFile(filepath.Join("..", "..", "api", "testdata", "state-v1.json"))
	require.NoError(t, err)
	data := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(data, legacy, 0o600))
	const secret = "test-secret-0123456789abcdefghijklmnop"

	first := start(t, nil, "-data", data, "-webhook-secret", secret)
	assert.Contains(t, first.Stdout.String(), "data file       "+data+".db\n", "the banner names the file the state is in")
	var list struct{ Result []sessionView }
	call(t, http.MethodGet, first.URL+"/_fake/sessions", nil, &list)
	imported := len(list.Result)
	require.NotZero(t, imported, "the sessions of the JSON file are served")
	added := createSession(t, first.URL, "after-import")
	require.Equal(t, exitOK, first.Stop(t))

	second := start(t, nil, "-data", data, "-webhook-secret", secret)
	call(t, http.MethodGet, second.URL+"/_fake/sessions", nil, &list)
	require.Len(t, list.Result, imported+1, "the database is used, not the JSON file imported again")
	assert.Equal(t, added, list.Result[0].Id)
	got, err := os.ReadFile(data)
	require.NoError(t, err)
	assert.Equal(t, legacy, got, "the JSON file is left as it was")
	_, err = os.Stat(data + ".db")
	assert.NoError(t, err, "the state is in FILE.db")
}

// Idempotency-Keys are kept as the bytes received: two keys that are not
// UTF-8 stay two across a restart, and each replays its own session.
func TestKeysThatAreNotUTF8SurviveARestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	first := start(t, nil, "-data", data)
	a, b := createSession(t, first.URL, "a\xff"), createSession(t, first.URL, "a\xfe")
	require.NotEqual(t, a, b, "two keys made one session")
	require.Equal(t, exitOK, first.Stop(t))
	second := start(t, nil, "-data", data)
	assert.Equal(t, a, createSession(t, second.URL, "a\xff"), "the first key replays its session")
	assert.Equal(t, b, createSession(t, second.URL, "a\xfe"), "the second key replays its session")
}

// What loads is checked as what arrives over the API: a hand-edited row
// stops the start with its table and id named, and the failed start leaves
// nothing behind (no secret file, no database, no temporary file).
func TestABadRowStopsTheStartNamingIt(t *testing.T) {
	for _, tc := range []struct{ name, old, new, want string }{
		{"status", `"status":"pending"`, `"status":"pendinx"`, `has status "pendinx"`},
		{"price", `"value":15000`, `"value":-9000`, "has line item 1 priced -9000 minor units, below zero"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "state.db")
			first := start(t, nil, "-data", data)
			id := createSession(t, first.URL, "edited")
			require.Equal(t, exitOK, first.Stop(t))
			db, err := sql.Open("sqlite", data)
			require.NoError(t, err)
			res, err := db.Exec(`UPDATE rows SET data = replace(CAST(data AS TEXT), ?, ?) WHERE tbl = 'sessions' AND id = ?`, tc.old, tc.new, []byte(id))
			require.NoError(t, err)
			n, err := res.RowsAffected()
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
			require.NoError(t, db.Close())

			code, stdout, stderr := runOnce(t, nil, "-addr", "127.0.0.1:0", "-data", data)
			assert.Equal(t, exitUsage, code)
			assert.NotContains(t, stdout, "dashboard")
			assert.Contains(t, stderr, "sessions: "+id+" "+tc.want)

			// The same edit in a JSON state file: refused before anything is written.
			legacy := filepath.Join(dir, "legacy.json")
			doc, err := os.ReadFile(filepath.Join("..", "..", "api", "testdata", "state-v1.json"))
			require.NoError(t, err)
			old, new := strings.ReplaceAll(tc.old, ":", ": "), strings.ReplaceAll(tc.new, ":", ": ")
			require.Contains(t, string(doc), old)
			require.NoError(t, os.WriteFile(legacy, []byte(strings.Replace(string(doc), old, new, 1)), 0o600))
			code, _, stderr = runOnce(t, nil, "-addr", "127.0.0.1:0", "-data", legacy)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, "sessions: scs-")
			assert.Contains(t, stderr, tc.want)
			for _, left := range []string{secretFile(legacy), legacy + ".db", legacy + ".db-wal"} {
				_, err := os.Stat(left)
				assert.ErrorIs(t, err, fs.ErrNotExist, "a failed start left %s", left)
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, "*tmp*"))
			assert.Empty(t, leftovers)
		})
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

// A reset through the admin API is kept: after a restart the sessions
// made before it are gone and those made after it are there.
func TestAResetIsKept(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	first := start(t, nil, "-data", data)
	createSession(t, first.URL, "before")
	call(t, http.MethodPost, first.URL+"/_fake/reset", nil, nil)
	after := createSession(t, first.URL, "after")
	require.Equal(t, exitOK, first.Stop(t))
	second := start(t, nil, "-data", data)
	var list struct{ Result []sessionView }
	call(t, http.MethodGet, second.URL+"/_fake/sessions", nil, &list)
	require.Len(t, list.Result, 1)
	assert.Equal(t, after, list.Result[0].Id)
}

// A receiver removed through the admin API stays removed after a restart:
// the removal is a change -data writes before answering.
func TestARemovedWebhookStaysRemoved(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	const secret = "test-secret-0123456789abcdefghijklmnop"
	kept, gone := newHookReceiver(t, secret), newHookReceiver(t, secret)
	first := start(t, nil, "-data", data, "-webhook-secret", secret)
	call(t, http.MethodPost, first.URL+"/_fake/webhooks", map[string]any{"url": kept.URL}, nil)
	call(t, http.MethodPost, first.URL+"/_fake/webhooks", map[string]any{"url": gone.URL}, nil)
	if code := call(t, http.MethodDelete, first.URL+"/_fake/webhooks/"+url.PathEscape(gone.URL), nil, nil); code != http.StatusOK {
		t.Fatalf("DELETE answered %d", code)
	}
	if code := first.Stop(t); code != exitOK {
		t.Fatalf("stop: status %d", code)
	}

	second := start(t, nil, "-data", data, "-webhook-secret", secret)
	var list struct {
		Result []struct {
			URL string `json:"url"`
		}
	}
	call(t, http.MethodGet, second.URL+"/_fake/webhooks", nil, &list)
	var urls []string
	for _, w := range list.Result {
		urls = append(urls, w.URL)
	}
	assert.Equal(t, []string{kept.URL}, urls)
}
