package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
	speccontract "github.com/monimekit/monime-go/internal/contract"
)

func TestSpecIsParsedOncePerProcess(t *testing.T) {
	for range 3 {
		srv := mustNew(t)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/checkout-sessions", nil))
	}
	assert.Equal(t, 1, speccontract.SpecParses())
}

func TestABrokenAnswerBecomesALoud500(t *testing.T) {
	var logs bytes.Buffer
	srv := mustNew(t, WithResponseValidation(true), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	r := httptest.NewRequest(http.MethodGet, "/v1/checkout-sessions/scs-1", nil)
	route, params, e := srv.contract.route(r)
	require.Nil(t, e)

	rec := newRecorder()
	rec.Header().Set("Monime-Request-Id", "req-1")
	rec.Header().Set("Content-Type", "application/json")
	rec.WriteHeader(http.StatusOK)
	_, _ = rec.Write([]byte(`{"success":true,"result":{"id":"scs-1"}}`)) // name, status, ... missing
	srv.checkResponse(rec, r, route, params)

	assert.Equal(t, http.StatusInternalServerError, rec.status)
	assert.Equal(t, "req-1", rec.header.Get("Monime-Request-Id"), "the request id survives")
	var env gen.ErrorEnvelope
	require.NoError(t, json.Unmarshal(rec.body.Bytes(), &env))
	assert.Equal(t, ReasonInternal, env.Error.Reason)
	assert.Contains(t, env.Error.Message, "breaks spec/monime.yaml")
	assert.Contains(t, env.Error.Message, "GET /v1/checkout-sessions/scs-1")
	require.Len(t, srv.ResponseViolations(), 1)
	assert.ErrorContains(t, srv.ResponseViolations()[0], `property "name" is missing`)
	assert.Contains(t, logs.String(), "level=ERROR")

	// The replacement itself keeps to the spec.
	assert.NoError(t, srv.contract.validateResponse(r, route, params, rec.status, rec.header, rec.body.Bytes()))
}

func TestResponseValidationIsOffByDefault(t *testing.T) {
	srv := mustNew(t)
	r := httptest.NewRequest(http.MethodGet, "/v1/checkout-sessions", nil)
	r.Header.Set("Authorization", "Bearer "+DefaultToken)
	r.Header.Set("Monime-Space-Id", DefaultSpaceID)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.False(t, srv.cfg.validateResponses)
}
