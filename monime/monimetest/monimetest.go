// Package monimetest runs the fake Monime API (package api) for your tests,
// in the style of net/http/httptest: one call starts it on loopback, wires a
// real *monime.Client to it, and stops it when the test ends.
//
//	func TestCheckout(t *testing.T) {
//		fake := monimetest.NewServer(t)
//		c := fake.Client()
//		s, err := c.CheckoutSessions.Create(ctx, params)
//		...
//		require.NoError(t, fake.Complete(s.ID)) // the customer pays
//		s, err = c.CheckoutSessions.Get(ctx, s.ID) // s.Status == monime.CheckoutSessionStatusCompleted
//	}
//
// The fake validates every request against the API's OpenAPI contract and,
// here, every response too: a response that breaks the contract fails the
// test. It keeps sessions, payments, financial accounts, payouts and
// internal transfers in memory, replays idempotent creates as Monime does,
// records the payments of each completed session (c.Payments reads them)
// and books them on their financial account, holds each payout's money
// until the test completes or fails it (CompletePayout, FailPayout),
// delivers signed webhooks, and can inject faults. Find shows what the
// read API hides, and the books must balance at the end of every test
// (CheckBooks).
//
// NewServer, Client and ClientFor fail the test when they cannot do their
// job, as httptest.NewServer does. Every other method that can fail returns
// an error instead, as the api.Server method it wraps does, so that a test can
// assert an expected failure (errors.Is(err, api.ErrSessionFinal)) as easily
// as it checks for none (require.NoError). A Server is safe for concurrent
// use.
package monimetest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/monime"
)

// Server is a running fake Monime API. Its methods play the customer
// (Complete, CompleteWith, Cancel, Expire, Start), move money (Fund),
// decide payouts (CompletePayout, FailPayout), pay payment codes
// (PayCode), verify USSD OTPs (DialOTP),
// inject faults (FailNext, InjectFault, ClearFaults) and control webhooks
// (AddWebhook, WaitForDeliveries, Deliveries). Tests read what the fake
// holds through Client, as the code under test does; Find reaches what the
// read API hides, and CheckBooks checks the books.
type Server struct {
	// URL is the fake's base URL, http://127.0.0.1:port.
	URL string
	// Token and SpaceID are the credentials Client uses: api.DefaultToken
	// and api.DefaultSpaceID.
	Token, SpaceID string

	fake      *api.Server
	http      *httptest.Server
	tb        testing.TB
	closeOnce sync.Once
}

// NewServer starts the fake for the test tb, with response validation on,
// and closes it at cleanup, failing the test for every answer that broke the
// API contract. Pass api options to change credentials, the clock, the
// session TTL, rate limits, webhooks or faults; an option api.New refuses
// fails the test. Client uses api.DefaultToken on api.DefaultSpaceID; with
// other credentials (api.WithCredentials), use ClientFor.
func NewServer(tb testing.TB, opts ...api.Option) *Server {
	tb.Helper()
	all := append([]api.Option{api.WithResponseValidation(true)}, opts...)
	fake, err := api.New(all...)
	if err != nil {
		tb.Fatalf("monimetest: NewServer: %v", err)
	}
	hs := httptest.NewServer(fake)
	s := &Server{URL: hs.URL, Token: api.DefaultToken, SpaceID: api.DefaultSpaceID, fake: fake, http: hs, tb: tb}
	tb.Cleanup(func() {
		s.Close()
		for _, v := range fake.ResponseViolations() {
			tb.Errorf("monimetest: the fake broke the API contract: %v", v)
		}
		if err := fake.CheckBooks(); err != nil {
			tb.Errorf("monimetest: the fake's books are broken: %v", err)
		}
	})
	return s
}

// Close shuts the fake down as httptest.Server.Close does: it stops
// accepting connections and blocks until outstanding requests have
// finished. Then it stops webhook delivery, cancelling attempts in flight
// and retries not yet sent, and waits for the goroutines that ran them.
// Calling Close again, even concurrently, waits for the first call and does
// nothing more. NewServer's cleanup calls it, so a test need not.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.http.Close()
		s.fake.Close()
	})
}

