package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// ErrChannelNotOffered: the payment method or provider asked for is not
// one the checkout session offers (its paymentOptions decide), or is not a
// method or provider at all. Complete and CompleteWith wrap it; the
// hosted page answers it with 400.
var ErrChannelNotOffered = errors.New("payment method or provider not offered by this checkout session")

// The providers of each method that spec/ knows, in the order the hosted
// page lists them. A card's "provider" is its scheme.
var (
	momoProviders   = []string{string(gen.MomoProviderM17), string(gen.MomoProviderM18)}
	cardSchemes     = []string{string(gen.CardChannelSchemeVisa), string(gen.CardChannelSchemeMastercard)}
	bankProviders   = []string{string(gen.BankProviderSlb001), string(gen.BankProviderSlb004), string(gen.BankProviderSlb007)}
	walletProviders = []string{string(gen.WalletProviderDw001)}
)

// methodOrder is every payment method in the order the hosted page offers
// them: mobile money first, as shoppers in Sierra Leone expect.
var methodOrder = []gen.PaymentChannelType{gen.PaymentChannelTypeMomo, gen.PaymentChannelTypeCard, gen.PaymentChannelTypeBank, gen.PaymentChannelTypeWallet}

// providersOf returns every provider (for card, every scheme) of method, or
// nil for a method that does not exist.
func providersOf(method gen.PaymentChannelType) []string {
	switch method {
	case gen.PaymentChannelTypeMomo:
		return momoProviders
	case gen.PaymentChannelTypeCard:
		return cardSchemes
	case gen.PaymentChannelTypeBank:
		return bankProviders
	case gen.PaymentChannelTypeWallet:
		return walletProviders
	}
	return nil
}

// offeredMethod is one payment method a session offers, with the providers
// of it the customer may choose from, in order.
type offeredMethod struct {
	method    gen.PaymentChannelType
	providers []string
}

// offeredMethods applies a session's paymentOptions: mobile money, bank and
// wallet unless disabled, each with its allowed providers (enabledProviders,
// when not empty, wins over disabledProviders) and left out when none is
// allowed; card, with both schemes, unless disabled.
func offeredMethods(po *gen.PaymentOptions) []offeredMethod {
	if po == nil {
		po = &gen.PaymentOptions{}
	}
	var out []offeredMethod
	for _, m := range methodOrder {
		var disable *bool
		var enabled, disabled []string
		switch m {
		case gen.PaymentChannelTypeMomo:
			if o := po.Momo; o != nil {
				disable, enabled, disabled = o.Disable, stringsOf(o.EnabledProviders), stringsOf(o.DisabledProviders)
			}
		case gen.PaymentChannelTypeCard:
			if o := po.Card; o != nil {
				disable = o.Disable
			}
		case gen.PaymentChannelTypeBank:
			if o := po.Bank; o != nil {
				disable, enabled, disabled = o.Disable, stringsOf(o.EnabledProviders), stringsOf(o.DisabledProviders)
			}
		case gen.PaymentChannelTypeWallet:
			if o := po.Wallet; o != nil {
				disable, enabled, disabled = o.Disable, stringsOf(o.EnabledProviders), stringsOf(o.DisabledProviders)
			}
		}
		if isTrue(disable) {
			continue
		}
		if allowed := allowedProviders(providersOf(m), enabled, disabled); len(allowed) > 0 {
			out = append(out, offeredMethod{method: m, providers: allowed})
		}
	}
	return out
}

// allowedProviders returns the providers of all that enabled allows (when
// it is not empty) or that disabled does not list, in the order of all.
func allowedProviders(all, enabled, disabled []string) []string {
	var out []string
	for _, p := range all {
		if len(enabled) > 0 && slices.Contains(enabled, p) || len(enabled) == 0 && !slices.Contains(disabled, p) {
			out = append(out, p)
		}
	}
	return out
}

// stringsOf turns a list of provider codes of any generated string type into
// plain strings.
func stringsOf[P ~string](list *[]P) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(*list))
	for i, p := range *list {
		out[i] = string(p)
	}
	return out
}

// channelChoice is how the customer pays: a method and one of its
// providers (for a card, its scheme).
type channelChoice struct {
	method   gen.PaymentChannelType
	provider string
}

