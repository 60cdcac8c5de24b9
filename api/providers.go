package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// The fake's banks, mobile-money providers and wallets, and what each
// supports, come from data/providers.json, not from code: the providers
// Monime's document lists (banks slb001, slb004 and slb007, mobile money
// m17 and m18, wallet dw001, all in Sierra Leone), a test holding the file
// to that document. The file also holds the given and family names that
// provider KYC draws holder names from.

// The types of a provider, as Monime names them in payout destinations and
// provider KYC.
const (
	ProviderBank   = "bank"
	ProviderMomo   = "momo"
	ProviderWallet = "wallet"
)

// The account ids provider KYC answers 404 not_found for ("no such account
// at the provider"), at every provider of their type, so that a test can
// see what a mistyped account looks like: a phone number at a mobile-money
// provider, an account number at a bank, a wallet id at a wallet. Every
// other account id has a holder (see GetProviderKYC).
const (
	KYCMissingPhoneNumber   = "+23276000000"
	KYCMissingAccountNumber = "0000000000"
	KYCMissingWalletID      = "w-000000"
)

// kycMissing is the test account of each provider type.
var kycMissing = map[string]string{
	ProviderMomo: KYCMissingPhoneNumber, ProviderBank: KYCMissingAccountNumber, ProviderWallet: KYCMissingWalletID,
}

// ProviderInfo is one provider of the fake, as other code needs to name it.
type ProviderInfo struct {
	// ID is Monime's id for it, such as "slb001", "m17" or "dw001".
	ID string
	// Type is ProviderBank, ProviderMomo or ProviderWallet.
	Type string
	// Name is its name, such as "Orange Money".
	Name string
	// Country is where it operates, ISO 3166-1 alpha-2 ("SL").
	Country string
}

// Providers returns every provider of the fake, in a stable order: banks,
// mobile-money providers and wallets as the data file lists them.
func Providers() []ProviderInfo {
	out := make([]ProviderInfo, len(catalog.providers))
	for i, p := range catalog.providers {
		out[i] = p.info
	}
	return out
}

// ProviderByID returns the provider with id, and whether there is one.
func ProviderByID(id string) (ProviderInfo, bool) {
	if p := catalog.byID(id); p != nil {
		return p.info, true
	}
	return ProviderInfo{}, false
}

//go:embed data/providers.json
var providersJSON []byte

// catalogFile is the shape of data/providers.json.
type catalogFile struct {
	Providers []struct {
		ID         string          `json:"id"`
		Type       string          `json:"type"`
		Name       string          `json:"name"`
		Country    string          `json:"country"`
		Active     bool            `json:"active"`
		FeatureSet json.RawMessage `json:"featureSet"`
		CreateTime time.Time       `json:"createTime"`
		UpdateTime *time.Time      `json:"updateTime"`
	} `json:"providers"`
	HolderNames struct {
		Given  []string `json:"given"`
		Family []string `json:"family"`
	} `json:"holderNames"`
}

// provider is one provider of the catalog: what the API shows of it, and
// its position (from 1) in the file, which list cursors name.
type provider struct {
	info ProviderInfo
	seq  uint64
	view gen.Provider
}

// providerCatalog is data/providers.json, read and checked.
type providerCatalog struct {
	providers     []*provider
	given, family []string
}

func (c *providerCatalog) byID(id string) *provider {
	for _, p := range c.providers {
		if p.info.ID == id {
			return p
		}
	}
	return nil
}

// idsOf lists the ids of the providers of type kind.
func (c *providerCatalog) idsOf(kind string) []string {
	var ids []string
	for _, p := range c.providers {
		if p.info.Type == kind {
			ids = append(ids, p.info.ID)
		}
	}
	return ids
}

