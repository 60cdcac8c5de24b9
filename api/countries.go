package api

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"slices"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// The countries Monime operates in come from data/countries.json, not
// from code: Sierra Leone, as Monime's document describes it (SL, its
// currency SLE, whose minor unit is the cent, two digits), with the
// currencies each release supports ("Currently supported: 'SLE'" under
// caph.2025-06-20, "'SLE', 'USD'" under caph.2025-08-23), a test holding
// the file to both documents.

//go:embed data/countries.json
var countriesJSON []byte

// countryFile is the shape of data/countries.json.
type countryFile struct {
	// ReleaseCurrencies are the currencies Monime supports under each
	// release; a country's supportedCurrencies under a release are its own
	// that the release supports.
	ReleaseCurrencies map[gen.MonimeVersion][]string `json:"releaseCurrencies"`
	Countries         []gen.Country                  `json:"countries"`
}

// countryCatalog is data/countries.json, read and checked.
type countryCatalog struct {
	releases  map[gen.MonimeVersion][]string
	countries []gen.Country // in the file's order; a list cursor names a position, from 1
}

// countries is the fake's countries. The file is part of the module, so
// one that does not load is a bug the tests catch.
var countries = func() *countryCatalog {
	c, err := parseCountries(countriesJSON)
	if err != nil {
		panic("api: data/countries.json: " + err.Error())
	}
	return c
}()

// parseCountries reads a countries file strictly: unknown members, a
// release the spec does not know, a repeated or malformed code, a missing
// name or currency, or supported currencies that leave out the country's
// own are errors.
func parseCountries(b []byte) (*countryCatalog, error) {
	var f countryFile
	if err := strictJSON(b, &f); err != nil {
		return nil, err
	}
	for _, v := range []gen.MonimeVersion{gen.MonimeVersionCaph20250620, gen.MonimeVersionCaph20250823} {
		if len(f.ReleaseCurrencies[v]) == 0 {
			return nil, fmt.Errorf("releaseCurrencies names no currency for %s", v)
		}
	}
	for v := range f.ReleaseCurrencies {
		if !v.Valid() {
			return nil, fmt.Errorf("releaseCurrencies: %q is not a release of spec/monime.yaml", v)
		}
	}
	if len(f.Countries) == 0 {
		return nil, fmt.Errorf("no country")
	}
	c := &countryCatalog{releases: f.ReleaseCurrencies}
	for i, country := range f.Countries {
		switch {
		case !countryCode.MatchString(country.Code) || slices.ContainsFunc(f.Countries[:i], func(o gen.Country) bool { return o.Code == country.Code }):
			return nil, fmt.Errorf("country %d: code %q is no ISO 3166-1 alpha-2 code, or repeated", i+1, country.Code)
		case country.Name == "":
			return nil, fmt.Errorf("country %s: no name", country.Code)
		case !gen.Currency(country.Currency.Code).Valid():
			return nil, fmt.Errorf("country %s: currency code %q is not a currency of spec/monime.yaml", country.Code, country.Currency.Code)
		case country.Currency.Unit == "" || country.Currency.UnitLength < 0:
			return nil, fmt.Errorf("country %s: its currency needs a unit and a unitLength of at least 0", country.Code)
		case country.SupportedCurrencies == nil || !slices.Contains(*country.SupportedCurrencies, country.Currency.Code):
			return nil, fmt.Errorf("country %s: supportedCurrencies must include its currency %s", country.Code, country.Currency.Code)
		}
		for _, cur := range *country.SupportedCurrencies {
			if !gen.Currency(cur).Valid() {
				return nil, fmt.Errorf("country %s: supported currency %q is not a currency of spec/monime.yaml", country.Code, cur)
			}
		}
		c.countries = append(c.countries, country)
	}
	return c, nil
}

// view is country as a request under version sees it (nil: the latest):
// its supported currencies are those the release supports.
func (c *countryCatalog) view(country gen.Country, version *gen.MonimeVersion) gen.Country {
	v := gen.MonimeVersionCaph20250823
	if version != nil && version.Valid() {
		v = *version
	}
	out := country
	supported := []string{}
	for _, cur := range *country.SupportedCurrencies {
		if slices.Contains(c.releases[v], cur) {
			supported = append(supported, cur)
		}
	}
	out.SupportedCurrencies = &supported
	return out
}

// countriesScope is what a cursor of the countries list names.
const countriesScope = "/v1/countries"

// ListCountries implements GET /v1/countries: the countries of the data
// file, in its order, limit 1 to 50 (default 10), each with the
// currencies the request's Monime-Version supports. Like the provider
// reads it needs no Monime-Space-Id: the countries are Monime's.
func (h *handlers) ListCountries(ctx context.Context, req server.ListCountriesRequestObject) (server.ListCountriesResponseObject, error) {
	info := infoFrom(ctx)
	p := req.Params
	n, _, e := pageRequest("", p.Limit, nil)
	var from uint64
	if e == nil && p.After != nil && *p.After != "" {
		if from, e = decodeCursor(countriesScope, *p.After); e != nil {
			e = validationError("the after cursor is not one GET /v1/countries issued; pass pagination.next of the previous page unchanged, or omit after to start from the first",
				detail("after", "is not a cursor of this list"))
		}
	}
	if e != nil {
		return server.ListCountries400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	page := []gen.Country{}
	var last uint64
	more := false
	for i, country := range countries.countries {
		seq := uint64(i + 1)
		if seq <= from {
			continue
		}
		if len(page) == n {
			more = true
			break
		}
		page = append(page, countries.view(country, p.MonimeVersion))
		last = seq
	}
	return server.ListCountries200JSONResponse{
		Body:    gen.CountryListEnvelope{Success: true, Messages: &gen.Messages{}, Result: page, Pagination: pageInfo(countriesScope, len(page), last, more)},
		Headers: server.ListCountries200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetCountry implements GET /v1/countries/{countryCode}; a code Monime
// does not operate in is 404.
func (h *handlers) GetCountry(ctx context.Context, req server.GetCountryRequestObject) (server.GetCountryResponseObject, error) {
	info := infoFrom(ctx)
	i := slices.IndexFunc(countries.countries, func(c gen.Country) bool { return c.Code == req.CountryCode })
	if i < 0 {
		codes := make([]string, len(countries.countries))
		for j, c := range countries.countries {
			codes[j] = c.Code
		}
		e := &apiError{status: http.StatusNotFound, reason: ReasonNotFound,
			message: fmt.Sprintf("no country %q: Monime operates in %v (GET /v1/countries)", req.CountryCode, codes)}
		return server.GetCountry404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetCountry200JSONResponse{
		Body:    gen.CountryEnvelope{Success: true, Messages: &gen.Messages{}, Result: countries.view(countries.countries[i], req.Params.MonimeVersion)},
		Headers: server.GetCountry200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
