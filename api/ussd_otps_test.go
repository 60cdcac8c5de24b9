package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

func (f *fixture) createOTP(body string) gen.USSDOTP {
	f.t.Helper()
	return okResult[gen.USSDOTP](f, req{method: http.MethodPost, path: "/v1/ussd-otps", body: body})
}

func (f *fixture) getOTP(id string) gen.USSDOTP {
	f.t.Helper()
	return okResult[gen.USSDOTP](f, req{method: http.MethodGet, path: "/v1/ussd-otps/" + id})
}

const welcomeOTP = `{"authorizedPhoneNumber":"+23276111222","verificationMessage":"Welcome","metadata":{"user":"u-1"}}`

func TestAUSSDOTPIsVerifiedFromItsPhoneInTime(t *testing.T) {
	f := newFixture(t)
	o := f.createOTP(welcomeOTP)
	assert.Regexp(t, `^uop-[0-9A-Za-z]{14}$`, o.Id)
	assert.Regexp(t, `^\*715\*2\*[0-9]{6}#$`, o.DialCode)
	assert.Equal(t, gen.USSDOTPStatusPending, o.Status)
	assert.Equal(t, f.clock.Now().Add(5*time.Minute), o.ExpireTime, "5m by default")
	assert.Equal(t, "Welcome", *o.VerificationMessage)
	assert.Equal(t, o, f.getOTP(o.Id))

	err := f.srv.DialOTP(o.Id, "+23276999999")
	require.ErrorIs(t, err, ErrOTPWrongPhone)
	assert.ErrorContains(t, err, "only +23276111222 may verify it")
	assert.Equal(t, gen.USSDOTPStatusPending, f.getOTP(o.Id).Status)
	require.NoError(t, f.srv.DialOTP(o.Id, "+23276111222"))
	assert.Equal(t, gen.USSDOTPStatusVerified, f.getOTP(o.Id).Status)
	err = f.srv.DialOTP(o.Id, "+23276111222")
	require.ErrorIs(t, err, ErrOTPNotPending)
	assert.ErrorContains(t, err, "verified already")
	assert.ErrorIs(t, f.srv.DialOTP("uop-nope", "+23276111222"), ErrOTPNotFound)
}

func TestAUSSDOTPExpiresInTheSweep(t *testing.T) {
	f := newFixture(t)
	o := f.createOTP(`{"authorizedPhoneNumber":"+23276111222","duration":"90s"}`)
	f.clock.Advance(90 * time.Second)
	err := f.srv.DialOTP(o.Id, "+23276111222")
	require.ErrorIs(t, err, ErrOTPNotPending)
	assert.ErrorContains(t, err, "expired")
	assert.Equal(t, gen.USSDOTPStatusExpired, f.getOTP(o.Id).Status)

	res := f.send(req{method: http.MethodPost, path: "/v1/ussd-otps", body: `{"authorizedPhoneNumber":"+23276111222","duration":"soon"}`})
	require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Equal(t, []string{"duration"}, fields(res.apiErr(t)))
}

func TestListAndDeleteUSSDOTPs(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for i := range 3 {
		ids = append(ids, f.createOTP(fmt.Sprintf(`{"authorizedPhoneNumber":"+2327611122%d"}`, i)).Id)
	}
	require.NoError(t, f.srv.DialOTP(ids[0], "+23276111220"))
	res := f.send(req{method: http.MethodGet, path: "/v1/ussd-otps?" + url.Values{"limit": {"2"}}.Encode()})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var page gen.USSDOTPListEnvelope
	require.NoError(t, json.Unmarshal(res.body, &page))
	require.Len(t, page.Result, 2)
	assert.Equal(t, ids[2], page.Result[0].Id, "newest first")
	require.NotNil(t, page.Pagination.Next)

	for _, id := range []string{ids[0], ids[1]} { // verified, pending: any status goes
		require.Equal(t, http.StatusOK, f.send(req{method: http.MethodDelete, path: "/v1/ussd-otps/" + id}).status)
		require.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodGet, path: "/v1/ussd-otps/" + id}).status)
	}
	assert.ErrorIs(t, f.srv.DialOTP(ids[1], "+23276111221"), ErrOTPNotFound)
	assert.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodDelete, path: "/v1/ussd-otps/" + ids[1]}).status)
}

func TestUSSDOTPsSurviveARestart(t *testing.T) {
	f := newFixture(t)
	verified := f.createOTP(welcomeOTP)
	require.NoError(t, f.srv.DialOTP(verified.Id, "+23276111222"))
	pending := f.createOTP(welcomeOTP)
	assert.NotEqual(t, verified.DialCode, pending.DialCode)
	g := restart(t, f)
	assert.Equal(t, f.getOTP(verified.Id), g.getOTP(verified.Id))
	f.clock.Advance(5 * time.Minute)
	assert.Equal(t, gen.USSDOTPStatusExpired, g.getOTP(pending.Id).Status, "queued again for the sweep")

	var buf strings.Builder
	require.NoError(t, f.srv.SaveState(&buf))
	broken := strings.Replace(buf.String(), `"status": "verified"`, `"status": "dialled"`, 1)
	_, err := New(WithState(strings.NewReader(broken)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ussdOtps: "+verified.Id+` has status "dialled"`)
}
