package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
)

// The admin API of USSD: payment codes, which a payer dials and pays, USSD
// OTPs, which a phone dials to verify, and the receipts of completed
// checkouts. See admin.go for the list.

// paymentCodeStatuses are the statuses of Monime's payment codes.
var paymentCodeStatuses = []string{"pending", "processing", "completed", "expired", "cancelled"}

// otpStatuses are the statuses of Monime's USSD OTPs.
var otpStatuses = []string{"pending", "verified", "expired"}

// receiptStatuses are the statuses of Monime's receipts.
var receiptStatuses = []string{"not_redeemed", "partially_redeemed", "fully_redeemed"}

// momoPayers are the providers a payment code's payer may pay through: the
// mobile money providers of Sierra Leone the fake knows.
var momoPayers = []string{string(gen.MomoProviderM17), string(gen.MomoProviderM18)}

// paymentCodeView is a payment code as the admin API shows it: a read,
// plus the payments it took, what they total and its Idempotency-Key.
type paymentCodeView struct {
	gen.PaymentCode
	PaymentIDs     []string `json:"paymentIds"`
	Collected      int64    `json:"collected"`
	IdempotencyKey string   `json:"idempotencyKey,omitempty"`
}

func viewPaymentCode(c api.PaymentCode) paymentCodeView {
	ids := c.PaymentIDs
	if ids == nil {
		ids = []string{}
	}
	return paymentCodeView{PaymentCode: c.PaymentCode, PaymentIDs: ids, Collected: c.Collected, IdempotencyKey: c.IdempotencyKey}
}

// otpView is a USSD OTP as the admin API shows it: a read, plus when its
// phone dialled it and its Idempotency-Key.
type otpView struct {
	gen.USSDOTP
	VerifyTime     *time.Time `json:"verifyTime"` // null until verified
	IdempotencyKey string     `json:"idempotencyKey,omitempty"`
}

func viewOTP(o api.USSDOTP) otpView {
	return otpView{USSDOTP: o.USSDOTP, VerifyTime: o.VerifyTime, IdempotencyKey: o.IdempotencyKey}
}

// receiptView is a receipt as the admin API shows it: a read, plus the
// checkout session whose order it records.
type receiptView struct {
	gen.Receipt
	SessionID string `json:"sessionId"`
}

func viewReceipt(r api.Receipt) receiptView {
	return receiptView{Receipt: r.Receipt, SessionID: r.SessionID}
}

// codeWithStatus keeps the payment codes of status ("" keeps all).
func codeWithStatus(status string) func(*api.PaymentCode) bool {
	if status == "" {
		return nil
	}
	return func(c *api.PaymentCode) bool { return string(c.Status) == status }
}

// otpWithStatus keeps the USSD OTPs of status ("" keeps all).
func otpWithStatus(status string) func(*api.USSDOTP) bool {
	if status == "" {
		return nil
	}
	return func(o *api.USSDOTP) bool { return string(o.Status) == status }
}

// receiptWithStatus keeps the receipts of status ("" keeps all).
func receiptWithStatus(status string) func(*api.Receipt) bool {
	if status == "" {
		return nil
	}
	return func(r *api.Receipt) bool { return string(r.Status) == status }
}

// paymentCode returns the payment code id if it is in the fake's space.
func (a *app) paymentCode(id string) (api.PaymentCode, bool) {
	c, ok := api.Find[api.PaymentCode](a.fake, id)
	if !ok || c.SpaceID != a.cfg.space {
		return api.PaymentCode{}, false
	}
	return c, true
}

// otp returns the USSD OTP id if it is in the fake's space.
func (a *app) otp(id string) (api.USSDOTP, bool) {
	o, ok := api.Find[api.USSDOTP](a.fake, id)
	if !ok || o.SpaceID != a.cfg.space {
		return api.USSDOTP{}, false
	}
	return o, true
}

// receipt returns the receipt of the order orderNumber if it is in the
// fake's space.
func (a *app) receipt(orderNumber string) (api.Receipt, bool) {
	r, ok := api.Find[api.Receipt](a.fake, orderNumber)
	if !ok || r.SpaceID != a.cfg.space {
		return api.Receipt{}, false
	}
	return r, true
}

