package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHostedFormsRefuseCrossSitePosts(t *testing.T) {
	f := newFixture(t)
	s := f.create(minimalBody)
	for _, header := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	} {
		for _, action := range []string{"pay", "cancel"} {
			r, err := http.NewRequest(http.MethodPost, f.ts.URL+HostedPagePath+s.Id+"/"+action, nil)
			require.NoError(t, err)
			for k, v := range header {
				r.Header.Set(k, v)
			}
			resp, err := f.client.Do(r)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s with %v", action, header)
		}
	}
	assert.Equal(t, "pending", string(f.get(s.Id).Status), "a cross-site post changed the session")

	// The page's own form, as a browser sends it, still pays.
	r, err := http.NewRequest(http.MethodPost, f.ts.URL+HostedPagePath+s.Id+"/pay", nil)
	require.NoError(t, err)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("Origin", f.ts.URL)
	client := *f.client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(r)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "completed", string(f.get(s.Id).Status))
}