// catalog is the fake's providers. The file is part of the module, so one
// that does not load is a bug the tests catch.
var catalog = func() *providerCatalog {
	c, err := parseCatalog(providersJSON)
	if err != nil {
		panic("api: data/providers.json: " + err.Error())
	}
	return c
}()

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// parseCatalog reads a providers file strictly: unknown members, a
// repeated id, an unknown type, a bad country or a missing name, time,
// feature set or name list are errors.
func parseCatalog(b []byte) (*providerCatalog, error) {
	var f catalogFile
	if err := strictJSON(b, &f); err != nil {
		return nil, err
	}
	if len(f.HolderNames.Given) == 0 || len(f.HolderNames.Family) == 0 {
		return nil, fmt.Errorf("holderNames needs given and family names")
	}
	c := &providerCatalog{given: f.HolderNames.Given, family: f.HolderNames.Family}
	for i, fp := range f.Providers {
		switch {
		case fp.ID == "" || c.byID(fp.ID) != nil:
			return nil, fmt.Errorf("provider %d: id %q is empty or repeated", i+1, fp.ID)
		case !slices.Contains([]string{ProviderBank, ProviderMomo, ProviderWallet}, fp.Type):
			return nil, fmt.Errorf("provider %s: type %q is none of bank, momo, wallet", fp.ID, fp.Type)
		case fp.Name == "":
			return nil, fmt.Errorf("provider %s: no name", fp.ID)
		case !countryCode.MatchString(fp.Country):
			return nil, fmt.Errorf("provider %s: country %q is no ISO 3166-1 alpha-2 code", fp.ID, fp.Country)
		case fp.CreateTime.IsZero():
			return nil, fmt.Errorf("provider %s: no createTime", fp.ID)
		case len(fp.FeatureSet) == 0:
			return nil, fmt.Errorf("provider %s: no featureSet", fp.ID)
		}
		p := &provider{
			info: ProviderInfo{ID: fp.ID, Type: fp.Type, Name: fp.Name, Country: fp.Country},
			seq:  uint64(i + 1),
			view: gen.Provider{ProviderId: fp.ID, Name: fp.Name, Country: fp.Country, CreateTime: fp.CreateTime.UTC(), UpdateTime: fp.UpdateTime},
		}
		p.view.Status.Active = fp.Active
		if err := strictJSON(fp.FeatureSet, &p.view.FeatureSet); err != nil {
			return nil, fmt.Errorf("provider %s: featureSet: %w", fp.ID, err)
		}
		c.providers = append(c.providers, p)
	}
	return c, nil
}

// strictJSON decodes b into v, refusing unknown members and trailing data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}

// kindNames is how messages name a provider type, and the path of its
// list where it has one.
var kindNames = map[string]struct{ one, path string }{
	ProviderBank:   {"bank", "/v1/banks"},
	ProviderMomo:   {"mobile-money provider", "/v1/momos"},
	ProviderWallet: {"wallet", ""},
}

// noProvider is the 404 of an id that names no provider of type kind (""
// for any type).
func noProvider(kind, id string) *apiError {
	var msg string
	switch p := catalog.byID(id); {
	case kind == "":
		msg = fmt.Sprintf("no provider %q; Monime's providers are %s", id, strings.Join(slices.Concat(catalog.idsOf(ProviderBank), catalog.idsOf(ProviderMomo), catalog.idsOf(ProviderWallet)), ", "))
	case p != nil:
		msg = fmt.Sprintf("no %s %q: %s is a %s", kindNames[kind].one, id, id, kindNames[p.info.Type].one)
		if path := kindNames[p.info.Type].path; path != "" {
			msg += "; read it with GET " + path + "/" + id
		}
	default:
		msg = fmt.Sprintf("no %s %q; Monime's are %s (GET %s?country=SL)", kindNames[kind].one, id, strings.Join(catalog.idsOf(kind), ", "), kindNames[kind].path)
	}
	return &apiError{status: http.StatusNotFound, reason: ReasonNotFound, message: msg}
}

// listProviders is one page of the providers of type kind in country, in
// the file's order, after the cursor after; a cursor names the list and
// country it came from, and is refused by any other.
func listProviders(kind, country string, limit *int, after *string) ([]gen.Provider, gen.Pagination, *apiError) {
	scope := kindNames[kind].path + "?country=" + country
	n, _, e := pageRequest("", limit, nil)
	if e != nil {
		return nil, gen.Pagination{}, e
	}
	var from uint64
	if after != nil && *after != "" {
		var ce *apiError
		if from, ce = decodeCursor(scope, *after); ce != nil {
			return nil, gen.Pagination{}, validationError(fmt.Sprintf("the after cursor is not one GET %s issued; pass pagination.next of the previous page unchanged, or omit after to start from the first", scope),
				detail("after", "is not a cursor of this list"))
		}
	}
	page := []gen.Provider{}
	var last uint64
	more := false
	for _, p := range catalog.providers {
		if p.info.Type != kind || p.info.Country != country || p.seq <= from {
			continue
		}
		if len(page) == n {
			more = true
			break
		}
		page = append(page, p.view)
		last = p.seq
	}
	return page, pageInfo(scope, len(page), last, more), nil
}

// getProvider is the provider id of type kind, or its 404.
func getProvider(kind, id string) (gen.Provider, *apiError) {
	p := catalog.byID(id)
	if p == nil || p.info.Type != kind {
		return gen.Provider{}, noProvider(kind, id)
	}
	return p.view, nil
}

