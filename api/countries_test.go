package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/monimekit/monime-go/gen"
)

// upstreamDocument reads one of Monime's published documents, by release,
// from the folder of MONIME_UPSTREAM_SPEC (default ../shared/upstream,
// relative to the repository root), where CI puts both releases; it skips
// when the file is missing, except in CI.
func upstreamDocument(t *testing.T, release string) []byte {
	t.Helper()
	dir := "../shared/upstream"
	if spec := os.Getenv("MONIME_UPSTREAM_SPEC"); spec != "" {
		dir = filepath.Dir(spec)
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir) // relative to the repository root
	}
	path := filepath.Join(dir, "monime-openapi-"+release+".yaml")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		msg := "Monime's published document is not at " + path + "; set MONIME_UPSTREAM_SPEC to the caph.2025-08-23 document, beside the caph.2025-06-20 one"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (mandatory only when CI=true)")
	}
	require.NoError(t, err)
	return b
}

var supportedNote = regexp.MustCompile(`Currently supported: ((?:'[A-Z]{3}'(?:, )?)+)`)

// The data file holds what Monime's documents say: the Country schema's
// examples (SL, Sierra Leone, SLE, cent, 2) and, per release, the
// currencies its "Currently supported" notes list.
func TestCountriesMatchMonimesDocuments(t *testing.T) {
	for _, release := range []gen.MonimeVersion{gen.MonimeVersionCaph20250620, gen.MonimeVersionCaph20250823} {
		b := upstreamDocument(t, string(release))
		var doc struct {
			Components struct {
				Schemas map[string]any `yaml:"schemas"`
			} `yaml:"components"`
		}
		require.NoError(t, yaml.Unmarshal(b, &doc))
		schema, _ := doc.Components.Schemas["Country"].(map[string]any)
		props, _ := schema["properties"].(map[string]any)
		require.NotNil(t, props, "%s has a Country schema", release)
		example := func(m map[string]any, name string) any {
			p, _ := m[name].(map[string]any)
			return p["example"]
		}
		currency, _ := props["currency"].(map[string]any)
		currencyProps, _ := currency["properties"].(map[string]any)
		sl := countries.countries[0]
		assert.Equal(t, example(props, "code"), sl.Code, release)
		assert.Equal(t, example(props, "name"), sl.Name, release)
		assert.Equal(t, example(currencyProps, "code"), sl.Currency.Code, release)
		assert.Equal(t, example(currencyProps, "unit"), sl.Currency.Unit, release)
		assert.Equal(t, example(currencyProps, "unitLength"), sl.Currency.UnitLength, release)

		notes := map[string]bool{}
		for _, m := range supportedNote.FindAllStringSubmatch(string(b), -1) {
			notes[m[1]] = true
		}
		require.Len(t, notes, 1, "%s: one list of supported currencies", release)
		var want []string
		for note := range notes {
			for _, c := range strings.Split(note, ", ") {
				want = append(want, strings.Trim(c, "'"))
			}
		}
		assert.Equal(t, want, countries.releases[release], "releaseCurrencies of %s", release)
		for _, c := range want {
			assert.Contains(t, *sl.SupportedCurrencies, c, "Sierra Leone supports what %s supports", release)
		}
	}
}

func (r response) country(t *testing.T) gen.Country {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	return result[gen.Country](t, r)
}

func TestCountriesReadAPI(t *testing.T) {
	f := newFixture(t)
	want := gen.Country{Code: "SL", Name: "Sierra Leone", SupportedCurrencies: &[]string{"SLE", "USD"}}
	want.Currency.Code, want.Currency.Unit, want.Currency.UnitLength = "SLE", "cent", 2

	// No Monime-Space-Id needed: the countries are Monime's.
	res := f.send(req{method: http.MethodGet, path: "/v1/countries", space: ptr("")})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var list gen.CountryListEnvelope
	require.NoError(t, json.Unmarshal(res.body, &list))
	assert.Equal(t, []gen.Country{want}, list.Result)
	assert.Equal(t, gen.Pagination{Count: 1}, list.Pagination)

	assert.Equal(t, want, f.send(req{method: http.MethodGet, path: "/v1/countries/SL", space: ptr("")}).country(t))

	// caph.2025-06-20 supports SLE only.
	old := f.send(req{method: http.MethodGet, path: "/v1/countries/SL", headers: map[string]string{"Monime-Version": "caph.2025-06-20"}}).country(t)
	assert.Equal(t, &[]string{"SLE"}, old.SupportedCurrencies)
	res = f.send(req{method: http.MethodGet, path: "/v1/countries", headers: map[string]string{"Monime-Version": "caph.2025-06-20"}})
	require.NoError(t, json.Unmarshal(res.body, &list))
	assert.Equal(t, &[]string{"SLE"}, list.Result[0].SupportedCurrencies)
	latest := f.send(req{method: http.MethodGet, path: "/v1/countries/SL", headers: map[string]string{"Monime-Version": "caph.2025-08-23"}}).country(t)
	assert.Equal(t, want, latest)

	res = f.send(req{method: http.MethodGet, path: "/v1/countries/GH"})
	require.Equal(t, http.StatusNotFound, res.status, "%s", res.body)
	assert.Equal(t, ReasonNotFound, res.apiErr(t).Reason)
	assert.Contains(t, res.apiErr(t).Message, "SL")

	res = f.send(req{method: http.MethodGet, path: "/v1/countries/sl"})
	require.Equal(t, http.StatusBadRequest, res.status, "the spec wants two capitals: %s", res.body)

	// Paging: one a page, and a cursor of another list refused.
	res = f.send(req{method: http.MethodGet, path: "/v1/countries?limit=1"})
	require.NoError(t, json.Unmarshal(res.body, &list))
	assert.Len(t, list.Result, 1)
	assert.Nil(t, list.Pagination.Next, "the only country: the last page")
	res = f.send(req{method: http.MethodGet, path: "/v1/countries?after=" + encodeCursor("/v1/banks?country=SL", 1)})
	require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Equal(t, []string{"after"}, fields(res.apiErr(t)))
	res = f.send(req{method: http.MethodGet, path: "/v1/countries?after=" + encodeCursor(countriesScope, 1)})
	require.NoError(t, json.Unmarshal(res.body, &list))
	assert.Empty(t, list.Result, "after the last")

	// A token is still needed.
	res = f.send(req{method: http.MethodGet, path: "/v1/countries", token: ptr("")})
	assert.Equal(t, http.StatusUnauthorized, res.status)
}

