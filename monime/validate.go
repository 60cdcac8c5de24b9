package monime

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/monimekit/monime-go/internal/metadata"
)

// The limits of spec/monime.yaml, which takes them from Monime's published
// document (a test keeps the two equal; spec/drift-allow.yaml cites the
// source of every limit that document does not state itself). Lengths are
// counted in characters (Unicode code points), as JSON Schema does.
const (
	maxNameLen          = 150
	maxDescriptionLen   = 1000
	maxURLLen           = 255
	maxCallbackStateLen = 255
	maxReferenceLen     = 255
	maxFinancialAcctLen = 100
	minLineItems        = 1
	maxLineItems        = 16
	maxItemNameLen      = 100
	maxItemReferenceLen = 100
	maxItemDescLen      = 100
	minQuantity         = 1
	maxQuantity         = 100000
	maxImages           = 3
	maxPrimaryColorLen  = 255
	maxMetadataKeys     = 64
	maxMetadataValueLen = 100
	maxLimit            = 50
	maxCursorLen        = 2000
	maxPaymentNameLen   = 100
)

var validProviders = map[string][]string{
	"bank":   {BankProviderSLB001, BankProviderSLB004, BankProviderSLB007},
	"momo":   {MomoProviderM17, MomoProviderM18},
	"wallet": {WalletProviderDW001},
}

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

// Validate checks p against every limit Monime's document sets on a new
// checkout session, for the default API release (APIVersion), and returns a
// *ValidationError listing all problems, or nil. Create checks the same for
// the release the call is sent with.
func (p *CheckoutSessionCreateParams) Validate() error { return p.validate(APIVersion) }

func (p *CheckoutSessionCreateParams) validate(apiVersion string) error {
	var ps problems
	ps.text(field("name"), p.Name, maxNameLen, true)
	ps.text(field("description"), p.Description, maxDescriptionLen, false)
	ps.uri(field("successUrl"), p.SuccessURL, maxURLLen)
	ps.uri(field("cancelUrl"), p.CancelURL, maxURLLen)
	ps.text(field("callbackState"), p.CallbackState, maxCallbackStateLen, false)
	ps.text(field("reference"), p.Reference, maxReferenceLen, false)
	ps.text(field("financialAccountId"), p.FinancialAccountID, maxFinancialAcctLen, false)
	validateLineItems(&ps, p.LineItems, apiVersion)
	if po := p.PaymentOptions; po != nil {
		validateMethod(&ps, "bank", po.Bank)
		validateMethod(&ps, "momo", po.Momo)
		validateMethod(&ps, "wallet", po.Wallet)
	}
	if b := p.BrandingOptions; b != nil {
		ps.text(field("brandingOptions.primaryColor"), b.PrimaryColor, maxPrimaryColorLen, false)
	}
	validateMetadata(&ps, p.Metadata)
	return ps.err("CheckoutSessions.Create")
}

