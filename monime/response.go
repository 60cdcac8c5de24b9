package monime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Reading answers, in one place: the envelope, results, pages, Monime's
// errors, and the types whose reading has rules of their own.
//
// Strict where a payments engineer acts on the value, tolerant elsewhere.
// An id, a status, an amount, a quantity and the line items are never
// guessed: missing, null or of another type, they make the answer an error.
// Any other field whose value does not fit its Go type is left zero (see
// decodeObject), unknown fields and new enum values are kept or ignored, and
// metadata reads any JSON value as text.

// envelope is a Monime answer's body: success or error, item or page. Its
// parts are kept raw and each is read on its own.
type envelope struct {
	Success    json.RawMessage `json:"success"`
	Messages   json.RawMessage `json:"messages"`
	Result     json.RawMessage `json:"result"`
	Pagination json.RawMessage `json:"pagination"`
	Error      json.RawMessage `json:"error"`
}

// errorBody is Monime's error object. As an error it is the cause fail
// turns into an *Error.
type errorBody struct {
	Code     int             `json:"code"`
	Reason   string          `json:"reason"`
	Message  string          `json:"message"`
	Details  json.RawMessage `json:"details"`
	messages json.RawMessage // the envelope's, beside the error
}

func (e *errorBody) Error() string { return e.Reason + ": " + e.Message }

// decode reads the final answer's envelope: a success, or the call's error.
func (cl *call) decode(ans *answer) (*envelope, error) {
	if ans.tooLarge {
		return nil, cl.fail(ans, fmt.Errorf("the response body is larger than %d bytes; the client refused to read it", cl.c.maxBody))
	}
	var env envelope
	if err := json.Unmarshal(ans.body, &env); err != nil {
		return nil, cl.fail(ans, unexpectedBody(ans, err))
	}
	success, known := jsonBool(env.Success)
	failed := ans.status < 200 || ans.status > 299 || known && !success || !known && !isNull(env.Error)
	if failed {
		e := readErrorBody(env.Error)
		e.messages = env.Messages
		return nil, cl.fail(ans, e)
	}
	return &env, nil
}

// readErrorBody reads Monime's error object tolerantly; a bare string is
// its message.
func readErrorBody(raw json.RawMessage) *errorBody {
	e := new(errorBody)
	var text string
	if json.Unmarshal(raw, &text) == nil {
		e.Message = text
	} else if decodeObject(raw, e, nil) != nil {
		*e = errorBody{}
	}
	return e
}

// decodeResult reads the envelope's result as a T.
func decodeResult[T any](cl *call, env *envelope, what string) (*T, error) {
	if isNull(env.Result) {
		return nil, cl.fail(cl.last, fmt.Errorf("the answer carries no %s (no result)", what))
	}
	out := new(T)
	if err := json.Unmarshal(env.Result, out); err != nil {
		return nil, cl.fail(cl.last, fmt.Errorf("the result is not a %s: %w", what, err))
	}
	return out, nil
}

// maxPageItems bounds the items read from one page: Monime's pages hold
// at most 50, so a page twenty times larger is broken or hostile, and
// reading it would cost memory out of proportion to its bytes.
const maxPageItems = 1000

// decodePage reads a list answer. Items are read one at a time, and the
// first that is not a T with an id (or that repeats one) fails the page,
// so a page costs memory in proportion to its bytes.
func decodePage[T any](cl *call, env *envelope, what string, id func(*T) string) (*Page[T], error) {
	bad := func(format string, args ...any) error {
		return cl.fail(cl.last, fmt.Errorf("the page of %ss is unreadable: "+format, append([]any{what}, args...)...))
	}
	page := new(Page[T])
	if !isNull(env.Pagination) {
		var p struct {
			Count int     `json:"count"`
			Next  *string `json:"next"`
		}
		if err := decodeObject(env.Pagination, &p, fieldRules{"next": strict}); err != nil {
			return nil, bad("pagination: %v", err)
		}
		page.Count = p.Count
		if p.Next != nil {
			page.Next = *p.Next
		}
	}
	if isNull(env.Result) {
		return page, nil
	}
	dec := json.NewDecoder(bytes.NewReader(env.Result))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, bad("the result is not a list")
	}
	seen := make(map[string]bool)
	for dec.More() {
		if len(page.Items) == maxPageItems {
			return nil, bad("it holds more than %d items", maxPageItems)
		}
		var item T
		if err := dec.Decode(&item); err != nil {
			return nil, bad("item %d: %v", len(page.Items), err)
		}
		key := id(&item)
		if seen[key] {
			return nil, bad("item %d repeats the id %q", len(page.Items), excerpt([]byte(key), 40))
		}
		seen[key] = true
		page.Items = append(page.Items, item)
	}
	return page, nil
}

// Field rules for decodeObject.
type fieldRules map[string]fieldRule

type fieldRule int

const (
	// strict: when present and not null, the value must fit its type.
	strict fieldRule = iota + 1
	// required: strict, and present, not null and not zero.
	required
)

