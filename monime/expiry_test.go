package monime

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ended records when and why an expiring entry was ended.
type ended struct {
	mu    sync.Mutex
	at    time.Time
	cause error
	n     int
}

func (e *ended) cancel(cause error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	e.at, e.cause = time.Now(), cause
}

func (e *ended) get() (int, time.Time, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n, e.at, e.cause
}

func (x *expiry) listed() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	n := 0
	for e := x.head; e != nil; e = e.next {
		n++
	}
	return n
}

func TestExpiryEndsEachAttemptAtItsDeadlineUnlessRemoved(t *testing.T) {
	const timeout = 60 * time.Millisecond
	x := expiry{timeout: timeout}
	entries := make([]expiring, 5)
	records := make([]ended, 5)
	deadlines := make([]time.Time, 5)
	for i := range entries {
		entries[i].cancel = records[i].cancel
		deadlines[i] = x.add(&entries[i])
		time.Sleep(5 * time.Millisecond)
	}
	x.remove(&entries[0]) // the head: its timer fires, finds it gone, waits for the next
	x.remove(&entries[2]) // one in the middle
	require.Eventually(t, func() bool { n, _, _ := records[4].get(); return n == 1 }, 5*time.Second, time.Millisecond)
	for i := range records {
		n, at, cause := records[i].get()
		if i == 0 || i == 2 {
			assert.Zero(t, n, "entry %d was removed before its deadline", i)
			continue
		}
		assert.Equal(t, 1, n, "entry %d ends once", i)
		assert.ErrorIs(t, cause, context.DeadlineExceeded)
		assert.False(t, at.Before(deadlines[i]), "entry %d ended %v before its deadline", i, deadlines[i].Sub(at))
	}
	assert.Zero(t, x.listed())
	x.mu.Lock()
	assert.True(t, x.timerAt.IsZero(), "with nothing listed, the timer is not set again")
	x.mu.Unlock()
}

// An entry added after the list emptied sets the timer again; an entry
// reused for a later attempt is watched afresh.
func TestExpiryWatchesReusedEntries(t *testing.T) {
	x := expiry{timeout: 20 * time.Millisecond}
	var e expiring
	var rec ended
	e.cancel = rec.cancel
	x.add(&e)
	x.remove(&e)
	time.Sleep(40 * time.Millisecond) // the timer set for the first add fires with nothing listed
	d := x.add(&e)
	require.Eventually(t, func() bool { n, _, _ := rec.get(); return n == 1 }, 5*time.Second, time.Millisecond)
	_, at, _ := rec.get()
	assert.False(t, at.Before(d))
	x.remove(&e) // after it ended: nothing to do
	assert.Zero(t, x.listed())
}

func TestExpiryUnderConcurrentAttempts(t *testing.T) {
	x := expiry{timeout: time.Hour}
	var cancels atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range 500 {
				e := &expiring{cancel: func(error) { cancels.Add(1) }}
				x.add(e)
				x.remove(e)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, cancels.Load(), "no attempt outlived an hour")
	assert.Zero(t, x.listed())
}

// ctxRecorder keeps each request's context, then sends it on.
type ctxRecorder struct {
	mu   sync.Mutex
	ctxs []context.Context
}

func (r *ctxRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.ctxs = append(r.ctxs, req.Context())
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// Every attempt's request context reports the attempt's deadline, retries
// included, and ends when the attempt does.
func TestEveryAttemptReportsItsDeadline(t *testing.T) {
	s := &script{steps: []func(http.ResponseWriter, *http.Request){status(503, "unavailable"), ok}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	rec := &ctxRecorder{}
	c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL), WithHTTPClient(&http.Client{Transport: rec}),
		WithTimeout(time.Minute), WithRetryBackoff(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	start := time.Now()
	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1")
	require.NoError(t, err)
	require.Len(t, rec.ctxs, 2)
	for i, ctx := range rec.ctxs {
		d, ok := ctx.Deadline()
		require.True(t, ok, "attempt %d (%T)", i+1, ctx)
		assert.WithinDuration(t, start.Add(time.Minute), d, 5*time.Second, "attempt %d", i+1)
		assert.ErrorIs(t, ctx.Err(), context.Canceled, "attempt %d ended with the call", i+1)
	}
	assert.Zero(t, c.expiry.listed(), "no attempt is still watched")
}

// When every attempt outlives the timeout, the error says so.
func TestAttemptsThatAllTimeOutSayDeadlineExceeded(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := &script{steps: []func(http.ResponseWriter, *http.Request){hangUntil(release)}}
	c, _ := newTestClient(t, s, WithTimeout(100*time.Millisecond), WithMaxRetries(1), WithRetryBackoff(time.Millisecond, time.Millisecond))
	var info ResponseInfo
	_, err := c.CheckoutSessions.Get(context.Background(), "scs-1", WithResponseInfo(&info))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 2, info.Attempts)
	assert.Zero(t, c.expiry.listed())
}

// Over HTTP/2 too, which reports a context's Err rather than its cause, an
// attempt that outlives the timeout ends with context.DeadlineExceeded,
// never as if the caller had cancelled.
func TestAttemptTimeoutsReadAsDeadlinesOverHTTP2(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "http1", true: "http2"}[h2], func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			s := &script{steps: []func(http.ResponseWriter, *http.Request){hangUntil(release)}}
			srv := httptest.NewUnstartedServer(s)
			srv.EnableHTTP2 = h2
			srv.StartTLS()
			t.Cleanup(srv.Close)
			c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL), WithHTTPClient(srv.Client()),
				WithTimeout(100*time.Millisecond), WithMaxRetries(1), WithRetryBackoff(time.Millisecond, time.Millisecond))
			require.NoError(t, err)
			var info ResponseInfo
			_, err = c.CheckoutSessions.Get(context.Background(), "scs-1", WithResponseInfo(&info))
			require.Error(t, err)
			assert.Equal(t, 2, info.Attempts, "the timed-out attempt is retried")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NotErrorIs(t, err, context.Canceled)
			var ue *url.Error
			require.ErrorAs(t, err, &ue)
			assert.True(t, ue.Timeout(), "net/http calls it a timeout")
		})
	}
}
