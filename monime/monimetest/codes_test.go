package monimetest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
)

// post sends body to path over HTTP (the client's services for payment
// codes and OTPs are built elsewhere) and returns the result's id.
func post(t *testing.T, fake *monimetest.Server, path, body string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, fake.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+fake.Token)
	req.Header.Set("Monime-Space-Id", fake.SpaceID)
	req.Header.Set("Idempotency-Key", uuid.NewString())
	req.Header.Set("Content-Type", "application/json")
	resp, err := fake.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	var env struct{ Result struct{ ID string } }
	require.NoError(t, json.Unmarshal(raw, &env))
	return env.Result.ID
}

func TestPayCodePaysFromTheAuthorizedPhone(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	id := post(t, fake, "/v1/payment-codes", `{"name":"Term 1 fees","amount":{"currency":"SLE","value":75000},
		"authorizedPhoneNumber":"+23276555000","authorizedProviders":["m18"]}`)

	assert.ErrorIs(t, fake.PayCode(id, monime.Money{Currency: "SLE", Value: 70000}), api.ErrCodeAmount)
	require.NoError(t, fake.PayCode(id, monime.Money{Currency: "SLE", Value: 75000}))
	err := fake.PayCode(id, monime.Money{Currency: "SLE", Value: 75000})
	require.ErrorIs(t, err, api.ErrCodeNotPayable)
	assert.ErrorContains(t, err, "completed")
	assert.ErrorIs(t, fake.PayCode("pmc-nope", monime.Money{Currency: "SLE", Value: 1}), api.ErrCodeNotFound)

	page, err := c.Payments.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	p := page.Items[0]
	assert.Equal(t, monime.Money{Currency: "SLE", Value: 75000}, p.Amount)
	require.NotNil(t, p.OwnershipGraph)
	assert.Equal(t, id, p.OwnershipGraph.Owner.ID)
	assert.Equal(t, "payment_code", p.OwnershipGraph.Owner.Type)
	require.NotNil(t, p.Channel.Momo)
	assert.Equal(t, "m18", p.Channel.Momo.Provider, "its one authorized provider")
	assert.Equal(t, "+23276***000", p.Channel.Momo.PhoneNumber, "its authorized phone, masked")
	_, balance := getAccount(t, fake, api.MainAccountID(fake.SpaceID))
	assert.Equal(t, int64(75000), balance.Value, "settled into the main account")
	code, ok := monimetest.Find[api.PaymentCode](fake, id)
	require.True(t, ok)
	assert.Equal(t, "completed", string(code.Status))
	assert.Equal(t, []string{p.ID}, code.PaymentIDs)
}

func TestPayCodeRefusesADisabledCode(t *testing.T) {
	fake := monimetest.NewServer(t)
	id := post(t, fake, "/v1/payment-codes", `{"name":"Stall","enable":false}`)
	err := fake.PayCode(id, monime.Money{Currency: "SLE", Value: 500})
	require.ErrorIs(t, err, api.ErrCodeNotPayable)
	assert.ErrorContains(t, err, "disabled")
}

func TestDialOTPVerifiesFromItsPhoneOnly(t *testing.T) {
	fake := monimetest.NewServer(t)
	id := post(t, fake, "/v1/ussd-otps", `{"authorizedPhoneNumber":"+23276111222","verificationMessage":"Welcome"}`)
	assert.ErrorIs(t, fake.DialOTP(id, "+23276000000"), api.ErrOTPWrongPhone)
	require.NoError(t, fake.DialOTP(id, "+23276111222"))
	assert.ErrorIs(t, fake.DialOTP(id, "+23276111222"), api.ErrOTPNotPending)
	assert.ErrorIs(t, fake.DialOTP("uop-nope", "+23276111222"), api.ErrOTPNotFound)
	otp, ok := monimetest.Find[api.USSDOTP](fake, id)
	require.True(t, ok)
	assert.Equal(t, "verified", string(otp.Status))
}
