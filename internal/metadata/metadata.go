// Package metadata holds Monime's rules for metadata keys, in one place for
// the client (package monime checks them before sending) and the fake
// (package api refuses what Monime refuses), so the two always agree.
//
// The rules are those of Monime's public docs; its published document gives
// the 64-character limit too, for a payment code's metadata (see
// spec/drift-allow.yaml): a key is 1 to 64 characters of A-Z, a-z, 0-9, _
// and -, does not start with _ or -, and does not start with "monime" in
// any case, which Monime reserves.
package metadata

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxKeyLen is the longest metadata key Monime takes, in bytes (a valid key
// is ASCII, so bytes and characters agree).
const MaxKeyLen = 64

// KeyProblem says what is wrong with a metadata key, or "" when Monime
// takes it.
func KeyProblem(k string) string {
	switch {
	case k == "" || len(k) > MaxKeyLen || strings.ContainsFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}):
		return "keys are 1 to 64 characters of A-Z, a-z, 0-9, _ and -"
	case k[0] == '_' || k[0] == '-':
		return "keys must not start with _ or -"
	case strings.HasPrefix(strings.ToLower(k), "monime"):
		return "keys must not start with monime, which Monime reserves"
	}
	return ""
}

// ShownKey is a key as an error shows it: as it is when it is a short line
// of printable text, otherwise quoted and cut on a character boundary, so
// that a hostile key can neither flood an answer nor forge a line in a log.
func ShownKey(k string) string {
	if len(k) <= MaxKeyLen && utf8.ValidString(k) && !strings.ContainsFunc(k, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return k
	}
	cut := min(len(k), MaxKeyLen)
	for cut > 0 && cut < len(k) && !utf8.RuneStart(k[cut]) {
		cut--
	}
	shown := strings.ToValidUTF8(k[:cut], "\uFFFD")
	if cut < len(k) {
		shown += "..."
	}
	return strconv.Quote(shown)
}
