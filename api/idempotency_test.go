package api

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func createReq(key, body string) req {
	return req{method: http.MethodPost, path: "/v1/checkout-sessions", key: &key, body: body}
}

func TestSameKeyAndBodyReplaysTheFirstAnswer(t *testing.T) {
	f := newFixture(t)
	first := f.send(createReq("order-1042", fullBody))
	require.Equal(t, http.StatusOK, first.status)
	f.clock.Advance(time.Minute)

	again := f.send(createReq("order-1042", fullBody))
	require.Equal(t, http.StatusOK, again.status)
	assert.Equal(t, "irc", again.header.Get("Monime-Cache"))
	assert.Equal(t, first.body, again.body, "the stored answer, byte for byte")
	assert.NotEqual(t, first.header.Get("Monime-Request-Id"), again.header.Get("Monime-Request-Id"), "each answer has its own request id")
	assert.Len(t, FindAll[Session](f.srv, DefaultSpaceID), 1)
	stored := FindAll[Session](f.srv, DefaultSpaceID)[0]
	assert.Equal(t, "order-1042", stored.IdempotencyKey)

	// The replay is the first answer even after the session changed.
	require.NoError(t, f.srv.Complete(stored.Id))
	third := f.send(createReq("order-1042", fullBody))
	assert.Equal(t, first.body, third.body)
}

func TestTheSameJSONWrittenDifferentlyIsTheSameRequest(t *testing.T) {
	f := newFixture(t)
	first := f.send(createReq("k", `{"name":"x","lineItems":[{"name":"a","price":{"currency":"SLE","value":1}}]}`))
	require.Equal(t, http.StatusOK, first.status)
	again := f.send(createReq("k", "{\n  \"lineItems\": [{\"price\": {\"value\": 1, \"currency\": \"SLE\"}, \"name\": \"a\"}],\n  \"name\": \"x\"\n}"))
	assert.Equal(t, http.StatusOK, again.status, "%s", again.body)
	assert.Equal(t, "irc", again.header.Get("Monime-Cache"))
}

func TestSameKeyWithAnotherRequestIsAConflict(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, http.StatusOK, f.send(createReq("k", minimalBody)).status)

	cases := map[string]req{
		"another body":  createReq("k", fullBody),
		"another query": {method: http.MethodPost, path: "/v1/checkout-sessions?x=1", key: ptr("k"), body: minimalBody},
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			res := f.send(r)
			require.Equal(t, http.StatusConflict, res.status, "%s", res.body)
			e := res.apiErr(t)
			assert.Equal(t, ReasonIdempotencyKeyInUse, e.Reason)
			assert.Contains(t, e.Message, `"k"`)
			assert.Empty(t, res.header.Get("Monime-Cache"))
		})
	}
	assert.Len(t, FindAll[Session](f.srv, DefaultSpaceID), 1)
}

func TestKeysAreScopedPerSpace(t *testing.T) {
	f := newFixture(t, WithCredentials(DefaultToken, "spc-a", "spc-b"))
	a := createReq("shared", minimalBody)
	a.space = ptr("spc-a")
	b := createReq("shared", strings.Replace(fullBody, MainAccountID(DefaultSpaceID), MainAccountID("spc-b"), 1))
	b.space = ptr("spc-b")

	ra, rb := f.send(a), f.send(b)
	require.Equal(t, http.StatusOK, ra.status)
	require.Equal(t, http.StatusOK, rb.status, "the same key in another space is another request: %s", rb.body)
	assert.Empty(t, rb.header.Get("Monime-Cache"))
	assert.NotEqual(t, ra.session(t).Id, rb.session(t).Id)
	assert.Len(t, FindAll[Session](f.srv, "spc-a"), 1)
	assert.Len(t, FindAll[Session](f.srv, "spc-b"), 1)
}

func TestKeysAreForgottenAfterRetention(t *testing.T) {
	f := newFixture(t, WithIdempotencyRetention(time.Hour))
	first := f.send(createReq("k", minimalBody)).session(t)

	f.clock.Advance(time.Hour - time.Millisecond)
	assert.Equal(t, "irc", f.send(createReq("k", minimalBody)).header.Get("Monime-Cache"), "still remembered")

	f.clock.Advance(time.Millisecond)
	res := f.send(createReq("k", fullBody))
	require.Equal(t, http.StatusOK, res.status, "after retention the key is free, even for another body: %s", res.body)
	assert.Empty(t, res.header.Get("Monime-Cache"))
	assert.NotEqual(t, first.Id, res.session(t).Id)
}

