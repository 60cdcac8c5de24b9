package monimetest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
)

// getAccount reads a financial account over HTTP with its balance (the
// client has no accounts service yet).
func getAccount(t *testing.T, fake *monimetest.Server, id string) (name string, balance monime.Money) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, fake.URL+"/v1/financial-accounts/"+id+"?withBalance=true", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+fake.Token)
	req.Header.Set("Monime-Space-Id", fake.SpaceID)
	resp, err := fake.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var env struct {
		Result struct {
			Name    string
			Balance struct{ Available monime.Money }
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	return env.Result.Name, env.Result.Balance.Available
}

func TestACompletedCheckoutCreditsTheMainAccount(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithFee("processing_fee", 100, 50))
	c := fake.Client()
	s, err := c.CheckoutSessions.Create(context.Background(), params()) // SLE 300.00
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s.ID))

	main := api.MainAccountID(fake.SpaceID)
	name, balance := getAccount(t, fake, main)
	assert.Equal(t, "Main account", name)
	assert.Equal(t, monime.Money{Currency: "SLE", Value: 30000 - 350}, balance, "the payment less its fees")
	rec, ok := monimetest.Find[api.FinancialAccount](fake, main)
	require.True(t, ok)
	assert.Equal(t, int64(30000-350), rec.Available)
	assert.NoError(t, fake.CheckBooks())
}

func TestFundGivesAnAccountMoney(t *testing.T) {
	fake := monimetest.NewServer(t)
	main := api.MainAccountID(fake.SpaceID)
	require.NoError(t, fake.Fund(main, monime.Money{Currency: "SLE", Value: 100000}))
	_, balance := getAccount(t, fake, main)
	assert.Equal(t, monime.Money{Currency: "SLE", Value: 100000}, balance)
	assert.ErrorContains(t, fake.Fund(main, monime.Money{Currency: "USD", Value: 1}), "the account holds SLE")
	assert.ErrorIs(t, fake.Fund("fac-nope", monime.Money{Currency: "SLE", Value: 1}), api.ErrAccountNotFound)
	assert.NoError(t, fake.CheckBooks())
}
