package monime

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The limits of spec/monime.yaml (a test keeps the two equal). Lengths are
// counted in characters (Unicode code points), as JSON Schema does.
const (
	maxNameLen           = 150
	maxDescriptionLen    = 1000
	maxURLLen            = 255
	maxCallbackStateLen  = 255
	maxReferenceLen      = 255
	maxFinancialAcctLen  = 100
	minLineItems         = 1
	maxLineItems         = 16
	maxItemNameLen       = 100
	maxItemReferenceLen  = 100
	maxItemDescLen       = 100
	minQuantity          = 1
	maxQuantity          = 100000
	maxImages            = 3
	maxPrimaryColorLen   = 255
	maxMetadataKeys      = 64
	maxMetadataKeyLen    = 64
	maxMetadataValueLen  = 100
	maxIDLen             = 100
	maxLimit             = 50
	maxCursorLen         = 2000
	maxImageURLLen       = 2048
	metadataReservedName = "monime"
)

var validProviders = map[string]map[string]bool{
	"bank":   {BankProviderSLB001: true, BankProviderSLB004: true, BankProviderSLB007: true},
	"momo":   {MomoProviderM17: true, MomoProviderM18: true},
	"wallet": {WalletProviderDW001: true},
}

// problems collects FieldErrors.
type problems []FieldError

func (ps *problems) add(field, format string, args ...any) {
	*ps = append(*ps, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// text checks a string's encoding and length; required says whether empty
// is allowed.
func (ps *problems) text(field, s string, max int, required bool) {
	if p := textProblem(s, max, required); p != "" {
		ps.add(field, "%s", p)
	}
}

// textProblem says what is wrong with s, or "" (without allocating) when
// nothing is.
func textProblem(s string, max int, required bool) string {
	switch {
	case s == "":
		if required {
			return "required"
		}
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL byte"
	case len(s) > max: // cheap test first: fewer bytes than max cannot be too many runes
		if n := utf8.RuneCountInString(s); n > max {
			return fmt.Sprintf("is %d characters long; at most %d allowed", n, max)
		}
	}
	return ""
}

// webURL checks an optional absolute http(s) URL.
func (ps *problems) webURL(field, s string, max int) {
	if p := urlProblem(s, max); p != "" {
		ps.add(field, "%s", p)
	}
}

func urlProblem(s string, max int) string {
	if s == "" {
		return ""
	}
	if p := textProblem(s, max, false); p != "" {
		return p
	}
	if plainWebURL(s) {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute http or https URL", truncate(s, 60))
	}
	return ""
}

// plainWebURL is a fast yes for the common URL: http(s)://host/path with a
// plain host name and only characters url.Parse takes as they are. Anything
// else (ports, IP literals, escapes, user info) goes to url.Parse.
// FuzzPlainWebURL checks that url.Parse agrees with every yes.
func plainWebURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "http://"); !ok {
			return false
		}
	}
	i := 0
	for i < len(rest) && urlHostByte[rest[i]] {
		i++
	}
	if i == 0 || i < len(rest) && rest[i] != '/' && rest[i] != '?' && rest[i] != '#' {
		return false // no host, or a host with a port, user info or other bytes
	}
	for ; i < len(rest); i++ {
		if !urlRestByte[rest[i]] {
			return false
		}
	}
	return true
}

// urlHostByte and urlRestByte are the bytes plainWebURL accepts in a host
// and after it.
var urlHostByte, urlRestByte = func() (host, rest [256]bool) {
	for c := range 256 {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		host[c] = alnum || c == '-' || c == '.'
		rest[c] = alnum || strings.IndexByte("-._~!$&'()*+,;=/?#@:", byte(c)) >= 0
	}
	return host, rest
}()

func (ps *problems) err(op string) error {
	if len(*ps) == 0 {
		return nil
	}
	return &ValidationError{Op: op, Problems: *ps}
}

