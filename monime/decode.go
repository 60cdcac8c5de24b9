package monime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Reading answers, in one place: the envelope, results, pages and
// Monime's errors, in a strict pass and a tolerant one. Each resource's
// wire form (in its own file) says which of its fields are strict.
//
// Strict where a payments engineer acts on the value, tolerant elsewhere.
// An id, a status and an amount are never guessed: missing, null or of
// another type, they make the answer an error (a wire form's fields tagged
// decode:"strict", checked again by its public method). Any other field
// whose value does not fit its Go type is left zero (see decodeTolerant),
// unknown fields and new enum values are kept or ignored, and metadata
// reads any JSON value as text.

// envelope is a Monime answer's body: success or error, item or page.
// Success, error and pagination are kept raw and read on their own.
type envelope[R any] struct {
	Success    rawView `json:"success"`
	Messages   rawView `json:"messages"`
	Result     R       `json:"result"`
	Pagination rawView `json:"pagination"`
	Error      rawView `json:"error"`
}

// succeeded reads success (true or false, bare or quoted); without it, an
// error object says the call failed.
func (e *envelope[R]) succeeded() bool {
	switch strings.Trim(string(bytes.TrimSpace(e.Success)), `"`) {
	case "true":
		return true
	case "false":
		return false
	}
	return isNull(e.Error)
}

// errorBody is Monime's error object. As an error it is the cause fail
// turns into an *Error.
type errorBody struct {
	Code     int             `json:"code"`
	Reason   string          `json:"reason"`
	Message  string          `json:"message"`
	Details  json.RawMessage `json:"details"`
	messages []byte          // the envelope's, beside the error
}

func (e *errorBody) Error() string { return e.Reason + ": " + e.Message }

// rawView is a JSON value kept as a view into the answer's body, without
// a copy: encoding/json hands UnmarshalJSON a slice of its input, and an
// answer's body is never modified.
type rawView []byte

func (r *rawView) UnmarshalJSON(b []byte) error { *r = b; return nil }

// open reads the final answer's envelope, its result kept raw: a success,
// or the call's error.
func (cl *call) open(ans *answer) (*envelope[rawView], error) {
	if ans.tooLarge {
		return nil, cl.fail(ans, fmt.Errorf("the response body is larger than %d bytes; the client refused to read it", cl.c.maxBody))
	}
	var env envelope[rawView]
	if err := json.Unmarshal(ans.body, &env); err != nil {
		return nil, cl.fail(ans, unexpectedBody(ans, err))
	}
	if ans.status < 200 || ans.status > 299 || !env.succeeded() {
		e := new(errorBody)
		if json.Unmarshal(env.Error, &e.Message) != nil && decodeTolerant(env.Error, reflect.ValueOf(e).Elem(), 0) != nil {
			*e = errorBody{} // "error": "text" is a message; anything unreadable, nothing
		}
		e.messages = env.Messages
		return nil, cl.fail(ans, e)
	}
	return &env, nil
}

// wireOf is the wire form W of a public type T: decoded as Monime sends
// it, then checked and converted by public.
type wireOf[W, T any] interface {
	*W
	public() (*T, error)
}

// readOne reads the final answer's result as a T, or passes on send's
// error: in one pass, as a raw client would, when the answer is as Monime
// documents it, and otherwise through open and readWire, which say what is
// wrong.
func readOne[W, T any, PW wireOf[W, T]](cl *call, ans *answer, err error, what string) (*T, error) {
	if err != nil {
		return nil, err
	}
	if ans.status >= 200 && ans.status <= 299 && !ans.tooLarge {
		var fast envelope[W]
		if json.Unmarshal(ans.body, &fast) == nil && fast.succeeded() {
			if v, err := PW(&fast.Result).public(); err == nil {
				return v, nil
			}
		}
	}
	env, err := cl.open(ans)
	if err != nil {
		return nil, err
	}
	if isNull(env.Result) {
		return nil, cl.fail(ans, fmt.Errorf("the answer carries no %s (no result)", what))
	}
	v, err := readWire[W, T, PW](env.Result)
	if err != nil {
		return nil, cl.fail(ans, fmt.Errorf("the result is no readable %s: %w", what, err))
	}
	return v, nil
}

// readWire reads one object through its wire form, tolerantly (see
// decodeTolerant), and checks it.
func readWire[W, T any, PW wireOf[W, T]](data []byte) (*T, error) {
	if isNull(data) {
		return nil, errors.New("it is missing (null)")
	}
	var w W
	if err := decodeTolerant(data, reflect.ValueOf(&w).Elem(), 0); err != nil {
		return nil, err
	}
	return PW(&w).public()
}

// maxPageItems bounds the items read from one page: Monime's pages hold
// at most 50, so a page twenty times larger is broken or hostile, and
// reading it would cost memory out of proportion to its bytes.
const maxPageItems = 1000

