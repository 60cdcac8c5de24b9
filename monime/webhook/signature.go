package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SignatureHeaderName is the HTTP header in which Monime sends a delivery's
// signature.
const SignatureHeaderName = "Monime-Signature"

// DefaultTolerance is how far a signature's timestamp may be from now before
// the delivery is refused as a possible replay. Monime's own verifiers use
// five minutes; change it with [WithTolerance].
const DefaultTolerance = 5 * time.Minute

// signatureScheme is the header key of an HMAC-SHA256 signature. Other keys
// (for example those of ES256 deliveries) are skipped, not refused.
const signatureScheme = "v1"

// Sign returns the v1 signature Monime would send for payload signed with
// secret at time t (whole seconds): standard, padded base64 of
// HMAC-SHA256(secret, "<unix t>_<payload>"). It exists for tests and fakes
// that need to produce deliveries a verifier accepts.
func Sign(payload []byte, secret string, t time.Time) string {
	return computeSignature(strconv.FormatInt(t.Unix(), 10), payload, secret)
}

// SignatureHeader returns a complete Monime-Signature header value,
// "t=<unix t>,v1=<signature>", for payload signed with secret at time t.
// Set it on a request to simulate a delivery from Monime:
//
//	req.Header.Set(webhook.SignatureHeaderName, webhook.SignatureHeader(body, secret, time.Now()))
func SignatureHeader(payload []byte, secret string, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + "," + signatureScheme + "=" + computeSignature(ts, payload, secret)
}

// computeSignature signs "<timestamp>_<payload>" without building the
// concatenation in memory.
func computeSignature(timestamp string, payload []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'_'})
	mac.Write(payload)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Option changes how a delivery is verified. Options are accepted by
// [ConstructEvent], [VerifyPayload] and [Handler].
type Option func(*verifyConfig)

type verifyConfig struct {
	secrets   []string
	tolerance time.Duration
	now       func() time.Time
}

// WithTolerance sets how far the signed timestamp may be from now, in either
// direction, before a delivery is refused with
// [ErrTimestampOutsideTolerance]. Zero or negative means [DefaultTolerance]:
// there is deliberately no way to switch the check off, because without it a
// captured request could be replayed forever. To verify an old stored
// delivery, use [WithClock] to set "now" to when it arrived.
func WithTolerance(d time.Duration) Option {
	return func(c *verifyConfig) {
		if d > 0 {
			c.tolerance = d
		}
	}
}

// WithClock replaces time.Now as the source of "now" for the timestamp check,
// so tests and replays of stored deliveries can pin the time. A nil function
// restores time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *verifyConfig) {
		c.now = now
	}
}

// WithSecrets adds secrets to accept besides the one passed directly, so a
// secret can be rotated without dropping deliveries: accept old and new
// together until Monime signs only with the new one, then remove the old.
// Empty strings are ignored. [Handler] panics on a malformed one, as it
// does for its own secret.
func WithSecrets(secrets ...string) Option {
	return func(c *verifyConfig) {
		c.secrets = append(c.secrets, secrets...)
	}
}