func TestSweepForgetsKeysPastRetention(t *testing.T) {
	f := newFixture(t, WithIdempotencyRetention(time.Hour))
	f.send(createReq("k", minimalBody))
	f.clock.Advance(time.Hour)
	f.srv.Sweep()
	f.srv.store.mu.Lock()
	n := len(f.srv.store.keys[DefaultSpaceID])
	f.srv.store.mu.Unlock()
	assert.Zero(t, n)
}

func TestErrorsAreNotCached(t *testing.T) {
	f := newFixture(t)
	bad := `{"name":"x","lineItems":[{"name":"a","reference":"r","price":{"currency":"SLE","value":1}},{"name":"b","reference":"r","price":{"currency":"SLE","value":1}}]}`
	res := f.send(createReq("k", bad))
	require.Equal(t, http.StatusBadRequest, res.status)

	res = f.send(createReq("k", minimalBody))
	require.Equal(t, http.StatusOK, res.status, "the failed attempt did not take the key: %s", res.body)
	assert.Empty(t, res.header.Get("Monime-Cache"))
}

func TestConcurrentCreatesWithOneKeyMakeOneSession(t *testing.T) {
	f := newFixture(t)
	// Hold the first create inside its handling, so the others arrive while
	// it runs and must wait for it rather than find its stored answer.
	f.srv.store.observe(func(batch []event) {
		if batch[0].name == "checkout_session.created" {
			time.Sleep(50 * time.Millisecond)
		}
	})
	const n = 64
	bodies := make([][]byte, n)
	statuses := make([]int, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			res := f.send(createReq("once", fullBody))
			statuses[i], bodies[i] = res.status, res.body
		}()
	}
	start.Done()
	done.Wait()

	for i := range n {
		assert.Equal(t, http.StatusOK, statuses[i], "%s", bodies[i])
		assert.Equal(t, bodies[0], bodies[i], "every caller gets the one session")
	}
	assert.Len(t, FindAll[Session](f.srv, DefaultSpaceID), 1)
}

func TestAWaiterRunsWhenTheFirstRequestFails(t *testing.T) {
	st := newStore(newClock().Now, time.Hour, time.Hour, nil, new(atomic.Uint64))
	fp := fingerprint("POST", "/v1/checkout-sessions", []byte(minimalBody))
	first, c := st.claimKey("spc-a", "k", fp)
	require.Equal(t, claimRun, c)
	_, c = st.claimKey("spc-a", "k", fp)
	require.Equal(t, claimWait, c, "a second request waits while the first runs")
	_, c = st.claimKey("spc-a", "k", fingerprint("POST", "/v1/checkout-sessions", []byte(fullBody)))
	require.Equal(t, claimConflict, c, "another request with the key is refused at once")

	failed := newRecorder()
	failed.WriteHeader(http.StatusServiceUnavailable)
	st.settleKey("spc-a", "k", first, failed)
	select {
	case <-first.done:
	default:
		t.Fatal("waiters are woken when the first request ends")
	}
	_, c = st.claimKey("spc-a", "k", fp)
	assert.Equal(t, claimRun, c, "after a failure the next request runs")
}

func TestAWaiterGivesUpWithItsClient(t *testing.T) {
	f := newFixture(t)
	fp := fingerprint(http.MethodPost, "/v1/checkout-sessions", []byte(minimalBody))
	entry, c := f.srv.store.claimKey(DefaultSpaceID, "busy", fp) // a first request that never ends
	require.Equal(t, claimRun, c)
	defer f.srv.store.settleKey(DefaultSpaceID, "busy", entry, nil)

	client := f.client
	f.client = &http.Client{Transport: client.Transport, Timeout: 100 * time.Millisecond}
	defer func() { f.client = client }()
	_, err := f.client.Do(f.build(createReq("busy", minimalBody)))
	require.Error(t, err, "the request waits for the first one")
	assert.Empty(t, FindAll[Session](f.srv, DefaultSpaceID))
}

func TestFingerprint(t *testing.T) {
	a := fingerprint("POST", "/p", []byte(`{"a":1,"b":[1,2]}`))
	assert.Equal(t, a, fingerprint("POST", "/p", []byte(` { "b" : [1,2], "a" : 1 } `)))
	assert.NotEqual(t, a, fingerprint("POST", "/p", []byte(`{"a":1,"b":[2,1]}`)))
	assert.NotEqual(t, a, fingerprint("POST", "/p", []byte(`{"a":1.0,"b":[1,2]}`)), "numbers keep their text")
	assert.NotEqual(t, a, fingerprint("POST", "/q", []byte(`{"a":1,"b":[1,2]}`)))
	assert.NotEqual(t, a, fingerprint("PUT", "/p", []byte(`{"a":1,"b":[1,2]}`)))
	assert.NotEqual(t, fingerprint("POST", "/p", []byte(`{} {}`)), fingerprint("POST", "/p", []byte(`{}`)), "trailing data counts")
}