// readPage reads a list answer. Items are read one at a time, and the
// first that is unreadable or repeats an id fails the page, so a page
// costs memory in proportion to its bytes.
func readPage[W, T any, PW wireOf[W, T]](cl *call, ans *answer, err error, what string, id func(*T) string) (*Page[T], error) {
	if err != nil {
		return nil, err
	}
	env, err := cl.open(ans)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return cl.fail(ans, fmt.Errorf("the page of %ss is unreadable: "+format, append([]any{what}, args...)...))
	}
	page := new(Page[T])
	if !isNull(env.Pagination) {
		var p struct {
			Count int    `json:"count"`
			Next  string `json:"next" decode:"strict"` // null: the last page
		}
		if err := decodeTolerant(env.Pagination, reflect.ValueOf(&p).Elem(), 0); err != nil {
			return nil, bad("pagination: %v", err)
		}
		page.Count, page.Next = p.Count, p.Next
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
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, bad("item %d: %v", len(page.Items), err)
		}
		item, err := readWire[W, T, PW](raw)
		if err != nil {
			return nil, bad("item %d: %v", len(page.Items), err)
		}
		if key := id(item); seen[key] {
			return nil, bad("item %d repeats the id %q", len(page.Items), excerpt([]byte(key), 40))
		} else {
			seen[key] = true
		}
		page.Items = append(page.Items, *item)
	}
	return page, nil
}

// moneyJSON is an amount as Monime sends it: both members must be there.
type moneyJSON struct {
	Currency Currency `json:"currency" decode:"strict"`
	Value    *int64   `json:"value" decode:"strict"` // nil: missing or null
}

// money checks that an amount has its currency and value.
func (m moneyJSON) money(what string) (Money, error) {
	if m.Currency == "" || m.Value == nil {
		return Money{}, fmt.Errorf("%s is missing its currency or value", what)
	}
	return Money{Currency: m.Currency, Value: *m.Value}, nil
}

// maxTolerantDepth bounds how deep the tolerant pass looks for the part
// that does not fit: each level parses what is under it again, so a deeply
// nested odd value (an ownership chain thousands of owners long) would
// otherwise cost time and memory with the square of its depth. Below it, a
// value that does not fit is left zero whole.
const maxTolerantDepth = 4

// decodeTolerant decodes data into v: in one pass when everything fits,
// otherwise part by part, leaving a value that does not fit its Go type
// zero, unless its field is tagged decode:"strict", which fails the object
// that holds it (and so on up). A list fits only whole. It fails on data
// that is not JSON.
func decodeTolerant(data []byte, v reflect.Value, depth int) error {
	err := json.Unmarshal(data, v.Addr().Interface())
	var syntax *json.SyntaxError
	if err == nil || errors.As(err, &syntax) || depth > maxTolerantDepth {
		return err
	}
	v.SetZero()
	if isNull(data) {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		return decodeTolerant(data, v.Elem(), depth+1)
	case reflect.Struct:
		fields, ferr := objectFields(data)
		if v.Addr().Type().Implements(unmarshalerType) || ferr != nil {
			return err // a value with its own reading (a time, say), or not an object
		}
		return decodeFields(fields, v, depth)
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return err
		}
		list := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, raw := range items {
			if err := decodeTolerant(raw, list.Index(i), depth+1); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		v.Set(list)
		return nil
	}
	return err
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// objectFields reads a JSON object's members by lower-cased name, the last
// of a name winning: the members encoding/json's one pass would pick (it
// matches names regardless of case, and a later member overwrites an
// earlier one), so both passes read the same bytes the same way.
func objectFields(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	fields := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		fields[strings.ToLower(tok.(string))] = raw
	}
	return fields, nil
}

// decodeFields is decodeTolerant for the fields of a struct, embedded
// structs included.
func decodeFields(fields map[string]json.RawMessage, v reflect.Value, depth int) error {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			if err := decodeFields(fields, v.Field(i), depth); err != nil {
				return err
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		raw, ok := fields[strings.ToLower(name)]
		if !f.IsExported() || name == "" || name == "-" || !ok {
			continue
		}
		if err := decodeTolerant(raw, v.Field(i), depth+1); err != nil {
			if f.Tag.Get("decode") == "strict" {
				return fmt.Errorf("%s: %w", name, err)
			}
			v.Field(i).SetZero()
		}
	}
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
func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// decodeAnyList reads a JSON array of anything; a lone value becomes a
// one-element list.
func decodeAnyList(raw []byte) []any {
	var v any
	if isNull(raw) || json.Unmarshal(raw, &v) != nil {
		return nil
	}
	if list, ok := v.([]any); ok {
		return list[:len(list):len(list)]
	}
	return []any{v}
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