// Client returns a *monime.Client for the fake with api.DefaultToken on
// api.DefaultSpaceID. Retries wait at most a few milliseconds, so tests that
// inject faults stay fast; opts are applied after these defaults. An option
// monime.NewClient refuses fails the test.
func (s *Server) Client(opts ...monime.ClientOption) *monime.Client {
	s.tb.Helper()
	return s.ClientFor(s.Token, s.SpaceID, opts...)
}

// ClientFor is Client with other credentials.
func (s *Server) ClientFor(token, spaceID string, opts ...monime.ClientOption) *monime.Client {
	s.tb.Helper()
	all := append([]monime.ClientOption{
		monime.WithBaseURL(s.URL),
		monime.WithHTTPClient(s.http.Client()),
		monime.WithRetryBackoff(time.Millisecond, 10*time.Millisecond),
	}, opts...)
	c, err := monime.NewClient(token, spaceID, all...)
	if err != nil {
		s.tb.Fatalf("monimetest: ClientFor: %v", err)
	}
	return c
}

// HTTPClient returns an *http.Client for raw requests to the fake.
func (s *Server) HTTPClient() *http.Client { return s.http.Client() }

// Complete marks the pending session id paid, as the customer pressing Pay
// on the hosted page would, with the choice it preselects: mobile money,
// Orange Money (m17), unless the session's PaymentOptions rule that out.
// Its status becomes completed, it gets an order number, and its payments
// are recorded (c.Payments.List reads them) and booked on the financial
// account they settle into. The error wraps api.ErrSessionNotFound,
// api.ErrSessionFinal or api.ErrSessionNotPayable when it cannot.
func (s *Server) Complete(id string) error { return s.fake.Complete(id) }

// CompleteWith is Complete paid by the method and provider the customer
// chose on the hosted page: method monime.PaymentChannelMomo, Card, Bank or
// Wallet, and provider one of that method's (monime.MomoProviderM17 or
// M18, the monime.BankProvider constants, monime.WalletProviderDW001, and
// for a card its scheme, "visa" or "mastercard"). An empty method or
// provider is the one the page preselects. The payment's channel is of that
// kind, with that provider and the simulated payer's masked number,
// reference and fingerprint. Besides Complete's errors, it returns one
// wrapping api.ErrChannelNotOffered, and changes nothing, when the session
// does not offer the method or provider.
//
//	err := fake.CompleteWith(s.ID, monime.PaymentChannelBank, monime.BankProviderSLB004)
func (s *Server) CompleteWith(id string, method monime.PaymentChannelType, provider string) error {
	return s.fake.CompleteWith(id, gen.PaymentChannelType(method), provider)
}

// Cancel marks the pending session id cancelled, as the customer pressing
// Cancel on the hosted page would. Errors as for Complete.
func (s *Server) Cancel(id string) error { return s.fake.Cancel(id) }

// Expire expires the pending session id now, as its time running out would.
// Errors as for Complete. To expire sessions by a clock instead, start the
// fake with api.WithClock and move that clock past their expireTime.
func (s *Server) Expire(id string) error { return s.fake.Expire(id) }

// Start marks the pending session id as opened by the customer, after which
// it can no longer be deleted. Starting it again does nothing. Errors as for
// Complete.
func (s *Server) Start(id string) error { return s.fake.Start(id) }

// Sweep expires every pending session whose expireTime has passed by the
// fake's clock and returns how many it expired (it expires payment codes
// and USSD OTPs whose time has passed too, without counting them). Requests and the inspection
// methods sweep by themselves; call Sweep after moving an api.WithClock
// clock when nothing else follows, so that expiry webhooks are sent.
func (s *Server) Sweep() int { return s.fake.Sweep() }