func newVerifyConfig(secret string, opts []Option) verifyConfig {
	c := verifyConfig{secrets: []string{secret}, tolerance: DefaultTolerance}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// checkSecrets says what makes the configured secrets unusable, or returns
// nil; it never quotes a secret. The secret passed directly must be set;
// the ones from [WithSecrets] may be empty (ignored, so that an unset
// variable for an old secret just means no rotation is under way), but
// none may be malformed.
func (c *verifyConfig) checkSecrets() error {
	if c.secrets[0] == "" {
		return errors.New("the secret is empty; pass your webhook's signing secret, from its settings in the Monime dashboard (an unset MONIME_WEBHOOK_SECRET is the usual cause)")
	}
	for i, secret := range c.secrets {
		problem := secretProblem(secret)
		if problem == "" {
			continue
		}
		which := "the secret"
		if i > 0 {
			which = fmt.Sprintf("secret %d given with WithSecrets", i)
		}
		return fmt.Errorf("%s %s; copy it again from the webhook's settings in the Monime dashboard", which, problem)
	}
	return nil
}

// secretProblem describes what is wrong with a non-empty secret, or returns
// "". Monime takes a secret as JSON text, so it is valid UTF-8; white space
// at either end is almost always a newline or space picked up on the way
// from the dashboard to the program, and would make every delivery fail.
func secretProblem(secret string) string {
	switch {
	case secret == "":
		return ""
	case strings.TrimSpace(secret) == "":
		return "is only white space"
	case strings.TrimSpace(secret) != secret:
		return "begins or ends with white space (often a newline left by a file or an env file)"
	case !utf8.ValidString(secret):
		return "is not valid UTF-8 text"
	case strings.ContainsFunc(secret, unicode.IsControl):
		return "contains a control character, such as a newline or a tab"
	}
	return ""
}

// VerifyPayload checks that payload is exactly what Monime signed: that
// signatureHeader (the Monime-Signature header's value) holds a v1 signature
// of payload under secret (or a secret added with [WithSecrets]), and that its
// timestamp is within the tolerance of now. It returns nil when the payload
// can be trusted, or an error wrapping [ErrNoSecret], [ErrNoSignature],
// [ErrMalformedHeader], [ErrNoValidSignature] or
// [ErrTimestampOutsideTolerance].
//
// payload must be the raw request body, byte for byte; verifying a body that
// was decoded and re-encoded fails.
func VerifyPayload(payload []byte, signatureHeader, secret string, opts ...Option) error {
	c := newVerifyConfig(secret, opts)
	return c.verify(payload, signatureHeader)
}

func (c *verifyConfig) verify(payload []byte, header string) error {
	haveSecret := false
	for _, s := range c.secrets {
		if s != "" {
			haveSecret = true
			break
		}
	}
	if !haveSecret {
		return ErrNoSecret
	}
	if strings.TrimSpace(header) == "" {
		return ErrNoSignature
	}
	h, err := parseHeader(header)
	if err != nil {
		return err
	}
	if len(h.signatures) == 0 {
		return fmt.Errorf("%w: the header has no %s (HMAC-SHA256) signature; check that the webhook is configured for HS256 signing", ErrNoValidSignature, signatureScheme)
	}
	if !h.matchesAny(payload, c.secrets) {
		if problem := c.checkSecrets(); problem != nil {
			// Most often a newline read with the secret from a file.
			return fmt.Errorf("%w: no signature matches, and %v", ErrNoValidSignature, problem)
		}
		return fmt.Errorf("%w: none of the %d %s signatures matches the body under the configured secrets; verify the raw, unmodified body with the secret of this webhook", ErrNoValidSignature, len(h.signatures), signatureScheme)
	}
	return checkTimestamp(time.Unix(h.unix, 0), c.now(), c.tolerance)
}

// checkTimestamp is done only after the signature matched, so a timestamp
// error always describes a genuine delivery.
func checkTimestamp(signed, now time.Time, tolerance time.Duration) error {
	// time.Time.Sub saturates instead of overflowing, so even absurd
	// timestamps compare correctly; never negate its result.
	if age := now.Sub(signed); age > tolerance {
		return fmt.Errorf("%w: signed %s ago, more than the %s allowed; a replayed or badly delayed delivery, or a clock running fast here", ErrTimestampOutsideTolerance, age, tolerance)
	}
	if ahead := signed.Sub(now); ahead > tolerance {
		return fmt.Errorf("%w: signed %s in the future, more than the %s allowed; check this server's clock", ErrTimestampOutsideTolerance, ahead, tolerance)
	}
	return nil
}

// signatureHeader is a parsed Monime-Signature value.
type signatureHeader struct {
	timestamp  string // exactly as sent: it is part of the signed message
	unix       int64
	signatures []string
}

// ows is HTTP's optional white space.
const ows = " \t"

// maxTimestampDigits keeps the parsed value inside int64.
const maxTimestampDigits = 18

// parseHeader reads "t=<unix>,v1=<sig>[,v1=<sig>...]". Elements are separated
// by commas, may be surrounded by HTTP's optional white space (spaces and
// tabs, RFC 9110 section 5.6.3), and come in any order; keys other than t and
// v1 are ignored so new schemes do not break old verifiers.
func parseHeader(header string) (signatureHeader, error) {
	var h signatureHeader
	seenT := false
	for i, element := range strings.Split(header, ",") {
		element = strings.Trim(element, ows)
		if element == "" {
			continue
		}
		key, value, ok := strings.Cut(element, "=")
		if !ok {
			return h, fmt.Errorf("%w: element %d is not of the form key=value", ErrMalformedHeader, i+1)
		}
		key, value = strings.Trim(key, ows), strings.Trim(value, ows)
		switch key {
		case "t":
			if seenT {
				return h, fmt.Errorf("%w: more than one t= timestamp", ErrMalformedHeader)
			}
			seenT = true
			unix, err := parseUnix(value)
			if err != nil {
				return h, err
			}
			h.timestamp, h.unix = value, unix
		case signatureScheme:
			if value != "" {
				h.signatures = append(h.signatures, value)
			}
		}
	}
	if !seenT {
		return h, fmt.Errorf("%w: no t= timestamp", ErrMalformedHeader)
	}
	return h, nil
}

func parseUnix(s string) (int64, error) {
	if s == "" || len(s) > maxTimestampDigits {
		return 0, fmt.Errorf("%w: t= must be a unix time in whole seconds (1 to %d digits)", ErrMalformedHeader, maxTimestampDigits)
	}
	var n int64
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%w: t= must be a unix time in whole seconds, digits only", ErrMalformedHeader)
		}
		n = n*10 + int64(r-'0')
	}
	return n, nil
}

// matchesAny computes one MAC per secret and compares it in constant time
// with every v1 signature in the header.
func (h *signatureHeader) matchesAny(payload []byte, secrets []string) bool {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		want := []byte(computeSignature(h.timestamp, payload, secret))
		for _, got := range h.signatures {
			if hmac.Equal(want, []byte(got)) {
				return true
			}
		}
	}
	return false
}
