package gen

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/oapi-codegen/runtime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The request builders of client.gen.go come from templates/client.tmpl,
// which formats plain parameters in place instead of through the
// oapi-codegen runtime. These tests hold them to what the runtime's styling
// and URL resolution would have produced, byte for byte.

// referenceURL is the URL oapi-codegen's own client would build: the path
// parameter styled by the runtime, the operation path resolved against the
// server root, and each query parameter styled by the runtime, in order.
func referenceURL(t testing.TB, server, path string, id *string, query [][2]any) string {
	t.Helper()
	if id != nil {
		seg, err := runtime.StyleParamWithOptions("simple", false, "id", *id, runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationPath, Type: "string"})
		require.NoError(t, err)
		path += "/" + seg
	}
	base, err := url.Parse(server)
	require.NoError(t, err)
	u, err := base.Parse("." + path)
	require.NoError(t, err)
	var frags []string
	for _, q := range query {
		typ := "string"
		if _, ok := q[1].(int); ok {
			typ = "integer"
		}
		frag, err := runtime.StyleParamWithOptions("form", true, q[0].(string), q[1], runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationQuery, Type: typ})
		require.NoError(t, err)
		frags = append(frags, frag)
	}
	u.RawQuery = strings.Join(frags, "&")
	return u.String()
}

func TestGetRequestMatchesRuntimeStyling(t *testing.T) {
	version := MonimeVersionCaph20250823
	for _, id := range []string{"scs-k2Pz8W1xYq", "a b", "a/b", "ü%2F?#", "a+b&c=d", "...", "x.."} {
		req, err := NewGetCheckoutSessionRequest("https://api.example.com/prefix", id, &GetCheckoutSessionParams{MonimeSpaceId: "spc-1", MonimeVersion: &version})
		require.NoError(t, err, id)
		assert.Equal(t, referenceURL(t, "https://api.example.com/prefix/", "/v1/checkout-sessions", &id, nil), req.URL.String(), id)
		assert.Equal(t, http.MethodGet, req.Method)
		assert.Equal(t, "spc-1", req.Header.Get("Monime-Space-Id"))
		assert.Equal(t, string(version), req.Header.Get("Monime-Version"))
	}
}

func TestListRequestMatchesRuntimeStyling(t *testing.T) {
	limit := 50
	for _, after := range []string{"c2NzLWsyUHo4VzF4WXE", "a b+c&d=e", "ü/?#", ""} {
		p := &ListCheckoutSessionsParams{MonimeSpaceId: "spc-1", Limit: &limit, After: &after}
		req, err := NewListCheckoutSessionsRequest("http://127.0.0.1:9", p)
		require.NoError(t, err)
		want := referenceURL(t, "http://127.0.0.1:9/", "/v1/checkout-sessions", nil, [][2]any{{"limit", limit}, {"after", after}})
		assert.Equal(t, want, req.URL.String(), after)
	}
	req, err := NewListCheckoutSessionsRequest("http://127.0.0.1:9/", &ListCheckoutSessionsParams{MonimeSpaceId: "spc-1"})
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9/v1/checkout-sessions", req.URL.String(), "no query when no query parameter is set")
	assert.Nil(t, req.Header["Monime-Version"], "an unset optional header is not sent")
}

func TestCreateRequestCarriesItsBodyAndHeaders(t *testing.T) {
	body := CreateCheckoutSessionRequest{Name: "Order #1042", LineItems: []LineItemInput{{Name: "T-shirt", Price: Money{Currency: "SLE", Value: 15000}}}}
	req, err := NewCreateCheckoutSessionRequest("https://api.example.com", &CreateCheckoutSessionParams{IdempotencyKey: "order-1042", MonimeSpaceId: "spc-1"}, body)
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com/v1/checkout-sessions", req.URL.String())
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Equal(t, "order-1042", req.Header.Get("Idempotency-Key"))
	want, err := json.Marshal(body)
	require.NoError(t, err)
	assert.Equal(t, int64(len(want)), req.ContentLength)
	for range 2 { // GetBody gives the same bytes every time, for retries
		require.NotNil(t, req.GetBody)
		rc, err := req.GetBody()
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(got))
	}
}

func TestClientBuildsWithTheCallersContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "call")
	var seen *http.Request
	c, err := NewClient("http://127.0.0.1:9/root/", WithHTTPClient(doerFunc(func(r *http.Request) (*http.Response, error) {
		seen = r
		return &http.Response{StatusCode: 204, Body: http.NoBody}, nil
	})), WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("X-Client", "1")
		return nil
	}))
	require.NoError(t, err)
	resp, err := c.GetCheckoutSession(ctx, "scs-1", &GetCheckoutSessionParams{MonimeSpaceId: "spc-1"}, func(_ context.Context, r *http.Request) error {
		assert.Equal(t, "1", r.Header.Get("X-Client"), "the client's editors run before the call's")
		r.Header.Set("X-Call", "1")
		return nil
	})
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.NotNil(t, seen)
	assert.Equal(t, "call", seen.Context().Value(key{}), "the request is built with the caller's context")
	assert.Equal(t, "http://127.0.0.1:9/root/v1/checkout-sessions/scs-1", seen.URL.String(), "the root's path prefix is kept")
	assert.Equal(t, "1", seen.Header.Get("X-Call"))
}

