package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// Errors of the payment-code control (PayCode). They come wrapped with the
// call, the id and why; test for them with errors.Is.
var (
	// ErrCodeNotFound: the fake holds no payment code with this id (never
	// created, or deleted).
	ErrCodeNotFound = errors.New("no such payment code (never created, or deleted)")
	// ErrCodeNotPayable: the code takes no payment now: it is disabled,
	// expired, completed or cancelled.
	ErrCodeNotPayable = errors.New("payment code takes no payment")
	// ErrCodePayerRefused: the code is restricted to another phone number
	// (authorizedPhoneNumber) or other providers (authorizedProviders).
	ErrCodePayerRefused = errors.New("payment code refuses this payer")
	// ErrCodeAmount: the amount is not one the code takes: not positive, in
	// another currency than its account's, or not the code's fixed amount.
	ErrCodeAmount = errors.New("payment code refuses this amount")
)

// The reasons of the 409 answers of payment codes.
const (
	// ReasonPaymentCodeNotUpdatable: the code is completed, expired or
	// cancelled, so it can no longer change.
	ReasonPaymentCodeNotUpdatable = "payment_code_not_updatable"
	// ReasonPaymentCodeNotDeletable: the code has taken a payment ("only
	// allowed if the code hasn't been used").
	ReasonPaymentCodeNotDeletable = "payment_code_not_deletable"
)

// The event of a payment code that Monime documents, and the object type
// of its payload.
const (
	eventPaymentCodeProcessed = "payment_code.processed"
	objectTypePaymentCode     = "payment_code"
)

// The default duration of a payment code, as Monime's document gives it,
// and the start of the fake's USSD codes of payment codes.
const (
	defaultCodeDuration = 10 * time.Minute
	codeUSSDPrefix      = "*715*1*"
)