// FailNext makes the next n requests with this method ("" for any) whose
// path matches pattern, as path.Match matches (such as
// "/v1/checkout-sessions/*"), answer status (400 to 599) with the Monime
// error envelope, without handling them. It returns an error, and changes
// nothing, on an argument that could never work (see InjectFault).
//
//	err := fake.FailNext(http.MethodPost, "/v1/checkout-sessions", 2, http.StatusServiceUnavailable)
func (s *Server) FailNext(method, pattern string, n, status int) error {
	if err := s.fake.InjectFault(method, pattern, n, api.Fault{Status: status}); err != nil {
		return fmt.Errorf("monimetest: FailNext: %w", err)
	}
	return nil
}

// InjectFault applies f (a status, a connection reset, a lost answer, a
// delay) to the next n requests with this method ("" for any) whose path
// matches pattern. Rules apply in the order they were added, and a request
// uses up at most one. It returns an error, and adds nothing, for a method
// that is not upper case, a malformed pattern or one not starting with "/",
// an n below 1, or a Fault outside its rules; see api.Server.InjectFault.
func (s *Server) InjectFault(method, pattern string, n int, f api.Fault) error {
	return s.fake.InjectFault(method, pattern, n, f)
}

// ClearFaults removes the rules of FailNext and InjectFault that are not
// used up yet. A function given with api.WithFaultFunc stays.
func (s *Server) ClearFaults() { s.fake.ClearFaults() }

// AddWebhook makes the fake deliver signed events to url, from now on, as
// api.WithWebhook does at NewServer; use it when the receiver's address is
// known only after the fake has started. With no events, url gets the
// checkout-session events (completed, cancelled, expired); name the events
// it wants, as a Monime webhook does, to get the others: payment.created
// and payment.completed (before checkout_session.completed),
// payout.completed and payout.failed, and payment_code.processed:
//
//	err := fake.AddWebhook(url, secret, "payment.created", "payment.completed", "checkout_session.completed")
//
// See api.Server.AddWebhook for what is sent. It returns an error, and adds
// nothing, for a URL that is not absolute http(s), an empty secret or an
// event the fake does not send.
func (s *Server) AddWebhook(url, secret string, events ...string) error {
	return s.fake.AddWebhook(url, secret, events...)
}

// WaitForDeliveries blocks until every webhook event queued so far has been
// delivered or given up on, and returns nil; or until ctx is done, and
// returns an error wrapping ctx.Err() that says how many are unfinished.
// Complete, Cancel and Expire queue their events before they return.
//
//	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
//	defer cancel()
//	require.NoError(t, fake.WaitForDeliveries(ctx))
func (s *Server) WaitForDeliveries(ctx context.Context) error {
	return s.fake.WaitForDeliveries(ctx)
}

// Deliveries returns every webhook delivery attempt finished so far, in the
// order they finished.
func (s *Server) Deliveries() []api.Delivery { return s.fake.Deliveries() }

// RequestCount returns how many API requests the fake has received,
// including those a fault failed, reset or dropped; hosted pages are not
// counted.
func (s *Server) RequestCount() int64 { return s.fake.RequestCount() }

// Find returns the fake's own record of the object id, of kind T
// (api.Session, api.Payment, api.FinancialAccount, api.LedgerEntry,
// api.Payout, api.InternalTransfer),
// whatever its space, and whether the fake holds it. It is the one way to
// what the read API hides: a session's callbackState, paymentOptions,
// Idempotency-Key and whether the customer started it, an account's
// balance, the books. Read everything else through Client, as your code
// does.
//
//	rec, ok := monimetest.Find[api.Session](fake, s.ID)
func Find[T any, P api.Record[T]](s *Server, id string) (T, bool) {
	return api.Find[T, P](s.fake, id)
}

// Fund credits amount to the financial account id, as money arriving from
// outside would, so that a test can give an account a balance: a ledger
// entry of its own. The amount must be positive and in the account's
// currency; otherwise, or for an unknown id, it returns an error and
// changes nothing.
//
//	err := fake.Fund(api.MainAccountID(fake.SpaceID), monime.Money{Currency: "SLE", Value: 100000})
func (s *Server) Fund(id string, amount monime.Money) error {
	return s.fake.Fund(id, gen.Money{Currency: gen.Currency(amount.Currency), Value: amount.Value})
}