// Validate checks p against every limit Monime sets on a new checkout
// session and returns a *ValidationError listing all problems, or nil.
// Create calls it before sending anything.
func (p *CheckoutSessionCreateParams) Validate() error {
	var ps problems
	ps.text("name", p.Name, maxNameLen, true)
	ps.text("description", p.Description, maxDescriptionLen, false)
	ps.webURL("successUrl", p.SuccessURL, maxURLLen)
	ps.webURL("cancelUrl", p.CancelURL, maxURLLen)
	ps.text("callbackState", p.CallbackState, maxCallbackStateLen, false)
	ps.text("reference", p.Reference, maxReferenceLen, false)
	ps.text("financialAccountId", p.FinancialAccountID, maxFinancialAcctLen, false)
	validateLineItems(&ps, p.LineItems)
	if po := p.PaymentOptions; po != nil {
		validateMethod(&ps, "bank", po.Bank)
		validateMethod(&ps, "momo", po.Momo)
		validateMethod(&ps, "wallet", po.Wallet)
	}
	if b := p.BrandingOptions; b != nil && b.PrimaryColor != "" {
		ps.text("brandingOptions.primaryColor", b.PrimaryColor, maxPrimaryColorLen, false)
		if !isHexColor(b.PrimaryColor) {
			ps.add("brandingOptions.primaryColor", "%q is not a hex colour such as #0A7CFF", truncate(b.PrimaryColor, 40))
		}
	}
	validateMetadata(&ps, p.Metadata)
	return ps.err("CheckoutSessions.Create")
}

func validateLineItems(ps *problems, items []LineItem) {
	if n := len(items); n < minLineItems || n > maxLineItems {
		ps.add("lineItems", "has %d items; want %d to %d", n, minLineItems, maxLineItems)
		if n == 0 {
			return
		}
	}
	// Field paths are formatted only for problems, so a valid list costs
	// no allocation.
	at := func(i int, suffix string) string { return "lineItems[" + strconv.Itoa(i) + "]" + suffix }
	var totalSLE, totalUSD int64
	// Past the limit the list is refused anyway; checking every item of a
	// huge list would only cost time (the uniqueness checks are quadratic).
	items = items[:min(len(items), maxLineItems)]
	for i := range items {
		li := &items[i]
		if li.ID != "" {
			ps.add(at(i, ".id"), "is assigned by Monime; leave it empty")
		}
		if li.Type != "" && li.Type != LineItemTypeCustom {
			ps.add(at(i, ".type"), "%q is not a line-item type; want %q or empty", truncate(li.Type, 40), LineItemTypeCustom)
		}
		if p := textProblem(li.Name, maxItemNameLen, true); p != "" {
			ps.add(at(i, ".name"), "%s", p)
		}
		okMoney := true
		var total *int64
		switch li.Price.Currency {
		case CurrencySLE:
			total = &totalSLE
		case CurrencyUSD:
			total = &totalUSD
		case "":
			ps.add(at(i, ".price.currency"), "required; want SLE or USD")
			okMoney = false
		default:
			ps.add(at(i, ".price.currency"), "%q is not supported; want SLE or USD", truncate(string(li.Price.Currency), 20))
			okMoney = false
		}
		if li.Price.Value < 0 {
			ps.add(at(i, ".price.value"), "is %d; amounts are minor units and never negative", li.Price.Value)
			okMoney = false
		}
		q := li.Quantity
		if q == 0 {
			q = 1
		} else if q < minQuantity || q > maxQuantity {
			ps.add(at(i, ".quantity"), "is %d; want %d to %d (0 means 1)", li.Quantity, minQuantity, maxQuantity)
			okMoney = false
		}
		if okMoney {
			line, ok := mulInt64(li.Price.Value, int64(q))
			if sum := *total + line; !ok || sum < *total {
				ps.add(at(i, ".price.value"), "price times quantity overflows the session total")
			} else {
				*total = sum
			}
		}
		if p := textProblem(li.Reference, maxItemReferenceLen, false); p != "" {
			ps.add(at(i, ".reference"), "%s", p)
		}
		if li.Reference != "" {
			for j := range i {
				if items[j].Reference == li.Reference {
					ps.add(at(i, ".reference"), "repeats lineItems[%d].reference; references must be unique within a session", j)
					break
				}
			}
		}
		if p := textProblem(li.Description, maxItemDescLen, false); p != "" {
			ps.add(at(i, ".description"), "%s", p)
		}
		if len(li.Images) > maxImages {
			ps.add(at(i, ".images"), "has %d images; at most %d allowed", len(li.Images), maxImages)
		}
		for k, img := range li.Images[:min(len(li.Images), maxImages+1)] {
			fi := func() string { return at(i, ".images["+strconv.Itoa(k)+"]") }
			if img == "" {
				ps.add(fi(), "is empty; want an image URL")
				continue
			}
			if p := urlProblem(img, maxImageURLLen); p != "" {
				ps.add(fi(), "%s", p)
			}
			for j := range k {
				if li.Images[j] == img {
					ps.add(fi(), "repeats images[%d]; images must be distinct", j)
					break
				}
			}
		}
	}
}

