package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// Server is the fake Monime API: an http.Handler, safe for concurrent use.
// Create it with New.
type Server struct {
	cfg      config
	contract *contract
	api      http.Handler // the generated router and strict server around handlers
	store    *store
	limiter  *rateLimiter
	faults   faults
	log      *slog.Logger
	requests atomic.Int64
	webhooks *dispatcher
	changes  atomic.Uint64 // see StateVersion

	violationsMu sync.Mutex
	violations   []error
}

// New returns a fake with no sessions, configured by opts. It returns an
// error, and no Server, when an option was given a value that can never work
// (see Option); the error lists every such option. The spec is parsed once
// per process, on the first call.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	var problems []error
	for i, opt := range opts {
		if opt == nil {
			problems = append(problems, fmt.Errorf("api: New: option %d of %d is nil; pass options made by this package's With functions", i+1, len(opts)))
			continue
		}
		if err := opt(&cfg); err != nil {
			problems = append(problems, err)
		}
	}
	for _, t := range cfg.webhook.targets { // once every WithOwnAddress is known
		if at, own := pointsAtOwn(t.url, cfg.webhook.own); own {
			problems = append(problems, optionErrorf("WithWebhook", "", "%w", ownURLError(at)))
		}
	}
	cfg.nameOptions(problems)
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	if cfg.credentials == nil {
		cfg.credentials = map[string]map[string]bool{DefaultToken: {DefaultSpaceID: true}}
	}
	spec, err := loadContract()
	if err != nil {
		return nil, fmt.Errorf("api: New: the embedded spec/monime.yaml does not load, which is a bug in this module: %w", err)
	}
	s := &Server{
		cfg:      cfg,
		contract: spec,
		limiter:  newRateLimiter(cfg.ratePerSecond),
		faults:   faults{fn: cfg.faultFunc},
		log:      cfg.logger,
	}
	s.store = newStore(cfg.clock, cfg.ttl, cfg.retention, cfg.fees, &s.changes)
	s.store.payoutFees, s.store.payoutDelay = cfg.payoutFees, cfg.payoutDelay
	s.store.home = cfg.spaces()
	s.webhooks = newDispatcher(cfg.webhook, cfg.logger, &s.changes)
	if cfg.state != nil {
		if err := s.restore(cfg.state); err != nil {
			return nil, err
		}
		s.cfg.state = nil // restored: the Server's own tables hold it now
		s.webhooks.mu.Lock()
		s.webhooks.trimLocked() // a state saved before DeliveryHistory
		s.webhooks.mu.Unlock()
	}
	s.store.mu.Lock()
	s.store.openSpaces(s.store.home, s.store.clock())
	s.store.mu.Unlock()
	s.webhooks.endpointLive = s.endpointLive
	s.store.observe(s.webhooks.observe)
	strict := server.NewStrictHandlerWithOptions(&handlers{s: s}, nil, server.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			validationError("the request body does not decode into the operation's request: "+err.Error(), detail("", err.Error())).write(w)
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			s.log.Error("api: handler failed", "method", r.Method, "path", r.URL.Path, "err", err)
			internalError("the fake failed to answer: " + err.Error()).write(w)
		},
	})
	// Paths the spec's router and net/http's disagree on (such as a trailing
	// slash) get the Monime envelope too, never net/http's plain-text 404.
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { noOperation(r).write(w) })
	s.api = server.HandlerWithOptions(strict, server.StdHTTPServerOptions{
		BaseRouter: mux,
		ErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			validationError(err.Error(), detail(paramName(err), err.Error())).write(w)
		},
	})
	return s, nil
}

// paramName names the parameter a binding error of the generated server is
// about.
func paramName(err error) string {
	var (
		required *server.RequiredHeaderError
		format   *server.InvalidParamFormatError
		many     *server.TooManyValuesForParamError
		query    *server.RequiredParamError
	)
	switch {
	case errors.As(err, &required):
		return required.ParamName
	case errors.As(err, &format):
		return format.ParamName
	case errors.As(err, &many):
		return many.ParamName
	case errors.As(err, &query):
		return query.ParamName
	}
	return ""
}