// ListBanks implements GET /v1/banks: the banks of a country, in the data
// file's order, limit 1 to 50 (default 10). A country with none, such as
// GH, gives an empty page. Like all provider reads it needs no
// Monime-Space-Id: the providers are Monime's, not a space's.
func (h *handlers) ListBanks(ctx context.Context, req server.ListBanksRequestObject) (server.ListBanksResponseObject, error) {
	info := infoFrom(ctx)
	page, pagination, e := listProviders(ProviderBank, req.Params.Country, req.Params.Limit, req.Params.After)
	if e != nil {
		return server.ListBanks400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	return server.ListBanks200JSONResponse{
		Body:    gen.ProviderListEnvelope{Success: true, Messages: &gen.Messages{}, Result: page, Pagination: pagination},
		Headers: server.ListBanks200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetBank implements GET /v1/banks/{providerId}; an id that is no bank
// (a mobile-money provider's among them) is 404.
func (h *handlers) GetBank(ctx context.Context, req server.GetBankRequestObject) (server.GetBankResponseObject, error) {
	info := infoFrom(ctx)
	view, e := getProvider(ProviderBank, req.ProviderId)
	if e != nil {
		return server.GetBank404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetBank200JSONResponse{
		Body:    gen.ProviderEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetBank200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// ListMomos implements GET /v1/momos, as ListBanks for mobile-money
// providers.
func (h *handlers) ListMomos(ctx context.Context, req server.ListMomosRequestObject) (server.ListMomosResponseObject, error) {
	info := infoFrom(ctx)
	page, pagination, e := listProviders(ProviderMomo, req.Params.Country, req.Params.Limit, req.Params.After)
	if e != nil {
		return server.ListMomos400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	return server.ListMomos200JSONResponse{
		Body:    gen.ProviderListEnvelope{Success: true, Messages: &gen.Messages{}, Result: page, Pagination: pagination},
		Headers: server.ListMomos200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetMomo implements GET /v1/momos/{providerId}, as GetBank for
// mobile-money providers.
func (h *handlers) GetMomo(ctx context.Context, req server.GetMomoRequestObject) (server.GetMomoResponseObject, error) {
	info := infoFrom(ctx)
	view, e := getProvider(ProviderMomo, req.ProviderId)
	if e != nil {
		return server.GetMomo404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetMomo200JSONResponse{
		Body:    gen.ProviderEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetMomo200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetProviderKYC implements GET /v1/provider-kyc/{providerId}?accountId=:
// the holder of an account at any provider, bank, mobile money or wallet.
// The fake knows no real accounts: every account id has a holder whose
// name is drawn, by a hash of the provider and account ids, from the data
// file's common Sierra Leonean given and family names, so the same account
// always has the same holder. The one exception per provider type is its
// test account (KYCMissingPhoneNumber, KYCMissingAccountNumber,
// KYCMissingWalletID), which answers 404 not_found: no such account at the
// provider. An unknown provider is 404 too.
func (h *handlers) GetProviderKYC(ctx context.Context, req server.GetProviderKYCRequestObject) (server.GetProviderKYCResponseObject, error) {
	info := infoFrom(ctx)
	p := catalog.byID(req.ProviderId)
	if p == nil {
		return server.GetProviderKYC404JSONResponse{NotFoundJSONResponse: noProvider("", req.ProviderId).notFound(info.id)}, nil
	}
	account := req.Params.AccountId
	if account == kycMissing[p.info.Type] {
		e := &apiError{status: http.StatusNotFound, reason: ReasonNotFound, message: fmt.Sprintf(
			"no such account at the provider: %s (%s) has no account %q (the fake's test account for a missing %s account)", p.info.Name, p.info.ID, account, p.info.Type)}
		return server.GetProviderKYC404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	var kyc gen.ProviderKYC
	kyc.Account.Id = account
	holder := catalog.holderName(p.info.ID, account)
	kyc.Account.HolderName, kyc.Account.Name = holder, &holder // the name Monime shows is the holder's
	kyc.Provider.Id = p.info.ID
	kyc.Provider.Type = gen.ProviderKYCProviderType(p.info.Type)
	kyc.Provider.Name = p.info.Name
	return server.GetProviderKYC200JSONResponse{
		Body:    gen.ProviderKYCEnvelope{Success: true, Messages: &gen.Messages{}, Result: kyc},
		Headers: server.GetProviderKYC200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// holderName is the holder of account at provider: a given and a family
// name, each picked by its own half of the first 8 bytes of
// SHA-256(provider NUL account).
func (c *providerCatalog) holderName(provider, account string) string {
	sum := sha256.Sum256([]byte(provider + "\x00" + account))
	h := binary.BigEndian.Uint64(sum[:8])
	return c.given[(h>>32)%uint64(len(c.given))] + " " + c.family[(h&0xffffffff)%uint64(len(c.family))]
}
