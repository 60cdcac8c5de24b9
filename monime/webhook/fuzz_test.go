package webhook

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// signedDelivery is a body this test signed, at a given time.
type signedDelivery struct {
	body string
	at   time.Time
}

// fuzzSigned lists every (body, time) the fuzz seeds sign with testSecret or
// testRotated. A verifier may accept a payload only if it is one of these
// bodies and the header carries that body's genuine signature for a time
// within the tolerance.
var fuzzSigned = []signedDelivery{
	{testBody, testTime},
	{`{}`, testTime},
	{`{"event":{"id":"evt-1","name":"checkout_session.expired"}}`, testTime.Add(-4 * time.Minute)},
	{`{"event":{"id":"evt-2"}}`, testTime.Add(time.Hour)}, // signed, but stale: never acceptable
}

// mayAccept is the oracle: true only for a payload this test signed, with a
// genuine signature in header, at a time within the tolerance.
func mayAccept(payload []byte, header string) bool {
	for _, d := range fuzzSigned {
		if !bytes.Equal(payload, []byte(d.body)) {
			continue
		}
		age := testTime.Sub(d.at)
		if age > DefaultTolerance || age < -DefaultTolerance {
			continue
		}
		// The header must carry t=<that time> and v1=<the genuine
		// signature> as elements of their own, read here independently of
		// the parser: split on commas, then on the first "=", with HTTP's
		// optional white space (spaces and tabs) around each part.
		var ts []string
		sigs := map[string]bool{}
		for _, element := range strings.Split(header, ",") {
			key, value, _ := strings.Cut(strings.Trim(element, " \t"), "=")
			switch strings.Trim(key, " \t") {
			case "t":
				ts = append(ts, strings.Trim(value, " \t"))
			case "v1":
				sigs[strings.Trim(value, " \t")] = true
			}
		}
		if len(ts) != 1 || ts[0] != formatInt(d.at.Unix()) {
			continue
		}
		for _, secret := range []string{testSecret, testRotated} {
			if sigs[Sign(payload, secret, d.at)] {
				return true
			}
		}
	}
	return false
}

// formatInt avoids strconv so the oracle shares no code path with the
// verifier's header handling.
func formatInt(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// FuzzConstructEvent feeds arbitrary bodies and headers to the verifier. It
// must never panic and never accept a payload the test did not sign. It also
// signs each fuzzed body itself, so event decoding is fuzzed too: a genuine
// body is either decoded or refused with ErrInvalidPayload.
func FuzzConstructEvent(f *testing.F) {
	for _, d := range fuzzSigned {
		f.Add([]byte(d.body), SignatureHeader([]byte(d.body), testSecret, d.at))
		f.Add([]byte(d.body), SignatureHeader([]byte(d.body), testRotated, d.at))
	}
	f.Add([]byte(testBody), testHeaderWithRotate)
	f.Add([]byte(testBody), "t=1756000001,v1="+testSignatureDot)
	f.Add([]byte(testBody), "t=1756000001,v1="+testSignatureHex)
	f.Add([]byte(testBody), "t=1756000001,v1="+testSignatureURL)
	f.Add([]byte(testBody), "t=1756000001,v0="+testSignature)
	f.Add([]byte(testBody), "v1="+testSignature+",t=1756000001")
	f.Add([]byte(testBody+" "), testHeader)
	f.Add([]byte(testBody), "t=99999999999999999999,v1="+testSignature)
	f.Add([]byte(testBody), "t=1756000001,v1=,v1=,")
	f.Add([]byte(""), "")
	f.Add([]byte("null"), "t=0,v1=")
	f.Add([]byte(`{"event":{"timestamp":1e308},"data":[]}`), "=,=,t")
	f.Add([]byte(`{"event":{"timestamp":-1.5},"object":{"type":"checkout_session"},"data":{"lineItems":[{}]}}`), " t = 1 , v1 = x ")

	f.Fuzz(func(t *testing.T, payload []byte, header string) {
		ev, err := ConstructEvent(payload, header, testSecret, at(testTime), WithSecrets(testRotated))
		if err == nil {
			if !mayAccept(payload, header) {
				t.Fatalf("accepted a payload the test never signed: payload %q header %q", payload, header)
			}
			if ev == nil {
				t.Fatal("nil event without an error")
			}
		} else if ev != nil {
			t.Fatalf("event returned with error %v", err)
		}

		// Now as a genuine delivery, to fuzz decoding behind the signature.
		ev, err = ConstructEvent(payload, SignatureHeader(payload, testSecret, testTime), testSecret, at(testTime))
		if err != nil {
			if !errors.Is(err, ErrInvalidPayload) {
				t.Fatalf("genuine delivery refused with %v", err)
			}
			return
		}
		if _, err := ev.CheckoutSession(); err != nil &&
			!errors.Is(err, ErrInvalidPayload) && !errors.Is(err, ErrNotCheckoutSession) {
			t.Fatalf("CheckoutSession: unexpected error %v", err)
		}
		if _, err := ev.MarshalJSON(); err != nil {
			t.Fatalf("a decoded event does not marshal: %v", err)
		}
	})
}

// FuzzParseHeader checks the header parser alone: no panics, and whatever
// it accepts is a decimal timestamp and non-empty signatures without commas.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{
		testHeader, testHeaderWithRotate, "", ",", "t=", "t=1", "v1=x", "t=1,t=2",
		"t=1756000001,v1=a,es256=b,v0=c", " t = 1 , v1 = x ", "t=-1", "t=1e9", "t=١٢٣",
		"t=999999999999999999,v1=x", "t=9999999999999999999,v1=x", "==,=", "t==1,v1==",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		h, err := parseHeader(header)
		if err != nil {
			if !errors.Is(err, ErrMalformedHeader) {
				t.Fatalf("parse error %v does not wrap ErrMalformedHeader", err)
			}
			return
		}
		if h.timestamp == "" || h.unix < 0 {
			t.Fatalf("accepted timestamp %q (%d)", h.timestamp, h.unix)
		}
		for _, r := range h.timestamp {
			if r < '0' || r > '9' {
				t.Fatalf("accepted non-decimal timestamp %q", h.timestamp)
			}
		}
		for _, s := range h.signatures {
			if s == "" || strings.Contains(s, ",") {
				t.Fatalf("accepted signature %q", s)
			}
		}
	})
}