// actionErr is an error of a payment code's or an OTP's action: its
// message says what to do, and it is the error of package api it stands
// for (errors.Is).
type actionErr struct {
	msg  string
	kind error
}

func (e *actionErr) Error() string { return e.msg }
func (e *actionErr) Unwrap() error { return e.kind }

// errNoCode is the error of a payment code id the fake's space lacks.
func errNoCode(id, space string) error {
	return &actionErr{fmt.Sprintf("no payment code %q in space %s: it was never created here, or it was deleted; GET /_fake/payment-codes lists those there are", id, space), api.ErrCodeNotFound}
}

// errNoOTP is the error of a USSD OTP id the fake's space lacks.
func errNoOTP(id, space string) error {
	return &actionErr{fmt.Sprintf("no USSD OTP %q in space %s: it was never created here, or it was deleted; GET /_fake/ussd-otps lists those there are", id, space), api.ErrOTPNotFound}
}

// why is the reason of an error of package api, without the call and the
// sentinel's own words before it.
func why(err error, sentinel error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, sentinel.Error()+": "); ok {
		return after
	}
	return msg
}

// payCode pays the payment code id in the fake's space, as a payer
// dialling its USSD code would: amount (nil for the code's fixed amount),
// from phone through provider (empty: the code's authorized ones, or the
// test payer of m17). Its error wraps one of api's ErrCode... and says
// what to do.
func (a *app) payCode(id string, amount *gen.Money, phone, provider string) error {
	c, ok := a.paymentCode(id)
	if !ok {
		return errNoCode(id, a.cfg.space)
	}
	if amount == nil {
		if c.Amount == nil {
			return &actionErr{fmt.Sprintf("payment code %s takes any amount, so say how much the payer pays: {\"amount\": {\"currency\": \"SLE\", \"value\": 75000}}", id), api.ErrCodeAmount}
		}
		amount = c.Amount
	}
	err := a.fake.PayCode(id, phone, provider, *amount)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, api.ErrCodeNotFound):
		return errNoCode(id, a.cfg.space)
	case errors.Is(err, api.ErrCodeNotPayable):
		return &actionErr{fmt.Sprintf("payment code %s takes no payment now: %s; create a new code with POST /v1/payment-codes", id, why(err, api.ErrCodeNotPayable)), api.ErrCodeNotPayable}
	case errors.Is(err, api.ErrCodePayerRefused):
		return &actionErr{fmt.Sprintf("payment code %s refuses this payer: %s; pay from its authorized phone and provider, or leave them out to use them", id, why(err, api.ErrCodePayerRefused)), api.ErrCodePayerRefused}
	case errors.Is(err, api.ErrCodeAmount):
		return &actionErr{fmt.Sprintf("payment code %s refuses this amount: %s", id, why(err, api.ErrCodeAmount)), api.ErrCodeAmount}
	}
	return err
}

// dialOTP verifies the USSD OTP id in the fake's space as its phone would,
// dialling from phone (empty: its authorized phone). Its error wraps one
// of api's ErrOTP... and says what to do.
func (a *app) dialOTP(id, phone string) error {
	o, ok := a.otp(id)
	if !ok {
		return errNoOTP(id, a.cfg.space)
	}
	if phone == "" {
		phone = o.AuthorizedPhoneNumber
	}
	err := a.fake.DialOTP(id, phone)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, api.ErrOTPNotFound):
		return errNoOTP(id, a.cfg.space)
	case errors.Is(err, api.ErrOTPNotPending):
		return &actionErr{fmt.Sprintf("USSD OTP %s can no longer be dialled: %s; create a new one with POST /v1/ussd-otps", id, why(err, api.ErrOTPNotPending)), api.ErrOTPNotPending}
	case errors.Is(err, api.ErrOTPWrongPhone):
		return &actionErr{fmt.Sprintf("USSD OTP %s was dialled from the wrong phone: %s; dial from its authorized phone, or leave phoneNumber out to use it", id, why(err, api.ErrOTPWrongPhone)), api.ErrOTPWrongPhone}
	}
	return err
}