func TestCountriesPageOverSeveral(t *testing.T) {
	c, err := parseCountries([]byte(`{"releaseCurrencies":{"caph.2025-06-20":["SLE"],"caph.2025-08-23":["SLE","USD"]},"countries":[
		{"code":"SL","name":"Sierra Leone","currency":{"code":"SLE","unit":"cent","unitLength":2},"supportedCurrencies":["SLE","USD"]},
		{"code":"LR","name":"Liberia","currency":{"code":"USD","unit":"cent","unitLength":2},"supportedCurrencies":["USD"]}]}`))
	require.NoError(t, err)
	saved := countries
	countries = c
	t.Cleanup(func() { countries = saved })
	f := newFixture(t)
	var list gen.CountryListEnvelope
	res := f.send(req{method: http.MethodGet, path: "/v1/countries?limit=1"})
	require.NoError(t, json.Unmarshal(res.body, &list))
	require.Len(t, list.Result, 1)
	assert.Equal(t, "SL", list.Result[0].Code)
	require.NotNil(t, list.Pagination.Next)
	res = f.send(req{method: http.MethodGet, path: "/v1/countries?limit=1&after=" + *list.Pagination.Next})
	require.NoError(t, json.Unmarshal(res.body, &list))
	require.Len(t, list.Result, 1)
	assert.Equal(t, "LR", list.Result[0].Code)
	assert.Nil(t, list.Pagination.Next)
	old := f.send(req{method: http.MethodGet, path: "/v1/countries/LR", headers: map[string]string{"Monime-Version": "caph.2025-06-20"}}).country(t)
	assert.Equal(t, &[]string{}, old.SupportedCurrencies, "none of its currencies under a release without USD")
}

func TestParseCountriesRefusesBadFiles(t *testing.T) {
	good := func(edit func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(countriesJSON, &m))
		edit(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}
	first := func(m map[string]any) map[string]any { return m["countries"].([]any)[0].(map[string]any) }
	_, err := parseCountries(good(func(map[string]any) {}))
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		edit func(m map[string]any)
		want string
	}{
		"an unknown member":     {func(m map[string]any) { first(m)["flag"] = "SL" }, "flag"},
		"a bad code":            {func(m map[string]any) { first(m)["code"] = "SLE" }, "code"},
		"a repeated code":       {func(m map[string]any) { m["countries"] = append(m["countries"].([]any), first(m)) }, "repeated"},
		"no name":               {func(m map[string]any) { delete(first(m), "name") }, "no name"},
		"an unknown currency":   {func(m map[string]any) { first(m)["currency"].(map[string]any)["code"] = "GHS" }, "GHS"},
		"no unit":               {func(m map[string]any) { delete(first(m)["currency"].(map[string]any), "unit") }, "unit"},
		"own currency left out": {func(m map[string]any) { first(m)["supportedCurrencies"] = []any{"USD"} }, "supportedCurrencies"},
		"an unknown release": {func(m map[string]any) {
			m["releaseCurrencies"].(map[string]any)["caph.2030-01-01"] = []any{"SLE"}
		}, "caph.2030-01-01"},
		"a release left out": {func(m map[string]any) { delete(m["releaseCurrencies"].(map[string]any), "caph.2025-06-20") }, "caph.2025-06-20"},
		"no country":         {func(m map[string]any) { m["countries"] = []any{} }, "no country"},
	} {
		_, err := parseCountries(good(tc.edit))
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
	_, err = parseCountries(append(good(func(map[string]any) {}), []byte(` {}`)...))
	assert.Error(t, err, "data after the JSON value")
	assert.True(t, slices.Equal(countries.releases[gen.MonimeVersionCaph20250823], []string{"SLE", "USD"}))
}