// decodeObject decodes the JSON object data into out (a pointer to a
// struct without an UnmarshalJSON of its own), strictly first and then,
// if a value has an unexpected type, field by field: a field whose value
// does not fit is left zero unless rules make it strict or required. It
// fails on anything but an object, and when a rule is broken.
func decodeObject(data []byte, out any, rules fieldRules) error {
	if err := json.Unmarshal(data, out); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return err // not JSON: nothing to be tolerant about
		}
		if err := decodeFields(data, out, rules); err != nil {
			return err
		}
	}
	v := reflect.ValueOf(out).Elem()
	for i := range v.NumField() {
		if name := jsonName(v.Type().Field(i)); rules[name] == required && v.Field(i).IsZero() {
			return fmt.Errorf("%s is missing, null or empty", name)
		}
	}
	return nil
}

// decodeFields is decodeObject's tolerant pass: each field on its own.
func decodeFields(data []byte, out any, rules fieldRules) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	if fields == nil {
		return errors.New("null where an object belongs")
	}
	v := reflect.ValueOf(out).Elem()
	v.SetZero() // nothing of the strict pass may leak into this one
	for i := range v.NumField() {
		name := jsonName(v.Type().Field(i))
		raw, ok := fields[name]
		if name == "" || !ok {
			continue
		}
		if err := json.Unmarshal(raw, v.Field(i).Addr().Interface()); err != nil {
			if rules[name] != 0 {
				return fmt.Errorf("%s: %w", name, err)
			}
			v.Field(i).SetZero()
		}
	}
	return nil
}

func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}

// UnmarshalJSON reads a checkout session as Monime sends it, in an API
// result or a webhook's data. The id and the status must be present and
// text, and the line items and order number must fit; any other field that
// does not fit is left zero (an unreadable expireTime reads as unknown, see
// ExpiresAt).
func (s *CheckoutSession) UnmarshalJSON(b []byte) error {
	type plain CheckoutSession
	if err := decodeObject(b, (*plain)(s), fieldRules{"id": required, "status": required, "lineItems": strict, "orderNumber": strict}); err != nil {
		return fmt.Errorf("checkout session: %w", err)
	}
	return nil
}

// UnmarshalJSON reads a line item: its price and quantity must be there
// and fit.
func (li *LineItem) UnmarshalJSON(b []byte) error {
	type plain LineItem
	return decodeObject(b, (*plain)(li), fieldRules{"price": required, "quantity": required})
}

// UnmarshalJSON reads an amount: a currency, and a value that is a JSON
// integer. Text, fractions and null are refused rather than guessed.
func (m *Money) UnmarshalJSON(b []byte) error {
	var w struct {
		Currency *Currency       `json:"currency"`
		Value    json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	if w.Currency == nil || *w.Currency == "" {
		return errors.New("amount: the currency is missing")
	}
	if isNull(w.Value) {
		return errors.New("amount: the value is missing")
	}
	if c := w.Value[0]; c != '-' && (c < '0' || c > '9') {
		return fmt.Errorf("amount: the value %s is not a number", excerpt(w.Value, 20))
	}
	v, err := strconv.ParseInt(string(w.Value), 10, 64)
	if err != nil {
		return fmt.Errorf("amount: the value %s is not a whole number of minor units", excerpt(w.Value, 30))
	}
	*m = Money{Currency: *w.Currency, Value: v}
	return nil
}

// UnmarshalJSON reads {"data": [...]}, a bare array, or null.
func (l *LineItems) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]LineItem)(l))
	}
	var wrapped struct {
		Data []LineItem `json:"data"`
	}
	if err := json.Unmarshal(b, &wrapped); err != nil {
		return err
	}
	*l = wrapped.Data
	return nil
}

// UnmarshalJSON reads a JSON object whose values may be of any type: text
// is kept as it is, null as "", and any other value as its JSON text.
// Anything that is not an object reads as no metadata.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) == 0 || b[0] != '{' {
		*m = nil
		return nil
	}
	var plain map[string]string
	if json.Unmarshal(b, &plain) == nil {
		*m = plain
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Metadata, len(raw))
	for k, v := range raw {
		var s string
		switch {
		case isNull(v):
		case json.Unmarshal(v, &s) == nil:
		default:
			s = string(v)
		}
		out[k] = s
	}
	*m = out
	return nil
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// jsonBool reads true or false, bare or quoted; known is false otherwise.
func jsonBool(raw json.RawMessage) (value, known bool) {
	switch strings.Trim(string(bytes.TrimSpace(raw)), `"`) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// decodeAnyList reads a JSON array of anything; a lone value becomes a
// one-element list, and garbage is kept as its text.
func decodeAnyList(raw json.RawMessage) []any {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) || string(raw) == "[]" {
		return nil
	}
	var list []any
	if raw[0] == '[' && json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one any
	if json.Unmarshal(raw, &one) == nil {
		return []any{one}
	}
	return []any{string(raw)}
}

// unexpectedBody describes a body that is not a Monime envelope.
func unexpectedBody(ans *answer, err error) error {
	ct := ans.header.Get("Content-Type")
	if mt, _, perr := mime.ParseMediaType(ct); perr == nil {
		ct = mt
	}
	if ct == "" {
		ct = "no content type"
	}
	if len(bytes.TrimSpace(ans.body)) == 0 {
		return fmt.Errorf("unexpected empty response body (%s)", ct)
	}
	return fmt.Errorf("unexpected response body (%s, not a Monime JSON envelope: %v): %q", ct, err, excerpt(ans.body, 120))
}

// excerpt returns at most n bytes of b, cut on a rune boundary.
func excerpt(b []byte, n int) string {
	if len(b) <= n {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return strings.ToValidUTF8(string(b[:cut]), "\uFFFD") + "..."
}
