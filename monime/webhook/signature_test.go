package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The known-answer vector. The expected signatures were computed outside Go,
// with OpenSSL, so a mistake in this package cannot hide in its own test:
//
//	printf '%s' "1756000001_$body" | openssl dgst -sha256 -hmac "$secret" -binary | base64
const (
	testSecret    = "whsec_test_9d3f1c7a2b"
	testRotated   = "whsec_test_rotated_55e0"
	testTimestamp = int64(1756000001) // 2025-08-24T01:46:41Z
	testBody      = `{"apiVersion":"caph.2025-08-23","event":{"id":"evt-KfT3x9","name":"checkout_session.completed","timestamp":"2025-08-24T01:46:40Z"},"object":{"id":"scs-Zq81mB","type":"checkout_session"},"data":{"id":"scs-Zq81mB","name":"Order #1042","status":"completed","orderNumber":"ord-5521","reference":"1042","redirectUrl":"https://checkout.monime.io/scs-Zq81mB","lineItems":{"data":[{"type":"custom","name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2}]},"expireTime":"2025-08-24T02:46:40Z","createTime":"2025-08-24T01:40:00Z","metadata":{"cart":"c_77"}}}`

	// base64(HMAC-SHA256(testSecret, "1756000001_" + testBody))
	testSignature = "/tXA59cF2sMP5I2+xgQ4Gqeg185qNDygSuFg0kP2PZM="
	// The same MAC under testRotated.
	testRotatedSignature = "/DN9FodHJHAXELLkPWISQNL2ansB8gmWaOWqPaNLfKk="
	// Wrong constructions a careless verifier might accept (same secret).
	testSignatureDot     = "HGf6aHKvUCfDfB0TUlHo+vOdig12Ee4zOnVbp+wuNJ4="                     // "<t>.<body>"
	testSignatureNoTime  = "z4wKqmQvjhLFPvr5FsXfqJGOpQGL5TlSk8an9Kb/m/k="                     // body alone
	testSignatureHex     = "fed5c0e7d705dac30fe48dbec604381aa7a0d7ce6a343ca04ae160d243f63d93" // hex, not base64
	testSignatureURL     = "_tXA59cF2sMP5I2-xgQ4Gqeg185qNDygSuFg0kP2PZM="                     // base64url
	testSignatureNoPad   = "/tXA59cF2sMP5I2+xgQ4Gqeg185qNDygSuFg0kP2PZM"                      // unpadded
	testSignatureSHA1    = "QImIumNLj5+3U3hxsc6kiGj/tAE="                                     // HMAC-SHA1
	testHeader           = "t=1756000001,v1=" + testSignature
	testHeaderWithRotate = "t=1756000001,v1=" + testRotatedSignature + ",v1=" + testSignature
)

var testTime = time.Unix(testTimestamp, 0)

// at pins the verifier's clock.
func at(t time.Time) Option { return WithClock(func() time.Time { return t }) }

func TestSignMatchesIndependentlyComputedVector(t *testing.T) {
	assert.Equal(t, testSignature, Sign([]byte(testBody), testSecret, testTime))
	assert.Equal(t, testRotatedSignature, Sign([]byte(testBody), testRotated, testTime))
	assert.Equal(t, testHeader, SignatureHeader([]byte(testBody), testSecret, testTime))
	// Sub-second parts of t are not part of the signature.
	assert.Equal(t, testSignature, Sign([]byte(testBody), testSecret, testTime.Add(999*time.Millisecond)))
}

func TestVerifyPayloadAcceptsGenuineDelivery(t *testing.T) {
	require.NoError(t, VerifyPayload([]byte(testBody), testHeader, testSecret, at(testTime)))

	ev, err := ConstructEvent([]byte(testBody), testHeader, testSecret, at(testTime))
	require.NoError(t, err)
	assert.Equal(t, "evt-KfT3x9", ev.ID)
	assert.Equal(t, EventCheckoutSessionCompleted, ev.Name)
}