func TestNewClientChecksTheServerOnce(t *testing.T) {
	for _, bad := range []string{"", "/v1", "api.example.com", "https://h/?a=b", "https://h/#x", "https://h/?", "https://h/#", "https://h/p#", "mailto:x@example.com", "http://[::1"} {
		_, err := NewClient(bad)
		assert.Error(t, err, "%q", bad)
	}
	_, err := NewClient("https://user:hunter2@h/?a=b")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2", "errors never repeat a password")

	for server, root := range map[string]string{
		"https://api.example.com":       "https://api.example.com/",
		"https://api.example.com/":      "https://api.example.com/",
		"https://api.example.com/p//":   "https://api.example.com/p/",
		"http://127.0.0.1:8080/monime/": "http://127.0.0.1:8080/monime/",
	} {
		c, err := NewClient(server)
		require.NoError(t, err, server)
		assert.Equal(t, root, c.Server)
	}
}

func TestBuildersRefuseWhatWouldNameAnotherPath(t *testing.T) {
	p := &GetCheckoutSessionParams{MonimeSpaceId: "spc-1"}
	for _, id := range []string{"", ".", ".."} {
		_, err := NewGetCheckoutSessionRequest("https://h", id, p)
		assert.ErrorContains(t, err, "path parameter id", "%q", id)
		_, err = NewDeleteCheckoutSessionRequest("https://h", id, &DeleteCheckoutSessionParams{MonimeSpaceId: "spc-1"})
		assert.ErrorContains(t, err, "path parameter id", "%q", id)
	}
	_, err := NewGetCheckoutSessionRequest("https://h", "scs-1", nil)
	assert.ErrorContains(t, err, "params is nil", "a required header cannot be dropped")
	_, err = NewCreateCheckoutSessionRequest("https://h", nil, CreateCheckoutSessionRequest{})
	assert.ErrorContains(t, err, "params is nil")
}

func TestServerChangedAfterNewClientIsUsed(t *testing.T) {
	var got string
	c, err := NewClient("https://a.example.com", WithHTTPClient(doerFunc(func(r *http.Request) (*http.Response, error) {
		got = r.URL.String()
		return &http.Response{StatusCode: 204, Body: http.NoBody}, nil
	})))
	require.NoError(t, err)
	c.Server = "https://b.example.com/x" // no trailing slash: still one separator
	_, err = c.DeleteCheckoutSession(context.Background(), "scs-1", &DeleteCheckoutSessionParams{MonimeSpaceId: "spc-1"})
	require.NoError(t, err)
	assert.Equal(t, "https://b.example.com/x/v1/checkout-sessions/scs-1", got)

	for _, bad := range []string{"https://b.example.com/x?a=1", "https://b.example.com/#frag", "https://b.example.com/#", "relative/path"} {
		got = ""
		c.Server = bad // changed after NewClient: checked before use, never sent as is
		_, err = c.DeleteCheckoutSession(context.Background(), "scs-1", &DeleteCheckoutSessionParams{MonimeSpaceId: "spc-1"})
		assert.Error(t, err, bad)
		assert.Empty(t, got, "%s: nothing is sent", bad)
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzBuildersMatchRuntime: for any id, cursor and page size, the builders
// write the same URL as the oapi-codegen runtime's styling, or refuse an id
// that would name another path.
func FuzzBuildersMatchRuntime(f *testing.F) {
	f.Add("scs-1", "c2Nz", 10)
	f.Add("a/b c", "a+b&c", 50)
	f.Add("..", "", 0)
	f.Add("%zz", "ü#?", -1)
	f.Fuzz(func(t *testing.T, id, after string, limit int) {
		req, err := NewGetCheckoutSessionRequest("http://127.0.0.1:9/p", id, &GetCheckoutSessionParams{MonimeSpaceId: "spc-1"})
		switch id {
		case "", ".", "..":
			require.Error(t, err)
		default:
			require.NoError(t, err)
			require.Equal(t, referenceURL(t, "http://127.0.0.1:9/p/", "/v1/checkout-sessions", &id, nil), req.URL.String())
		}
		lreq, err := NewListCheckoutSessionsRequest("http://127.0.0.1:9/p", &ListCheckoutSessionsParams{MonimeSpaceId: "spc-1", Limit: &limit, After: &after})
		require.NoError(t, err)
		require.Equal(t, referenceURL(t, "http://127.0.0.1:9/p/", "/v1/checkout-sessions", nil, [][2]any{{"limit", limit}, {"after", after}}), lreq.URL.String())
		q, err := url.ParseQuery(lreq.URL.RawQuery)
		require.NoError(t, err)
		require.Equal(t, after, q.Get("after"))
		require.Equal(t, strconv.Itoa(limit), q.Get("limit"))
	})
}

// FuzzServerRoot: whatever server URL NewClient accepts, every request goes
// to that scheme and host, under that path prefix, to the operation's path,
// with no query or fragment the server URL smuggled in.
func FuzzServerRoot(f *testing.F) {
	for _, s := range []string{"https://api.example.com", "http://127.0.0.1:9/p/", "https://h/#", "https://h/?a", "https://u:p@h/x//", "https://h/a/../b", "http://[::1]:80/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, server string) {
		c, err := NewClient(server)
		if err != nil {
			return
		}
		req, err := newGetCheckoutSessionRequest(context.Background(), c.Server, "scs-1", &GetCheckoutSessionParams{MonimeSpaceId: "spc-1"})
		if err != nil {
			return // a root net/http cannot use (it says why)
		}
		u, err := url.Parse(server)
		require.NoError(t, err)
		require.Equal(t, u.Scheme, req.URL.Scheme)
		require.Equal(t, strings.TrimSuffix(u.Host, ":"), req.URL.Host) // net/http drops an empty port
		require.Empty(t, req.URL.RawQuery)
		require.Empty(t, req.URL.Fragment)
		require.False(t, req.URL.ForceQuery)
		prefix := strings.TrimRight(u.EscapedPath(), "/")
		require.Equal(t, prefix+"/v1/checkout-sessions/scs-1", req.URL.EscapedPath(), "server %q", server)
	})
}