func mulInt64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if a > math.MaxInt64/b {
		return 0, false
	}
	return a * b, true
}

func validateMethod(ps *problems, method string, o *MethodOptions) {
	if o == nil {
		return
	}
	for _, list := range []struct {
		name string
		ids  []string
	}{{"enabledProviders", o.EnabledProviders}, {"disabledProviders", o.DisabledProviders}} {
		seen := map[string]bool{}
		for i, id := range list.ids {
			f := fmt.Sprintf("paymentOptions.%s.%s[%d]", method, list.name, i)
			if !validProviders[method][id] {
				ps.add(f, "%q is not a %s provider; want one of %s", truncate(id, 20), method, providerList(method))
			} else if seen[id] {
				ps.add(f, "repeats %q; providers must be distinct", id)
			}
			seen[id] = true
		}
	}
}

func providerList(method string) string {
	switch method {
	case "bank":
		return "slb001, slb004, slb007"
	case "momo":
		return "m17, m18"
	}
	return "dw001"
}

func isHexColor(s string) bool {
	if len(s) != 4 && len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, r := range s[1:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

func validateMetadata(ps *problems, m Metadata) {
	if len(m) > maxMetadataKeys {
		ps.add("metadata", "has %d keys; at most %d allowed", len(m), maxMetadataKeys)
	}
	// Map order is random: collect this map's problems, then sort them by
	// field so the error reads the same every time (nothing is allocated
	// when all is well).
	var found problems
	for k, v := range m {
		f := func() string { return "metadata." + truncate(k, 70) }
		switch {
		case k == "":
			found.add("metadata", "has an empty key")
			continue
		case len(k) > maxMetadataKeyLen:
			found.add(f(), "key is %d characters; at most %d allowed", len(k), maxMetadataKeyLen)
		case !isMetadataKey(k):
			found.add(f(), "key may hold only letters, digits, _ and -")
		case k[0] == '_' || k[0] == '-' || hasPrefixFold(k, metadataReservedName):
			found.add(f(), "key may not start with _, - or %q", metadataReservedName)
		}
		if p := textProblem(v, maxMetadataValueLen, false); p != "" {
			found.add(f(), "%s", p)
		}
	}
	slices.SortStableFunc(found, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	*ps = append(*ps, found...)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isMetadataKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Validate checks the page size and cursor.
func (p *CheckoutSessionListParams) Validate() error {
	var ps problems
	if p.Limit < 0 || p.Limit > maxLimit {
		ps.add("limit", "is %d; want 1 to %d, or 0 for Monime's default", p.Limit, maxLimit)
	}
	if len(p.After) > maxCursorLen {
		ps.add("after", "is %d bytes; at most %d allowed (pass Page.Next unchanged)", len(p.After), maxCursorLen)
	} else if p.After != "" && !isCursorSafe(p.After) {
		ps.add("after", "contains control characters or invalid UTF-8; pass Page.Next unchanged")
	}
	return ps.err("CheckoutSessions.List")
}

func isCursorSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// checkID refuses ids that are empty, too long, or could reach another path
// once put in a URL: only letters, digits, '_', '-' and '.' are accepted,
// with at least one letter or digit and no "..".
func checkID(op, id string) error {
	var ps problems
	switch {
	case id == "":
		ps.add("id", "required; pass the session's id (scs-...)")
	case len(id) > maxIDLen:
		ps.add("id", "is %d bytes; at most %d allowed", len(id), maxIDLen)
	case strings.Contains(id, ".."):
		ps.add("id", "contains \"..\"; ids are plain tokens such as scs-...")
	default:
		alnum := false
		for i := 0; i < len(id); i++ {
			c := id[i]
			switch {
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
				alnum = true
			case c == '_' || c == '-' || c == '.':
			default:
				ps.add("id", "%q contains %q; ids hold only letters, digits, '_', '-' and '.'", excerpt([]byte(id), 40), excerpt([]byte{c}, 1))
				return ps.err(op)
			}
		}
		if !alnum { // ".", "_" and the like: a dot segment could address the list
			ps.add("id", "%q has no letter or digit; pass the session's id (scs-...)", id)
		}
	}
	return ps.err(op)
}
