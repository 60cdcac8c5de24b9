package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var flagNames = map[string]string{
	"WithCredentials": "-token",
	"WithFee":         "-fee",
	"WithWebhook":     "-webhook-url",
	"InjectFault":     "POST /_fake/faults",
	"AddWebhook":      "adding the webhook",
}

func TestOptionErrorsNameWhatTheUserSet(t *testing.T) {
	// Named whichever comes first.
	_, err := New(WithCredentials(" tok"), WithOptionNames(flagNames))
	require.Error(t, err)
	assert.Regexp(t, `^-token: `, err.Error())
	assert.NotContains(t, err.Error(), "WithCredentials")

	_, err = New(WithOptionNames(map[string]string{"WithCredentials space": "-space"}), WithCredentials("tok", "space-1"))
	require.Error(t, err)
	assert.Regexp(t, `^-space: space id 1 of 1 `, err.Error())

	_, err = New(WithOptionNames(flagNames), WithFee("processing_fee", 20000, 0), WithWebhook("ftp://x", testSecret))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `-fee "processing_fee": basisPoints must be 0 to 10000`)
	assert.Contains(t, err.Error(), `-webhook-url: the webhook URL`)
	assert.NotContains(t, err.Error(), "api: With")

	// Without names, the package's own.
	_, err = New(WithFee("processing_fee", 20000, 0))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `api: WithFee("processing_fee"): basisPoints must be 0 to 10000`)

	_, err = New(WithOptionNames(map[string]string{"WithCredentials": ""}))
	require.ErrorContains(t, err, "api: WithOptionNames: ")
}

func TestRequestMessagesNameWhatTheUserSet(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		want string
	}{
		{nil, "(api.WithCredentials; by default"},
		{[]Option{WithOptionNames(flagNames)}, "(-token; by default"},
	} {
		srv := mustNew(t, tc.opts...)
		r := httptest.NewRequest(http.MethodGet, "/v1/checkout-sessions", nil)
		r.Header.Set("Authorization", "Bearer someone-elses")
		r.Header.Set("Monime-Space-Id", DefaultSpaceID)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		assert.Contains(t, w.Body.String(), tc.want)
		srv.Close()
	}

	srv := mustNew(t, WithOptionNames(flagNames))
	defer srv.Close()
	require.NoError(t, srv.InjectFault("", "/v1/checkout-sessions", 1, Fault{Status: 503}))
	r := httptest.NewRequest(http.MethodGet, "/v1/checkout-sessions", nil)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Contains(t, w.Body.String(), "injected fault: 503 Service Unavailable (POST /_fake/faults)")

	err := srv.AddWebhook("http://127.0.0.1:1/hooks", "")
	require.Error(t, err)
	assert.Regexp(t, `^adding the webhook: the signing secret is empty`, err.Error())
}
