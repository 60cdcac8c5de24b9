package monime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Tolerant reading, second pass. Responses are decoded once, strictly and
// fast. Only when that fails on a value of an unexpected type (a number
// sent as a string, a whole number written 2.0, an empty time, an object
// where text belongs) is the body decoded again by relaxedUnmarshal, which
// keeps every field that fits and leaves the rest zero, so one odd field
// never costs the caller the whole answer.

// relaxedUnmarshal is json.Unmarshal into out (a pointer), minus the fields
// whose JSON does not fit their Go type. It fails on malformed JSON, on a
// document that is not an object, when a field that carries meaning does
// not fit (see strictFields: an id, a status, an amount, a quantity, the
// line items), and when an envelope's result or error does not fit.
func relaxedUnmarshal(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	doc, isObject := v.(map[string]any)
	if !isObject {
		return errors.New("the document is not a JSON object")
	}
	fixed, ok := relax(reflect.TypeOf(out).Elem(), v, 0)
	if !ok {
		return errors.New("the document does not have the expected shape")
	}
	for _, key := range []string{"result", "error"} {
		if doc[key] != nil && hasField(reflect.TypeOf(out).Elem(), key) {
			if _, kept := fixed.(map[string]any)[key]; !kept {
				return fmt.Errorf("the %s does not have the expected shape", key)
			}
		}
	}
	b, err := json.Marshal(fixed)
	if err != nil {
		return err
	}
	// Start from zero: the strict pass may have filled out partly, and a
	// field left over from it must not leak into the relaxed answer.
	reflect.ValueOf(out).Elem().SetZero()
	return json.Unmarshal(b, out)
}

// strictFields are the fields whose value carries meaning a payments
// engineer acts on: when one is present but does not fit, the object that
// holds it does not fit either (and so on up), rather than being read as
// zero.
var strictFields = map[reflect.Type]map[string]bool{
	reflect.TypeFor[CheckoutSession](): {"id": true, "status": true, "lineItems": true},
	reflect.TypeFor[LineItem]():        {"price": true, "quantity": true},
	reflect.TypeFor[Money]():           {"currency": true, "value": true},
}

// decodeTolerant decodes strictly and, on a type mismatch, relaxed.
func decodeTolerant(data []byte, out any) error {
	err := json.Unmarshal(data, out)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return err // not JSON: nothing to be tolerant about
	}
	if rerr := relaxedUnmarshal(data, out); rerr != nil {
		return err
	}
	return nil
}

var (
	errorBodyType = reflect.TypeFor[errorBody]()
	timeType      = reflect.TypeFor[time.Time]()
	lineItemsType = reflect.TypeFor[LineItems]()
	rawType       = reflect.TypeFor[json.RawMessage]()
)

// relax returns v reshaped to fit t, and whether anything fitting was left.
func relax(t reflect.Type, v any, depth int) (any, bool) {
	if v == nil {
		return nil, true // null leaves a Go value zero
	}
	if depth > 64 {
		return nil, false
	}
	switch t {
	case rawType:
		return v, true
	case timeType:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		var tt time.Time
		if tt.UnmarshalJSON([]byte(strconv.Quote(s))) != nil {
			return nil, false
		}
		return s, true
	case lineItemsType:
		if m, ok := v.(map[string]any); ok {
			v = m["data"]
		}
		items, ok := relax(reflect.TypeFor[[]LineItem](), v, depth+1)
		if !ok {
			return nil, false
		}
		return map[string]any{"data": items}, true
	}
	switch t.Kind() {
	case reflect.Pointer:
		return relax(t.Elem(), v, depth+1)
	case reflect.Interface:
		return v, true
	case reflect.Struct:
		if t == errorBodyType {
			if s, ok := v.(string); ok { // "error": "text" still says the call failed
				v = map[string]any{"message": s}
			}
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		strict := strictFields[t]
		out := make(map[string]any, len(m))
		for i := range t.NumField() {
			f := t.Field(i)
			name := jsonName(f)
			if name == "" {
				continue
			}
			if fv, present := m[name]; present {
				if _, isText := fv.(string); strict[name] && f.Type.Kind() == reflect.String && !isText && fv != nil {
					return nil, false // an id, a status or a currency is text, or nothing
				}
				r, ok := relax(f.Type, fv, depth+1)
				switch {
				case ok:
					out[name] = r
				case strict[name]:
					return nil, false
				}
			}
		}
		return out, true
	case reflect.Slice:
		// A list fits only if every element does: dropping one would
		// shift the rest, or hide a session from a list.
		list, ok := v.([]any)
		if !ok {
			return nil, false
		}
		out := make([]any, len(list))
		for i, e := range list {
			r, ok := relax(t.Elem(), e, depth+1)
			if !ok {
				return nil, false
			}
			out[i] = r
		}
		return out, true
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			if t.Elem().Kind() == reflect.String {
				out[k] = e // Metadata reads any value as text itself
				continue
			}
			if r, ok := relax(t.Elem(), e, depth+1); ok {
				out[k] = r
			}
		}
		return out, true
	case reflect.String:
		switch x := v.(type) {
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		case bool:
			return strconv.FormatBool(x), true
		}
		return nil, false
	case reflect.Bool:
		switch x := v.(type) {
		case bool:
			return x, true
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, true
			}
		case json.Number:
			switch x.String() {
			case "0":
				return false, true
			case "1":
				return true, true
			}
		}
		return nil, false
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := wholeNumber(v)
		if !ok || n < -(1<<(t.Bits()-1)) || n > 1<<(t.Bits()-1)-1 {
			return nil, false
		}
		return n, true
	case reflect.Float32, reflect.Float64:
		switch x := v.(type) {
		case json.Number:
			return x, true
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				return f, true
			}
		}
		return nil, false
	}
	return nil, false
}

// wholeNumber reads 42, 42.0, "42" or "42.0" as 42.
func wholeNumber(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// hasField reports whether struct type t has a field named name in JSON.
func hasField(t reflect.Type, name string) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		if jsonName(t.Field(i)) == name {
			return true
		}
	}
	return false
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

// ParseCheckoutSession decodes a checkout session as Monime sends it (in
// an API result or a webhook's data), tolerantly: unknown fields are
// ignored and a descriptive field of an unexpected type is left zero rather
// than failing the whole session. It fails on malformed JSON, on a document
// that is not an object, and when the id, status, line items, a price or a
// quantity do not have their type: those are never guessed.
func ParseCheckoutSession(data []byte) (*CheckoutSession, error) {
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return nil, errors.New("monime: a checkout session is a JSON object")
	}
	s := new(CheckoutSession)
	if err := decodeTolerant(data, s); err != nil {
		return nil, err
	}
	return s, nil
}