// PaymentCode is one stored payment code: what the read API returns for
// it, plus what only the fake knows. Find and FindAll return snapshots of
// it; SaveState writes it as it is. A deleted code is not held.
type PaymentCode struct {
	Stored
	// PaymentCode is exactly what GetPaymentCode answers; its
	// processedPaymentData is always null (only the payment_code.processed
	// event carries it). Its nested values are never changed once stored;
	// a change replaces them.
	gen.PaymentCode `json:"view"`
	// PaymentIDs are the payments the code took, oldest first.
	PaymentIDs []string `json:"paymentIds,omitempty"`
	// Collected is what those payments total, in minor units of the
	// currency of the code's account.
	Collected int64 `json:"collected,omitempty"`
	// IdempotencyKey is the key the code was created with.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

func (c *PaymentCode) recordID() string { return c.Id }

// paymentCodeTables are the store's tables of payment codes, USSD OTPs and
// receipts, and the queues of the codes and OTPs the sweep expires.
type paymentCodeTables struct {
	paymentCodes *table[*PaymentCode]
	otps         *table[*USSDOTP]
	receipts     *table[*Receipt]
	codeDue      dueQueue[*PaymentCode] // live codes by expireTime
	otpDue       dueQueue[*USSDOTP]     // pending OTPs by expireTime
}

func newPaymentCodeTables() paymentCodeTables {
	return paymentCodeTables{
		paymentCodes: newTable[*PaymentCode]("paymentCodes"),
		otps:         newTable[*USSDOTP]("ussdOtps"),
		receipts:     newTable[*Receipt]("receipts"),
	}
}

// requeue queues the live codes and pending OTPs of restored tables for
// the sweep. Call it with mu held.
func (t *paymentCodeTables) requeue() {
	t.codeDue, t.otpDue = nil, nil
	for _, c := range t.paymentCodes.all("") {
		if c.live() {
			t.codeDue.add(c, c.ExpireTime)
		}
	}
	for _, o := range t.otps.all("") {
		if o.Status == gen.USSDOTPStatusPending {
			t.otpDue.add(o, o.ExpireTime)
		}
	}
}

// The anonymous struct types of gen.PaymentCode's members, by name.
type (
	codeCustomer = struct {
		Name *string `json:"name,omitempty"`
	}
	codeTarget = struct {
		ExpectedPaymentCount *int `json:"expectedPaymentCount,omitempty"`

		// ExpectedPaymentTotal An amount in minor units (SLE 1.00 is 100).
		ExpectedPaymentTotal *gen.Money `json:"expectedPaymentTotal,omitempty"`
	}
	codeChannelData = struct {
		AccountId  *string `json:"accountId,omitempty"`
		ProviderId *string `json:"providerId,omitempty"`
		Reference  *string `json:"reference,omitempty"`
	}
	codeProcessedPayment = struct {
		// Amount An amount in minor units (SLE 1.00 is 100).
		Amount      *gen.Money `json:"amount,omitempty"`
		ChannelData *struct {
			AccountId  *string `json:"accountId,omitempty"`
			ProviderId *string `json:"providerId,omitempty"`
			Reference  *string `json:"reference,omitempty"`
		} `json:"channelData,omitempty"`
		FinancialTransactionReference *string                 `json:"financialTransactionReference,omitempty"`
		Metadata                      *map[string]interface{} `json:"metadata,omitempty"`
		OrderId                       *string                 `json:"orderId,omitempty"`
		OrderNumber                   *string                 `json:"orderNumber,omitempty"`
		PaymentId                     *string                 `json:"paymentId,omitempty"`
	}
)

// live reports whether c may still take payments by its status (pending
// or processing).
func (c *PaymentCode) live() bool {
	return c.Status == gen.PaymentCodeStatusPending || c.Status == gen.PaymentCodeStatusProcessing
}

// targetMet reports whether the recurrent code c has met every target it
// names (none: never, so it takes payments until it expires).
func (c *PaymentCode) targetMet() bool {
	t := c.RecurrentPaymentTarget
	if t == nil || t.ExpectedPaymentCount == nil && t.ExpectedPaymentTotal == nil {
		return false
	}
	if t.ExpectedPaymentCount != nil && len(c.PaymentIDs) < *t.ExpectedPaymentCount {
		return false
	}
	if t.ExpectedPaymentTotal != nil && c.Collected < t.ExpectedPaymentTotal.Value {
		return false
	}
	return true
}

// newUSSDCode returns a code of prefix and six random digits that no live
// payment code (or pending OTP, for the OTP prefix) of any space has. Call
// it with mu held.
func (st *store) newUSSDCode(prefix string) string {
	for {
		code := prefix + randomText("0123456789", 6) + "#"
		taken := false
		for _, c := range st.paymentCodes.byID {
			taken = taken || c.live() && c.UssdCode == code
		}
		for _, o := range st.otps.byID {
			taken = taken || o.Status == gen.USSDOTPStatusPending && o.DialCode == code
		}
		if !taken {
			return code
		}
	}
}

// parseDuration reads a duration member (Go's syntax, such as 10m or
// 1h30m), def when absent; it must be positive.
func parseDuration(field string, s *string, def time.Duration) (time.Duration, []gen.ErrorDetail) {
	if s == nil {
		return def, nil
	}
	d, err := time.ParseDuration(*s)
	if err != nil || d <= 0 {
		return 0, []gen.ErrorDetail{detail(field, fmt.Sprintf("must be a positive duration as Go writes one, such as 30s, 10m or 1h30m; got %q", *s))}
	}
	return d, nil
}

// codeProblems checks what Monime's document says of a payment code's
// create or update body that spec/ does not: positive amounts, a target
// only for a recurrent code, a phone number that is not blank, the
// metadata key rules.
func codeProblems(recurrent bool, amount *gen.Money, target *gen.RecurrentPaymentTarget, phone *string, metadata *gen.Metadata) []gen.ErrorDetail {
	problems := checkMetadataKeys(metadata)
	if amount != nil && amount.Value <= 0 {
		problems = append(problems, detail("amount.value", fmt.Sprintf("must be positive, got %d: the amount every payment of the code pays, in minor units; leave amount out to take any amount", amount.Value)))
	}
	if target != nil {
		if !recurrent {
			problems = append(problems, detail("recurrentPaymentTarget", "only a recurrent code has a target; a one_time code is complete after its one payment"))
		}
		if t := target.ExpectedPaymentTotal; t != nil && t.Value <= 0 {
			problems = append(problems, detail("recurrentPaymentTarget.expectedPaymentTotal.value", fmt.Sprintf("must be positive, got %d", t.Value)))
		}
	}
	if phone != nil && strings.TrimSpace(*phone) == "" {
		problems = append(problems, detail("authorizedPhoneNumber", "must not be blank; leave it out to let any phone pay"))
	}
	return problems
}

// codeAccount checks the account a code settles into against the
// currencies of its amount and target. Call it with mu held.
func codeAccount(a *FinancialAccount, amount *gen.Money, target *codeTarget) []gen.ErrorDetail {
	var problems []gen.ErrorDetail
	if amount != nil && string(amount.Currency) != a.Currency {
		problems = append(problems, detail("amount.currency", fmt.Sprintf("financial account %s holds %s; the code's amount must be in %s, or name an account that holds %s", a.Id, a.Currency, a.Currency, amount.Currency)))
	}
	if target != nil && target.ExpectedPaymentTotal != nil && string(target.ExpectedPaymentTotal.Currency) != a.Currency {
		problems = append(problems, detail("recurrentPaymentTarget.expectedPaymentTotal.currency", fmt.Sprintf("financial account %s holds %s; the target must be in %s", a.Id, a.Currency, a.Currency)))
	}
	return problems
}

// findAccount returns the account id of space, or the 400 of a code's
// financialAccountId that names none. Call it with mu held.
func (st *store) findAccount(space, id string) (*FinancialAccount, *apiError) {
	a, ok := st.accounts.get(space, id)
	if !ok {
		return nil, validation([]gen.ErrorDetail{detail("financialAccountId", fmt.Sprintf(
			"space %s has no financial account %q; name one that GET /v1/financial-accounts lists, or leave financialAccountId out to settle into the main account", space, id))})
	}
	return a, nil
}

// providerList is a list of provider codes as a code shows it, or nil.
func providerList[P ~string](list *[]P) *[]string {
	if list == nil {
		return nil
	}
	out := stringsOf(list)
	return &out
}

// targetOf is a create or update body's target as a code shows it.
func targetOf(t *gen.RecurrentPaymentTarget) *codeTarget {
	if t == nil {
		return nil
	}
	out := codeTarget(*t)
	return &out
}

// customerOf is a body's customer as a code shows it.
func customerOf(c *gen.PaymentCodeCustomer) *codeCustomer {
	if c == nil {
		return nil
	}
	out := codeCustomer(*c)
	return &out
}

// createCode files a pending payment code of a validated body in space.
// Call it with mu held.
func (st *store) createCode(space, key string, body *gen.CreatePaymentCodeRequest, d time.Duration, now time.Time) (*PaymentCode, *apiError) {
	st.openSpaces([]string{space}, now)
	target := targetOf(body.RecurrentPaymentTarget)
	var a *FinancialAccount
	if body.FinancialAccountId != nil {
		var e *apiError
		if a, e = st.findAccount(space, *body.FinancialAccountId); e != nil {
			return nil, e
		}
	} else { // "Defaults to the main account if omitted": the one of the amount's currency
		currency := gen.CurrencySLE
		switch {
		case body.Amount != nil:
			currency = body.Amount.Currency
		case target != nil && target.ExpectedPaymentTotal != nil:
			currency = target.ExpectedPaymentTotal.Currency
		}
		a = st.mainAccount(space, currency, now)
	}
	if problems := codeAccount(a, body.Amount, target); len(problems) > 0 {
		return nil, validation(problems)
	}
	mode := gen.PaymentCodeModeOneTime
	if body.Mode != nil {
		mode = gen.PaymentCodeMode(*body.Mode)
	}
	enable := true
	if body.Enable != nil {
		enable = *body.Enable
	}
	owner := "space"
	c := &PaymentCode{Stored: Stored{SpaceID: space}, IdempotencyKey: key, PaymentCode: gen.PaymentCode{
		Id:                     newID("pmc-", 14),
		Mode:                   mode,
		Status:                 gen.PaymentCodeStatusPending,
		Name:                   valueOf(body.Name),
		Amount:                 body.Amount,
		Enable:                 enable,
		ExpireTime:             now.Add(d),
		Customer:               customerOf(body.Customer),
		UssdCode:               st.newUSSDCode(codeUSSDPrefix),
		Reference:              body.Reference,
		AuthorizedProviders:    providerList(body.AuthorizedProviders),
		AuthorizedPhoneNumber:  body.AuthorizedPhoneNumber,
		RecurrentPaymentTarget: target,
		FinancialAccountId:     &a.Id,
		CreateTime:             now,
		UpdateTime:             &now,
		OwnershipGraph:         &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &space, Type: &owner}},
		Metadata:               copyMetadata(body.Metadata),
	}}
	c.Seq = st.next()
	st.paymentCodes.insert(c)
	st.codeDue.add(c, c.ExpireTime)
	return c, nil
}

