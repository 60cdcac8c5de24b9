package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWebhookURLsAtTheFakeItselfAreRefused(t *testing.T) {
	for _, tc := range []struct{ own, url string }{
		{"127.0.0.1:8089", "http://127.0.0.1:8089/_fake/reset"},
		{"127.0.0.1:8089", "http://localhost:8089/_fake/reset"},
		{"127.0.0.1:8089", "http://[::1]:8089/hooks"},
		{"0.0.0.0:8089", "http://127.0.0.1:8089/_fake/reset"},
		{"[::]:80", "http://localhost/_fake/reset"},
	} {
		_, err := New(WithWebhook(tc.url, testSecret), WithOwnAddress(tc.own))
		require.Error(t, err, "%s served at %s", tc.url, tc.own)
		assert.Contains(t, err.Error(), "api: WithWebhook: the webhook URL points at")
		assert.Contains(t, err.Error(), "where this fake is served")
		assert.Contains(t, err.Error(), "Pass the URL of your own receiver")
	}
	srv := mustNew(t, WithOwnAddress("127.0.0.1:8089"), WithWebhook("http://127.0.0.1:8090/hooks", testSecret))
	defer srv.Close()
	err := srv.AddWebhook("http://localhost:8089/_fake/reset", testSecret)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "api: AddWebhook: the webhook URL points at localhost:8089")
	require.NoError(t, srv.AddWebhook("http://localhost:3000/hooks", testSecret), "another port is another program")
	assert.Len(t, srv.Webhooks(), 2)
}

func TestWithOwnAddressRefusesWhatIsNotAnAddress(t *testing.T) {
	for _, addr := range []string{"8089", "127.0.0.1:0", "127.0.0.1:http", "example.com:8089"} {
		_, err := New(WithOwnAddress(addr))
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "api: WithOwnAddress: ")
	}
}

func TestDeliveryToTheFakeItselfIsNotSent(t *testing.T) {
	var hits atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer ts.Close()
	// ts stands for the fake's own listener.
	srv := mustNew(t, WithWebhookRetry(1, 0), WithOwnAddress(ts.Listener.Addr().String()))
	defer srv.Close()
	// A receiver that got past the checks, as one restored from an older
	// state file would: the delivery still does not connect.
	target, err := newWebhookTarget(ts.URL+"/_fake/reset", testSecret, nil)
	require.NoError(t, err)
	srv.webhooks.add(target)

	require.NoError(t, srv.Complete(createDirect(t, srv, minimalBody)))
	require.NoError(t, srv.WaitForDeliveries(context.Background()))
	got := srv.Deliveries()
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Err, "where this fake is served")
	assert.Zero(t, hits.Load(), "the delivery reached the fake")
}
