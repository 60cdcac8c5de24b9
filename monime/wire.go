package monime

import (
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/monimekit/monime-go/gen"
)

// The create request's body, encoded without reflection.
//
// encoding/json spends about 2 µs on the generated request type (pointer
// fields, a map, reflection over each), which was the largest part of what
// the facade adds to a create. appendCreateBody writes the same bytes,
// field for field, in a fraction of that. Tests hold it to encoding/json
// byte for byte, for every field of the generated types, so a field added
// to the spec and not here fails them (TestCreateBodyMatchesEncodingJSON,
// FuzzCreateBody, FuzzAppendJSONString). Under GOEXPERIMENT=jsonv2,
// encoding/json writes invalid UTF-8 as a raw U+FFFD where this writes
// \ufffd: the same JSON value, and the tests accept either.

// appendCreateBody appends what json.Marshal(r) would return.
func appendCreateBody(dst []byte, r *gen.CreateCheckoutSessionRequest) []byte {
	o := object{dst: dst}
	if r.BrandingOptions != nil {
		o.key("brandingOptions")
		b := object{dst: o.dst}
		b.optString("primaryColor", r.BrandingOptions.PrimaryColor)
		o.dst = b.end()
	}
	o.optString("callbackState", r.CallbackState)
	o.optString("cancelUrl", r.CancelUrl)
	o.optString("description", r.Description)
	o.optString("financialAccountId", r.FinancialAccountId)
	o.key("lineItems")
	if r.LineItems == nil {
		o.dst = append(o.dst, "null"...)
	} else {
		o.dst = append(o.dst, '[')
		for i := range r.LineItems {
			if i > 0 {
				o.dst = append(o.dst, ',')
			}
			o.dst = appendLineItem(o.dst, &r.LineItems[i])
		}
		o.dst = append(o.dst, ']')
	}
	if r.Metadata != nil {
		o.key("metadata")
		o.dst = appendStringMap(o.dst, *r.Metadata)
	}
	o.key("name")
	o.dst = appendJSONString(o.dst, r.Name)
	if po := r.PaymentOptions; po != nil {
		o.key("paymentOptions")
		p := object{dst: o.dst}
		if po.Bank != nil {
			p.key("bank")
			p.dst = appendMethodOptions(p.dst, po.Bank.Disable, po.Bank.DisabledProviders, po.Bank.EnabledProviders)
		}
		if po.Card != nil {
			p.key("card")
			c := object{dst: p.dst}
			c.optBool("disable", po.Card.Disable)
			p.dst = c.end()
		}
		if po.Momo != nil {
			p.key("momo")
			p.dst = appendMethodOptions(p.dst, po.Momo.Disable, po.Momo.DisabledProviders, po.Momo.EnabledProviders)
		}
		if po.Wallet != nil {
			p.key("wallet")
			p.dst = appendMethodOptions(p.dst, po.Wallet.Disable, po.Wallet.DisabledProviders, po.Wallet.EnabledProviders)
		}
		o.dst = p.end()
	}
	o.optString("reference", r.Reference)
	o.optString("successUrl", r.SuccessUrl)
	return o.end()
}

func appendLineItem(dst []byte, li *gen.LineItemInput) []byte {
	o := object{dst: dst}
	o.optString("description", li.Description)
	if li.Images != nil {
		o.key("images")
		o.dst = appendStrings(o.dst, *li.Images)
	}
	o.key("name")
	o.dst = appendJSONString(o.dst, li.Name)
	o.key("price")
	p := object{dst: o.dst}
	p.key("currency")
	p.dst = appendJSONString(p.dst, string(li.Price.Currency))
	p.key("value")
	p.dst = strconv.AppendInt(p.dst, li.Price.Value, 10)
	o.dst = p.end()
	if li.Quantity != nil {
		o.key("quantity")
		o.dst = strconv.AppendInt(o.dst, int64(*li.Quantity), 10)
	}
	o.optString("reference", li.Reference)
	if li.Type != nil {
		o.key("type")
		o.dst = appendJSONString(o.dst, string(*li.Type))
	}
	return o.end()
}

// appendMethodOptions writes gen.BankOptions, gen.MomoOptions or
// gen.WalletOptions, which have the same three fields.
func appendMethodOptions[T ~string](dst []byte, disable *bool, disabled, enabled *[]T) []byte {
	o := object{dst: dst}
	o.optBool("disable", disable)
	if disabled != nil {
		o.key("disabledProviders")
		o.dst = appendStrings(o.dst, *disabled)
	}
	if enabled != nil {
		o.key("enabledProviders")
		o.dst = appendStrings(o.dst, *enabled)
	}
	return o.end()
}

// object writes one JSON object's members; the first key opens it.
type object struct {
	dst  []byte
	open bool
}

// key starts a member named k, one of the spec's property names, which
// need no escaping.
func (o *object) key(k string) {
	o.next()
	o.dst = append(o.dst, '"')
	o.dst = append(o.dst, k...)
	o.dst = append(o.dst, '"', ':')
}

// anyKey starts a member named k, whatever k holds.
func (o *object) anyKey(k string) {
	o.next()
	o.dst = appendJSONString(o.dst, k)
	o.dst = append(o.dst, ':')
}

func (o *object) next() {
	if o.open {
		o.dst = append(o.dst, ',')
	} else {
		o.dst = append(o.dst, '{')
		o.open = true
	}
}

// optString writes k unless s is nil (omitempty on a pointer).
func (o *object) optString(k string, s *string) {
	if s != nil {
		o.key(k)
		o.dst = appendJSONString(o.dst, *s)
	}
}

func (o *object) optBool(k string, b *bool) {
	if b != nil {
		o.key(k)
		o.dst = strconv.AppendBool(o.dst, *b)
	}
}

func (o *object) end() []byte {
	if !o.open {
		return append(o.dst, '{', '}')
	}
	return append(o.dst, '}')
}

func appendStrings[T ~string](dst []byte, list []T) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, string(s))
	}
	return append(dst, ']')
}

// appendStringMap writes m with its keys sorted, as encoding/json does.
func appendStringMap[M ~map[string]string](dst []byte, m M) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	var small [8]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	o := object{dst: dst}
	for _, k := range keys {
		o.anyKey(k)
		o.dst = appendJSONString(o.dst, m[k])
	}
	return o.end()
}

// jsonSafe marks the ASCII bytes encoding/json writes as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it: HTML-sensitive characters, control characters, U+2028 and
// U+2029 escaped, and each byte of invalid UTF-8 replaced by U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// createBodySize is a close upper guess of the body's length for the usual
// case (text that needs no escaping), so that it is written in one
// allocation.
func createBodySize(r *gen.CreateCheckoutSessionRequest) int {
	n := 160 + len(r.Name)
	for _, s := range []*string{r.CallbackState, r.CancelUrl, r.Description, r.FinancialAccountId, r.Reference, r.SuccessUrl} {
		if s != nil {
			n += len(*s)
		}
	}
	for i := range r.LineItems {
		li := &r.LineItems[i]
		n += 112 + len(li.Name)
		for _, s := range []*string{li.Description, li.Reference} {
			if s != nil {
				n += len(*s)
			}
		}
		if li.Images != nil {
			for _, img := range *li.Images {
				n += len(img) + 3
			}
		}
	}
	if r.Metadata != nil {
		n += 48 * len(*r.Metadata)
	}
	if r.PaymentOptions != nil {
		n += 256
	}
	return n
}