// expireDueLocked makes every live code whose expireTime has come
// expired, and every pending OTP likewise. Call it with mu held.
func (st *store) expireDueLocked(now time.Time) {
	st.codeDue.popDue(now, func(c *PaymentCode, at time.Time) {
		if stored, ok := st.paymentCodes.get("", c.Id); !ok || stored != c || !c.live() || !c.ExpireTime.Equal(at) {
			return // deleted, final, or given another expireTime (queued again)
		}
		c.Status = gen.PaymentCodeStatusExpired
		c.UpdateTime = &now
		st.touched(c)
	})
	st.otpDue.popDue(now, func(o *USSDOTP, _ time.Time) {
		if stored, ok := st.otps.get("", o.Id); !ok || stored != o || o.Status != gen.USSDOTPStatusPending {
			return
		}
		o.Status = gen.USSDOTPStatusExpired
		st.touched(o)
	})
}

// maskPhone is what the API shows of a phone number: its first six and
// last three characters.
func maskPhone(number string) string {
	if len(number) < 10 {
		return "***" + number[max(0, len(number)-3):]
	}
	return number[:6] + "***" + number[len(number)-3:]
}

// payableCode returns the code id, in any space, when phone may pay amount
// into it by provider now, or an error wrapping ErrCodeNotFound,
// ErrCodeNotPayable, ErrCodePayerRefused or ErrCodeAmount that says why.
// Call it with mu held.
func (st *store) payableCode(call, id, phone, provider string, amount gen.Money, now time.Time) (*PaymentCode, *FinancialAccount, error) {
	fail := func(sentinel error, format string, args ...any) (*PaymentCode, *FinancialAccount, error) {
		return nil, nil, fmt.Errorf("api: %s(%q): %w: %s", call, id, sentinel, fmt.Sprintf(format, args...))
	}
	c, ok := st.paymentCodes.get("", id)
	switch {
	case !ok:
		return nil, nil, fmt.Errorf("api: %s(%q): %w", call, id, ErrCodeNotFound)
	case !c.live():
		return fail(ErrCodeNotPayable, "it is %s, and only a pending or processing code takes payments", c.Status)
	case !now.Before(c.ExpireTime):
		return fail(ErrCodeNotPayable, "it expired at %s", c.ExpireTime.Format(time.RFC3339))
	case !c.Enable:
		return fail(ErrCodeNotPayable, "it is disabled (enable: false); enable it with PATCH /v1/payment-codes/%s", id)
	case c.AuthorizedPhoneNumber != nil && phone != *c.AuthorizedPhoneNumber:
		return fail(ErrCodePayerRefused, "only %s may pay it, not %s", *c.AuthorizedPhoneNumber, phone)
	case !slices.Contains(momoProviders, provider):
		return fail(ErrCodePayerRefused, "%q is not a mobile money provider; pay with one of %s", provider, strings.Join(momoProviders, ", "))
	case c.AuthorizedProviders != nil && len(*c.AuthorizedProviders) > 0 && !slices.Contains(*c.AuthorizedProviders, provider):
		return fail(ErrCodePayerRefused, "only %s may carry its payments, not %s", strings.Join(*c.AuthorizedProviders, ", "), provider)
	}
	a, ok := st.accounts.get(c.SpaceID, *c.FinancialAccountId)
	if !ok {
		panic(fmt.Sprintf("api: payment code %s settles into financial account %s, which is gone", c.Id, *c.FinancialAccountId)) // accounts are never deleted
	}
	switch {
	case amount.Value <= 0:
		return fail(ErrCodeAmount, "the amount must be positive, got %d minor units", amount.Value)
	case string(amount.Currency) != a.Currency:
		return fail(ErrCodeAmount, "it takes %s (its account %s holds %s), not %s", a.Currency, a.Id, a.Currency, amount.Currency)
	case c.Amount != nil && amount != *c.Amount:
		return fail(ErrCodeAmount, "it takes exactly %s, not %s", FormatMoney(string(c.Amount.Currency), big.NewInt(c.Amount.Value)), FormatMoney(string(amount.Currency), big.NewInt(amount.Value)))
	}
	return c, a, nil
}