// ussdActionError is the status and reason for an error of payCode or
// dialOTP.
func ussdActionError(err error) (int, string) {
	switch {
	case errors.Is(err, api.ErrCodeNotFound), errors.Is(err, api.ErrOTPNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, api.ErrCodeNotPayable):
		return http.StatusConflict, "payment_code_not_payable"
	case errors.Is(err, api.ErrOTPNotPending):
		return http.StatusConflict, "ussd_otp_not_pending"
	case errors.Is(err, api.ErrCodePayerRefused), errors.Is(err, api.ErrOTPWrongPhone):
		return http.StatusBadRequest, "payer_refused"
	case errors.Is(err, api.ErrCodeAmount):
		return http.StatusBadRequest, "validation_error"
	}
	return http.StatusInternalServerError, "internal_error"
}

func (a *app) adminPaymentCodes(w http.ResponseWriter, r *http.Request) {
	if status, ok := queryStatus(w, r, paymentCodeStatuses, "payment code"); ok {
		adminList(a, w, r, codeWithStatus(status), viewPaymentCode)
	}
}

func (a *app) adminPaymentCode(w http.ResponseWriter, r *http.Request) {
	c, ok := a.paymentCode(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", errNoCode(r.PathValue("id"), a.cfg.space).Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": viewPaymentCode(c)})
}

// payBody is the body of POST /_fake/payment-codes/{id}/pay.
type payBody struct {
	Amount      *gen.Money `json:"amount"`      // default: the code's fixed amount
	PhoneNumber string     `json:"phoneNumber"` // default: its authorized phone, or the provider's test payer
	Provider    string     `json:"provider"`    // default: its first authorized provider, or m17
}

func (a *app) adminPayCode(w http.ResponseWriter, r *http.Request) {
	var body payBody
	if !decodeBody(w, r, &body, true) {
		return
	}
	id := r.PathValue("id")
	if err := a.payCode(id, body.Amount, body.PhoneNumber, body.Provider); err != nil {
		code, reason := ussdActionError(err)
		writeError(w, code, reason, err.Error())
		return
	}
	c, _ := a.paymentCode(id)
	writeJSON(w, http.StatusOK, map[string]any{"result": viewPaymentCode(c)})
}

func (a *app) adminOTPs(w http.ResponseWriter, r *http.Request) {
	if status, ok := queryStatus(w, r, otpStatuses, "USSD OTP"); ok {
		adminList(a, w, r, otpWithStatus(status), viewOTP)
	}
}

func (a *app) adminOTP(w http.ResponseWriter, r *http.Request) {
	o, ok := a.otp(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", errNoOTP(r.PathValue("id"), a.cfg.space).Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": viewOTP(o)})
}

func (a *app) adminDialOTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		PhoneNumber string `json:"phoneNumber"` // default: the OTP's authorized phone
	}
	if !decodeBody(w, r, &body, true) {
		return
	}
	id := r.PathValue("id")
	if err := a.dialOTP(id, body.PhoneNumber); err != nil {
		code, reason := ussdActionError(err)
		writeError(w, code, reason, err.Error())
		return
	}
	o, _ := a.otp(id)
	writeJSON(w, http.StatusOK, map[string]any{"result": viewOTP(o)})
}

func (a *app) adminReceipts(w http.ResponseWriter, r *http.Request) {
	if status, ok := queryStatus(w, r, receiptStatuses, "receipt"); ok {
		adminList(a, w, r, receiptWithStatus(status), viewReceipt)
	}
}

func (a *app) adminReceipt(w http.ResponseWriter, r *http.Request) {
	rc, ok := a.receipt(r.PathValue("order"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no receipt of order %q in space %s: a receipt is issued when a checkout session completes, under its orderNumber; GET /_fake/receipts lists those there are", r.PathValue("order"), a.cfg.space))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": viewReceipt(rc)})
}
