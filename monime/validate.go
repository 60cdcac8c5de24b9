package monime

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/monimekit/monime-go/internal/metadata"
)

// The limits of spec/monime.yaml, which takes them from Monime's published
// document (a test keeps the two equal; spec/drift-allow.yaml cites the
// source of every limit that document does not state itself). Lengths are
// counted in characters (Unicode code points), as JSON Schema does.
const (
	maxMetadataKeys     = 64
	maxMetadataValueLen = 100
	maxLimit            = 50
	maxCursorLen        = 2000
)

// problems collects FieldErrors.
type problems []FieldError

func (ps *problems) add(field fieldPath, format string, args ...any) {
	*ps = append(*ps, FieldError{Field: field.String(), Problem: fmt.Sprintf(format, args...)})
}

// fieldPath names a parameter, such as "lineItems[2].name"; its text is
// made only for a problem, so valid params cost no allocation for names.
type fieldPath struct {
	name  string
	index int // -1: no index
	rest  string
}

func field(name string) fieldPath { return fieldPath{name: name, index: -1} }

func (f fieldPath) String() string {
	if f.index < 0 {
		return f.name + f.rest
	}
	return f.name + "[" + strconv.Itoa(f.index) + "]" + f.rest
}

// text checks a string's length and encoding; required says whether empty
// is allowed. Invalid UTF-8 is refused because JSON cannot carry it: it
// would reach Monime altered.
func (ps *problems) text(f fieldPath, s string, max int, required bool) bool {
	switch {
	case s == "":
		if required {
			ps.add(f, "required")
			return false
		}
	case !utf8.ValidString(s):
		ps.add(f, "is not valid UTF-8")
		return false
	case len(s) > max: // fewer bytes than max cannot be too many characters
		if n := utf8.RuneCountInString(s); n > max {
			ps.add(f, "is %d characters long; at most %d allowed", n, max)
			return false
		}
	}
	return true
}

// uri checks an optional URL: Monime's document says "format: url", so it
// must be absolute (have a scheme); any scheme will do, since apps come
// back through their own.
func (ps *problems) uri(f fieldPath, s string, max int) {
	if s == "" || !ps.text(f, s, max, false) {
		return
	}
	if u, err := url.Parse(s); err != nil || u.Scheme == "" {
		ps.add(f, "is not an absolute URL (want a scheme, such as https://shop.example/orders/1042)")
	}
}

func (ps *problems) err(op string) error {
	if len(*ps) == 0 {
		return nil
	}
	return &ValidationError{Op: op, Problems: *ps}
}

func validateMetadata(ps *problems, m Metadata) {
	if len(m) > maxMetadataKeys {
		ps.add(field("metadata"), "has %d keys; at most %d allowed", len(m), maxMetadataKeys)
	}
	// Map order is random: collect this map's problems, then sort them by
	// field so the error reads the same every time.
	var found problems
	for k, v := range m {
		f := fieldPath{"metadata.", -1, metadata.ShownKey(k)}
		found.text(f, v, maxMetadataValueLen, false)
		if problem := metadata.KeyProblem(k); problem != "" {
			found.add(f, "%s", problem)
		}
	}
	slices.SortStableFunc(found, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	*ps = append(*ps, found...)
}

// checkPage checks what every list's params share: the page size and the
// cursor.
func checkPage(ps *problems, limit int, after string) {
	if limit < 0 || limit > maxLimit {
		ps.add(field("limit"), "is %d; want 1 to %d, or 0 for Monime's default", limit, maxLimit)
	}
	ps.text(field("after"), after, maxCursorLen, false)
}

// validate runs p's checks as the operation op does before sending, for
// the API release apiVersion: the public Validate methods call it.
func validate(op string, p params, apiVersion string) error {
	var ps problems
	p.check(&ps, apiVersion)
	return ps.err(op)
}

// checkCurrency checks a currency Monime takes in a request: SLE, or USD
// from API release APIVersion on (release APIVersion20250620 says SLE only).
func checkCurrency(ps *problems, f fieldPath, c Currency, apiVersion string) {
	switch c {
	case CurrencySLE:
	case CurrencyUSD:
		if apiVersion == APIVersion20250620 {
			ps.add(f, "USD needs API release %s; %s takes SLE only", APIVersion, APIVersion20250620)
		}
	case "":
		ps.add(f, "required; want SLE or USD")
	default:
		ps.add(f, "%q is not supported; want SLE or USD", excerpt([]byte(c), 20))
	}
}

// checkAmount checks an amount to move: a currency Monime takes (see
// checkCurrency) and a positive value. name is the field, as "amount".
func checkAmount(ps *problems, name string, m Money, apiVersion string) {
	checkCurrency(ps, field(name+".currency"), m.Currency, apiVersion)
	if m.Value <= 0 {
		ps.add(field(name+".value"), "is %d; want a positive amount in minor units (SLE 1.00 is 100)", m.Value)
	}
}

// checkDuration checks a duration to send: zero (Monime's default) or a
// positive duration, sent in Go's form ("30m", "1.5s"), which Monime's
// document shows and describes no further.
func checkDuration(ps *problems, f fieldPath, d time.Duration) {
	if d < 0 {
		ps.add(f, "is %v; want a positive duration, such as 30*time.Minute, or 0 for Monime's default", d)
	}
}

// checkList checks a list Monime bounds: min to max items (a non-nil
// empty list is sent as [], so it counts), each unique and checked by
// item, when item is not nil.
func checkList(ps *problems, name string, list []string, min, max int, item func(f fieldPath, v string)) {
	switch f := field(name); {
	case list != nil && len(list) < min:
		ps.add(f, "is empty; want %d to %d items, or nil to leave it out", min, max)
	case len(list) > max:
		ps.add(f, "has %d items; at most %d allowed", len(list), max)
		return
	}
	for i, v := range list {
		f := fieldPath{name, i, ""}
		if item != nil {
			item(f, v)
		}
		if slices.Contains(list[:i], v) {
			ps.add(f, "%q repeats an earlier item; list each once", excerpt([]byte(v), 40))
		}
	}
}

// checkStatus checks a list's status filter: empty (any status) or one of
// valid.
func checkStatus[S ~string](ps *problems, s S, valid ...S) {
	if s != "" && !slices.Contains(valid, s) {
		names := make([]string, len(valid))
		for i, v := range valid {
			names[i] = string(v)
		}
		ps.add(field("status"), "%q is not a status Monime documents; want one of %s, or empty for any", excerpt([]byte(s), 20), strings.Join(names, ", "))
	}
}