// payCode records the payment of amount by phone through provider into the
// code id: a completed payment settled into the code's account less fees,
// the code's new status, and the events payment.created, payment.completed
// and payment_code.processed. Call it with mu held.
func (st *store) payCode(call, id, phone, provider string, amount gen.Money, now time.Time) error {
	c, a, err := st.payableCode(call, id, phone, provider, amount, now)
	if err != nil {
		return err
	}
	if amount.Value > math.MaxInt64-c.Collected {
		return fmt.Errorf("api: %s(%q): %w: what it collected would not fit in 64 bits of minor units", call, id, ErrCodeAmount)
	}
	fees, err := applyFees(st.fees, amount)
	if err != nil {
		return fmt.Errorf("api: %s(%q): %w: %v; configure a smaller fee (WithFee, or monime-fake's -fee)", call, id, ErrCodeAmount, err)
	}
	choice := channelChoice{method: gen.PaymentChannelTypeMomo, provider: provider}
	masked := maskPhone(phone)
	fp := payerFingerprint(choice, phone)
	ref := "MP" + now.Format("060102.1504") + "." + upperID(6)
	var channel gen.PaymentChannel
	if err := channel.FromMomoChannel(gen.MomoChannel{Type: gen.MomoChannelTypeMomo, Provider: &provider, Reference: &ref, PhoneNumber: &masked, Fingerprint: &fp}); err != nil {
		return fmt.Errorf("api: %s(%q): %w", call, id, err)
	}
	ftr := newID("ftr-", 12)
	ownerType := objectTypePaymentCode
	p := &Payment{Stored: Stored{SpaceID: c.SpaceID}, PaymentCodeID: c.Id, Payment: gen.Payment{
		Id:                            newID("pay-", 14),
		Status:                        gen.PaymentStatusCompleted,
		Name:                          c.Name,
		Amount:                        amount,
		Channel:                       &channel,
		FinancialAccountId:            &a.Id,
		FinancialTransactionReference: &ftr,
		Fees:                          &fees,
		CreateTime:                    now,
		UpdateTime:                    &now,
		OwnershipGraph:                &gen.OwnershipGraph{Owner: &gen.OwnershipObject{Id: &c.Id, Type: &ownerType}},
		Metadata:                      c.Metadata,
	}}
	if err := st.canSettle(p, a); err != nil {
		return fmt.Errorf("api: %s(%q): %w: %v", call, id, ErrCodeAmount, err)
	}
	st.settle(p, a, now)
	p.Seq = st.next()
	st.payments.insert(p)
	c.PaymentIDs = append(slices.Clip(c.PaymentIDs), p.Id)
	c.Collected += amount.Value
	switch {
	case c.Mode == gen.PaymentCodeModeOneTime || c.targetMet():
		c.Status = gen.PaymentCodeStatusCompleted
	default:
		c.Status = gen.PaymentCodeStatusProcessing
	}
	c.UpdateTime = &now
	st.touched(c)
	st.emitPayment(p, now)

	snap := *c
	processed := snap.PaymentCode
	processed.ProcessedPaymentData = &codeProcessedPayment{
		Amount:                        &amount,
		ChannelData:                   &codeChannelData{AccountId: &masked, ProviderId: &provider, Reference: &ref},
		FinancialTransactionReference: &ftr,
		Metadata:                      c.Metadata,
		PaymentId:                     &p.Id,
	}
	st.emit(event{name: eventPaymentCodeProcessed, at: now, objectType: objectTypePaymentCode, objectID: c.Id, data: processed, record: snap})
	return nil
}

