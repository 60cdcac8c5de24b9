package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// bearerToken returns the token of an "Authorization: Bearer <token>" header,
// or an error saying what is wrong with the header.
func bearerToken(h http.Header) (string, error) {
	v := h.Get("Authorization")
	if v == "" {
		return "", errors.New("the Authorization header is missing; send 'Authorization: Bearer <access token>'")
	}
	scheme, token, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errors.New("the Authorization header must use the Bearer scheme: 'Authorization: Bearer <access token>'")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", errors.New("the Authorization header has no token after 'Bearer '")
	}
	return token, nil
}

func unauthorized(message string) *apiError {
	return &apiError{status: http.StatusUnauthorized, reason: ReasonUnauthorized, message: message}
}

// authenticate returns the request's known token, or a 401.
func (s *Server) authenticate(r *http.Request) (string, *apiError) {
	token, err := bearerToken(r.Header)
	if err != nil {
		return "", unauthorized(err.Error())
	}
	if _, ok := s.cfg.credentials[token]; !ok {
		return "", unauthorized("the access token is not valid here; use a token the fake was configured with (" + s.cfg.label("WithCredentials", "") + "; by default " + DefaultToken + ")")
	}
	return token, nil
}

// authorize answers 403 when token may not act in the request's space. A
// missing or malformed space header is left to request validation (400).
func (s *Server) authorize(token string, r *http.Request) *apiError {
	space := r.Header.Get("Monime-Space-Id")
	if !strings.HasPrefix(space, "spc-") {
		return nil
	}
	spaces := s.cfg.credentials[token]
	if spaces[space] {
		return nil
	}
	allowed := make([]string, 0, len(spaces))
	for id := range spaces {
		allowed = append(allowed, id)
	}
	slices.Sort(allowed)
	msg := fmt.Sprintf("the access token may not act in space %s", space)
	if len(allowed) > 0 {
		msg += "; it may act in: " + strings.Join(allowed, ", ")
	}
	return &apiError{status: http.StatusForbidden, reason: ReasonForbidden, message: msg}
}
