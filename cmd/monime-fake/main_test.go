package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monimekit/monime-go/api"
)

// syncBuffer is a bytes.Buffer safe to write from run's goroutine while a
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env makes a getenv from pairs.
func env(pairs ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return func(k string) string { return m[k] }
}

// running is a monime-fake started in-process by start.
type running struct {
	URL    string
	Stdout *syncBuffer
	Stderr *syncBuffer
	stop   context.CancelFunc
	done   chan int
	once   sync.Once
	code   int
}

// Stop shuts it down as SIGTERM would and returns its exit status.
func (r *running) Stop(t *testing.T) int {
	t.Helper()
	r.once.Do(func() {
		r.stop()
		select {
		case r.code = <-r.done:
		case <-time.After(20 * time.Second):
			t.Fatal("monime-fake did not stop within 20 s of its context being cancelled")
		}
	})
	return r.code
}

// banner returns the value of a line of the start banner, such as
// "webhook secret".
func (r *running) banner(t *testing.T, label string) string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(r.Stdout.String()))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, label+" "); ok {
			return strings.Fields(rest)[0]
		}
	}
	t.Fatalf("the banner has no %q line:\n%s", label, r.Stdout.String())
	return ""
}

// start runs monime-fake in-process on a free loopback port with args, and
// stops it when the test ends.
func start(t *testing.T, getenv func(string) string, args ...string) *running {
	t.Helper()
	if getenv == nil {
		getenv = env()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, stop: cancel, done: make(chan int, 1)}
	args = append([]string{"-addr", "127.0.0.1:0"}, args...)
	go func() { r.done <- run(ctx, args, getenv, r.Stdout, r.Stderr) }()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(r.Stdout.String(), "dashboard") {
		select {
		case code := <-r.done:
			t.Fatalf("monime-fake exited with status %d at start; stderr:\n%s", code, r.Stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("monime-fake printed no banner within 15 s; stderr:\n%s", r.Stderr.String())
		}
	}
	r.URL = r.banner(t, "base URL")
	t.Cleanup(func() { r.Stop(t) })
	return r
}

// runOnce runs monime-fake expecting it to exit at once.
func runOnce(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if getenv == nil {
		getenv = env()
	}
	var out, errOut syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code = run(ctx, args, getenv, &out, &errOut)
	return code, out.String(), errOut.String()
}

// call sends a request and decodes a JSON answer into out (when not nil).
func call(t *testing.T, method, url string, body any, out any, header ...string) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s answered %d with a body that is not the JSON expected (%v):\n%s", method, url, resp.StatusCode, err, raw)
		}
	}
	return resp.StatusCode
}

// apiHeaders are the credentials of the default token and space.
var apiHeaders = []string{"Authorization", "Bearer " + api.DefaultToken, "Monime-Space-Id", api.DefaultSpaceID}

// createSession creates a session through the Monime API and returns its id.
func createSession(t *testing.T, base, name string, headers ...string) string {
	t.Helper()
	if len(headers) == 0 {
		headers = apiHeaders
	}
	body := map[string]any{
		"name":      name,
		"lineItems": []any{map[string]any{"type": "custom", "name": "T-shirt", "price": map[string]any{"currency": "SLE", "value": 15000}, "quantity": 2}},
		"reference": "ref-" + name,
		"metadata":  map[string]string{"cart": "c_77"},
	}
	var out struct {
		Result struct {
			ID string `json:"id"`
		} `json:"result"`
	}
	headers = append(headers, "Idempotency-Key", "key-"+name)
	if code := call(t, http.MethodPost, base+"/v1/checkout-sessions", body, &out, headers...); code != http.StatusOK {
		t.Fatalf("create answered %d", code)
	}
	if out.Result.ID == "" {
		t.Fatal("create answered no session id")
	}
	return out.Result.ID
}

func TestStartPrintsWhatAClientNeeds(t *testing.T) {
	r := start(t, nil)
	if got := r.banner(t, "access token"); got != api.DefaultToken {
		t.Errorf("token %q, want the fixed default %q", got, api.DefaultToken)
	}
	if got := r.banner(t, "space id"); got != api.DefaultSpaceID {
		t.Errorf("space %q, want the fixed default %q", got, api.DefaultSpaceID)
	}
	if secret := r.banner(t, "webhook secret"); len(secret) < 32 {
		t.Errorf("generated secret %q is shorter than the 32 characters Monime asks for", secret)
	}
	if got := r.banner(t, "dashboard"); got != r.URL+"/" {
		t.Errorf("dashboard %q, want %q", got, r.URL+"/")
	}
	var health map[string]string
	if code := call(t, http.MethodGet, r.URL+"/healthz", nil, &health); code != http.StatusOK || health["status"] != "ok" {
		t.Errorf("/healthz answered %d %v, want 200 ok", code, health)
	}
	id := createSession(t, r.URL, "banner")
	if code := call(t, http.MethodGet, r.URL+"/v1/checkout-sessions/"+id, nil, nil, apiHeaders...); code != http.StatusOK {
		t.Errorf("get answered %d", code)
	}
	if code := r.Stop(t); code != exitOK {
		t.Errorf("exit status %d after a graceful stop, want 0", code)
	}
	logged := r.Stderr.String()
	if !strings.Contains(logged, `msg=request method=POST path=/v1/checkout-sessions status=200`) {
		t.Errorf("no request log line for the create:\n%s", logged)
	}
}