// testPayer is the phone PayCode pays from when the code is bound to none:
// the simulated mobile money customer of provider.
func testPayer(provider string) string {
	return payerOf(channelChoice{method: gen.PaymentChannelTypeMomo, provider: provider}).account
}

// PayCode pays amount into the payment code id, in any space, as a payer
// dialling its ussdCode would: from phoneNumber through the mobile money
// provider (m17 or m18). An empty phoneNumber is the code's
// authorizedPhoneNumber, or the test payer of the provider (+23276123456
// for m17, +23277654321 for m18) when the code names none; an empty
// provider is the first of the code's authorizedProviders, or m17.
//
// The payment is a completed Payment (GET /v1/payments shows it, channel
// momo with the provider and the masked phone, ownershipGraph.owner the
// code), settled into the code's financial account less the fees of
// WithFee, as a checkout payment is. A one_time code becomes completed; a
// recurrent one processing, or completed once it has met every target of
// its recurrentPaymentTarget. The events are payment.created,
// payment.completed and payment_code.processed, whose data alone carries
// processedPaymentData.
//
// It changes nothing and returns an error saying why, wrapping
// ErrCodeNotFound; ErrCodeNotPayable (disabled, expired, completed,
// cancelled); ErrCodePayerRefused (another phone than authorizedPhoneNumber,
// a provider authorizedProviders leaves out); or ErrCodeAmount (not
// positive, another currency than the account's, not the code's fixed
// amount, fees larger than the payment and the account's balance).
func (s *Server) PayCode(id, phoneNumber, provider string, amount gen.Money) (err error) {
	phoneNumber = strings.TrimSpace(phoneNumber)
	if phoneNumber != "" && !msisdn.MatchString(phoneNumber) {
		return fmt.Errorf("api: PayCode(%q): %w: %q is not a phone number; give an MSISDN such as +23276123456, or none for the code's own", id, ErrCodePayerRefused, phoneNumber)
	}
	s.store.within(func(now time.Time) {
		if c, ok := s.store.paymentCodes.get("", id); ok {
			if provider == "" {
				provider = string(gen.MomoProviderM17)
				if c.AuthorizedProviders != nil && len(*c.AuthorizedProviders) > 0 {
					provider = (*c.AuthorizedProviders)[0]
				}
			}
			if phoneNumber == "" {
				phoneNumber = testPayer(provider)
				if c.AuthorizedPhoneNumber != nil {
					phoneNumber = *c.AuthorizedPhoneNumber
				}
			}
		}
		err = s.store.payCode("PayCode", id, phoneNumber, provider, amount, now)
	})
	return err
}