// ServeHTTP answers one request: faults first, then routing, credentials,
// rate limit, request validation, idempotency and the operation itself. The
// whole answer is buffered, so it can be validated against the spec (see
// WithResponseValidation) or dropped (Fault.Drop) before the client sees it.
// Paths under HostedPagePath serve the hosted checkout page instead: HTML
// for the customer's browser, outside the API's rules.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := s.hostedRoute(r.URL.Path); ok {
		s.serveHosted(w, r, rest) // the customer's pages: no API rules apply
		return
	}
	start := time.Now()
	s.requests.Add(1)
	id := newID("req-", 20)

	fault, faultErr := s.faults.next(r)
	if faultErr != nil {
		s.recordViolation(faultErr)
		w.Header().Set("Monime-Request-Id", id)
		internalError(faultErr.Error()).write(w)
		return
	}
	if !fault.zero() {
		s.log.Info("api: injecting fault", "fault", fault.String(), "method", r.Method, "path", r.URL.Path, "request_id", id)
	}
	// Read the body first: until it is read, net/http does not notice a
	// client that goes away, and a long Latency could not end with it.
	body, bodyErr := s.readBody(r)
	if fault.Latency > 0 && !wait(r.Context(), fault.Latency) {
		return // the client gave up
	}
	if fault.Reset {
		abortConnection(w, true)
		return
	}

	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, requestInfo{id: id, hostedBase: s.hostedBase(r)}))
	rec := newRecorder()
	rec.Header().Set("Monime-Request-Id", id)
	route, params, routeErr := s.contract.route(r)
	switch {
	case fault.Status != 0:
		injectedStatus(fault, s.cfg.label("InjectFault", "api.Server.InjectFault or WithFaultFunc")).write(rec)
	case routeErr != nil:
		routeErr.write(rec)
	case bodyErr != nil:
		bodyErr.write(rec)
	default:
		body = dropNullMembers(r, route.Operation.OperationID, body)
		s.handle(rec, r, route, params, body)
	}
	if s.cfg.validateResponses && route != nil {
		s.checkResponse(rec, r, route, params)
	}
	s.log.Debug("api: request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "request_id", id, "duration", time.Since(start))
	if fault.Drop && fault.Status == 0 {
		abortConnection(w, false)
		return
	}
	rec.flush(w)
}

