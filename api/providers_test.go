package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/monimekit/monime-go/gen"
)

// upstreamProviderIDs reads Monime's document and returns, for each
// provider type, every provider id it lists for that type: the providerId
// enum of each schema whose type is fixed to bank, momo or wallet (payout
// destinations, payment channels), and the enabledProviders and
// disabledProviders of each bank, momo and wallet payment option.
func upstreamProviderIDs(t *testing.T) map[string][]string {
	t.Helper()
	path := os.Getenv("MONIME_UPSTREAM_SPEC")
	if path == "" {
		path = "../shared/upstream/monime-openapi-caph.2025-08-23.yaml"
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join("..", path) // relative to the repository root
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		msg := "Monime's published document is not at " + path + "; set MONIME_UPSTREAM_SPEC"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (mandatory only when CI=true)")
	}
	require.NoError(t, err)
	var doc any
	require.NoError(t, yaml.Unmarshal(b, &doc))
	ids := map[string][]string{}
	add := func(kind string, found []string) {
		if !slices.Contains([]string{ProviderBank, ProviderMomo, ProviderWallet}, kind) {
			return
		}
		for _, id := range found {
			if !slices.Contains(ids[kind], id) {
				ids[kind] = append(ids[kind], id)
			}
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				if kind := fixedEnum(props["type"]); len(kind) == 1 {
					add(kind[0], fixedEnum(props["providerId"]))
				}
				for _, kind := range []string{ProviderBank, ProviderMomo, ProviderWallet} {
					option, _ := props[kind].(map[string]any)
					optionProps, _ := option["properties"].(map[string]any)
					for _, list := range []string{"enabledProviders", "disabledProviders"} {
						items, _ := optionProps[list].(map[string]any)
						add(kind, fixedEnum(items["items"]))
					}
				}
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
	for _, kind := range []string{ProviderBank, ProviderMomo, ProviderWallet} {
		require.NotEmpty(t, ids[kind], "Monime's document lists no %s provider ids where this test looks; has its shape changed?", kind)
		slices.Sort(ids[kind])
	}
	return ids
}

// fixedEnum is the enum of a schema, or nil.
func fixedEnum(schema any) []string {
	m, _ := schema.(map[string]any)
	values, _ := m["enum"].([]any)
	var out []string
	for _, v := range values {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// The data file holds exactly the providers Monime's document lists, each
// under its type.
func TestProvidersMatchMonimesDocument(t *testing.T) {
	want := upstreamProviderIDs(t)
	for _, kind := range []string{ProviderBank, ProviderMomo, ProviderWallet} {
		got := slices.Sorted(slices.Values(catalog.idsOf(kind)))
		assert.Equal(t, want[kind], got, "%s providers of data/providers.json", kind)
	}
	assert.Len(t, Providers(), len(want[ProviderBank])+len(want[ProviderMomo])+len(want[ProviderWallet]), "no provider of another type")
}

func TestProvidersReadAPI(t *testing.T) {
	all := Providers()
	require.NotEmpty(t, all)
	for _, p := range all {
		got, ok := ProviderByID(p.ID)
		assert.True(t, ok, p.ID)
		assert.Equal(t, p, got)
		assert.NotEmpty(t, p.Name, p.ID)
		assert.Equal(t, "SL", p.Country, p.ID)
	}
	m17, ok := ProviderByID("m17")
	assert.True(t, ok)
	assert.Equal(t, ProviderInfo{ID: "m17", Type: ProviderMomo, Name: "Orange Money", Country: "SL"}, m17)
	dw, _ := ProviderByID("dw001")
	assert.Equal(t, ProviderWallet, dw.Type)
	assert.Equal(t, "SafulPay", dw.Name)
	_, ok = ProviderByID("slb999")
	assert.False(t, ok)
	all[0].Name = "changed"
	assert.NotEqual(t, "changed", Providers()[0].Name, "Providers returns a copy")
}

// withAndWithoutSpace runs fn with the requests' Monime-Space-Id header
// set to the default space and left out: the provider operations take
// none, as in Monime's document.
func withAndWithoutSpace(t *testing.T, fn func(t *testing.T, f *fixture, space *string)) {
	for name, space := range map[string]*string{"with Monime-Space-Id": nil, "without Monime-Space-Id": ptr("")} {
		t.Run(name, func(t *testing.T) { fn(t, newFixture(t), space) })
	}
}

func (f *fixture) providerList(path string, query url.Values, space *string) gen.ProviderListEnvelope {
	f.t.Helper()
	res := f.send(req{method: http.MethodGet, path: path + "?" + query.Encode(), space: space})
	require.Equal(f.t, http.StatusOK, res.status, "%s: %s", path, res.body)
	var env gen.ProviderListEnvelope
	require.NoError(f.t, strictJSON(res.body, &env), "%s", res.body)
	require.True(f.t, env.Success)
	return env
}

func providerIDs(ps []gen.Provider) []string {
	ids := []string{}
	for _, p := range ps {
		ids = append(ids, p.ProviderId)
	}
	return ids
}

func TestListProviders(t *testing.T) {
	withAndWithoutSpace(t, func(t *testing.T, f *fixture, space *string) {
		banks := f.providerList("/v1/banks", url.Values{"country": {"SL"}}, space)
		assert.Equal(t, []string{"slb001", "slb004", "slb007"}, providerIDs(banks.Result))
		assert.Equal(t, gen.Pagination{Count: 3}, banks.Pagination)
		slb004 := banks.Result[1]
		assert.Equal(t, "Guarantee Trust Bank", slb004.Name)
		assert.Equal(t, "SL", slb004.Country)
		assert.True(t, slb004.Status.Active)
		require.NotNil(t, slb004.FeatureSet.Payout)
		assert.Equal(t, ptr(true), slb004.FeatureSet.Payout.CanPayTo)
		require.NotNil(t, slb004.FeatureSet.KycVerification)
		assert.Equal(t, ptr(true), slb004.FeatureSet.KycVerification.CanVerifyAccount)
		assert.Nil(t, slb004.UpdateTime)

		momos := f.providerList("/v1/momos", url.Values{"country": {"SL"}}, space)
		assert.Equal(t, []string{"m17", "m18"}, providerIDs(momos.Result), "no wallet in either list")
		assert.Equal(t, "Orange Money", momos.Result[0].Name)

		for _, path := range []string{"/v1/banks", "/v1/momos"} {
			empty := f.providerList(path, url.Values{"country": {"GH"}}, space)
			assert.Equal(t, []gen.Provider{}, empty.Result, "%s: a country without providers", path)
			assert.Equal(t, gen.Pagination{Count: 0}, empty.Pagination)
		}
	})
}

func TestListProvidersPages(t *testing.T) {
	withAndWithoutSpace(t, func(t *testing.T, f *fixture, space *string) {
		first := f.providerList("/v1/banks", url.Values{"country": {"SL"}, "limit": {"2"}}, space)
		assert.Equal(t, []string{"slb001", "slb004"}, providerIDs(first.Result))
		require.NotNil(t, first.Pagination.Next)
		second := f.providerList("/v1/banks", url.Values{"country": {"SL"}, "limit": {"2"}, "after": {*first.Pagination.Next}}, space)
		assert.Equal(t, []string{"slb007"}, providerIDs(second.Result))
		assert.Nil(t, second.Pagination.Next)
		again := f.providerList("/v1/banks", url.Values{"country": {"SL"}, "limit": {"2"}}, space)
		assert.Equal(t, first, again, "the same page every time")

		one := f.providerList("/v1/momos", url.Values{"country": {"SL"}, "limit": {"1"}}, space)
		assert.Equal(t, []string{"m17"}, providerIDs(one.Result))
		require.NotNil(t, one.Pagination.Next)
		rest := f.providerList("/v1/momos", url.Values{"country": {"SL"}, "after": {*one.Pagination.Next}}, space)
		assert.Equal(t, []string{"m18"}, providerIDs(rest.Result))
		assert.Nil(t, rest.Pagination.Next)

		for name, tc := range map[string]struct{ path, query, field string }{
			"a momo cursor on banks":      {"/v1/banks", "country=SL&after=" + *one.Pagination.Next, "after"},
			"a cursor of another country": {"/v1/banks", "country=GH&after=" + *first.Pagination.Next, "after"},
			"a cursor of no list":         {"/v1/banks", "country=SL&after=bogus", "after"},
			"limit 0":                     {"/v1/banks", "country=SL&limit=0", "limit"},
			"limit 51":                    {"/v1/momos", "country=SL&limit=51", "limit"},
			"no country":                  {"/v1/banks", "", "country"},
			"a lower-case country":        {"/v1/momos", "country=sl", "country"},
		} {
			res := f.send(req{method: http.MethodGet, path: tc.path + "?" + tc.query, space: space})
			require.Equal(t, http.StatusBadRequest, res.status, "%s: %s", name, res.body)
			e := res.apiErr(t)
			assert.Equal(t, ReasonValidation, e.Reason, name)
			assert.Contains(t, fields(e), tc.field, "%s: %s", name, res.body)
		}
	})
}

func TestGetProvider(t *testing.T) {
	withAndWithoutSpace(t, func(t *testing.T, f *fixture, space *string) {
		get := func(path string) (gen.Provider, response) {
			res := f.send(req{method: http.MethodGet, path: path, space: space})
			var env gen.ProviderEnvelope
			if res.status == http.StatusOK {
				require.NoError(t, strictJSON(res.body, &env), "%s", res.body)
			}
			return env.Result, res
		}
		bank, res := get("/v1/banks/slb001")
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		assert.Equal(t, "Sierra Leone Commercial Bank", bank.Name)
		list := f.providerList("/v1/banks", url.Values{"country": {"SL"}}, space)
		assert.Equal(t, list.Result[0], bank, "a get shows what the list shows")
		momo, res := get("/v1/momos/m18")
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		assert.Equal(t, "m18", momo.ProviderId)

		for path, message := range map[string]string{
			"/v1/banks/m17":    "m17 is a mobile-money provider; read it with GET /v1/momos/m17",
			"/v1/momos/slb004": "slb004 is a bank; read it with GET /v1/banks/slb004",
			"/v1/banks/dw001":  "dw001 is a wallet",
			"/v1/momos/dw001":  "dw001 is a wallet",
			"/v1/banks/slb999": "slb001, slb004, slb007",
			"/v1/momos/m99":    "m17, m18",
		} {
			_, res := get(path)
			require.Equal(t, http.StatusNotFound, res.status, "%s: %s", path, res.body)
			e := res.apiErr(t)
			assert.Equal(t, ReasonNotFound, e.Reason, path)
			assert.Contains(t, e.Message, message, path)
		}
	})
}

func (f *fixture) kyc(provider, account string, space *string) (gen.ProviderKYC, response) {
	f.t.Helper()
	res := f.send(req{method: http.MethodGet, path: "/v1/provider-kyc/" + provider + "?" + url.Values{"accountId": {account}}.Encode(), space: space})
	var env gen.ProviderKYCEnvelope
	if res.status == http.StatusOK {
		require.NoError(f.t, strictJSON(res.body, &env), "%s", res.body)
		require.True(f.t, env.Success)
	}
	return env.Result, res
}

func TestProviderKYC(t *testing.T) {
	withAndWithoutSpace(t, func(t *testing.T, f *fixture, space *string) {
		for _, p := range Providers() {
			account := map[string]string{ProviderMomo: "+23276123456", ProviderBank: "0123456789", ProviderWallet: "w-123456"}[p.Type]
			kyc, res := f.kyc(p.ID, account, space)
			require.Equal(t, http.StatusOK, res.status, "%s: %s", p.ID, res.body)
			assert.Equal(t, account, kyc.Account.Id)
			given, family, ok := strings.Cut(kyc.Account.HolderName, " ")
			require.True(t, ok, kyc.Account.HolderName)
			assert.Contains(t, catalog.given, given)
			assert.Contains(t, catalog.family, family)
			assert.Equal(t, &kyc.Account.HolderName, kyc.Account.Name)
			assert.Equal(t, p.ID, kyc.Provider.Id)
			assert.Equal(t, gen.ProviderKYCProviderType(p.Type), kyc.Provider.Type)
			assert.Equal(t, p.Name, kyc.Provider.Name)
			again, _ := f.kyc(p.ID, account, space)
			assert.Equal(t, kyc, again, "%s: the same holder every time", p.ID)
		}
	})
}

// A holder's name depends on the provider and the account only, and is
// spread over the name lists.
func TestProviderKYCHolderNames(t *testing.T) {
	f := newFixture(t)
	a, _ := f.kyc("m17", "+23276123456", nil)
	b, _ := f.kyc("m17", "+23276123456", ptr(""))
	assert.Equal(t, a, b, "the space header changes nothing")
	// Pinned: a changed hash or name list changes every holder a test may
	// have recorded.
	assert.Equal(t, catalog.holderName("m17", "+23276123456"), a.Account.HolderName)
	names := map[string]bool{}
	for _, account := range []string{"+23276111111", "+23276222222", "+23276333333", "+23277444444", "+23277555555", "+23230666666", "+23288777777", "+23299888888"} {
		names[catalog.holderName("m17", account)] = true
	}
	assert.Greater(t, len(names), 4, "different accounts, mostly different holders: %v", names)
}

func TestProviderKYCNotFound(t *testing.T) {
	withAndWithoutSpace(t, func(t *testing.T, f *fixture, space *string) {
		for _, tc := range []struct{ provider, account, message string }{
			{"m17", KYCMissingPhoneNumber, "no such account at the provider"},
			{"m18", KYCMissingPhoneNumber, "no such account at the provider"},
			{"slb001", KYCMissingAccountNumber, "no such account at the provider"},
			{"slb007", KYCMissingAccountNumber, "no such account at the provider"},
			{"dw001", KYCMissingWalletID, "no such account at the provider"},
			{"m99", "+23276123456", `no provider "m99"`},
			{"slb999", "0123456789", "slb001, slb004, slb007, m17, m18, dw001"},
		} {
			_, res := f.kyc(tc.provider, tc.account, space)
			require.Equal(t, http.StatusNotFound, res.status, "%s %s: %s", tc.provider, tc.account, res.body)
			e := res.apiErr(t)
			assert.Equal(t, ReasonNotFound, e.Reason)
			assert.Contains(t, e.Message, tc.message)
		}
		// A test account is missing at providers of its type only.
		for provider, account := range map[string]string{"slb001": KYCMissingPhoneNumber, "m17": KYCMissingAccountNumber, "m18": KYCMissingWalletID} {
			_, res := f.kyc(provider, account, space)
			assert.Equal(t, http.StatusOK, res.status, "%s %s: %s", provider, account, res.body)
		}
		res := f.send(req{method: http.MethodGet, path: "/v1/provider-kyc/m17", space: space})
		require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
		assert.Contains(t, fields(res.apiErr(t)), "accountId")
	})
}

// The provider operations need a valid token, as every operation does.
func TestProvidersNeedAToken(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/v1/banks?country=SL", "/v1/banks/slb001", "/v1/momos?country=SL", "/v1/momos/m17", "/v1/provider-kyc/m17?accountId=%2B23276123456"} {
		for _, token := range []string{"", "mon_test_wrong"} {
			res := f.send(req{method: http.MethodGet, path: path, token: ptr(token), space: ptr("")})
			require.Equal(t, http.StatusUnauthorized, res.status, "%s: %s", path, res.body)
			assert.Equal(t, ReasonUnauthorized, res.apiErr(t).Reason)
		}
		// A space header is optional, but one sent still names a space
		// the token may act in.
		res := f.send(req{method: http.MethodGet, path: path, space: ptr("spc-someone-else")})
		require.Equal(t, http.StatusForbidden, res.status, "%s: %s", path, res.body)
		assert.Equal(t, ReasonForbidden, res.apiErr(t).Reason)
	}
}

func TestParseCatalogRefusesBadFiles(t *testing.T) {
	good := func(edit func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(providersJSON, &m))
		edit(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}
	first := func(m map[string]any) map[string]any { return m["providers"].([]any)[0].(map[string]any) }
	_, err := parseCatalog(good(func(map[string]any) {}))
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		edit func(m map[string]any)
		want string
	}{
		"an unknown member":  {func(m map[string]any) { first(m)["colour"] = "red" }, "colour"},
		"an unknown feature": {func(m map[string]any) { first(m)["featureSet"].(map[string]any)["refunds"] = map[string]any{} }, "refunds"},
		"a repeated id":      {func(m map[string]any) { first(m)["id"] = "m17" }, "repeated"},
		"an unknown type":    {func(m map[string]any) { first(m)["type"] = "card" }, "type"},
		"no name":            {func(m map[string]any) { delete(first(m), "name") }, "no name"},
		"a bad country":      {func(m map[string]any) { first(m)["country"] = "Sierra Leone" }, "country"},
		"no createTime":      {func(m map[string]any) { delete(first(m), "createTime") }, "createTime"},
		"no featureSet":      {func(m map[string]any) { delete(first(m), "featureSet") }, "featureSet"},
		"no family names":    {func(m map[string]any) { m["holderNames"].(map[string]any)["family"] = []any{} }, "holderNames"},
	} {
		_, err := parseCatalog(good(tc.edit))
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
	_, err = parseCatalog(append(good(func(map[string]any) {}), []byte(` {}`)...))
	assert.Error(t, err, "data after the JSON value")
}