func TestEnvironmentTwinsAndFlagsWin(t *testing.T) {
	getenv := env(
		"MONIME_FAKE_TOKEN", "tok_from_env",
		"MONIME_FAKE_SPACE", "spc-fromenv",
		"MONIME_FAKE_WEBHOOK_SECRET", "from-env-secret-0123456789abcdefghij",
	)
	r := start(t, getenv, "-space", "spc-fromflag")
	if got := r.banner(t, "access token"); got != "tok_from_env" {
		t.Errorf("token %q, want the environment's", got)
	}
	if got := r.banner(t, "space id"); got != "spc-fromflag" {
		t.Errorf("space %q, want the flag's, which wins over the environment", got)
	}
	if got := r.banner(t, "webhook secret"); got != "from-env-secret-0123456789abcdefghij" {
		t.Errorf("secret %q, want the environment's", got)
	}
	createSession(t, r.URL, "env", "Authorization", "Bearer tok_from_env", "Monime-Space-Id", "spc-fromflag")
}

func TestBadStartsExitWithStatus2(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name   string
		getenv func(string) string
		args   []string
		want   string // in stderr
	}{
		{"unknown flag", nil, []string{"-nope"}, "flag provided but not defined: -nope"},
		{"stray argument", nil, []string{"serve"}, `unexpected argument "serve"`},
		{"relative webhook URL", nil, []string{"-webhook-url", "/hooks"}, `-webhook-url "/hooks" is not http or https`},
		{"webhook URL without host", nil, []string{"-webhook-url", "http://"}, "has no host"},
		{"bad webhook URL in the environment", env("MONIME_FAKE_WEBHOOK_URL", "ftp://x"), nil, "is not http or https"},
		{"port in use", nil, []string{"-addr", busy.Addr().String()}, "cannot listen on " + busy.Addr().String()},
		{"address without port", nil, []string{"-addr", "localhost"}, "is not host:port"},
		{"bad ttl in the environment", env("MONIME_FAKE_SESSION_TTL", "soon"), nil, "-session-ttl \"soon\""},
		{"bad log level", nil, []string{"-log-level", "loud"}, "-log-level \"loud\""},
		{"bad token", nil, []string{"-token", " spaced "}, "-token: the token starts or ends with white space"},
		{"bad space", nil, []string{"-space", "myspace"}, "-space: space id 1 of 1 does not start"},
		{"fee out of range", nil, []string{"-fee", "processing_fee:20000:0"}, `-fee "processing_fee": basisPoints must be 0 to 10000`},
		{"bad fee", nil, []string{"-fee", "processing_fee:lots:1"}, "basis points"},
		{"negative payout delay", nil, []string{"-payout-delay", "-5s"}, `-payout-delay "-5s" is not a duration of zero or more; pass how long a payout takes, such as 5s, or 0`},
		{"bad payout delay", nil, []string{"-payout-delay", "abc"}, `-payout-delay "abc" is not a duration of zero or more`},
		{"bad payout delay in the environment", env("MONIME_FAKE_PAYOUT_DELAY", "soon"), nil, `-payout-delay "soon" is not a duration of zero or more`},
		{"payout fee out of range", nil, []string{"-payout-fee", "payout_fee:20000:0"}, `-payout-fee "payout_fee": basisPoints must be 0 to 10000`},
		{"bad payout fee", nil, []string{"-payout-fee", "payout_fee:1"}, `-payout-fee "payout_fee:1" does not have three parts; pass code:basisPoints:fixed, such as payout_fee:100:500 for 1% plus 5.00`},
		{"payout fee given twice", nil, []string{"-payout-fee", "payout_fee:1:0", "-payout-fee", "payout_fee:2:0"}, `-payout-fee "payout_fee": the code is given twice`},
		{"events without URL", nil, []string{"-webhook-events", "payment.created"}, "without -webhook-url"},
		{"unknown event", nil, []string{"-webhook-url", "http://127.0.0.1:1/h", "-webhook-events", "session.paid"}, `"session.paid" is not an event`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runOnce(t, tc.getenv, tc.args...)
			if code != exitUsage {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, stderr)
			}
			if strings.Contains(stdout, "dashboard") {
				t.Errorf("printed the banner although it did not start:\n%s", stdout)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	code, _, stderr := runOnce(t, nil, "-h")
	if code != exitOK || !strings.Contains(stderr, "MONIME_FAKE_ADDR") {
		t.Errorf("-h: status %d, usage:\n%s", code, stderr)
	}
}
