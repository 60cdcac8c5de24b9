package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// The error reasons the fake answers with, in error.reason of the Monime
// error envelope.
const (
	ReasonValidation           = "validation_error"                // 400: the request breaks spec/ or a documented rule
	ReasonUnauthorized         = "unauthorized"                    // 401: missing, malformed or unknown access token
	ReasonForbidden            = "forbidden"                       // 403: the token may not act in the space
	ReasonNotFound             = "not_found"                       // 404: no such object (or endpoint)
	ReasonMethodNotAllowed     = "method_not_allowed"              // 405: the path exists, the method does not
	ReasonIdempotencyKeyInUse  = "idempotency_key_in_use"          // 409: the key was used for another request
	ReasonSessionNotDeletable  = "checkout_session_not_deletable"  // 409: the session is started or final
	ReasonReferenceInUse       = "reference_in_use"                // 409: another financial account of the space has the reference
	ReasonPayoutNotUpdatable   = "payout_not_updatable"            // 409: the payout is completed or failed
	ReasonPayoutNotDeletable   = "payout_not_deletable"            // 409: the payout is completed or failed
	ReasonTransferNotDeletable = "internal_transfer_not_deletable" // 409: the internal transfer is completed or failed
	ReasonRequestTooLarge      = "request_too_large"               // 413: the body is over the size limit
	ReasonTooManyRequests      = "too_many_requests"               // 429: a rate limit was hit
	ReasonInternal             = "internal_error"                  // 500: the fake broke (for example its response broke spec/)
)

// apiError is one error answer: its status, reason, message and details.
type apiError struct {
	status  int
	reason  string
	message string
	details []gen.ErrorDetail
	header  http.Header // extra headers, such as Allow on a 405
}

func (e *apiError) envelope() gen.ErrorEnvelope {
	details := e.details
	if details == nil {
		details = []gen.ErrorDetail{}
	}
	return gen.ErrorEnvelope{
		Success:  false,
		Messages: &gen.Messages{},
		Error: gen.Error{
			Code:    e.status,
			Reason:  e.reason,
			Message: e.message,
			Details: &details,
		},
	}
}

// write answers with the error envelope, keeping headers already set (such
// as Monime-Request-Id and Retry-After).
func (e *apiError) write(w http.ResponseWriter) {
	var buf bytes.Buffer
	// Encoding these plain structs cannot fail.
	_ = json.NewEncoder(&buf).Encode(e.envelope())
	for k, v := range e.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = w.Write(buf.Bytes())
}

func detail(field, message string) gen.ErrorDetail {
	d := gen.ErrorDetail{Message: &message}
	if field != "" {
		d.Field = &field
	}
	return d
}

func validationError(message string, details ...gen.ErrorDetail) *apiError {
	return &apiError{status: http.StatusBadRequest, reason: ReasonValidation, message: message, details: details}
}

// validation is the 400 of a request that breaks the rules problems name,
// its message summing them up.
func validation(problems []gen.ErrorDetail) *apiError {
	return validationError(summarize(problems), problems...)
}

// notFound is the 404 of an id that space does not hold; kind names what
// was asked for, such as "checkout session".
func notFound(kind, id, space string) *apiError {
	return &apiError{
		status:  http.StatusNotFound,
		reason:  ReasonNotFound,
		message: fmt.Sprintf("no %s %q in space %s; check the id and the Monime-Space-Id header", kind, id, space),
	}
}

// conflict is a 409: the request is valid but the state of what it acts
// on refuses it.
func conflict(reason, message string) *apiError {
	return &apiError{status: http.StatusConflict, reason: reason, message: message}
}

// internalError is a 500: the fake itself failed, as message says.
func internalError(message string) *apiError {
	return &apiError{status: http.StatusInternalServerError, reason: ReasonInternal, message: message}
}

// The bodies of the generated error answers, for the strict handlers; id
// is the request's Monime-Request-Id.

func (e *apiError) badRequest(id string) server.BadRequestJSONResponse {
	return server.BadRequestJSONResponse{Body: e.envelope(), Headers: server.BadRequestResponseHeaders{MonimeRequestId: id}}
}

func (e *apiError) notFound(id string) server.NotFoundJSONResponse {
	return server.NotFoundJSONResponse{Body: e.envelope(), Headers: server.NotFoundResponseHeaders{MonimeRequestId: id}}
}

func (e *apiError) conflict(id string) server.ConflictJSONResponse {
	return server.ConflictJSONResponse{Body: e.envelope(), Headers: server.ConflictResponseHeaders{MonimeRequestId: id}}
}

// reasonForStatus is the reason an injected fault answers with.
func reasonForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return ReasonValidation
	case http.StatusUnauthorized:
		return ReasonUnauthorized
	case http.StatusForbidden:
		return ReasonForbidden
	case http.StatusNotFound:
		return ReasonNotFound
	case http.StatusTooManyRequests:
		return ReasonTooManyRequests
	case http.StatusInternalServerError:
		return ReasonInternal
	}
	text := http.StatusText(status)
	if text == "" {
		return "status_" + strconv.Itoa(status)
	}
	// "Service Unavailable" -> "service_unavailable", "I'm a teapot" -> "i_m_a_teapot".
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return '_'
	}, text)
}
