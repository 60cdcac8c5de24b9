package monime

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

// trickyStrings are texts whose JSON encoding is easy to get wrong.
var trickyStrings = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "é ü ñ 日本 🙂", "\u2028line\u2029para", "bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate",
	"\ufffd", strings.Repeat("x", 300),
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	cases := append([]string(nil), trickyStrings...)
	for b := range 256 {
		cases = append(cases, string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"z")
	}
	for _, s := range cases {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		requireSameJSON(t, want, appendJSONString(nil, s))
	}
}

// requireSameJSON holds got to want byte for byte; under the jsonv2
// experiment (see jsonV2), to the same JSON value.
func requireSameJSON(t testing.TB, want, got []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	if jsonV2 {
		var w, g any
		if json.Unmarshal(want, &w) == nil && json.Unmarshal(got, &g) == nil && reflect.DeepEqual(w, g) {
			return
		}
	}
	t.Fatalf("differs from encoding/json\n got: %s\nwant: %s", got, want)
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got := appendJSONString([]byte("prefix"), s)
		if !bytes.HasPrefix(got, []byte("prefix")) {
			t.Fatalf("appendJSONString(%q) lost what dst held: %s", s, got)
		}
		requireSameJSON(t, want, got[len("prefix"):])
	})
}

// filler sets a value's fields at random by reflection, so that every field
// of the generated request types is exercised, including fields added to
// the spec later. With full set, no pointer, slice or map is left nil or
// empty: every field appears in the JSON.
type filler struct {
	t     testing.TB
	r     *rand.Rand
	full  bool
	texts []string
}

func (f *filler) text() string {
	if len(f.texts) > 0 && f.r.IntN(2) == 0 {
		return f.texts[f.r.IntN(len(f.texts))]
	}
	return trickyStrings[f.r.IntN(len(trickyStrings))]
}

func (f *filler) fill(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !f.full && f.r.IntN(3) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), path)
	case reflect.Struct:
		for i := range v.NumField() {
			f.fill(v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		if !f.full && f.r.IntN(4) == 0 {
			return // nil
		}
		n := f.r.IntN(4)
		if f.full {
			n = 1 + f.r.IntN(3)
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(s.Index(i), path+"[]")
		}
		v.Set(s)
	case reflect.Map:
		if !f.full && f.r.IntN(4) == 0 {
			return // nil
		}
		n := f.r.IntN(5)
		if f.full {
			n = 1 + f.r.IntN(4)
		}
		m := reflect.MakeMapWithSize(v.Type(), n)
		for range n {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k, path+"{key}")
			f.fill(e, path+"{}")
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.String:
		v.SetString(f.text())
	case reflect.Int, reflect.Int64:
		ints := []int64{0, 1, -1, 15000, math.MaxInt64, math.MinInt64, f.r.Int64(), -f.r.Int64()}
		v.SetInt(ints[f.r.IntN(len(ints))])
	case reflect.Bool:
		v.SetBool(f.r.IntN(2) == 0)
	default:
		f.t.Fatalf("%s: the filler cannot set a %s; teach it the new type, and appendCreateBody the new field", path, v.Type())
	}
}

// checkCreateBody holds appendCreateBody to encoding/json, byte for byte.
func checkCreateBody(t testing.TB, r *gen.CreateCheckoutSessionRequest) {
	t.Helper()
	want, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	got := appendCreateBody(make([]byte, 0, createBodySize(r)), r)
	requireSameJSON(t, want, got) // differs: a field of gen.CreateCheckoutSessionRequest appendCreateBody does not write?
}

func TestCreateBodyMatchesEncodingJSON(t *testing.T) {
	t.Run("from params", func(t *testing.T) {
		p := validParams()
		w := p.toWire()
		checkCreateBody(t, &w)
		p.PaymentOptions = &PaymentOptions{Card: &CardOptions{Disable: true}, Bank: &MethodOptions{EnabledProviders: []string{BankProviderSLB001}},
			Momo: &MethodOptions{DisabledProviders: []string{MomoProviderM17}}, Wallet: &MethodOptions{}}
		p.BrandingOptions = &BrandingOptions{PrimaryColor: "#00FF00"}
		p.LineItems[0].Images = []string{"https://shop.example/a.png"}
		w = p.toWire()
		checkCreateBody(t, &w)
	})
	t.Run("zero", func(t *testing.T) {
		checkCreateBody(t, &gen.CreateCheckoutSessionRequest{})
		checkCreateBody(t, &gen.CreateCheckoutSessionRequest{LineItems: []gen.LineItemInput{}, Metadata: &gen.Metadata{},
			PaymentOptions: &gen.PaymentOptions{Bank: &gen.BankOptions{EnabledProviders: &[]gen.BankProvider{}}}, BrandingOptions: &gen.BrandingOptions{}})
	})
	for _, full := range []bool{true, false} {
		for seed := range uint64(300) {
			f := &filler{t: t, r: rand.New(rand.NewPCG(seed, 1)), full: full}
			var r gen.CreateCheckoutSessionRequest
			f.fill(reflect.ValueOf(&r).Elem(), "CreateCheckoutSessionRequest")
			checkCreateBody(t, &r)
		}
	}
}

func FuzzCreateBody(f *testing.F) {
	f.Add(uint64(1), true, "Order #1042")
	f.Add(uint64(7), false, "\xff<&>\u2028")
	f.Fuzz(func(t *testing.T, seed uint64, full bool, text string) {
		fl := &filler{t: t, r: rand.New(rand.NewPCG(seed, 2)), full: full, texts: []string{text}}
		if utf8.ValidString(text) && len(text) > 1 {
			fl.texts = append(fl.texts, text[:len(text)/2])
		}
		var r gen.CreateCheckoutSessionRequest
		fl.fill(reflect.ValueOf(&r).Elem(), "CreateCheckoutSessionRequest")
		checkCreateBody(t, &r)
	})
}
