package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/monime/webhook"
)

// TestREADMESignatureExample recomputes the worked example of the
// README's webhook signature scheme, so the numbers a developer in another
// language checks their code against are right, and checks that the fake's
// verifier agrees with the tolerance the README states.
func TestREADMESignatureExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	field := func(name string) string {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + name + `:\s+(.+)$`).FindSubmatch(readme)
		require.NotNil(t, m, "the README's worked example has no %q line", name)
		return string(m[1])
	}
	secret, ts, body := field("secret"), field("t"), field("body")
	unix, err := strconv.ParseInt(ts, 10, 64)
	require.NoError(t, err)

	assert.Equal(t, ts+"_"+body, field("signed"), "what is signed is <t>_<raw body>")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "_" + body))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	assert.Equal(t, want, field("v1"), "v1 is base64 of HMAC-SHA256(secret, signed)")
	header := "t=" + ts + ",v1=" + want
	assert.Equal(t, "Monime-Signature: "+header, field("header"))
	assert.Equal(t, header, webhook.SignatureHeader([]byte(body), secret, time.Unix(unix, 0)), "the fake signs the same way")

	at := func(offset int64) error {
		return webhook.VerifyPayload([]byte(body), header, secret, webhook.WithClock(func() time.Time { return time.Unix(unix+offset, 0) }))
	}
	assert.NoError(t, at(300), "300 s late is within the tolerance the README states")
	assert.NoError(t, at(-300), "300 s early too")
	assert.Error(t, at(301), "301 s late is outside it")
	assert.Error(t, webhook.VerifyPayload([]byte(body+" "), header, secret, webhook.WithClock(func() time.Time { return time.Unix(unix, 0) })), "a changed body fails")
	assert.Contains(t, string(readme), "It holds from `t` "+strconv.FormatInt(unix-300, 10)+" to "+strconv.FormatInt(unix+300, 10))
	assert.Equal(t, "2026-01-01 00:00:00", time.Unix(unix, 0).UTC().Format(time.DateTime), "the README's date of t")
}
