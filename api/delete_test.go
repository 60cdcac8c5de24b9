package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeleteAPendingUnstartedSession(t *testing.T) {
	f := newFixture(t)
	keep := f.create(minimalBody)
	s := f.create(minimalBody)

	res := f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + s.Id})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.JSONEq(t, `{"success":true,"messages":[]}`, string(res.body))

	assert.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodGet, path: "/v1/checkout-sessions/" + s.Id}).status)
	assert.Equal(t, http.StatusNotFound, f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + s.Id}).status, "deleting twice")
	_, ok := Find[Session](f.srv, s.Id)
	assert.False(t, ok)
	ids, _ := f.page(10, "")
	assert.Equal(t, []string{keep.Id}, ids)
	assert.ErrorIs(t, f.srv.Complete(s.Id), ErrSessionNotFound)
}

func TestDeleteRefusesStartedAndFinalSessions(t *testing.T) {
	f := newFixture(t)
	cases := map[string]func(id string) error{
		"started":   f.srv.Start,
		"completed": f.srv.Complete,
		"cancelled": f.srv.Cancel,
		"expired":   f.srv.Expire,
	}
	for name, control := range cases {
		t.Run(name, func(t *testing.T) {
			s := f.create(minimalBody)
			require.NoError(t, control(s.Id))
			res := f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + s.Id})
			require.Equal(t, http.StatusConflict, res.status, "%s", res.body)
			e := res.apiErr(t)
			assert.Equal(t, ReasonSessionNotDeletable, e.Reason)
			assert.Contains(t, e.Message, s.Id)
			assert.Contains(t, e.Message, name)
			_, ok := Find[Session](f.srv, s.Id)
			assert.True(t, ok, "still stored")
		})
	}
}

func TestDeleteInAnotherSpaceIsNotFound(t *testing.T) {
	f := newFixture(t, WithCredentials(DefaultToken, DefaultSpaceID, "spc-other"))
	s := f.create(minimalBody)
	res := f.send(req{method: http.MethodDelete, path: "/v1/checkout-sessions/" + s.Id, space: ptr("spc-other")})
	assert.Equal(t, http.StatusNotFound, res.status)
	_, ok := Find[Session](f.srv, s.Id)
	assert.True(t, ok)
}
