package main

import (
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWebhooksAtTheFakeItselfAreRefused(t *testing.T) {
	// A port that was free a moment ago, so the flag can name it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	code, stdout, stderr := runOnce(t, nil, "-addr", addr, "-webhook-url", "http://"+addr+"/_fake/reset")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "-webhook-url: the webhook URL points at "+addr+", where this fake is served")
	assert.NotContains(t, stdout, "dashboard", "it did not start")

	r := start(t, nil)
	var out struct {
		Error struct{ Message string } `json:"error"`
	}
	for _, url := range []string{r.URL + "/_fake/reset", "http://localhost:" + r.URL[len("http://127.0.0.1:"):] + "/_fake/reset"} {
		code := call(t, http.MethodPost, r.URL+"/_fake/webhooks", map[string]string{"url": url}, &out)
		assert.Equal(t, http.StatusBadRequest, code, url)
		assert.Contains(t, out.Error.Message, "where this fake is served", url)
		assert.Contains(t, out.Error.Message, "Pass the URL of your own receiver")
	}
	var list struct{ Result []any }
	call(t, http.MethodGet, r.URL+"/_fake/webhooks", nil, &list)
	assert.Empty(t, list.Result)
}

func TestMessagesNameTheFlags(t *testing.T) {
	r := start(t, nil, "-token", "tok_flag_given")
	var out struct {
		Error struct{ Message string } `json:"error"`
	}
	code := call(t, http.MethodGet, r.URL+"/v1/checkout-sessions", nil, &out, "Authorization", "Bearer tok_other", "Monime-Space-Id", "spc-monimetest")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, out.Error.Message, "(-token; by default")
	assert.NotContains(t, out.Error.Message, "api.With")

	require.Equal(t, http.StatusOK, call(t, http.MethodPost, r.URL+"/_fake/faults", map[string]any{"path": "/v1/checkout-sessions", "status": 503}, nil))
	code = call(t, http.MethodGet, r.URL+"/v1/checkout-sessions", nil, &out, "Authorization", "Bearer tok_flag_given", "Monime-Space-Id", "spc-monimetest")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, out.Error.Message, fmt.Sprintf("(POST %sfaults)", adminPrefix))
}
