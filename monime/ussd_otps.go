package monime

import (
	"context"
	"errors"
	"iter"
	"math"
	"net/http"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// USSDOTPsService verifies that someone holds a phone: they dial a code
// from it, on any phone, a feature phone too. Reach it as Client.USSDOTPs.
type USSDOTPsService service

// Monime's document gives USSD OTP ids no pattern, so any non-empty id is
// sent.
var ussdOTPs = resource[ussdOTPJSON, USSDOTP, *ussdOTPJSON]{
	name: "USSDOTPs", what: "USSD OTP", path: "/v1/ussd-otps",
	id: func(o *USSDOTP) string { return o.ID },
}

// Create starts a verification (CreateUSSDOTP, POST /v1/ussd-otps), with
// one Idempotency-Key for all its attempts. Ask the holder of
// AuthorizedPhoneNumber to dial the OTP's DialCode before its ExpireTime,
// then read its Status.
func (s *USSDOTPsService) Create(ctx context.Context, params *USSDOTPCreateParams, opts ...CallOption) (*USSDOTP, error) {
	return ussdOTPs.create(ctx, clientOf(s), params, func(server string) (*http.Request, error) {
		return gen.NewCreateUSSDOTPRequest(server, nil, gen.CreateUSSDOTPRequest{AuthorizedPhoneNumber: params.AuthorizedPhoneNumber,
			VerificationMessage: optional(&params.VerificationMessage), Duration: wireDuration(params.Duration),
			Metadata: sentMetadata(params.Metadata)})
	}, opts)
}

// Get returns the USSD OTP id (GetUSSDOTP, GET /v1/ussd-otps/{id}). An
// unknown id is an error matching ErrNotFound.
func (s *USSDOTPsService) Get(ctx context.Context, id string, opts ...CallOption) (*USSDOTP, error) {
	return ussdOTPs.get(ctx, clientOf(s), id, nil, func(server string) (*http.Request, error) {
		return gen.NewGetUSSDOTPRequest(server, id, nil)
	}, opts)
}

// List returns one page of the space's USSD OTPs, newest first; params may
// be nil (ListUSSDOTPs, GET /v1/ussd-otps). Follow Page.Next, or use All.
func (s *USSDOTPsService) List(ctx context.Context, params *USSDOTPListParams, opts ...CallOption) (*Page[USSDOTP], error) {
	p := valueOr(params)
	return ussdOTPs.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		return gen.NewListUSSDOTPsRequest(server, &gen.ListUSSDOTPsParams{Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
}

// All iterates over every USSD OTP, newest first, fetching pages as the
// loop needs them; see CheckoutSessionsService.All.
func (s *USSDOTPsService) All(ctx context.Context, params *USSDOTPListParams, opts ...CallOption) iter.Seq2[*USSDOTP, error] {
	p := valueOr(params)
	return ussdOTPs.all(&p.After, func() (*Page[USSDOTP], error) { return s.List(ctx, &p, opts...) })
}

// Delete deletes a USSD OTP (DeleteUSSDOTP, DELETE /v1/ussd-otps/{id}). A
// 404 after an earlier attempt's answer was lost means that attempt
// deleted it, and Delete returns nil.
func (s *USSDOTPsService) Delete(ctx context.Context, id string, opts ...CallOption) error {
	return ussdOTPs.delete(ctx, clientOf(s), id, func(server string) (*http.Request, error) {
		return gen.NewDeleteUSSDOTPRequest(server, id, nil)
	}, opts)
}

// USSDOTPStatus is where a verification is. Monime may add values; treat
// unknown ones as not final.
type USSDOTPStatus string

// The statuses Monime documents for USSD OTPs.
const (
	// USSDOTPPending: waiting to be dialled.
	USSDOTPPending USSDOTPStatus = "pending"
	// USSDOTPVerified: dialled from its phone in time: the phone is theirs.
	USSDOTPVerified USSDOTPStatus = "verified"
	// USSDOTPExpired: not dialled in time.
	USSDOTPExpired USSDOTPStatus = "expired"
)

// IsFinal reports whether the status can no longer change: verified or
// expired.
func (s USSDOTPStatus) IsFinal() bool { return s == USSDOTPVerified || s == USSDOTPExpired }

// USSDOTP is a verification by USSD: proof that someone holds a phone.
type USSDOTP struct {
	// ID is Monime's id for the verification.
	ID string `json:"id"`
	// Status is pending, verified or expired (see IsFinal).
	Status USSDOTPStatus `json:"status"`
	// DialCode is what the phone's holder dials, such as *715*2*904417#.
	DialCode string `json:"dialCode"`
	// AuthorizedPhoneNumber is the phone it must be dialled from.
	AuthorizedPhoneNumber string `json:"authorizedPhoneNumber"`
	// VerificationMessage is shown on the phone once it is verified.
	VerificationMessage string `json:"verificationMessage"`
	// CreateTime is when it was created.
	CreateTime time.Time `json:"createTime"`
	// ExpireTime is when it can no longer be dialled.
	ExpireTime time.Time `json:"expireTime"`
	// Metadata are your own key-value pairs.
	Metadata Metadata `json:"metadata"`
}

// USSDOTPCreateParams is a verification to start: AuthorizedPhoneNumber is
// required.
type USSDOTPCreateParams struct {
	// AuthorizedPhoneNumber is the phone to verify, such as +23276111222.
	AuthorizedPhoneNumber string
	// VerificationMessage is shown once it is verified (at most 255
	// characters).
	VerificationMessage string
	// Duration is how long the phone has to dial, in whole seconds; 0 for
	// Monime's default, 5 minutes.
	Duration time.Duration
	// Metadata are your own key-value pairs (see Metadata for the rules).
	Metadata Metadata
}

// USSDOTPListParams pages a space's USSD OTPs.
type USSDOTPListParams struct {
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// maxVerificationMessageLen is Monime's limit on a verification message.
const maxVerificationMessageLen = 255

// Validate checks p against Monime's limits.
func (p *USSDOTPCreateParams) Validate() error { return validate("USSDOTPs.Create", p, APIVersion) }

func (p *USSDOTPCreateParams) check(ps *problems, _ string) {
	ps.text(field("authorizedPhoneNumber"), p.AuthorizedPhoneNumber, math.MaxInt, true)
	ps.text(field("verificationMessage"), p.VerificationMessage, maxVerificationMessageLen, false)
	checkDuration(ps, field("duration"), p.Duration)
	validateMetadata(ps, p.Metadata)
}

// Validate checks the page size and cursor.
func (p *USSDOTPListParams) Validate() error { return validate("USSDOTPs.List", p, APIVersion) }

func (p *USSDOTPListParams) check(ps *problems, _ string) { checkPage(ps, p.Limit, p.After) }

// ussdOTPJSON is a USSD OTP as Monime sends it.
type ussdOTPJSON struct {
	USSDOTP
	ID     string        `json:"id" decode:"strict"`
	Status USSDOTPStatus `json:"status" decode:"strict"`
}

// public checks the id and status.
func (w *ussdOTPJSON) public() (*USSDOTP, error) {
	switch {
	case w.ID == "":
		return nil, errors.New("the id is missing")
	case w.Status == "":
		return nil, errors.New("the status is missing")
	}
	o := &w.USSDOTP
	o.ID, o.Status = w.ID, w.Status
	return o, nil
}