// injectedStatus is the answer of a Fault with a Status; label names how
// it was injected.
func injectedStatus(f Fault, label string) *apiError {
	e := &apiError{
		status:  f.Status,
		reason:  reasonForStatus(f.Status),
		message: fmt.Sprintf("injected fault: %d %s (%s)", f.Status, http.StatusText(f.Status), label),
		header:  http.Header{},
	}
	if f.RetryAfter > 0 {
		e.header.Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	if f.Status == http.StatusTooManyRequests {
		e.header.Set("Monime-Rate-Limit", "endpoint-limit")
	}
	return e
}

// hostedBase is the origin of the hosted checkout page for r.
func (s *Server) hostedBase(r *http.Request) string {
	if s.cfg.hostedPageBase != "" {
		return s.cfg.hostedPageBase
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// handle answers a request that matched an operation of the spec.
func (s *Server) handle(rec *recorder, r *http.Request, route *routers.Route, params map[string]string, body []byte) {
	var authErr error
	var problems []gen.ErrorDetail
	if s.cfg.validateRequests {
		problems, authErr = s.contract.validateRequest(r, route, params)
		if len(problems) == 0 && len(body) > 0 && !json.Valid(body) {
			// A decoder reads the first value and stops; Monime, like
			// json.Unmarshal, refuses anything after it.
			problems = []gen.ErrorDetail{detail("", "the request body is not a single JSON value; remove what follows it")}
		}
	}
	if authErr != nil {
		unauthorized(authErr.Error()).write(rec)
		return
	}
	token, e := s.authenticate(r)
	if e != nil {
		e.write(rec)
		return
	}
	if e := s.authorize(token, r); e != nil {
		e.write(rec)
		return
	}
	if ok, retryAfter := s.limiter.allow(token, route.Operation.OperationID, s.cfg.clock()); !ok {
		rec.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		rec.Header().Set("Monime-Rate-Limit", "endpoint-limit")
		(&apiError{
			status:  http.StatusTooManyRequests,
			reason:  ReasonTooManyRequests,
			message: fmt.Sprintf("too many requests: this token may send %d per second to %s; retry after %d s", s.cfg.ratePerSecond, route.Operation.OperationID, retryAfter),
		}).write(rec)
		return
	}
	if len(problems) > 0 {
		validationError(summarize(problems), problems...).write(rec)
		return
	}
	if r.Method == http.MethodPost {
		s.idempotent(rec, r, body, s.serveOperation)
		return
	}
	s.serveOperation(rec, r)
}

func (s *Server) serveOperation(rec *recorder, r *http.Request) {
	s.api.ServeHTTP(rec, r)
}

// readBody reads the whole request body (up to the size limit) and puts it
// back for the validator and the generated server.
func (s *Server) readBody(r *http.Request) ([]byte, *apiError) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	limit := s.cfg.maxRequestBodySize
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	_ = r.Body.Close()
	if err != nil {
		return nil, validationError("the request body could not be read: " + err.Error())
	}
	if int64(len(body)) > limit {
		return nil, &apiError{
			status:  http.StatusRequestEntityTooLarge,
			reason:  ReasonRequestTooLarge,
			message: fmt.Sprintf("the request body is over %d bytes", limit),
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r.ContentLength = int64(len(body))
	return body, nil
}

// checkResponse validates the recorded answer against the spec. One that
// breaks it is recorded, logged and replaced by a 500 that says why.
func (s *Server) checkResponse(rec *recorder, r *http.Request, route *routers.Route, params map[string]string) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	err := s.contract.validateResponse(r, route, params, status, rec.header, rec.body.Bytes())
	if err == nil {
		return
	}
	violation := fmt.Errorf("api: the fake's %d answer to %s %s breaks spec/monime.yaml: %w", status, r.Method, r.URL.Path, err)
	s.recordViolation(violation)
	rec.reset()
	internalError(violation.Error()).write(rec)
}

// recordViolation keeps err for ResponseViolations and logs it.
func (s *Server) recordViolation(err error) {
	s.violationsMu.Lock()
	s.violations = append(s.violations, err)
	s.violationsMu.Unlock()
	s.log.Error("api: contract violation", "err", err)
}

// ResponseViolations returns, in order, every answer that broke spec/ while
// response validation was on (see WithResponseValidation), and every Fault a
// WithFaultFunc function returned that the fake could not apply. A test
// asserts it is empty.
func (s *Server) ResponseViolations() []error {
	s.violationsMu.Lock()
	defer s.violationsMu.Unlock()
	return append([]error(nil), s.violations...)
}

// RequestCount returns how many API requests the Server has received,
// including those a fault reset, failed or dropped (hosted pages not
// counted).
func (s *Server) RequestCount() int64 { return s.requests.Load() }

// Complete marks a pending session paid, as the customer pressing Pay on
// the hosted page without changing its preselected choice would: the first
// method and provider the session offers, which is mobile money m17 unless
// its paymentOptions rule that out (see CompleteWith). The session's
// payments are recorded and booked (see Find), its status becomes completed and it
// gets an order number. It returns an error wrapping ErrSessionNotFound,
// ErrSessionFinal or ErrSessionNotPayable when it cannot, and changes
// nothing then.
func (s *Server) Complete(id string) error {
	return s.store.pay("Complete", id, "", "")
}

// CompleteWith is Complete paid the way the customer chose on the hosted
// page: method momo, card, bank or wallet (gen.PaymentChannelType's
// values) and provider one of that method's providers: m17 or m18 for
// momo, slb001, slb004 or slb007 for bank, dw001 for wallet, and for card
// its scheme, visa or mastercard. An empty method or provider is the
// first one the session offers, as the page preselects it.
//
// The payment's channel says so, as Monime's would: momo {provider,
// reference (an operator-style transaction id), phoneNumber (masked, such as
// +23276***456), fingerprint}, bank {provider, reference, accountNumber
// (masked), fingerprint}, card {scheme, last4, fingerprint} and wallet
// {provider, reference, walletId (masked), fingerprint}. Each method and
// provider has one simulated payer, so a fingerprint is the same on every
// payment through it.
//
// Besides Complete's errors, it returns one wrapping ErrChannelNotOffered,
// and changes nothing, when the session's paymentOptions do not offer the
// method or provider, or it is none that exists; when paymentOptions
// disable every method, any channel is accepted, as the page still lets
// the customer pay.
func (s *Server) CompleteWith(id string, method gen.PaymentChannelType, provider string) error {
	return s.store.pay("CompleteWith", id, method, provider)
}

// Cancel marks a pending session cancelled, as the customer pressing Cancel
// on the hosted page would. Errors as for Complete.
func (s *Server) Cancel(id string) error {
	return s.store.control("Cancel", id, sessionCancelled)
}

// Expire expires a pending session now, as its time running out would (its
// expireTime becomes now). Errors as for Complete. To expire sessions by the
// clock instead, move the WithClock clock past their expireTime.
func (s *Server) Expire(id string) error {
	return s.store.control("Expire", id, sessionExpired)
}

// Start marks a pending session as opened by the customer; from then on it
// can no longer be deleted. Starting a started session does nothing. Errors
// as for Complete.
func (s *Server) Start(id string) error {
	return s.store.control("Start", id, sessionStarted)
}

// Sweep expires every pending session whose expireTime has passed,
// processes the pending payouts whose WithPayoutDelay has passed, expires
// the payment codes and USSD OTPs whose expireTime has passed, forgets
// idempotency keys past their retention, and returns how many sessions it
// expired. Requests and the inspection methods sweep by themselves; call
// Sweep when time moved and no request followed.
func (s *Server) Sweep() int {
	st := s.store // not within: it counts what its own sweep expires
	now := st.clock()
	st.mu.Lock()
	defer st.unlock()
	st.forgetExpiredKeysLocked(now)
	return st.sweepLocked(now)
}

// Find returns a snapshot of the object id of kind T (Session, Payment,
// FinancialAccount, LedgerEntry, Payout, InternalTransfer, PaymentCode,
// USSDOTP, Receipt by its order number, WebhookEndpoint), whatever its space, and whether the
// Server holds it: the read view and what the read API hides (a session's
// space, callbackState, paymentOptions, Idempotency-Key, whether the
// customer started it, its payments; an account's balance; the books). A
// deleted session is not held.
//
//	s, ok := api.Find[api.Session](srv, id)
func Find[T any, P Record[T]](s *Server, id string) (T, bool) {
	var out T
	var ok bool
	s.store.within(func(time.Time) {
		var r P
		if r, ok = tableOf[T, P](s.store).get("", id); ok {
			out = clone((*T)(r))
		}
	})
	return out, ok
}

// FindAll returns snapshots of the objects of kind T in the space spaceID,
// oldest first (deleted sessions left out), as Find returns them.
func FindAll[T any, P Record[T]](s *Server, spaceID string) []T {
	var out []T
	s.store.within(func(time.Time) {
		rows := tableOf[T, P](s.store).all(spaceID)
		out = make([]T, len(rows))
		for i, r := range rows {
			out[i] = clone((*T)(r))
		}
	})
	return out
}