// CompletePayout processes the pending payout id as the provider paying
// it would: it becomes completed, the money it held leaves its source for
// good, and payout.completed is sent to the webhooks that subscribed. A
// payout to one of the fake's test destinations (see
// api.Server.CompletePayout) fails instead, with the failure code the
// destination names, and CompletePayout still returns nil. Payouts stay
// pending until the test calls it or FailPayout. It returns an error
// wrapping api.ErrPayoutNotFound or api.ErrPayoutNotPending when it
// cannot, and changes nothing then.
func (s *Server) CompletePayout(id string) error { return s.fake.CompletePayout(id) }

// FailPayout fails the pending payout id with code, one of Monime's payout
// failure codes (unknown, fund_insufficient, authorization_failed,
// provider_unknown, provider_account_blocked, provider_account_missing,
// provider_account_quota_exhausted): what it held goes back to its source
// by reversal transactions, and payout.failed is sent to the webhooks that
// subscribed. It returns an error wrapping api.ErrPayoutFailureCode for
// another code, and one wrapping api.ErrPayoutNotFound or
// api.ErrPayoutNotPending when it cannot, and changes nothing then.
func (s *Server) FailPayout(id, code string) error { return s.fake.FailPayout(id, code) }

// CheckBooks returns nil when the fake's books hold their invariant (every
// balance is the sum of its ledger entries and never negative), else an
// error naming each breach. NewServer's cleanup checks it too.
func (s *Server) CheckBooks() error { return s.fake.CheckBooks() }

// PayCode pays amount into the payment code id as a payer dialling its
// ussdCode would, from an authorized phone: the code's
// authorizedPhoneNumber (else the fake's test payer, +23276123456) through
// the first of its authorizedProviders (else Orange Money, m17). The
// payment reads through c.Payments (channel momo, ownershipGraph.owner
// the code), settles into the code's financial account less fees, and
// payment.created, payment.completed and payment_code.processed (with
// processedPaymentData) go to the webhooks that subscribed. A one_time
// code becomes completed; a recurrent one processing, or completed once
// its targets are met.
//
// It changes nothing and returns an error saying why, wrapping
// api.ErrCodeNotFound, api.ErrCodeNotPayable (disabled, expired,
// completed), api.ErrCodePayerRefused or api.ErrCodeAmount (not the
// code's amount, another currency, not positive). PayCodeFrom pays from
// another phone or operator, as a payer the code may refuse would.
//
//	err := fake.PayCode(pc.ID, monime.Money{Currency: "SLE", Value: 75000})
func (s *Server) PayCode(id string, amount monime.Money) error {
	return s.PayCodeFrom(id, "", "", amount)
}

// PayCodeFrom pays the payment code id as PayCode does, but as the payer
// on phoneNumber through the mobile-money operator provider (m17 or m18):
// a phone or operator the code does not authorize is refused with an
// error wrapping api.ErrCodePayerRefused, and nothing changes. An empty
// phoneNumber or provider is PayCode's choice.
//
//	err := fake.PayCodeFrom(pc.ID, "+23277000111", "m18", monime.Money{Currency: "SLE", Value: 75000})
//	errors.Is(err, api.ErrCodePayerRefused) // true for a code authorizing +23276555000 only
func (s *Server) PayCodeFrom(id, phoneNumber, provider string, amount monime.Money) error {
	return s.fake.PayCode(id, phoneNumber, provider, gen.Money{Currency: gen.Currency(amount.Currency), Value: amount.Value})
}

// DialOTP verifies the pending USSD OTP id as its holder dialling its
// dialCode from phoneNumber would: it becomes verified. It changes nothing
// and returns an error saying why, wrapping api.ErrOTPNotFound,
// api.ErrOTPNotPending (already verified, or expired) or
// api.ErrOTPWrongPhone (not its authorizedPhoneNumber).
func (s *Server) DialOTP(id, phoneNumber string) error { return s.fake.DialOTP(id, phoneNumber) }
