package monime

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireProvider is a bank or mobile-money provider as Monime sends it.
func wireProvider(id, name string) map[string]any {
	return map[string]any{
		"providerId": id, "name": name, "country": "SL", "status": map[string]any{"active": true},
		"featureSet": map[string]any{
			"payout":          map[string]any{"canPayTo": true, "schemes": []any{}, "metadata": nil},
			"payment":         map[string]any{"canPayFrom": true, "schemes": []any{"ussd"}, "metadata": map[string]any{"min": "100"}},
			"kycVerification": map[string]any{"canVerifyAccount": true, "metadata": nil},
		},
		"createTime": "2025-01-01T00:00:00Z", "updateTime": nil,
	}
}

// Banks, momos and KYC are not in a space: the spec gives them no
// Monime-Space-Id. The client sends it anyway, as on every call; the
// contract-checked transport shows that it breaks neither document.
func TestProvidersOnTheWire(t *testing.T) {
	var last seenRequest
	c, tr := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/banks":
			writePage(w, wireProvider("slb001", "Sierra Leone Commercial Bank"))
		case "/v1/momos":
			writePage(w, wireProvider("m17", "Orange Money"), wireProvider("m18", "Africell Money"))
		case "/v1/provider-kyc/m17":
			writeResult(w, map[string]any{
				"account":  map[string]any{"id": "+23276123456", "name": "Aminata Kamara", "holderName": "Aminata Kamara", "metadata": nil},
				"provider": map[string]any{"id": "m17", "type": "momo", "name": "Orange Money"}})
		default:
			writeResult(w, wireProvider(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], "X"))
		}
	}))
	ctx := context.Background()

	page, err := c.Banks.List(ctx, &ProviderListParams{Country: "SL", Limit: 10, After: "c1"})
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/banks", "country=SL&limit=10&after=c1", "", testSpace, APIVersion, nil}, last)
	require.Len(t, page.Items, 1)
	assert.Equal(t, Provider{ProviderID: "slb001", Name: "Sierra Leone Commercial Bank", Country: "SL", Active: true,
		Features: ProviderFeatures{Payout: PayoutFeature{CanPayTo: true, Schemes: []string{}},
			Payment:         PaymentFeature{CanPayFrom: true, Schemes: []string{"ussd"}, Metadata: Metadata{"min": "100"}},
			KYCVerification: KYCFeature{CanVerifyAccount: true}},
		CreateTime: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, page.Items[0])

	b, err := c.Banks.Get(ctx, "slb001")
	require.NoError(t, err)
	assert.Equal(t, "slb001", b.ProviderID)
	assert.Equal(t, seenRequest{"GET", "/v1/banks/slb001", "", "", testSpace, APIVersion, nil}, last)

	_, err = c.Momos.List(ctx, &ProviderListParams{Country: "SL"})
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/momos", "country=SL", "", testSpace, APIVersion, nil}, last)
	m, err := c.Momos.Get(ctx, "m17")
	require.NoError(t, err)
	assert.Equal(t, "m17", m.ProviderID)
	assert.Equal(t, "/v1/momos/m17", last.path)

	var ids []string
	for p, err := range c.Momos.All(ctx, &ProviderListParams{Country: "SL"}) {
		require.NoError(t, err)
		ids = append(ids, p.ProviderID)
	}
	assert.Equal(t, []string{"m17", "m18"}, ids)
	for p, err := range c.Banks.All(ctx, &ProviderListParams{Country: "SL"}) {
		require.NoError(t, err)
		assert.Equal(t, "slb001", p.ProviderID)
	}

	k, err := c.ProviderKYC.Get(ctx, "m17", "+23276123456")
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/provider-kyc/m17", "accountId=%2B23276123456", "", testSpace, APIVersion, nil}, last)
	assert.Equal(t, &ProviderKYC{Account: KYCAccount{ID: "+23276123456", Name: "Aminata Kamara", HolderName: "Aminata Kamara"},
		Provider: KYCProvider{ID: "m17", Type: "momo", Name: "Orange Money"}}, k)
	assert.Equal(t, 7, tr.Requests(), "each went through the contract check")
}

func TestProvidersRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	refusedBeforeSending(t, map[string]badCall{
		"banks without params":  {func() error { _, err := c.Banks.List(ctx, nil); return err }, "country"},
		"banks in a lower case": {func() error { _, err := c.Banks.List(ctx, &ProviderListParams{Country: "sl"}); return err }, "country"},
		"momos in a name":       {func() error { _, err := c.Momos.List(ctx, &ProviderListParams{Country: "Sierra Leone"}); return err }, "country"},
		"momos in three letters": {func() error {
			_, err := c.Momos.List(ctx, &ProviderListParams{Country: "SLE"})
			return err
		}, "country"},
		"a page too big":        {func() error { _, err := c.Momos.List(ctx, &ProviderListParams{Country: "SL", Limit: 51}); return err }, "limit"},
		"a bank without an id":  {func() error { _, err := c.Banks.Get(ctx, ""); return err }, "id"},
		"a momo dot segment":    {func() error { _, err := c.Momos.Get(ctx, "."); return err }, "id"},
		"KYC without provider":  {func() error { _, err := c.ProviderKYC.Get(ctx, "", "+23276123456"); return err }, "providerId"},
		"KYC at a dot segment":  {func() error { _, err := c.ProviderKYC.Get(ctx, "..", "+23276123456"); return err }, "providerId"},
		"KYC without account":   {func() error { _, err := c.ProviderKYC.Get(ctx, "m17", ""); return err }, "accountId"},
		"KYC of an odd account": {func() error { _, err := c.ProviderKYC.Get(ctx, "m17", "\xff"); return err }, "accountId"},
	})
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
	assert.NoError(t, (&ProviderListParams{Country: "GH"}).Validate())
}

// A provider's id and an account holder's id and name are read strictly;
// the rest is read when it can be.
func TestProvidersReadIDsStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	answer := func(result string) { body.Store(`{"success":true,"messages":[],"result":` + result + `}`) }
	for _, bad := range []string{`{"name":"x"}`, `{"providerId":17}`, `null`} {
		answer(bad)
		_, err := c.Banks.Get(context.Background(), "slb001")
		assert.Error(t, err, bad)
	}
	answer(`{"providerId":"m19","status":"on","featureSet":{"payout":{"canPayTo":"yes","schemes":[1]},"kycVerification":{"canVerifyAccount":true}},"createTime":1}`)
	p, err := c.Momos.Get(context.Background(), "m19")
	require.NoError(t, err)
	assert.Equal(t, "m19", p.ProviderID)
	assert.False(t, p.Active)
	assert.False(t, p.Features.Payout.CanPayTo)
	assert.True(t, p.Features.KYCVerification.CanVerifyAccount)

	for _, bad := range []string{`{"account":{"holderName":"A"}}`, `{"account":{"id":"+232","holderName":7}}`, `{"account":"+232"}`, `{}`} {
		answer(bad)
		_, err := c.ProviderKYC.Get(context.Background(), "m17", "+232")
		assert.Error(t, err, bad)
	}
	answer(`{"account":{"id":"+232","holderName":"A K","name":5,"metadata":{"tier":2}},"provider":"m17"}`)
	k, err := c.ProviderKYC.Get(context.Background(), "m17", "+232")
	require.NoError(t, err)
	assert.Equal(t, KYCAccount{ID: "+232", HolderName: "A K", Metadata: Metadata{"tier": "2"}}, k.Account)
	assert.Equal(t, KYCProvider{}, k.Provider)
}
