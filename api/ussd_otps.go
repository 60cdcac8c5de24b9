package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// Errors of the USSD OTP control (DialOTP). They come wrapped with the
// call, the id and why; test for them with errors.Is.
var (
	// ErrOTPNotFound: the fake holds no USSD OTP with this id (never
	// created, or deleted).
	ErrOTPNotFound = errors.New("no such USSD OTP (never created, or deleted)")
	// ErrOTPNotPending: the OTP is already verified or expired.
	ErrOTPNotPending = errors.New("USSD OTP is no longer pending")
	// ErrOTPWrongPhone: the OTP was dialled from another phone than its
	// authorizedPhoneNumber.
	ErrOTPWrongPhone = errors.New("USSD OTP dialled from another phone")
)

// The defaults of a USSD OTP's create.
const (
	defaultOTPDuration = 5 * time.Minute
	otpUSSDPrefix      = "*715*2*"
)

// USSDOTP is one stored USSD OTP: what the read API returns for it, plus
// what only the fake knows. Find and FindAll return snapshots of it;
// SaveState writes it as it is. A deleted OTP is not held.
type USSDOTP struct {
	Stored
	// USSDOTP is exactly what GetUSSDOTP answers.
	gen.USSDOTP `json:"view"`
	// VerifyTime is when its phone dialled it, for a verified OTP.
	VerifyTime *time.Time `json:"verifyTime,omitempty"`
	// IdempotencyKey is the key the OTP was created with.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

func (o *USSDOTP) recordID() string { return o.Id }

// DialOTP verifies the pending USSD OTP id, in any space, as its phone's
// holder dialling its dialCode from phoneNumber would: it becomes verified.
// It changes nothing and returns an error saying why, wrapping
// ErrOTPNotFound, ErrOTPNotPending (already verified, or expired: its
// expireTime has passed) or ErrOTPWrongPhone (phoneNumber is not its
// authorizedPhoneNumber). Monime documents no event of OTPs, and the fake
// sends none.
func (s *Server) DialOTP(id, phoneNumber string) (err error) {
	phoneNumber = strings.TrimSpace(phoneNumber)
	s.store.within(func(now time.Time) {
		o, ok := s.store.otps.get("", id)
		switch {
		case !ok:
			err = fmt.Errorf("api: DialOTP(%q): %w", id, ErrOTPNotFound)
		case o.Status == gen.USSDOTPStatusExpired || o.Status == gen.USSDOTPStatusPending && !now.Before(o.ExpireTime):
			err = fmt.Errorf("api: DialOTP(%q): %w: it expired at %s", id, ErrOTPNotPending, o.ExpireTime.Format(time.RFC3339))
		case o.Status != gen.USSDOTPStatusPending:
			err = fmt.Errorf("api: DialOTP(%q): %w: it is %s already", id, ErrOTPNotPending, o.Status)
		case phoneNumber != o.AuthorizedPhoneNumber:
			err = fmt.Errorf("api: DialOTP(%q): %w: only %s may verify it, not %q", id, ErrOTPWrongPhone, o.AuthorizedPhoneNumber, phoneNumber)
		default:
			o.Status = gen.USSDOTPStatusVerified
			o.VerifyTime = &now
			s.store.touched(o)
		}
	})
	return err
}

// ListUSSDOTPs implements GET /v1/ussd-otps: newest first, limit 1 to 50
// (default 10).
func (h *handlers) ListUSSDOTPs(ctx context.Context, req server.ListUSSDOTPsRequestObject) (server.ListUSSDOTPsResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	limit, after, e := pageRequest(space, req.Params.Limit, req.Params.After)
	if e != nil {
		return server.ListUSSDOTPs400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	var views []gen.USSDOTP
	var pagination gen.Pagination
	h.s.store.within(func(time.Time) {
		page, last, more := h.s.store.otps.page(space, limit, after, nil)
		views = make([]gen.USSDOTP, len(page))
		for i, o := range page {
			views[i] = o.USSDOTP
		}
		pagination = pageInfo(space, len(page), last, more)
	})
	return server.ListUSSDOTPs200JSONResponse{
		Body:    gen.USSDOTPListEnvelope{Success: true, Messages: &gen.Messages{}, Result: views, Pagination: pagination},
		Headers: server.ListUSSDOTPs200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// CreateUSSDOTP implements POST /v1/ussd-otps: a pending OTP with a dial
// code no pending OTP or live payment code has, expiring after duration
// (default 5m). Idempotency is handled around it.
func (h *handlers) CreateUSSDOTP(ctx context.Context, req server.CreateUSSDOTPRequestObject) (server.CreateUSSDOTPResponseObject, error) {
	info := infoFrom(ctx)
	body := req.Body
	if body == nil {
		e := validation([]gen.ErrorDetail{detail("", "a JSON request body is required")})
		return server.CreateUSSDOTP400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	problems := checkMetadataKeys(body.Metadata)
	d, bad := parseDuration("duration", body.Duration, defaultOTPDuration)
	if problems = append(problems, bad...); len(problems) > 0 {
		return server.CreateUSSDOTP400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	space := req.Params.MonimeSpaceId
	var view gen.USSDOTP
	h.s.store.within(func(now time.Time) {
		st := h.s.store
		st.openSpaces([]string{space}, now)
		o := &USSDOTP{Stored: Stored{SpaceID: space}, IdempotencyKey: req.Params.IdempotencyKey, USSDOTP: gen.USSDOTP{
			Id:                    newID("uop-", 14),
			Status:                gen.USSDOTPStatusPending,
			DialCode:              st.newUSSDCode(otpUSSDPrefix),
			AuthorizedPhoneNumber: body.AuthorizedPhoneNumber,
			VerificationMessage:   body.VerificationMessage,
			CreateTime:            now,
			ExpireTime:            now.Add(d),
			Metadata:              copyMetadata(body.Metadata),
		}}
		o.Seq = st.next()
		st.otps.insert(o)
		st.otpDue.add(o, o.ExpireTime)
		view = o.USSDOTP
	})
	return server.CreateUSSDOTP200JSONResponse{
		Body:    gen.USSDOTPEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.CreateUSSDOTP200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetUSSDOTP implements GET /v1/ussd-otps/{id}.
func (h *handlers) GetUSSDOTP(ctx context.Context, req server.GetUSSDOTPRequestObject) (server.GetUSSDOTPResponseObject, error) {
	info := infoFrom(ctx)
	view, e := lookup(h.s.store, h.s.store.otps, "USSD OTP", req.Params.MonimeSpaceId, req.Id,
		func(o *USSDOTP) gen.USSDOTP { return o.USSDOTP })
	if e != nil {
		return server.GetUSSDOTP404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetUSSDOTP200JSONResponse{
		Body:    gen.USSDOTPEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetUSSDOTP200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// DeleteUSSDOTP implements DELETE /v1/ussd-otps/{id}: an OTP goes in any
// status (Monime's document sets no condition); a pending one can no
// longer be verified.
func (h *handlers) DeleteUSSDOTP(ctx context.Context, req server.DeleteUSSDOTPRequestObject) (server.DeleteUSSDOTPResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	var ok bool
	h.s.store.within(func(time.Time) {
		var o *USSDOTP
		if o, ok = h.s.store.otps.get(space, req.Id); ok {
			h.s.store.otps.remove(o)
			h.s.store.touched()
		}
	})
	if !ok {
		return server.DeleteUSSDOTP404JSONResponse{NotFoundJSONResponse: notFound("USSD OTP", req.Id, space).notFound(info.id)}, nil
	}
	return server.DeleteUSSDOTP200JSONResponse{
		Body:    gen.EmptyEnvelope{Success: true, Messages: &gen.Messages{}},
		Headers: server.DeleteUSSDOTP200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
