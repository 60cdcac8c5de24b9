package monime

import (
	"context"
	"errors"
	"iter"
	"math"
	"net/http"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// BanksService reads the banks Monime supports. Reach it as Client.Banks.
type BanksService service

// MomosService reads the mobile-money operators Monime supports. Reach it
// as Client.Momos.
type MomosService service

// ProviderKYCService looks up who holds an account at a provider, to check
// before paying out. Reach it as Client.ProviderKYC.
type ProviderKYCService service

var (
	banks = resource[providerJSON, Provider, *providerJSON]{name: "Banks", what: "bank", path: "/v1/banks",
		id: func(p *Provider) string { return p.ProviderID }}
	momos = resource[providerJSON, Provider, *providerJSON]{name: "Momos", what: "mobile-money provider", path: "/v1/momos",
		id: func(p *Provider) string { return p.ProviderID }}
	kycs = resource[kycJSON, ProviderKYC, *kycJSON]{name: "ProviderKYC", what: "account holder", path: "/v1/provider-kyc",
		id: func(k *ProviderKYC) string { return k.Account.ID }}
)

// List returns one page of the banks Monime supports in a country
// (ListBanks, GET /v1/banks). params.Country is required.
func (s *BanksService) List(ctx context.Context, params *ProviderListParams, opts ...CallOption) (*Page[Provider], error) {
	p := valueOr(params)
	return banks.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		return gen.NewListBanksRequest(server, &gen.ListBanksParams{Country: p.Country, Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
}

// All iterates over every bank of params.Country, fetching pages as the
// loop needs them; see CheckoutSessionsService.All.
func (s *BanksService) All(ctx context.Context, params *ProviderListParams, opts ...CallOption) iter.Seq2[*Provider, error] {
	p := valueOr(params)
	return banks.all(&p.After, func() (*Page[Provider], error) { return s.List(ctx, &p, opts...) })
}

// Get returns the bank providerID, such as "slb001" (GetBank,
// GET /v1/banks/{providerId}). An unknown id is an error matching
// ErrNotFound.
func (s *BanksService) Get(ctx context.Context, providerID string, opts ...CallOption) (*Provider, error) {
	return banks.get(ctx, clientOf(s), providerID, nil, func(server string) (*http.Request, error) {
		return gen.NewGetBankRequest(server, providerID, nil)
	}, opts)
}

// List returns one page of the mobile-money operators Monime supports in a
// country (ListMomos, GET /v1/momos). params.Country is required.
func (s *MomosService) List(ctx context.Context, params *ProviderListParams, opts ...CallOption) (*Page[Provider], error) {
	p := valueOr(params)
	return momos.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		return gen.NewListMomosRequest(server, &gen.ListMomosParams{Country: p.Country, Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
}

// All iterates over every mobile-money operator of params.Country,
// fetching pages as the loop needs them; see CheckoutSessionsService.All.
func (s *MomosService) All(ctx context.Context, params *ProviderListParams, opts ...CallOption) iter.Seq2[*Provider, error] {
	p := valueOr(params)
	return momos.all(&p.After, func() (*Page[Provider], error) { return s.List(ctx, &p, opts...) })
}

// Get returns the mobile-money operator providerID, such as "m17" (GetMomo,
// GET /v1/momos/{providerId}). An unknown id is an error matching
// ErrNotFound.
func (s *MomosService) Get(ctx context.Context, providerID string, opts ...CallOption) (*Provider, error) {
	return momos.get(ctx, clientOf(s), providerID, nil, func(server string) (*http.Request, error) {
		return gen.NewGetMomoRequest(server, providerID, nil)
	}, opts)
}

// Get returns who holds the account accountID (a phone number, a bank
// account number or a wallet id) at the provider providerID (GetProviderKYC,
// GET /v1/provider-kyc/{providerId}?accountId=). Compare the holder's name
// with the payee's before paying out. An unknown account is an error
// matching ErrNotFound.
func (s *ProviderKYCService) Get(ctx context.Context, providerID, accountID string, opts ...CallOption) (*ProviderKYC, error) {
	var ps problems
	switch providerID {
	case "":
		ps.add(field("providerId"), "required; pass Monime's id for the provider, such as m17")
	case ".", "..":
		ps.add(field("providerId"), "%q is a path segment, not a provider id; pass one such as m17", providerID)
	}
	if err := ps.err("ProviderKYC.Get"); err != nil {
		return nil, err
	}
	q := kycQuery{accountID}
	return kycs.get(ctx, clientOf(s), providerID, &q, func(server string) (*http.Request, error) {
		return gen.NewGetProviderKYCRequest(server, providerID, &gen.GetProviderKYCParams{AccountId: accountID})
	}, opts)
}

// Provider is a bank, mobile-money operator or wallet Monime works with,
// and what it supports.
type Provider struct {
	// ProviderID is Monime's id for it, such as "slb001" or "m17".
	ProviderID string `json:"providerId"`
	// Name is its name, such as "Orange Money".
	Name string `json:"name"`
	// Country is where it operates (ISO 3166-1 alpha-2, such as "SL").
	Country string `json:"country"`
	// Active says whether Monime works with it now (status.active).
	Active bool `json:"active"`
	// Features says what Monime can do with its accounts (featureSet).
	Features ProviderFeatures `json:"features"`
	// CreateTime is when Monime added it.
	CreateTime time.Time `json:"createTime"`
	// UpdateTime is when it last changed; zero when Monime did not say.
	UpdateTime time.Time `json:"updateTime"`
}

// ProviderFeatures says what Monime can do with accounts at a provider.
type ProviderFeatures struct {
	// Payout is whether Monime can pay out to them.
	Payout PayoutFeature `json:"payout"`
	// Payment is whether Monime can take payments from them.
	Payment PaymentFeature `json:"payment"`
	// KYCVerification is whether Monime can look up their holders.
	KYCVerification KYCFeature `json:"kycVerification"`
}

// PayoutFeature says whether Monime can pay out to accounts at a provider.
type PayoutFeature struct {
	// CanPayTo is true when it can.
	CanPayTo bool `json:"canPayTo"`
	// Schemes are the payment schemes it pays out through.
	Schemes []string `json:"schemes,omitempty"`
	// Metadata describes the feature further.
	Metadata Metadata `json:"metadata,omitempty"`
}

// PaymentFeature says whether Monime can take payments from accounts at a
// provider.
type PaymentFeature struct {
	// CanPayFrom is true when it can.
	CanPayFrom bool `json:"canPayFrom"`
	// Schemes are the payment schemes it takes payments through.
	Schemes []string `json:"schemes,omitempty"`
	// Metadata describes the feature further.
	Metadata Metadata `json:"metadata,omitempty"`
}

// KYCFeature says whether Monime can look up account holders at a provider
// (ProviderKYCService.Get).
type KYCFeature struct {
	// CanVerifyAccount is true when it can.
	CanVerifyAccount bool `json:"canVerifyAccount"`
	// Metadata describes the feature further.
	Metadata Metadata `json:"metadata,omitempty"`
}

// ProviderKYC is the holder of an account at a provider, as the provider
// knows them.
type ProviderKYC struct {
	// Account is the account and its holder.
	Account KYCAccount `json:"account"`
	// Provider is the provider that holds it.
	Provider KYCProvider `json:"provider"`
}

// KYCAccount is an account at a provider and who holds it.
type KYCAccount struct {
	// ID is the account, as asked for: a phone number, an account number.
	ID string `json:"id"`
	// Name is the account's name at the provider.
	Name string `json:"name,omitempty"`
	// HolderName is the name of the person or business that holds it.
	HolderName string `json:"holderName"`
	// Metadata is what the provider adds.
	Metadata Metadata `json:"metadata,omitempty"`
}

// KYCProvider names the provider of a ProviderKYC.
type KYCProvider struct {
	// ID is Monime's id for the provider, such as "m17".
	ID string `json:"id"`
	// Type is momo, bank or wallet.
	Type string `json:"type"`
	// Name is its name, such as "Orange Money".
	Name string `json:"name"`
}

// ProviderListParams selects a country's providers and pages them.
type ProviderListParams struct {
	// Country is the ISO 3166-1 alpha-2 code, such as "SL"; required.
	Country string
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// Validate checks the country, page size and cursor.
func (p *ProviderListParams) Validate() error {
	return validate("Banks.List or Momos.List", p, APIVersion)
}

func (p *ProviderListParams) check(ps *problems, _ string) {
	checkCountryCode(ps, field("country"), p.Country)
	checkPage(ps, p.Limit, p.After)
}

// kycQuery is the query of ProviderKYCService.Get.
type kycQuery struct{ accountID string }

func (q *kycQuery) check(ps *problems, _ string) {
	ps.text(field("accountId"), q.accountID, math.MaxInt, true)
}

// providerJSON is a provider as Monime sends it: status and features
// nested.
type providerJSON struct {
	Provider
	ProviderID string `json:"providerId" decode:"strict"`
	Status     struct {
		Active bool `json:"active"`
	} `json:"status"`
	FeatureSet ProviderFeatures `json:"featureSet"`
}

// public checks the provider's id.
func (w *providerJSON) public() (*Provider, error) {
	if w.ProviderID == "" {
		return nil, errors.New("the providerId is missing")
	}
	p := &w.Provider
	p.ProviderID, p.Active, p.Features = w.ProviderID, w.Status.Active, w.FeatureSet
	return p, nil
}

// kycJSON is an account holder as Monime sends it. The account's id and
// holder's name are read strictly: they are what a payout is checked by.
type kycJSON struct {
	ProviderKYC
	Account struct {
		KYCAccount
		ID         string `json:"id" decode:"strict"`
		HolderName string `json:"holderName" decode:"strict"`
	} `json:"account" decode:"strict"`
}

// public checks that the answer names the account.
func (w *kycJSON) public() (*ProviderKYC, error) {
	if w.Account.ID == "" {
		return nil, errors.New("the account id is missing")
	}
	k := &w.ProviderKYC
	k.Account = w.Account.KYCAccount
	k.Account.ID, k.Account.HolderName = w.Account.ID, w.Account.HolderName
	return k, nil
}
