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

// wireOTP is a USSD OTP as Monime sends it.
func wireOTP(id, status string) map[string]any {
	return map[string]any{"id": id, "status": status, "dialCode": "*715*2*904417#", "authorizedPhoneNumber": "+23276111222",
		"verificationMessage": "Welcome", "createTime": "2025-11-03T10:00:00Z", "expireTime": "2025-11-03T10:05:00Z", "metadata": nil}
}

func TestUSSDOTPsOnTheWire(t *testing.T) {
	var last seenRequest
	c, _ := newTestClient(t, recordingHandler(t, &last, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/ussd-otps":
			writePage(w, wireOTP("uop-1", "verified"))
		case r.Method == http.MethodDelete:
			writeJSON(w, http.StatusOK, map[string]any{"success": true, "messages": []any{}})
		default:
			writeResult(w, wireOTP("uop-1", "pending"))
		}
	}))
	ctx := context.Background()

	otp, err := c.USSDOTPs.Create(ctx, &USSDOTPCreateParams{AuthorizedPhoneNumber: "+23276111222", VerificationMessage: "Welcome",
		Duration: 5 * time.Minute, Metadata: Metadata{"signup": "42"}})
	require.NoError(t, err)
	assert.Regexp(t, uuidV4, last.key)
	last.key = ""
	assert.Equal(t, seenRequest{"POST", "/v1/ussd-otps", "", "", testSpace, APIVersion, map[string]any{
		"authorizedPhoneNumber": "+23276111222", "verificationMessage": "Welcome", "duration": "5m",
		"metadata": map[string]any{"signup": "42"}}}, last)
	assert.Equal(t, &USSDOTP{ID: "uop-1", Status: USSDOTPPending, DialCode: "*715*2*904417#", AuthorizedPhoneNumber: "+23276111222",
		VerificationMessage: "Welcome", CreateTime: time.Date(2025, 11, 3, 10, 0, 0, 0, time.UTC),
		ExpireTime: time.Date(2025, 11, 3, 10, 5, 0, 0, time.UTC)}, otp)
	_, err = c.USSDOTPs.Create(ctx, &USSDOTPCreateParams{AuthorizedPhoneNumber: "+23276111222"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"authorizedPhoneNumber": "+23276111222"}, last.body, "zero fields are left out")

	otp, err = c.USSDOTPs.Get(ctx, "uop-1")
	require.NoError(t, err)
	assert.Equal(t, seenRequest{"GET", "/v1/ussd-otps/uop-1", "", "", testSpace, APIVersion, nil}, last)
	assert.False(t, otp.Status.IsFinal())

	page, err := c.USSDOTPs.List(ctx, &USSDOTPListParams{Limit: 2, After: "c1"})
	require.NoError(t, err)
	assert.Equal(t, "limit=2&after=c1", last.query)
	require.Len(t, page.Items, 1)
	assert.True(t, page.Items[0].Status.IsFinal())
	_, err = c.USSDOTPs.List(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, last.query)

	require.NoError(t, c.USSDOTPs.Delete(ctx, "uop-1"))
	assert.Equal(t, seenRequest{"DELETE", "/v1/ussd-otps/uop-1", "", "", testSpace, APIVersion, nil}, last)

	all := collect(t, c.USSDOTPs.All(ctx, nil))
	require.Len(t, all, 1)
	assert.Equal(t, "uop-1", all[0].ID)
}

func TestUSSDOTPsRefuseBadParams(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	ctx := context.Background()
	create := func(p USSDOTPCreateParams) func() error {
		return func() error { _, err := c.USSDOTPs.Create(ctx, &p); return err }
	}
	phone := "+23276111222"
	refusedBeforeSending(t, map[string]badCall{
		"create without params": {func() error { _, err := c.USSDOTPs.Create(ctx, nil); return err }, "params"},
		"no phone":              {create(USSDOTPCreateParams{}), "authorizedPhoneNumber"},
		"a message too long":    {create(USSDOTPCreateParams{AuthorizedPhoneNumber: phone, VerificationMessage: strings.Repeat("m", 256)}), "verificationMessage"},
		"a negative duration":   {create(USSDOTPCreateParams{AuthorizedPhoneNumber: phone, Duration: -time.Minute}), "duration"},
		"bad metadata":          {create(USSDOTPCreateParams{AuthorizedPhoneNumber: phone, Metadata: Metadata{"k": strings.Repeat("v", 101)}}), "metadata.k"},
		"get without an id":     {func() error { _, err := c.USSDOTPs.Get(ctx, ""); return err }, "id"},
		"delete a dot segment":  {func() error { return c.USSDOTPs.Delete(ctx, ".") }, "id"},
		"list a page too big":   {func() error { _, err := c.USSDOTPs.List(ctx, &USSDOTPListParams{Limit: -1}); return err }, "limit"},
	})
	assert.Zero(t, sent.Load(), "no invalid request may leave the client")
	assert.NoError(t, (&USSDOTPCreateParams{AuthorizedPhoneNumber: phone, VerificationMessage: strings.Repeat("m", 255)}).Validate())
	assert.NoError(t, (&USSDOTPListParams{}).Validate())
}

func TestUSSDOTPsReadIDAndStatusStrictly(t *testing.T) {
	var body atomic.Value
	c, tr := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body.Load().(string))
	}), WithMaxRetries(0))
	tr.HostileResponses = true
	get := func(result string) (*USSDOTP, error) {
		body.Store(`{"success":true,"messages":[],"result":` + result + `}`)
		return c.USSDOTPs.Get(context.Background(), "uop-1")
	}
	for _, bad := range []string{`{"status":"pending"}`, `{"id":"uop-1"}`, `{"id":1,"status":"pending"}`, `{"id":"uop-1","status":null}`} {
		_, err := get(bad)
		assert.Error(t, err, bad)
	}
	o, err := get(`{"id":"uop-1","status":"revoked","dialCode":7,"verificationMessage":null,"expireTime":"later","metadata":[1]}`)
	require.NoError(t, err)
	assert.Equal(t, &USSDOTP{ID: "uop-1", Status: "revoked"}, o)
	assert.False(t, o.Status.IsFinal(), "an unknown status is not final")
}
