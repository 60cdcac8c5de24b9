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

// runUSSD runs the program with env and a bounded context, and returns
// what it printed.
func runUSSD(t *testing.T, env map[string]string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, &out, func(k string) string { return env[k] })
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

func TestUSSDPaysACodeEndToEndOnTheFake(t *testing.T) {
	out, err := runUSSD(t, nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	wantInOrder(t, out,
		`Monime on this machine \(MONIME_BASE_URL is not set\): http://127\.0\.0\.1:\d+`,
		`(?m)^1\. Webhook registered for payment_code\.processed$`,
		`(?m)^2\. Account created: fac-\S+ School fees$`,
		`(?m)^3\. Payment code pmc-\S+ \(pending\): dial (\*715\*1\*\d{6}#) to pay SLE 750\.00, before `,
		`(?m)^4\. The parent dials \*715\*1\*\d{6}# from \+23276555000 and pays SLE 750\.00 \(simulated\)$`,
		`(?m)^5\. Webhook payment_code\.processed, signature verified: code inv-88 completed, payment pay-\S+ of SLE 750\.00 via m17$`,
		`(?m)^6\. Payment pay-\S+: completed, SLE 750\.00 by momo, SLE 742\.50 after fees$`,
		`Account "School fees" balance: SLE 742\.50`,
	)
	codes := regexp.MustCompile(`\*715\*1\*\d{6}#`).FindAllString(out, -1)
	if len(codes) != 2 || codes[0] != codes[1] {
		t.Errorf("want the created code dialled, got %q", codes)
	}
}

func TestUSSDWithABaseURLCreatesOnly(t *testing.T) {
	// The fake stands in for api.monime.io: nothing may be paid.
	fake := monimetest.NewServer(t)
	out, err := runUSSD(t, map[string]string{
		"MONIME_BASE_URL": fake.URL, "MONIME_ACCESS_TOKEN": fake.Token, "MONIME_SPACE_ID": fake.SpaceID,
	})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	wantInOrder(t, out,
		`(?m)^2\. Account created: fac-\S+ School fees$`,
		`(?m)^3\. Payment code pmc-\S+ \(pending\)`,
		`Dial \*715\*1\*\d{6}# from \+23276555000 to pay; this program pays nothing\.`,
	)
	if strings.Contains(out, "simulated") || strings.Contains(out, "Webhook") {
		t.Error("against a base URL the program must not simulate a payment or register a webhook")
	}
	page, err := fake.Client().PaymentCodes.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Status != monime.PaymentCodePending {
		t.Fatalf("want one pending code on the server, got %d", len(page.Items))
	}
}

func TestUSSDWithABaseURLNeedsCredentials(t *testing.T) {
	out, err := runUSSD(t, map[string]string{"MONIME_BASE_URL": "http://127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), "MONIME_ACCESS_TOKEN") {
		t.Fatalf("want an error naming the variables to set, got %v", err)
	}
	if out != "" {
		t.Errorf("printed %q before refusing", out)
	}
}