// msisdn is a phone number as a payer's phone gives it: an optional +
// and 7 to 15 digits.
var msisdn = regexp.MustCompile(`^\+?[0-9]{7,15}$`)

// ListPaymentCodes implements GET /v1/payment-codes: newest first, limit 1
// to 50 (default 10), filtered by ussd_code, mode and status (exact
// matches; all given must match).
func (h *handlers) ListPaymentCodes(ctx context.Context, req server.ListPaymentCodesRequestObject) (server.ListPaymentCodesResponseObject, error) {
	info := infoFrom(ctx)
	space, q := req.Params.MonimeSpaceId, req.Params
	limit, after, e := pageRequest(space, q.Limit, q.After)
	if e != nil {
		return server.ListPaymentCodes400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	var views []gen.PaymentCode
	var pagination gen.Pagination
	h.s.store.within(func(time.Time) {
		page, last, more := h.s.store.paymentCodes.page(space, limit, after, func(c *PaymentCode) bool {
			return (q.UssdCode == nil || c.UssdCode == *q.UssdCode) && (q.Mode == nil || c.Mode == *q.Mode) && (q.Status == nil || c.Status == *q.Status)
		})
		views = make([]gen.PaymentCode, len(page))
		for i, c := range page {
			views[i] = c.PaymentCode
		}
		pagination = pageInfo(space, len(page), last, more)
	})
	return server.ListPaymentCodes200JSONResponse{
		Body:    gen.PaymentCodeListEnvelope{Success: true, Messages: &gen.Messages{}, Result: views, Pagination: pagination},
		Headers: server.ListPaymentCodes200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// CreatePaymentCode implements POST /v1/payment-codes: a pending code with
// a USSD code no live code has, expiring after duration (default 10m),
// settling into financialAccountId (default: the space's main account for
// the amount's currency). Idempotency is handled around it.
// codeCurrencies refuses the amounts of a code in a currency the release
// version names does not support (see releaseCurrency).
func codeCurrencies(amount *gen.Money, target *gen.RecurrentPaymentTarget, version *gen.MonimeVersion) []gen.ErrorDetail {
	var problems []gen.ErrorDetail
	if amount != nil {
		problems = append(problems, releaseCurrency("amount.currency", amount.Currency, version)...)
	}
	if target != nil && target.ExpectedPaymentTotal != nil {
		problems = append(problems, releaseCurrency("recurrentPaymentTarget.expectedPaymentTotal.currency", target.ExpectedPaymentTotal.Currency, version)...)
	}
	return problems
}

func (h *handlers) CreatePaymentCode(ctx context.Context, req server.CreatePaymentCodeRequestObject) (server.CreatePaymentCodeResponseObject, error) {
	info := infoFrom(ctx)
	body := req.Body
	if body == nil {
		e := validation([]gen.ErrorDetail{detail("", "a JSON request body is required")})
		return server.CreatePaymentCode400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	recurrent := body.Mode != nil && *body.Mode == gen.CreatePaymentCodeRequestModeRecurrent
	problems := codeProblems(recurrent, body.Amount, body.RecurrentPaymentTarget, body.AuthorizedPhoneNumber, body.Metadata)
	problems = append(problems, codeCurrencies(body.Amount, body.RecurrentPaymentTarget, req.Params.MonimeVersion)...)
	d, bad := parseDuration("duration", body.Duration, defaultCodeDuration)
	if problems = append(problems, bad...); len(problems) > 0 {
		return server.CreatePaymentCode400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	var view gen.PaymentCode
	var e *apiError
	h.s.store.within(func(now time.Time) {
		var c *PaymentCode
		if c, e = h.s.store.createCode(req.Params.MonimeSpaceId, req.Params.IdempotencyKey, body, d, now); e == nil {
			view = c.PaymentCode
		}
	})
	if e != nil {
		return server.CreatePaymentCode400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	return server.CreatePaymentCode200JSONResponse{
		Body:    gen.PaymentCodeEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.CreatePaymentCode200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// GetPaymentCode implements GET /v1/payment-codes/{id}.
func (h *handlers) GetPaymentCode(ctx context.Context, req server.GetPaymentCodeRequestObject) (server.GetPaymentCodeResponseObject, error) {
	info := infoFrom(ctx)
	view, e := lookup(h.s.store, h.s.store.paymentCodes, "payment code", req.Params.MonimeSpaceId, req.Id,
		func(c *PaymentCode) gen.PaymentCode { return c.PaymentCode })
	if e != nil {
		return server.GetPaymentCode404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetPaymentCode200JSONResponse{
		Body:    gen.PaymentCodeEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetPaymentCode200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// updateCode applies a validated update body to the live code c. Call it
// with mu held.
func (st *store) updateCode(c *PaymentCode, body *gen.UpdatePaymentCodeRequest, d *time.Duration, now time.Time) *apiError {
	a, ok := st.accounts.get(c.SpaceID, *c.FinancialAccountId)
	if body.FinancialAccountId != nil {
		var e *apiError
		if a, e = st.findAccount(c.SpaceID, *body.FinancialAccountId); e != nil {
			return e
		}
		ok = true
	}
	if !ok {
		panic(fmt.Sprintf("api: payment code %s settles into financial account %s, which is gone", c.Id, *c.FinancialAccountId)) // accounts are never deleted
	}
	amount, target := c.Amount, c.RecurrentPaymentTarget
	if body.Amount != nil {
		amount = body.Amount
	}
	if body.RecurrentPaymentTarget != nil {
		target = targetOf(body.RecurrentPaymentTarget)
	}
	if problems := codeAccount(a, amount, target); len(problems) > 0 {
		return validation(problems)
	}
	if len(c.PaymentIDs) > 0 && a.Id != *c.FinancialAccountId {
		return validation([]gen.ErrorDetail{detail("financialAccountId", fmt.Sprintf(
			"payment code %s has taken payments into financial account %s; it keeps settling there", c.Id, *c.FinancialAccountId))})
	}
	expire := c.ExpireTime
	if d != nil {
		expire = c.CreateTime.Add(*d)
		if !now.Before(expire) {
			return validation([]gen.ErrorDetail{detail("duration", fmt.Sprintf(
				"counts from the code's creation (%s), so %s would have expired it already; give a longer duration", c.CreateTime.Format(time.RFC3339), *d))})
		}
	}
	if body.Name != nil {
		c.Name = valueOf(*body.Name)
	}
	c.Amount = amount
	c.RecurrentPaymentTarget = target
	c.FinancialAccountId = &a.Id
	if body.Enable != nil {
		c.Enable = *body.Enable
	}
	if body.Customer != nil {
		c.Customer = customerOf(body.Customer)
	}
	if body.Reference != nil {
		c.Reference = valueOf(*body.Reference)
	}
	if body.AuthorizedProviders != nil {
		c.AuthorizedProviders = providerList(body.AuthorizedProviders)
	}
	if body.AuthorizedPhoneNumber != nil {
		c.AuthorizedPhoneNumber = valueOf(*body.AuthorizedPhoneNumber)
	}
	if body.Metadata != nil {
		c.Metadata = copyMetadata(body.Metadata)
	}
	if !expire.Equal(c.ExpireTime) {
		c.ExpireTime = expire
		st.codeDue.add(c, expire)
	}
	if c.Mode == gen.PaymentCodeModeRecurrent && len(c.PaymentIDs) > 0 && c.targetMet() {
		c.Status = gen.PaymentCodeStatusCompleted // a lowered target is met already
	}
	c.UpdateTime = &now
	st.touched(c)
	return nil
}

// UpdatePaymentCode implements PATCH /v1/payment-codes/{id}: the members
// the body names change, the others stay (null reads as absent). A new
// duration counts from the code's creation. Only a pending or processing
// code changes: a completed, expired or cancelled one answers 409
// payment_code_not_updatable.
func (h *handlers) UpdatePaymentCode(ctx context.Context, req server.UpdatePaymentCodeRequestObject) (server.UpdatePaymentCodeResponseObject, error) {
	info := infoFrom(ctx)
	body := req.Body
	if body == nil {
		body = &gen.UpdatePaymentCodeRequest{}
	}
	space := req.Params.MonimeSpaceId
	var view gen.PaymentCode
	var e *apiError
	h.s.store.within(func(now time.Time) {
		c, ok := h.s.store.paymentCodes.get(space, req.Id)
		switch {
		case !ok:
			e = notFound("payment code", req.Id, space)
			return
		case !c.live():
			e = conflict(ReasonPaymentCodeNotUpdatable, fmt.Sprintf("payment code %s is %s; only a pending or processing code can be updated", c.Id, c.Status))
			return
		}
		problems := codeProblems(c.Mode == gen.PaymentCodeModeRecurrent, body.Amount, body.RecurrentPaymentTarget, body.AuthorizedPhoneNumber, body.Metadata)
		problems = append(problems, codeCurrencies(body.Amount, body.RecurrentPaymentTarget, req.Params.MonimeVersion)...)
		var d *time.Duration
		if body.Duration != nil {
			got, bad := parseDuration("duration", body.Duration, 0)
			problems = append(problems, bad...)
			d = &got
		}
		if len(problems) > 0 {
			e = validation(problems)
			return
		}
		if e = h.s.store.updateCode(c, body, d, now); e == nil {
			view = c.PaymentCode
		}
	})
	switch {
	case e == nil:
	case e.status == 404:
		return server.UpdatePaymentCode404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	case e.status == 409:
		return server.UpdatePaymentCode409JSONResponse{ConflictJSONResponse: e.conflict(info.id)}, nil
	default:
		return server.UpdatePaymentCode400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	return server.UpdatePaymentCode200JSONResponse{
		Body:    gen.PaymentCodeEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.UpdatePaymentCode200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// DeletePaymentCode implements DELETE /v1/payment-codes/{id}: "only allowed
// if the code hasn't been used", so a code that took a payment answers 409
// payment_code_not_deletable; an unused one goes, whatever its status.
func (h *handlers) DeletePaymentCode(ctx context.Context, req server.DeletePaymentCodeRequestObject) (server.DeletePaymentCodeResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	var e *apiError
	h.s.store.within(func(time.Time) {
		st := h.s.store
		c, ok := st.paymentCodes.get(space, req.Id)
		switch {
		case !ok:
			e = notFound("payment code", req.Id, space)
		case len(c.PaymentIDs) > 0:
			e = conflict(ReasonPaymentCodeNotDeletable, fmt.Sprintf("payment code %s has been used (%d payment(s)); only an unused code can be deleted; disable it (enable: false) to take no more payments", c.Id, len(c.PaymentIDs)))
		default:
			st.paymentCodes.remove(c)
			st.touched()
		}
	})
	switch {
	case e == nil:
	case e.status == 404:
		return server.DeletePaymentCode404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	default:
		return server.DeletePaymentCode409JSONResponse{ConflictJSONResponse: e.conflict(info.id)}, nil
	}
	return server.DeletePaymentCode200JSONResponse{
		Body:    gen.EmptyEnvelope{Success: true, Messages: &gen.Messages{}},
		Headers: server.DeletePaymentCode200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