// chooseChannel checks the customer's choice against what po offers and
// fills in what it leaves out: no method is the first method offered (mobile
// money, unless paymentOptions rule it out), no provider the method's first
// offered provider. When po rules out every method the simulator still lets
// the customer pay, by any channel (mobile money m17 by default). The error
// wraps ErrChannelNotOffered and lists what is offered.
func chooseChannel(po *gen.PaymentOptions, method gen.PaymentChannelType, provider string) (channelChoice, error) {
	offered := offeredMethods(po)
	if len(offered) == 0 { // the simulator still lets the customer pay
		for _, m := range methodOrder {
			offered = append(offered, offeredMethod{method: m, providers: providersOf(m)})
		}
	}
	if method == "" {
		method = offered[0].method
	}
	i := slices.IndexFunc(offered, func(o offeredMethod) bool { return o.method == method })
	if i < 0 {
		what := "is not a payment method"
		if providersOf(method) != nil {
			what = "is not one this checkout session offers"
		}
		return channelChoice{}, fmt.Errorf("%w: the method %q %s; choose one of %s (the session's paymentOptions decide which)", ErrChannelNotOffered, method, what, methodList(offered))
	}
	providers := offered[i].providers
	if provider == "" {
		provider = providers[0]
	}
	if !slices.Contains(providers, provider) {
		kind := "provider"
		if method == gen.PaymentChannelTypeCard {
			kind = "scheme"
		}
		return channelChoice{}, fmt.Errorf("%w: %q is not a %s of %s this checkout session offers; choose one of %s, or none for %s", ErrChannelNotOffered, provider, kind, method, strings.Join(providers, ", "), providers[0])
	}
	return channelChoice{method: method, provider: provider}, nil
}

// methodList names the methods of offered, such as "momo, card".
func methodList(offered []offeredMethod) string {
	names := make([]string, len(offered))
	for i, o := range offered {
		names[i] = string(o.method)
	}
	return strings.Join(names, ", ")
}

// payer is the simulated customer behind one channel: always the same
// account for the same method and provider, so its fingerprint is stable
// across payments, as Monime's is for a returning payer.
type payer struct {
	account string // the full phone, account, wallet or card number
	masked  string // what the API shows of it
}

// payerOf returns the simulated account that pays by c. Phone numbers are
// Sierra Leone MSISDNs of the operator's range; card numbers are the
// schemes' well-known test numbers.
func payerOf(c channelChoice) payer {
	switch c.method {
	case gen.PaymentChannelTypeMomo:
		number := map[string]string{"m17": "+23276123456", "m18": "+23277654321"}[c.provider]
		if number == "" {
			number = "+23279000111"
		}
		return payer{account: number, masked: number[:6] + "***" + number[len(number)-3:]}
	case gen.PaymentChannelTypeCard:
		number := "4242424242424242"
		if c.provider == string(gen.CardChannelSchemeMastercard) {
			number = "5555555555554444"
		}
		return payer{account: number, masked: number[len(number)-4:]}
	case gen.PaymentChannelTypeBank:
		number := "00" + strings.TrimPrefix(c.provider, "slb") + "1048271"
		return payer{account: number, masked: "****" + number[len(number)-4:]}
	default: // wallet
		id := "W" + strings.ToUpper(c.provider) + "-88420317"
		return payer{account: id, masked: "****" + id[len(id)-4:]}
	}
}

// payerFingerprint is a stable hash of a payer's account for method and
// provider, as Monime gives to recognise a returning payer.
func payerFingerprint(c channelChoice, account string) string {
	sum := sha256.Sum256([]byte(string(c.method) + "|" + c.provider + "|" + account))
	return "fp-" + hex.EncodeToString(sum[:8])
}

// channel builds the channel of a payment made by c at t: each payment
// gets a reference of its own, in the style of the provider's.
func (c channelChoice) channel(t time.Time) (gen.PaymentChannel, error) {
	p := payerOf(c)
	fp := payerFingerprint(c, p.account)
	provider := c.provider
	var ch gen.PaymentChannel
	var err error
	switch c.method {
	case gen.PaymentChannelTypeMomo:
		// Like an operator's transaction id: MP<yymmdd>.<hhmm>.<random>.
		ref := "MP" + t.Format("060102.1504") + "." + upperID(6)
		err = ch.FromMomoChannel(gen.MomoChannel{Type: gen.MomoChannelTypeMomo, Provider: &provider, Reference: &ref, PhoneNumber: &p.masked, Fingerprint: &fp})
	case gen.PaymentChannelTypeCard:
		scheme := gen.CardChannelScheme(c.provider)
		err = ch.FromCardChannel(gen.CardChannel{Type: gen.CardChannelTypeCard, Scheme: &scheme, Last4: &p.masked, Fingerprint: &fp})
	case gen.PaymentChannelTypeBank:
		// Like a core banking funds-transfer reference: FT<yy><day of year><random>.
		ref := fmt.Sprintf("FT%s%03d%s", t.Format("06"), t.YearDay(), upperID(6))
		err = ch.FromBankChannel(gen.BankChannel{Type: gen.BankChannelTypeBank, Provider: &provider, Reference: &ref, AccountNumber: &p.masked, Fingerprint: &fp})
	case gen.PaymentChannelTypeWallet:
		ref := "WT" + t.Format("060102150405") + upperID(4)
		err = ch.FromWalletChannel(gen.WalletChannel{Type: gen.WalletChannelTypeWallet, Provider: &provider, Reference: &ref, WalletId: &p.masked, Fingerprint: &fp})
	default:
		err = fmt.Errorf("%w: the method %q is not a payment method", ErrChannelNotOffered, c.method)
	}
	return ch, err
}

// upperID returns n random characters of [0-9A-Z], as operators write
// their references.
func upperID(n int) string { return randomText("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", n) }
