package api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// page lists one page and returns its ids and next cursor ("" on the last).
func (f *fixture) page(limit int, after string) ([]string, string) {
	f.t.Helper()
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if after != "" {
		q.Set("after", after)
	}
	env := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions?" + q.Encode()}).list(f.t)
	require.True(f.t, env.Success)
	assert.Equal(f.t, len(env.Result), env.Pagination.Count)
	ids := make([]string, len(env.Result))
	for i, s := range env.Result {
		ids[i] = s.Id
	}
	if env.Pagination.Next == nil {
		return ids, ""
	}
	require.NotEmpty(f.t, *env.Pagination.Next)
	return ids, *env.Pagination.Next
}

// createN creates n sessions and returns their ids, newest first.
func (f *fixture) createN(n int) []string {
	ids := make([]string, n)
	for i := range n {
		ids[n-1-i] = f.create(minimalBody).Id
	}
	return ids
}

func TestListIsNewestFirstInPages(t *testing.T) {
	f := newFixture(t)
	want := f.createN(25)

	first, next := f.page(0, "")
	assert.Equal(t, want[:10], first, "default limit is 10")
	require.NotEmpty(t, next)
	second, next := f.page(10, next)
	assert.Equal(t, want[10:20], second)
	third, next := f.page(10, next)
	assert.Equal(t, want[20:], third)
	assert.Empty(t, next, "no next on the last page")

	all, next := f.page(50, "")
	assert.Equal(t, want, all)
	assert.Empty(t, next)

	exact, next := f.page(25, "")
	assert.Equal(t, want, exact)
	assert.Empty(t, next, "a page that ends exactly at the oldest session has no next")
}

func TestListOfAnEmptySpace(t *testing.T) {
	f := newFixture(t)
	res := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"})
	env := res.list(t)
	assert.Equal(t, []gen.CheckoutSession{}, env.Result)
	assert.Equal(t, 0, env.Pagination.Count)
	assert.Nil(t, env.Pagination.Next)
	assert.Contains(t, string(res.body), `"result":[]`, "an empty page is an empty array, not null")
}

func TestListShowsCurrentStatus(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	require.NoError(t, f.srv.Complete(s.Id))
	env := f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions"}).list(t)
	require.Len(t, env.Result, 1)
	assert.Equal(t, gen.CheckoutSessionStatusCompleted, env.Result[0].Status)
}

func TestCursorStaysCorrectWhileSessionsAreCreated(t *testing.T) {
	f := newFixture(t)
	want := f.createN(30)

	got, next := f.page(7, "")
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				f.create(minimalBody)
			}
		}()
	}
	for next != "" {
		var ids []string
		ids, next = f.page(7, next)
		got = append(got, ids...)
	}
	wg.Wait()
	assert.Equal(t, want, got, "every session that existed at the first page, once each, newest first")
	assert.Len(t, FindAll[Session](f.srv, DefaultSpaceID), 50)
}

func TestCursorSurvivesDeletionOfItsSession(t *testing.T) {
	f := newFixture(t)
	want := f.createN(6)
	first, next := f.page(3, "")
	require.Equal(t, want[:3], first)

	// Delete the session the cursor points at, and the next one.
	for _, id := range want[2:4] {
		res := f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + id})
		require.Equal(t, http.StatusOK, res.status)
	}
	rest, next := f.page(3, next)
	assert.Equal(t, want[4:], rest)
	assert.Empty(t, next)
}

func TestInvalidCursors(t *testing.T) {
	f := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"))
	f.createN(3)
	_, next := f.page(1, "")
	require.NotEmpty(t, next)

	cases := map[string]string{
		"not base64":          "%%%",
		"base64 of nonsense":  base64.RawURLEncoding.EncodeToString([]byte("hello")),
		"zero position":       base64.RawURLEncoding.EncodeToString([]byte("0:" + DefaultSpaceID)),
		"negative position":   base64.RawURLEncoding.EncodeToString([]byte("-1:" + DefaultSpaceID)),
		"padded base64":       base64.URLEncoding.EncodeToString([]byte("1:" + DefaultSpaceID)),
		"another space's one": "other",
	}
	for name, cursor := range cases {
		t.Run(name, func(t *testing.T) {
			r := req{method: http.MethodGet, path: "/v1/checkout-sessions?after=" + url.QueryEscape(cursor)}
			if name == "another space's one" {
				r.path = "/v1/checkout-sessions?after=" + url.QueryEscape(next)
				r.space = ptr("spc-other")
			}
			res := f.send(r)
			require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			e := res.apiErr(t)
			assert.Equal(t, ReasonValidation, e.Reason)
			assert.Equal(t, []string{"after"}, fields(e))
			assert.Contains(t, e.Message, "after cursor")
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, seq := range []uint64{1, 42, 1 << 40} {
		got, err := decodeCursor("spc-a", encodeCursor("spc-a", seq))
		require.Nil(t, err)
		assert.Equal(t, seq, got)
		_, err = decodeCursor("spc-b", encodeCursor("spc-a", seq))
		assert.NotNil(t, err)
	}
}
