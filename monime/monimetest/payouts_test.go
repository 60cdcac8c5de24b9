package monimetest_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
)

// createPayout creates a payout over HTTP (the client's payouts service is
// built elsewhere) and returns its id and status.
func createPayout(t *testing.T, fake *monimetest.Server, body string) (id, status string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, fake.URL+"/v1/payouts", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+fake.Token)
	req.Header.Set("Monime-Space-Id", fake.SpaceID)
	req.Header.Set("Idempotency-Key", fmt.Sprintf("payout-%x", sha256.Sum256([]byte(body)))[:40])
	req.Header.Set("Content-Type", "application/json")
	resp, err := fake.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	var env struct{ Result struct{ ID, Status string } }
	require.NoError(t, json.Unmarshal(raw, &env))
	return env.Result.ID, env.Result.Status
}

const salary = `{"amount":{"currency":"SLE","value":30000},"destination":{"type":"momo","providerId":"m17","phoneNumber":"+23276123456"}}`

func TestPayoutsWaitForTheTest(t *testing.T) {
	fake := monimetest.NewServer(t)
	main := api.MainAccountID(fake.SpaceID)
	require.NoError(t, fake.Fund(main, monime.Money{Currency: "SLE", Value: 100000}))

	paid, status := createPayout(t, fake, salary)
	assert.Equal(t, "pending", status, "pending until the test decides")
	_, balance := getAccount(t, fake, main)
	assert.Equal(t, int64(70000), balance.Value, "held at once")
	require.NoError(t, fake.CompletePayout(paid))
	p, _ := monimetest.Find[api.Payout](fake, paid)
	assert.Equal(t, "completed", string(p.Status))
	assert.ErrorIs(t, fake.CompletePayout(paid), api.ErrPayoutNotPending)

	refused, _ := createPayout(t, fake, strings.Replace(salary, "30000", "30001", 1))
	require.ErrorIs(t, fake.FailPayout(refused, "no_such_code"), api.ErrPayoutFailureCode)
	require.NoError(t, fake.FailPayout(refused, "provider_account_missing"))
	p, _ = monimetest.Find[api.Payout](fake, refused)
	assert.Equal(t, "provider_account_missing", string(p.FailureDetail.Code))
	_, balance = getAccount(t, fake, main)
	assert.Equal(t, int64(70000), balance.Value, "the failed payout gave back what it held")
	assert.ErrorIs(t, fake.FailPayout("pyt-nope", "unknown"), api.ErrPayoutNotFound)

	blocked, _ := createPayout(t, fake, strings.Replace(salary, "+23276123456", "+23276000005", 1))
	require.NoError(t, fake.CompletePayout(blocked))
	p, _ = monimetest.Find[api.Payout](fake, blocked)
	assert.Equal(t, "provider_account_blocked", string(p.FailureDetail.Code), "a test destination")
	assert.NoError(t, fake.CheckBooks())
}