func TestVerifyPayloadRejectsTampering(t *testing.T) {
	body := []byte(testBody)
	oneByte := []byte(testBody)
	oneByte[strings.Index(testBody, "15000")] = '2' // price 15000 -> 25000

	tests := []struct {
		name    string
		payload []byte
		header  string
		secret  string
		want    error
	}{
		{"one byte of body changed", oneByte, testHeader, testSecret, ErrNoValidSignature},
		{"body with trailing newline", append([]byte(testBody), '\n'), testHeader, testSecret, ErrNoValidSignature},
		{"empty body", nil, testHeader, testSecret, ErrNoValidSignature},
		{"timestamp changed", body, "t=1756000002,v1=" + testSignature, testSecret, ErrNoValidSignature},
		{"timestamp with leading zero", body, "t=01756000001,v1=" + testSignature, testSecret, ErrNoValidSignature},
		{"wrong secret", body, testHeader, "whsec_test_wrong", ErrNoValidSignature},
		{"secret differing in case", body, testHeader, strings.ToUpper(testSecret), ErrNoValidSignature},
		{"dot separator", body, "t=1756000001,v1=" + testSignatureDot, testSecret, ErrNoValidSignature},
		{"body signed without timestamp", body, "t=1756000001,v1=" + testSignatureNoTime, testSecret, ErrNoValidSignature},
		{"hex encoding", body, "t=1756000001,v1=" + testSignatureHex, testSecret, ErrNoValidSignature},
		{"base64url encoding", body, "t=1756000001,v1=" + testSignatureURL, testSecret, ErrNoValidSignature},
		{"unpadded base64", body, "t=1756000001,v1=" + testSignatureNoPad, testSecret, ErrNoValidSignature},
		{"HMAC-SHA1", body, "t=1756000001,v1=" + testSignatureSHA1, testSecret, ErrNoValidSignature},
		{"signature under another scheme only", body, "t=1756000001,v0=" + testSignature, testSecret, ErrNoValidSignature},
		{"empty v1", body, "t=1756000001,v1=", testSecret, ErrNoValidSignature},
		{"signature truncated", body, "t=1756000001,v1=" + testSignature[:43], testSecret, ErrNoValidSignature},
		{"no header", body, "", testSecret, ErrNoSignature},
		{"blank header", body, "  ", testSecret, ErrNoSignature},
		{"no secret", body, testHeader, "", ErrNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyPayload(tt.payload, tt.header, tt.secret, at(testTime))
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)

			ev, err := ConstructEvent(tt.payload, tt.header, tt.secret, at(testTime))
			assert.Nil(t, ev)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestParseHeader(t *testing.T) {
	t.Run("elements in any order, with spaces and unknown schemes", func(t *testing.T) {
		h, err := parseHeader(" v0=abc , v1=sig1,t\t= 42, es256=MEUCIQ==,v1=sig2,")
		require.NoError(t, err)
		assert.Equal(t, "42", h.timestamp)
		assert.Equal(t, int64(42), h.unix)
		assert.Equal(t, []string{"sig1", "sig2"}, h.signatures)
	})
	t.Run("signature containing '='", func(t *testing.T) {
		h, err := parseHeader(testHeader)
		require.NoError(t, err)
		assert.Equal(t, []string{testSignature}, h.signatures)
	})

	malformed := map[string]string{
		"no timestamp":                      "v1=" + testSignature,
		"two timestamps":                    "t=1,t=2,v1=" + testSignature,
		"empty timestamp":                   "t=,v1=" + testSignature,
		"negative timestamp":                "t=-1756000001,v1=" + testSignature,
		"plus sign":                         "t=+1756000001,v1=" + testSignature,
		"milliseconds fraction":             "t=1756000001.5,v1=" + testSignature,
		"hex timestamp":                     "t=0x68aa6f81,v1=" + testSignature,
		"RFC 3339 timestamp":                "t=2025-08-24T01:46:41Z,v1=" + testSignature,
		"timestamp overflow":                "t=99999999999999999999,v1=" + testSignature,
		"element without '='":               "t=1756000001;v1=" + testSignature,
		"bare word":                         "garbage",
		"semicolons":                        "t=1756000001;v1=x",
		"form feed is not HTTP white space": "t\f=1756000001,v1=" + testSignature,
	}
	for name, header := range malformed {
		t.Run(name, func(t *testing.T) {
			_, err := parseHeader(header)
			assert.ErrorIs(t, err, ErrMalformedHeader)
			err = VerifyPayload([]byte(testBody), header, testSecret, at(testTime))
			assert.ErrorIs(t, err, ErrMalformedHeader)
		})
	}
}

func TestVerifyPayloadMultipleSignatures(t *testing.T) {
	body := []byte(testBody)
	for _, header := range []string{
		"t=1756000001,v1=" + testSignatureDot + ",v1=" + testSignature,
		"t=1756000001,v1=" + testSignature + ",v1=" + testSignatureHex,
		"v1=" + testSignatureURL + ", t=1756000001, v0=legacy, v1=" + testSignature,
	} {
		assert.NoError(t, VerifyPayload(body, header, testSecret, at(testTime)), header)
	}
	assert.ErrorIs(t,
		VerifyPayload(body, "t=1756000001,v1="+testSignatureDot+",v1="+testSignatureHex, testSecret, at(testTime)),
		ErrNoValidSignature)
}

func TestVerifyPayloadSecretRotation(t *testing.T) {
	body := []byte(testBody)
	signedWithNew := "t=1756000001,v1=" + testRotatedSignature

	// Before the switch, only the old secret is known.
	assert.ErrorIs(t, VerifyPayload(body, signedWithNew, testSecret, at(testTime)), ErrNoValidSignature)

	// During rotation, accept both: deliveries signed with either pass.
	both := []Option{at(testTime), WithSecrets(testRotated)}
	assert.NoError(t, VerifyPayload(body, testHeader, testSecret, both...))
	assert.NoError(t, VerifyPayload(body, signedWithNew, testSecret, both...))
	assert.NoError(t, VerifyPayload(body, testHeaderWithRotate, testSecret, both...))

	// The new secret alone, passed directly or only through WithSecrets.
	assert.NoError(t, VerifyPayload(body, signedWithNew, testRotated, at(testTime)))
	assert.NoError(t, VerifyPayload(body, testHeaderWithRotate, "", at(testTime), WithSecrets("", testRotated)))
	assert.ErrorIs(t, VerifyPayload(body, testHeader, testRotated, at(testTime)), ErrNoValidSignature)

	// Only empty secrets is a configuration error, not a bad signature.
	assert.ErrorIs(t, VerifyPayload(body, testHeader, "", at(testTime), WithSecrets("", "")), ErrNoSecret)
}

func TestVerifyPayloadTolerance(t *testing.T) {
	body := []byte(testBody)
	check := func(now time.Time, opts ...Option) error {
		return VerifyPayload(body, testHeader, testSecret, append(opts, at(now))...)
	}

	assert.NoError(t, check(testTime.Add(DefaultTolerance)), "exactly at the limit, late")
	assert.NoError(t, check(testTime.Add(-DefaultTolerance)), "exactly at the limit, early")

	err := check(testTime.Add(DefaultTolerance + time.Second))
	require.ErrorIs(t, err, ErrTimestampOutsideTolerance)
	assert.Contains(t, err.Error(), "signed 5m1s ago")

	err = check(testTime.Add(-DefaultTolerance - 2*time.Second))
	require.ErrorIs(t, err, ErrTimestampOutsideTolerance)
	assert.Contains(t, err.Error(), "signed 5m2s in the future")

	// A wider tolerance lets the late delivery through; a narrower one does not.
	assert.NoError(t, check(testTime.Add(10*time.Minute), WithTolerance(10*time.Minute)))
	assert.ErrorIs(t, check(testTime.Add(31*time.Second), WithTolerance(30*time.Second)), ErrTimestampOutsideTolerance)
	// Zero or negative cannot switch the check off.
	assert.ErrorIs(t, check(testTime.Add(time.Hour), WithTolerance(0)), ErrTimestampOutsideTolerance)
	assert.ErrorIs(t, check(testTime.Add(time.Hour), WithTolerance(-1)), ErrTimestampOutsideTolerance)

	// The real clock is used by default: the 2025 vector is long stale.
	assert.ErrorIs(t, VerifyPayload(body, testHeader, testSecret), ErrTimestampOutsideTolerance)
	assert.ErrorIs(t, VerifyPayload(body, testHeader, testSecret, WithClock(nil)), ErrTimestampOutsideTolerance)
}

func TestVerifyPayloadExtremeTimestamps(t *testing.T) {
	body := []byte(testBody)
	for _, ts := range []time.Time{time.Unix(0, 0), time.Unix(999999999999999999, 0)} {
		header := SignatureHeader(body, testSecret, ts)
		err := VerifyPayload(body, header, testSecret, at(testTime))
		assert.ErrorIs(t, err, ErrTimestampOutsideTolerance, header)
		assert.NoError(t, VerifyPayload(body, header, testSecret, at(ts)), header)
	}
}

func TestTamperedTimestampIsReportedAsBadSignatureNotStale(t *testing.T) {
	// An attacker who moves t forward to dodge the tolerance breaks the MAC;
	// the timestamp error is reserved for genuine deliveries.
	err := VerifyPayload([]byte(testBody), "t=1756999999,v1="+testSignature, testSecret, at(testTime))
	assert.ErrorIs(t, err, ErrNoValidSignature)
	assert.False(t, errors.Is(err, ErrTimestampOutsideTolerance))
}

func TestErrorsNeverContainSecrets(t *testing.T) {
	body := []byte(testBody)
	secrets := []string{testSecret, testRotated}
	headers := []string{
		"", "garbage", "t=1", "t=x,v1=y", testHeader, "t=1756000001,v1=" + testSignatureHex,
		"t=1756000001,v0=" + testSignature,
	}
	for _, header := range headers {
		for _, now := range []time.Time{testTime, testTime.Add(time.Hour), testTime.Add(-time.Hour)} {
			for _, secret := range []string{testSecret, "whsec_test_wrong"} {
				err := VerifyPayload(body, header, secret, at(now), WithSecrets(testRotated))
				if err == nil {
					continue
				}
				for _, s := range append(secrets, secret) {
					assert.NotContains(t, err.Error(), s)
				}
			}
		}
	}
}

// A secret read with its newline fails verification with an error that
// says so, not only that no signature matched.
func TestAMalformedSecretIsNamedWhenNothingMatches(t *testing.T) {
	_, err := ConstructEvent([]byte(testBody), testHeader, testSecret+"\n", at(testTime))
	require.ErrorIs(t, err, ErrNoValidSignature)
	assert.Contains(t, err.Error(), "white space")
	assert.NotContains(t, err.Error(), testSecret, "the error never shows the secret")
	_, err = ConstructEvent([]byte(testBody), testHeader, testSecret, at(testTime))
	require.NoError(t, err)
}
