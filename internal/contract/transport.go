package contract

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// Transport is an http.RoundTripper for tests: it checks every request
// against spec/ (and, when Upstream is set, against Monime's own document
// too) and every response against spec/, and fails the test on any
// mismatch. Validation never changes what is sent or received.
type Transport struct {
	// T is the test that mismatches fail.
	T        testing.TB
	Next     http.RoundTripper // http.DefaultTransport when nil
	Upstream *Doc              // optional second document for requests
	// HostileResponses turns response validation off, for tests that feed
	// the client malformed answers on purpose.
	HostileResponses bool

	mu       sync.Mutex
	requests int
}

// NewTransport validates against spec/ and, when upstream is non-nil, also
// checks requests against it.
func NewTransport(t testing.TB, upstream *Doc) *Transport {
	return &Transport{T: t, Upstream: upstream}
}

// Requests is how many requests went through.
func (tr *Transport) Requests() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.requests
}

// RoundTrip validates req, sends it, validates the response and returns it.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	doc, err := Spec()
	if err != nil {
		tr.T.Errorf("contract: %v", err)
		return nil, err
	}
	tr.mu.Lock()
	tr.requests++
	tr.mu.Unlock()
	in, verr := doc.ValidateRequest(req)
	if verr != nil {
		tr.T.Errorf("contract: request %s %s breaks spec/monime.yaml: %v", req.Method, req.URL.Path, verr)
	}
	if tr.Upstream != nil {
		if _, uerr := tr.Upstream.ValidateRequest(req); uerr != nil {
			tr.T.Errorf("contract: request %s %s breaks Monime's upstream OpenAPI: %v", req.Method, req.URL.Path, uerr)
		}
	}
	next := tr.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil || tr.HostileResponses || verr != nil {
		return resp, err
	}
	body, rerr := readAndRestore(&resp.Body)
	if rerr != nil {
		return nil, fmt.Errorf("contract: reading response: %w", rerr)
	}
	if err := doc.ValidateResponse(in, resp.StatusCode, resp.Header, body); err != nil {
		tr.T.Errorf("contract: response %d to %s %s breaks spec/monime.yaml: %v\nbody: %s", resp.StatusCode, req.Method, req.URL.Path, err, body)
	}
	return resp, nil
}
