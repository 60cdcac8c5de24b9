package monime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What an adversarial run found, one test each: bad input never echoes a
// secret, hostile answers cost memory in proportion to their bytes and
// never loop, and nothing is sent where it should not go.

// A token passed where a space id or a base URL belongs never shows in
// the error: errors describe a bad value's shape, never the value.
func TestErrorsNeverEchoTheToken(t *testing.T) {
	const secret = "mon_test_Sup3rS3cretTokenValue"
	cases := map[string]func() error{
		"arguments swapped": func() error { _, err := NewClient("spc-x", secret); return err },
		"token as space id": func() error { _, err := NewClient(secret, secret); return err },
		"WithSpaceID(token) on the client": func() error {
			_, err := NewClient(secret, testSpace, WithSpaceID(secret))
			return err
		},
		"WithSpaceID(token) on a call": func() error {
			c, err := NewClient(secret, testSpace)
			require.NoError(t, err)
			_, err = c.CheckoutSessions.Get(context.Background(), "scs-1", WithSpaceID(secret))
			return err
		},
		"WithAPIVersion(token)": func() error { _, err := NewClient(secret, testSpace, WithAPIVersion(secret)); return err },
		"WithIdempotencyKey(token + junk)": func() error {
			c, err := NewClient(secret, testSpace)
			require.NoError(t, err)
			_, err = c.CheckoutSessions.Create(context.Background(), validParams(), WithIdempotencyKey(secret+strings.Repeat("x", 64)))
			return err
		},
	}
	for _, raw := range []string{
		"https://" + secret + "@api.monime.io",
		"https://user:" + secret + "@api.monime.io",
		"https://api.monime.io/?token=" + secret,
		"https://api.monime.io/#" + secret,
		"http://api.monime.io/" + secret,
		"ftp://api.monime.io/" + secret,
		"https://api.monime.io/\x7f" + secret,
		secret,
	} {
		cases["base URL "+strings.ReplaceAll(raw, secret, "<token>")] = func() error {
			_, err := NewClient(secret, testSpace, WithBaseURL(raw))
			return err
		}
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			err := run()
			require.Error(t, err)
			for _, verb := range []string{"%v", "%+v", "%#v"} {
				text := fmt.Sprintf(verb, err)
				assert.NotContains(t, text, "Sup3rS3cret", verb)
			}
		})
	}
	_, err := NewClient("spc-x", secret)
	assert.ErrorContains(t, err, "looks like a space id", "a swap is named for what it is")
	_, err = NewClient(secret, secret)
	assert.ErrorContains(t, err, "looks like an access token")
}

// servePage answers every list with body.
func servePage(t *testing.T, body []byte) (*Client, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL), WithMaxRetries(0))
	require.NoError(t, err)
	return c, &calls
}

