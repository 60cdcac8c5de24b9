package api

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewReportsEachBadOptionAsAnError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opt    Option
		want   string // in the error, after the option's name
		secret string // must not appear in the error
	}{
		{name: "empty token", opt: WithCredentials(""), want: "WithCredentials: the token is empty"},
		{name: "token with a trailing space", opt: WithCredentials("mon_test_s3cr3t "), want: "WithCredentials: the token starts or ends with white space", secret: "s3cr3t"},
		{name: "token with a newline", opt: WithCredentials("mon_test_s3c\nr3t"), want: "WithCredentials: the token contains a control character", secret: "s3c"},
		{name: "space id without spc-", opt: WithCredentials("t", "spc-a", "space-1"), want: `WithCredentials: space id 2 of 2 does not start with "spc-"`, secret: "space-1"},
		{name: "token passed as a space id", opt: WithCredentials("spc-a", "mon_test_s3cr3t"), want: "WithCredentials: space id 1 of 1", secret: "s3cr3t"},
		{name: "space id too long", opt: WithCredentials("t", "spc-"+strings.Repeat("x", 61)), want: "WithCredentials: space id 1 of 1 is 65 characters long", secret: "xxxx"},
		{name: "nil clock", opt: WithClock(nil), want: "WithClock: the clock function is nil"},
		{name: "zero TTL", opt: WithSessionTTL(0), want: "WithSessionTTL: the TTL must be positive, got 0s"},
		{name: "negative TTL", opt: WithSessionTTL(-time.Second), want: "WithSessionTTL: the TTL must be positive, got -1s"},
		{name: "zero retention", opt: WithIdempotencyRetention(0), want: "WithIdempotencyRetention: the retention must be positive, got 0s"},
		{name: "negative rate limit", opt: WithRateLimit(-1), want: "WithRateLimit: the limit must not be negative, got -1"},
		{name: "relative hosted page base", opt: WithHostedPageBase("/checkout"), want: "WithHostedPageBase: the base URL does not start with http:// or https://"},
		{name: "hosted page base without a host", opt: WithHostedPageBase("http:///checkout"), want: "WithHostedPageBase: the base URL has no host"},
		{name: "hosted page base that does not parse", opt: WithHostedPageBase("http://[::1"), want: "WithHostedPageBase: the base URL does not parse as a URL", secret: "[::1"},
		{name: "relative webhook URL", opt: WithWebhook("/hooks", testSecret), want: "WithWebhook: the webhook URL does not start with http:// or https://", secret: testSecret},
		{name: "ftp webhook URL", opt: WithWebhook("ftp://127.0.0.1/hooks", testSecret), want: "WithWebhook: the webhook URL does not start with http:// or https://", secret: testSecret},
		{name: "webhook URL with a token in it", opt: WithWebhook("hooks.example/monime?token=tok_s3cr3t", testSecret), want: "WithWebhook: the webhook URL does not start", secret: "s3cr3t"},
		{name: "webhook URL without a host", opt: WithWebhook("https://", testSecret), want: "WithWebhook: the webhook URL has no host"},
		{name: "empty webhook secret", opt: WithWebhook("http://127.0.0.1/hooks", ""), want: "WithWebhook: the signing secret is empty"},
		{name: "zero webhook attempts", opt: WithWebhookRetry(0, time.Second), want: "WithWebhookRetry: maxAttempts must be at least 1, got 0"},
		{name: "negative webhook backoff", opt: WithWebhookRetry(3, -time.Second), want: "WithWebhookRetry: initialBackoff must not be negative, got -1s"},
		{name: "nil option", opt: nil, want: "New: option 1 of 1 is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var srv *Server
			var err error
			require.NotPanics(t, func() { srv, err = New(tc.opt) })
			require.Error(t, err)
			assert.Nil(t, srv)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "api: "+tc.want), "the error names the option and what is wrong:\n%s", msg)
			assert.Contains(t, msg, "; pass ", "the error says what to do instead")
			if tc.secret != "" {
				assert.NotContains(t, msg, tc.secret, "the error must not echo a value that may be a secret")
			}
		})
	}
}

func TestNewReportsEveryBadOptionAtOnce(t *testing.T) {
	_, err := New(WithSessionTTL(0), WithRateLimit(2), WithClock(nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithSessionTTL")
	assert.Contains(t, err.Error(), "WithClock")
	assert.NotContains(t, err.Error(), "WithRateLimit", "a good option is not mentioned")
}

func TestNewAcceptsTheEdgesOfEachOption(t *testing.T) {
	srv, err := New(
		WithCredentials("mon_test_a b"), // known, in no space; inner spaces travel
		WithCredentials(DefaultToken, DefaultSpaceID, "spc-"+strings.Repeat("x", 60)),
		WithRateLimit(0),
		WithWebhookRetry(1, 0),
		WithWebhook("https://hooks.example/monime?token=t", testSecret),
		WithHostedPageBase("https://pay.example/"),
		WithLogger(nil),
		WithFaultFunc(nil),
	)
	require.NoError(t, err)
	srv.Close()
}
