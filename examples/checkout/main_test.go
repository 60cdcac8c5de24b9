package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
)

// envOf makes a lookup function from a map, standing in for os.Getenv.
func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runQuickstart runs the program with env and a bounded context, and
// returns what it printed.
func runQuickstart(t *testing.T, env map[string]string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, &out, envOf(env))
	t.Logf("output:\n%s", out.String())
	return out.String(), err
}

// wantInOrder fails t unless every pattern matches out, each after the
// previous one.
func wantInOrder(t *testing.T, out string, patterns ...string) {
	t.Helper()
	rest := out
	for _, p := range patterns {
		loc := regexp.MustCompile(p).FindStringIndex(rest)
		if loc == nil {
			t.Fatalf("output lacks %q after the previous step", p)
		}
		rest = rest[loc[1]:]
	}
}

func TestQuickstartRunsTheWholeCheckoutOnTheFake(t *testing.T) {
	start := time.Now()
	out, err := runQuickstart(t, nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	wantInOrder(t, out,
		`fake Monime API:  http://127\.0\.0\.1:\d+`,
		`webhook receiver: http://127\.0\.0\.1:\d+/webhooks/monime`,
		`(?m)^1\. Create a checkout session for order (\d{6}) \(Idempotency-Key order-\d{6}\)$`,
		`id:\s+scs-\S+`,
		`status:\s+pending`,
		`total:\s+SLE 325\.00`,
		`redirectUrl:\s+http://127\.0\.0\.1:\d+/checkout/scs-\S+`,
		`replayed true\. One order, one session\.`,
		`(?m)^2\. Get the session back by id$`,
		`status:\s+pending`,
		`(?m)^3\. List the space's sessions, newest first$`,
		`ours is number 1 on it`,
		`(?m)^4\. The customer pays on the hosted checkout page \(simulated\)$`,
		`GET  /checkout/scs-\S+ -> 200`,
		`POST /checkout/scs-\S+/pay \(mobile money\) -> 303, on to the success URL https://example\.com/orders/\d{6}\?paid`,
		`(?m)^5\. Receive the signed webhooks$`,
		`payment\.created \(event \S+\), Monime-Signature verified: pay-\S+, pending, SLE 325\.00 by mobile money \(m17\)`,
		`payment\.completed \(event \S+\), Monime-Signature verified: pay-\S+, completed, SLE 325\.00 by mobile money \(m17\)`,
		`checkout_session\.completed \(event \S+\), Monime-Signature verified`,
		`status:\s+completed`,
		`(?m)^6\. Read the final status$`,
		`status:\s+completed`,
		`order number:\s+\S+`,
		`(?m)^7\. Reconcile: the payment of order number \S+$`,
		`payment:\s+pay-\S+`,
		`status:\s+completed`,
		`amount:\s+SLE 325\.00`,
		`channel:\s+mobile money \(m17\)`,
		`fees:\s+none`,
		`net:\s+SLE 325\.00`,
		`Done: order \d{6} is paid \(SLE 325\.00 by mobile money \(m17\)\); Monime order number \S+\.`,
	)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the quickstart took %v; it should take a few seconds at most", d)
	}
}

func TestQuickstartWithCredentialsCreatesAndReadsOnly(t *testing.T) {
	// The fake stands in for api.monime.io: the program takes the path it
	// takes with real credentials and must not try to pay.
	fake := monimetest.NewServer(t)
	out, err := runQuickstart(t, map[string]string{
		"MONIME_ACCESS_TOKEN": fake.Token,
		"MONIME_SPACE_ID":     fake.SpaceID,
		"MONIME_BASE_URL":     fake.URL,
	})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	wantInOrder(t, out,
		`Monime checkout quickstart against http://127\.0\.0\.1:\d+/ \(space spc-monimetest\)`,
		`(?m)^1\. Create a checkout session`,
		`(?m)^2\. Get the session back by id$`,
		`(?m)^3\. List the space's sessions`,
		`(?m)^4\. Pay$`,
		`Open the hosted checkout page in a browser to pay:\s+`+regexp.QuoteMeta(fake.URL)+`/checkout/scs-\S+`,
	)
	if strings.Contains(out, "simulated") || strings.Contains(out, "webhook receiver") {
		t.Error("with credentials the program must not simulate a payment or start a receiver")
	}
	page, err := fake.Client().CheckoutSessions.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Status != monime.CheckoutSessionStatusPending {
		t.Fatalf("want exactly one pending session on the server (the repeated create replayed), got %d", len(page.Items))
	}
}

func TestQuickstartRefusesHalfTheCredentials(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"token only": {"MONIME_ACCESS_TOKEN": "mon_test_x"},
		"space only": {"MONIME_SPACE_ID": "spc-x"},
	} {
		t.Run(name, func(t *testing.T) {
			out, err := runQuickstart(t, env)
			if err == nil || !strings.Contains(err.Error(), "set both") && !strings.Contains(err.Error(), "set MONIME_SPACE_ID") {
				t.Fatalf("want an error saying which variable to set, got %v", err)
			}
			if out != "" {
				t.Errorf("printed %q before refusing", out)
			}
		})
	}
}