// pageOf is a list answer of n copies of item, about size bytes when n is 0.
func pageOf(item string, n, size int) []byte {
	if n == 0 {
		n = size / (len(item) + 1)
	}
	var b bytes.Buffer
	b.WriteString(`{"success":true,"messages":[],"pagination":{"count":1,"next":null},"result":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strings.ReplaceAll(item, "#", strconv.Itoa(i)))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// allocated is the memory allocated while run ran.
func allocated(run func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	run()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A hostile page costs memory in proportion to its bytes: items without
// an id are refused at the first, and a page longer than any Monime sends
// is refused once it is past the bound, not read to its end.
func TestAHostilePageCostsMemoryInProportionToItsBytes(t *testing.T) {
	const size = 8 << 20
	valid := `{"id":"scs-#","status":"pending","lineItems":{"data":[]}}`
	for name, body := range map[string][]byte{
		"8 MiB of {}":          pageOf(`{}`, 0, size-200),
		"8 MiB of valid items": pageOf(valid, 120_000, 0),
		"a million items":      pageOf(`{"id":"s#"}`, 1_000_000, 0),
	} {
		for _, announced := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, length announced %v", name, announced), func(t *testing.T) {
				// In memory, so that only the client's allocations count.
				length := int64(len(body))
				if !announced {
					length = -1
				}
				tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
					return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
						Body: io.NopCloser(bytes.NewReader(body)), ContentLength: length, Request: r}, nil
				})
				c, err := NewClient(testToken, testSpace, WithHTTPClient(&http.Client{Transport: tr}), WithMaxRetries(0))
				require.NoError(t, err)
				used := allocated(func() { _, err = c.CheckoutSessions.List(context.Background(), nil) })
				require.Error(t, err)
				t.Logf("%d body bytes, %d allocated: %v", len(body), used, err)
				// Read at its announced length, a body is allocated once;
				// of unknown length, io.ReadAll grows it as it comes, which
				// costs up to five times its size on some Go releases.
				bound := uint64(2 * min(len(body), size))
				if !announced {
					bound *= 3
				}
				if raceEnabled {
					bound *= 2
				}
				assert.Less(t, used, bound, "memory must follow the body's bytes")
			})
		}
	}
	c, _ := servePage(t, pageOf(`{}`, 0, 1<<20))
	_, err := c.CheckoutSessions.List(context.Background(), nil)
	assert.ErrorContains(t, err, "item 0: the id is missing")

	// A full page of valid sessions is read whole, with its count.
	c, _ = servePage(t, bytes.Replace(pageOf(valid, 50, 0), []byte(`"count":1`), []byte(`"count":50`), 1))
	page, err := c.CheckoutSessions.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, page.Items, 50)
	assert.Equal(t, 50, page.Count)
	assert.False(t, page.HasMore())
}

func TestAPageThatRepeatsAnIDIsRefused(t *testing.T) {
	c, _ := servePage(t, []byte(`{"success":true,"result":[`+
		`{"id":"scs-1","status":"pending","lineItems":{"data":[]}},{"id":"scs-1","status":"completed","lineItems":{"data":[]}}]}`))
	_, err := c.CheckoutSessions.List(context.Background(), nil)
	require.ErrorContains(t, err, `repeats the id "scs-1"`)
}

// pager serves pages from a function of the cursor it is sent.
func pager(t *testing.T, page func(after string) (ids []string, next string)) (*Client, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if n > 10_000 {
			http.Error(w, "runaway", http.StatusTeapot)
			return
		}
		ids, next := page(r.URL.Query().Get("after"))
		items := make([]any, len(ids))
		for i, id := range ids {
			items[i] = wireSession(id)
		}
		var nextJSON any
		if next != "" {
			nextJSON = next
		}
		writeJSON(w, 200, map[string]any{"success": true, "messages": []any{}, "result": items,
			"pagination": map[string]any{"count": len(ids), "next": nextJSON}})
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL), WithMaxRetries(0))
	require.NoError(t, err)
	return c, &calls
}

func drain(c *Client) (n int, err error) {
	for _, err := range c.CheckoutSessions.All(context.Background(), nil) {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// All stops on pages that would make it loop forever, with memory that
// does not grow with the pages fetched.
func TestAllNeverLoopsForever(t *testing.T) {
	t.Run("empty pages that each name a next one", func(t *testing.T) {
		c, calls := pager(t, func(after string) ([]string, string) { return nil, "c" + after })
		_, err := drain(c)
		require.ErrorContains(t, err, "empty page")
		assert.Equal(t, int32(1), calls.Load())
	})
	t.Run("new cursors, the same items", func(t *testing.T) {
		c, calls := pager(t, func(after string) ([]string, string) { return []string{"scs-1", "scs-2"}, "c" + after })
		n, err := drain(c)
		require.ErrorContains(t, err, `"scs-1" came again`)
		assert.Equal(t, 2, n, "the first page is yielded, the repeat is not")
		assert.Equal(t, int32(2), calls.Load())
	})
	t.Run("a cycle of seven pages", func(t *testing.T) {
		c, calls := pager(t, func(after string) ([]string, string) {
			i, _ := strconv.Atoi(strings.TrimPrefix(after, "p"))
			return []string{"scs-" + strconv.Itoa(i%7)}, "p" + strconv.Itoa(i+1)
		})
		_, err := drain(c)
		require.ErrorContains(t, err, "again")
		assert.LessOrEqual(t, calls.Load(), int32(3*7), "caught within a few turns of the cycle")
	})
	t.Run("a cursor that comes back", func(t *testing.T) {
		pages := map[string]struct {
			ids  []string
			next string
		}{"": {[]string{"scs-a"}, "b"}, "b": {[]string{"scs-b"}, "c"}, "c": {[]string{"scs-c"}, "b"}}
		c, calls := pager(t, func(after string) ([]string, string) { p := pages[after]; return p.ids, p.next })
		_, err := drain(c)
		require.ErrorContains(t, err, "again")
		assert.LessOrEqual(t, calls.Load(), int32(6))
	})
	t.Run("a long honest list is read to its end", func(t *testing.T) {
		c, _ := pager(t, func(after string) ([]string, string) {
			i, _ := strconv.Atoi(after)
			if i == 300 {
				return []string{"scs-last"}, ""
			}
			return []string{"scs-" + strconv.Itoa(2*i), "scs-" + strconv.Itoa(2*i+1)}, strconv.Itoa(i + 1)
		})
		n, err := drain(c)
		require.NoError(t, err)
		assert.Equal(t, 601, n)
	})
}

// An https client that meets a plain-http server has a scheme problem no
// retry can fix: one attempt, and an error that says so.
func TestHTTPAnswerToHTTPSIsNotRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	c, err := NewClient(testToken, testSpace, WithBaseURL(strings.Replace(srv.URL, "http://", "https://", 1)),
		WithMaxRetries(3), WithRetryBackoff(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	var info ResponseInfo
	_, err = c.CheckoutSessions.Get(context.Background(), "scs-1", WithResponseInfo(&info))
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.ErrorContains(t, err, "HTTP response to HTTPS client")
	assert.Equal(t, 1, info.Attempts)
}

// A create, delete or update never follows a redirect, to another origin
// or not: a 307 or 308 would send its body again, and a 301, 302 or 303
// would turn it into a GET whose answer would read as the call's own. It
// fails once, and the other host hears nothing.
func TestAWriteNeverFollowsARedirect(t *testing.T) {
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			var elsewhere, origin atomic.Int32
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				elsewhere.Add(1)
				p := wireSession("scs-evil")
				p["redirectUrl"] = "https://evil.example/pay"
				writeResult(w, p)
			}))
			defer other.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				origin.Add(1)
				target := other.URL + r.URL.Path
				if r.URL.Path == "/v1/checkout-sessions/same" {
					target = "/v1/checkout-sessions/elsewhere" // same origin
				}
				http.Redirect(w, r, target, code)
			}))
			defer srv.Close()
			c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL), WithMaxRetries(3), WithRetryBackoff(time.Millisecond, time.Millisecond))
			require.NoError(t, err)
			_, err = c.CheckoutSessions.Create(context.Background(), validParams())
			assert.True(t, errors.Is(err, errWriteRedirected), "create: %v", err)
			err = c.CheckoutSessions.Delete(context.Background(), "scs-1")
			assert.True(t, errors.Is(err, errWriteRedirected), "delete: %v", err)
			err = c.CheckoutSessions.Delete(context.Background(), "same")
			assert.True(t, errors.Is(err, errWriteRedirected), "delete, same origin: %v", err)
			_, err = c.Payments.Update(context.Background(), "pay-1", &PaymentUpdateParams{Name: "x"})
			assert.True(t, errors.Is(err, errWriteRedirected), "update: %v", err)
			assert.Zero(t, elsewhere.Load(), "another host heard from a write")
			assert.Equal(t, int32(4), origin.Load(), "one attempt each, no retry")
		})
	}
}

// An odd value at the end of a very deep chain (an ownership graph
// thousands of owners long) costs time and memory in proportion to the
// answer, not to the square of its depth: the tolerant pass looks only so
// deep for what does not fit.
func TestADeepOddValueCostsLittle(t *testing.T) {
	const depth = 9000
	var b strings.Builder
	b.WriteString(`{"id":"scs-1","status":"pending","lineItems":{"data":[]},"ownershipGraph":{"owner":`)
	for range depth {
		b.WriteString(`{"type":"space","owner":`)
	}
	b.WriteString(`{"id":5}`)
	b.WriteString(strings.Repeat("}", depth))
	b.WriteString(`}}`)
	body := []byte(b.String())
	var s CheckoutSession
	var err error
	start := time.Now()
	used := allocated(func() { err = json.Unmarshal(body, &s) })
	require.NoError(t, err, "an odd descriptive value does not cost the session")
	assert.Equal(t, "scs-1", s.ID)
	t.Logf("%d bytes, %d allocated, %v", len(body), used, time.Since(start))
	assert.Less(t, used, uint64(100*len(body)), "memory must follow the answer's size")
}

// encoding/json matches member names regardless of case, the last one
// winning; the tolerant pass reads the same members, so the same bytes
// never read two ways, an odd field elsewhere or not.
func TestBothPassesReadTheSameMembers(t *testing.T) {
	base := `"id":"pay-1","status":"completed","amount":{"currency":"SLE","value":100},"AMOUNT":{"currency":"SLE","value":7}`
	var fast, tolerant Payment
	require.NoError(t, json.Unmarshal([]byte(`{`+base+`}`), &fast))
	require.NoError(t, json.Unmarshal([]byte(`{`+base+`,"name":5}`), &tolerant), "an odd name sends it down the tolerant pass")
	assert.Equal(t, fast.Amount, tolerant.Amount)
	assert.Equal(t, Money{Currency: "SLE", Value: 7}, fast.Amount, "as encoding/json reads it: the last member")
}
