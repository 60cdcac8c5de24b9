package monime

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireCountry is a country as Monime sends it.
func wireCountry() map[string]any {
	return map[string]any{"code": "SL", "name": "Sierra Leone",
		"currency": map[string]any{"code": "SLE", "unit": "cent", "unitLength": 2}, "supportedCurrencies": []any{"SLE", "USD"}}
}

var sierraLeone = Country{Code: "SL", Name: "Sierra Leone", Currency: CountryCurrency{Code: CurrencySLE, Unit: "cent", UnitLength: 2},
	SupportedCurrencies: []Currency{CurrencySLE, CurrencyUSD}}

func TestCountriesOnTheWire(t *testing.T) {
	var last seenRequest
	c, _ := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/countries" {
			writePage(w, wireCountry())
			return
		}
		writeResult(w, wireCountry())
	}))
	ctx := context.Background()

	page, err := c.Countries.List(ctx, &CountryListParams{Limit: 10, After: "c1"})
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/countries", "limit=10&after=c1", "", testSpace, APIVersion, nil}, last)
	assert.Equal(t, []Country{sierraLeone}, page.Items)
	_, err = c.Countries.List(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, last.query)

	sl, err := c.Countries.Get(ctx, "SL")
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/countries/SL", "", "", testSpace, APIVersion, nil}, last)
	assert.Equal(t, &sierraLeone, sl)

	var n int
	for c, err := range c.Countries.All(ctx, nil) {
		require.NoError(t, err)
		assert.Equal(t, "SL", c.Code)
		n++
	}
	assert.Equal(t, 1, n)
}

func TestCountriesRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	for _, code := range []string{"", "sl", "S", "SLE", "..", "S/", "ÉS"} {
		_, err := c.Countries.Get(ctx, code)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, code)
		assert.Equal(t, "countryCode", ve.Problems[0].Field)
		assert.Contains(t, err.Error(), "ISO 3166-1 alpha-2")
	}
	_, err := c.Countries.List(ctx, &CountryListParams{Limit: 51})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "limit", ve.Problems[0].Field)
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
}

func TestCountriesReadTheCodeStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	get := func(result string) (*Country, error) {
		body.Store(`{"success":true,"messages":[],"result":` + result + `}`)
		return c.Countries.Get(context.Background(), "SL")
	}
	for _, bad := range []string{`{"name":"Sierra Leone"}`, `{"code":1}`} {
		_, err := get(bad)
		assert.Error(t, err, bad)
	}
	got, err := get(`{"code":"SL","name":7,"currency":{"code":"SLE","unitLength":"2"},"supportedCurrencies":"SLE"}`)
	require.NoError(t, err)
	assert.Equal(t, &Country{Code: "SL", Currency: CountryCurrency{Code: "SLE"}}, got)
}
