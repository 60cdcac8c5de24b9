package monimetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
)

func params() *monime.CheckoutSessionCreateParams {
	return &monime.CheckoutSessionCreateParams{
		Name:          "Order #1042",
		LineItems:     []monime.LineItem{{Name: "T-shirt", Price: monime.Money{Currency: "SLE", Value: 15000}, Quantity: 2}},
		SuccessURL:    "https://shop.example/ok",
		CancelURL:     "https://shop.example/cancel",
		CallbackState: "cb-7",
		PaymentOptions: &monime.PaymentOptions{
			Card: &monime.CardOptions{Disable: true},
		},
	}
}

// The story from the issue: start the fake, create with the real client,
// complete, read back as completed.
func TestCreateCompleteReadBack(t *testing.T) {
	fake := monimetest.NewServer(t)
	c := fake.Client()
	ctx := context.Background()

	s, err := c.CheckoutSessions.Create(ctx, params())
	require.NoError(t, err)
	require.NoError(t, fake.Complete(s.ID))

	s, err = c.CheckoutSessions.Get(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, monime.CheckoutSessionStatusCompleted, s.Status)
	assert.NotEmpty(t, s.OrderNumber)

	stored := fake.Stored()
	require.Len(t, stored, 1)
	assert.Equal(t, "cb-7", *stored[0].CallbackState, "the fake keeps what reads hide")
	require.NotNil(t, stored[0].PaymentOptions)
	assert.True(t, *stored[0].PaymentOptions.Card.Disable)
}

func TestInvalidBodyGetsA400NamingTheField(t *testing.T) {
	fake := monimetest.NewServer(t)
	body := `{"name":"x","lineItems":[{"name":"T","price":{"currency":"EUR","value":1}}]}`
	req, err := http.NewRequest(http.MethodPost, fake.URL+"/v1/checkout-sessions", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+fake.Token)
	req.Header.Set("Monime-Space-Id", fake.SpaceID)
	req.Header.Set("Idempotency-Key", "k1")
	req.Header.Set("Content-Type", "application/json")
	resp, err := fake.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var env struct {
		Success bool
		Error   struct {
			Reason  string
			Details []struct{ Field, Message string }
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	assert.False(t, env.Success)
	assert.Equal(t, "validation_error", env.Error.Reason)
	var fields []string
	for _, d := range env.Error.Details {
		fields = append(fields, d.Field)
	}
	assert.Contains(t, strings.Join(fields, " "), "lineItems[0].price.currency")
}

func TestFailNextIsRetriedByTheClient(t *testing.T) {
	fake := monimetest.NewServer(t)
	fake.FailNext(2, http.MethodPost, "/v1/checkout-sessions", http.StatusServiceUnavailable)
	var info monime.ResponseInfo
	_, err := fake.Client().CheckoutSessions.Create(context.Background(), params(), monime.WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, 3, info.Attempts)
	assert.Len(t, fake.Stored(), 1)

	fake.FailNext(3, http.MethodGet, "/v1/checkout-sessions/*", http.StatusInternalServerError)
	_, err = fake.Client().CheckoutSessions.Get(context.Background(), fake.Stored()[0].Id)
	assert.True(t, errors.Is(err, monime.ErrServer), "%v", err)
}

func TestClientForOtherCredentials(t *testing.T) {
	fake := monimetest.NewServer(t, api.WithCredentials("mon_test_other", "spc-a", "spc-b"))
	_, err := fake.Client().CheckoutSessions.List(context.Background(), nil)
	require.ErrorIs(t, err, monime.ErrUnauthorized, "the default token is not configured")
	c := fake.ClientFor("mon_test_other", "spc-a")
	_, err = c.CheckoutSessions.Create(context.Background(), params())
	require.NoError(t, err)
	_, err = c.CheckoutSessions.Create(context.Background(), params(), monime.WithSpaceID("spc-c"))
	require.ErrorIs(t, err, monime.ErrForbidden)
	assert.Len(t, fake.Sessions("spc-a"), 1)
}

// fatalTB records Fatalf instead of stopping the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestBadOptionsFailTheTestInsteadOfPanicking(t *testing.T) {
	tb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		monimetest.NewServer(tb, api.WithSessionTTL(-time.Second))
	}()
	<-done
	assert.Contains(t, tb.msg, "WithSessionTTL")
}