func validateLineItems(ps *problems, items []LineItem, apiVersion string) {
	if n := len(items); n < minLineItems || n > maxLineItems {
		ps.add(field("lineItems"), "has %d items; want %d to %d", n, minLineItems, maxLineItems)
	}
	// Past the limit the list is refused anyway; checking every item of a
	// huge list would only cost time (the uniqueness checks are quadratic).
	items = items[:min(len(items), maxLineItems)]
	for i := range items {
		li := &items[i]
		at := func(rest string) fieldPath { return fieldPath{"lineItems", i, rest} }
		if li.ID != "" {
			ps.add(at(".id"), "is assigned by Monime; leave it empty")
		}
		if li.Type != "" && li.Type != LineItemTypeCustom {
			ps.add(at(".type"), "%q is not a line-item type; want %q or empty", excerpt([]byte(li.Type), 40), LineItemTypeCustom)
		}
		ps.text(at(".name"), li.Name, maxItemNameLen, true)
		switch li.Price.Currency {
		case CurrencySLE:
		case CurrencyUSD:
			if apiVersion == APIVersion20250620 {
				ps.add(at(".price.currency"), "USD needs API release %s; %s takes SLE only", APIVersion, APIVersion20250620)
			}
		case "":
			ps.add(at(".price.currency"), "required; want SLE or USD")
		default:
			ps.add(at(".price.currency"), "%q is not supported; want SLE or USD", excerpt([]byte(li.Price.Currency), 20))
		}
		if q := li.Quantity; q != 0 && (q < minQuantity || q > maxQuantity) {
			ps.add(at(".quantity"), "is %d; want %d to %d (0 means 1)", q, minQuantity, maxQuantity)
		}
		ps.text(at(".reference"), li.Reference, maxItemReferenceLen, false)
		if li.Reference != "" {
			if j := slices.IndexFunc(items[:i], func(o LineItem) bool { return o.Reference == li.Reference }); j >= 0 {
				ps.add(at(".reference"), "repeats lineItems[%d].reference; references must be unique within a session", j)
			}
		}
		ps.text(at(".description"), li.Description, maxItemDescLen, false)
		if len(li.Images) > maxImages {
			ps.add(at(".images"), "has %d images; at most %d allowed", len(li.Images), maxImages)
		}
		for k, img := range li.Images[:min(len(li.Images), maxImages+1)] {
			f := fieldPath{at(".images").String(), k, ""}
			if img == "" {
				ps.add(f, "is empty; want an image URL")
				continue
			}
			ps.uri(f, img, len(img))
			if j := slices.Index(li.Images[:k], img); j >= 0 {
				ps.add(f, "repeats images[%d]; images must be distinct", j)
			}
		}
	}
}

func validateMethod(ps *problems, method string, o *MethodOptions) {
	if o == nil {
		return
	}
	valid := validProviders[method]
	lists := [2][]string{o.EnabledProviders, o.DisabledProviders}
	for l, name := range [2]string{"enabledProviders", "disabledProviders"} {
		ids := lists[l]
		for i, id := range ids {
			f := fieldPath{"paymentOptions." + method + "." + name, i, ""}
			if !slices.Contains(valid, id) {
				ps.add(f, "%q is not a %s provider; want one of %s", excerpt([]byte(id), 20), method, strings.Join(valid, ", "))
			} else if slices.Contains(ids[:i], id) {
				ps.add(f, "repeats %q; providers must be distinct", id)
			}
		}
	}
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

// Validate checks the page size and cursor.
func (p *CheckoutSessionListParams) Validate() error {
	var ps problems
	if p.Limit < 0 || p.Limit > maxLimit {
		ps.add(field("limit"), "is %d; want 1 to %d, or 0 for Monime's default", p.Limit, maxLimit)
	}
	ps.text(field("after"), p.After, maxCursorLen, false)
	return ps.err("CheckoutSessions.List")
}

// Validate checks the filters, page size and cursor.
func (p *PaymentListParams) Validate() error {
	var ps problems
	if p.Limit < 0 || p.Limit > maxLimit {
		ps.add(field("limit"), "is %d; want 1 to %d, or 0 for Monime's default", p.Limit, maxLimit)
	}
	ps.text(field("orderNumber"), p.OrderNumber, math.MaxInt, false)
	ps.text(field("financialAccountId"), p.FinancialAccountID, math.MaxInt, false)
	ps.text(field("financialTransactionReference"), p.FinancialTransactionReference, math.MaxInt, false)
	ps.text(field("after"), p.After, maxCursorLen, false)
	return ps.err("Payments.List")
}

// Validate checks a payment update against Monime's limits: a name of at
// most 100 characters, metadata as for a checkout session, and something
// to change.
func (p *PaymentUpdateParams) Validate() error {
	var ps problems
	if p.Name == "" && p.Metadata == nil {
		ps.add(field("params"), "nothing to update; set Name or Metadata")
	}
	ps.text(field("name"), p.Name, maxPaymentNameLen, false)
	validateMetadata(&ps, p.Metadata)
	return ps.err("Payments.Update")
}

// checkID refuses an id that is empty, or that is "." or "..": a URL
// resolves those as dot segments (RFC 3986, section 5.2.4), so the request
// would reach another path. Any other id is escaped into the path.
func checkID(op, id string) error {
	var ps problems
	switch id {
	case "":
		ps.add(field("id"), "required; pass the id Monime gave it")
	case ".", "..":
		ps.add(field("id"), "%q is a path segment, not an id; pass the id Monime gave it", id)
	}
	return ps.err(op)
}
