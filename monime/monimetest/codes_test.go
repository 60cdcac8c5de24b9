package monimetest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
)

func TestPayCodePaysFromTheAuthorizedPhone(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()
	pc, err := c.PaymentCodes.Create(ctx, &monime.PaymentCodeCreateParams{Name: "Term 1 fees", Amount: monime.Money{Currency: "SLE", Value: 75000},
		AuthorizedPhoneNumber: "+23276555000", AuthorizedProviders: []string{"m18"}})
	require.NoError(t, err)
	id := pc.ID

	assert.ErrorIs(t, fake.PayCode(id, monime.Money{Currency: "SLE", Value: 70000}), api.ErrCodeAmount)
	assert.ErrorIs(t, fake.PayCodeFrom(id, "+23277000111", "", monime.Money{Currency: "SLE", Value: 75000}), api.ErrCodePayerRefused, "another phone")
	assert.ErrorIs(t, fake.PayCodeFrom(id, "", "m17", monime.Money{Currency: "SLE", Value: 75000}), api.ErrCodePayerRefused, "another operator")
	require.NoError(t, fake.PayCodeFrom(id, "+23276555000", "m18", monime.Money{Currency: "SLE", Value: 75000}))
	err = fake.PayCode(id, monime.Money{Currency: "SLE", Value: 75000})
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
	off := false
	pc, err := fake.Client().PaymentCodes.Create(context.Background(), &monime.PaymentCodeCreateParams{Name: "Stall", Enable: &off})
	require.NoError(t, err)
	err = fake.PayCode(pc.ID, monime.Money{Currency: "SLE", Value: 500})
	require.ErrorIs(t, err, api.ErrCodeNotPayable)
	assert.ErrorContains(t, err, "disabled")
}

func TestDialOTPVerifiesFromItsPhoneOnly(t *testing.T) {
	fake := monimetest.NewServer(t)
	otp, err := fake.Client().USSDOTPs.Create(context.Background(), &monime.USSDOTPCreateParams{AuthorizedPhoneNumber: "+23276111222", VerificationMessage: "Welcome"})
	require.NoError(t, err)
	id := otp.ID
	assert.ErrorIs(t, fake.DialOTP(id, "+23276000000"), api.ErrOTPWrongPhone)
	require.NoError(t, fake.DialOTP(id, "+23276111222"))
	assert.ErrorIs(t, fake.DialOTP(id, "+23276111222"), api.ErrOTPNotPending)
	assert.ErrorIs(t, fake.DialOTP("uop-nope", "+23276111222"), api.ErrOTPNotFound)
	otp, err = fake.Client().USSDOTPs.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, monime.USSDOTPVerified, otp.Status)
}
