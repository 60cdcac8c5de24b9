package monime

import (
	"context"
	"errors"
	"iter"
	"net/http"

	"github.com/monimekit/monime-go/gen"
)

// CountriesService reads the countries Monime operates in and their
// currencies. Reach it as Client.Countries.
type CountriesService service

var countries = resource[countryJSON, Country, *countryJSON]{name: "Countries", what: "country", path: "/v1/countries",
	id: func(c *Country) string { return c.Code }}

// List returns one page of the countries Monime operates in; params may be
// nil (ListCountries, GET /v1/countries). Follow Page.Next, or use All.
func (s *CountriesService) List(ctx context.Context, params *CountryListParams, opts ...CallOption) (*Page[Country], error) {
	p := valueOr(params)
	return countries.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		return gen.NewListCountriesRequest(server, &gen.ListCountriesParams{Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
}

// All iterates over every country, fetching pages as the loop needs them;
// see CheckoutSessionsService.All.
func (s *CountriesService) All(ctx context.Context, params *CountryListParams, opts ...CallOption) iter.Seq2[*Country, error] {
	p := valueOr(params)
	return countries.all(&p.After, func() (*Page[Country], error) { return s.List(ctx, &p, opts...) })
}

// Get returns the country code, an ISO 3166-1 alpha-2 code such as "SL"
// (GetCountry, GET /v1/countries/{countryCode}). An unknown code is an
// error matching ErrNotFound.
func (s *CountriesService) Get(ctx context.Context, code string, opts ...CallOption) (*Country, error) {
	var ps problems
	checkCountryCode(&ps, field("countryCode"), code)
	if err := ps.err("Countries.Get"); err != nil {
		return nil, err
	}
	return countries.get(ctx, clientOf(s), code, nil, func(server string) (*http.Request, error) {
		return gen.NewGetCountryRequest(server, code, nil)
	}, opts)
}

// Country is a country Monime operates in, its currency and the currencies
// it supports.
type Country struct {
	// Code is its ISO 3166-1 alpha-2 code, such as "SL".
	Code string `json:"code"`
	// Name is its name, such as "Sierra Leone".
	Name string `json:"name"`
	// Currency is its own currency.
	Currency CountryCurrency `json:"currency"`
	// SupportedCurrencies are the currencies Monime takes there, such as
	// SLE and USD.
	SupportedCurrencies []Currency `json:"supportedCurrencies"`
}

// CountryCurrency is a country's currency and its minor unit.
type CountryCurrency struct {
	// Code is its ISO 4217 code, such as "SLE".
	Code Currency `json:"code"`
	// Unit names the minor unit, such as "cent".
	Unit string `json:"unit"`
	// UnitLength is the digits of the minor unit, such as 2.
	UnitLength int `json:"unitLength"`
}

// CountryListParams pages the countries.
type CountryListParams struct {
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// Validate checks the page size and cursor.
func (p *CountryListParams) Validate() error { return validate("Countries.List", p, APIVersion) }

func (p *CountryListParams) check(ps *problems, _ string) { checkPage(ps, p.Limit, p.After) }

// checkCountryCode checks an ISO 3166-1 alpha-2 code: two capital letters.
func checkCountryCode(ps *problems, f fieldPath, c string) {
	switch {
	case c == "":
		ps.add(f, "required; want an ISO 3166-1 alpha-2 code, such as SL")
	case len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z':
		ps.add(f, "%q is not an ISO 3166-1 alpha-2 code; want two capital letters, such as SL", excerpt([]byte(c), 20))
	}
}

// countryJSON is a country as Monime sends it: its code strict.
type countryJSON struct {
	Country
	Code string `json:"code" decode:"strict"`
}

// public checks the code.
func (w *countryJSON) public() (*Country, error) {
	if w.Code == "" {
		return nil, errors.New("the code is missing")
	}
	c := &w.Country
	c.Code = w.Code
	return c, nil
}
