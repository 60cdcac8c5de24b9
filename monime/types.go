package monime

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"strings"
	"time"
)

// CheckoutSessionStatus is where a checkout session is in its life. Monime may
// add values; compare with the constants and treat unknown ones as not final.
type CheckoutSessionStatus string

// The statuses Monime documents for checkout sessions.
const (
	// CheckoutSessionStatusPending: waiting for the customer to pay.
	CheckoutSessionStatusPending CheckoutSessionStatus = "pending"
	// CheckoutSessionStatusCompleted: the customer paid; OrderNumber is set.
	CheckoutSessionStatusCompleted CheckoutSessionStatus = "completed"
	// CheckoutSessionStatusCancelled: the customer cancelled on the hosted page.
	CheckoutSessionStatusCancelled CheckoutSessionStatus = "cancelled"
	// CheckoutSessionStatusExpired: the session timed out unpaid.
	CheckoutSessionStatusExpired CheckoutSessionStatus = "expired"
)

// IsFinal reports whether the status can no longer change: completed,
// cancelled or expired.
func (s CheckoutSessionStatus) IsFinal() bool {
	switch s {
	case CheckoutSessionStatusCompleted, CheckoutSessionStatusCancelled, CheckoutSessionStatusExpired:
		return true
	}
	return false
}

// Currency is an ISO 4217 currency code.
type Currency string

// The currencies Monime settles checkout sessions in.
const (
	CurrencySLE Currency = "SLE" // Sierra Leonean leone; 100 minor units = Le 1
	CurrencyUSD Currency = "USD" // US dollar (API release caph.2025-08-23 onwards); 100 cents = $1
)

// Money is an amount in minor units: Money{Currency: "SLE", Value: 15000} is Le 150.00.
type Money struct {
	// Currency is SLE or USD.
	Currency Currency `json:"currency"`
	// Value is the amount in minor units (cents).
	Value int64 `json:"value"`
}

// String formats the amount in major units with its currency, as people
// read it: Money{Currency: "SLE", Value: 15000} is "SLE 150.00", and 150
// US cents are "USD 1.50". Both currencies Monime supports have 100 minor
// units to the major one.
func (m Money) String() string {
	sign, v := "", uint64(m.Value)
	if m.Value < 0 {
		sign, v = "-", -v
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s%d.%02d", m.Currency, sign, v/100, v%100))
}

// LineItemTypeCustom is the only line-item type Monime has: one you describe yourself.
const LineItemTypeCustom = "custom"

// LineItem is one line of a checkout session. On create, leave ID empty and
// Type empty (meaning "custom"); Quantity 0 means 1.
type LineItem struct {
	// ID is assigned by Monime and read-only.
	ID string `json:"id,omitempty"`
	// Type is LineItemTypeCustom (empty means the same).
	Type string `json:"type,omitempty"`
	// Name is shown to the customer (at most 100 characters).
	Name string `json:"name"`
	// Price is the unit price.
	Price Money `json:"price"`
	// Quantity is 1 to 100000; 0 means 1.
	Quantity int `json:"quantity,omitempty"`
	// Reference is your id for the line, unique within the session (at most
	// 100); Monime generates one when you leave it empty.
	Reference string `json:"reference,omitempty"`
	// Description is an optional line of text (at most 100).
	Description string `json:"description,omitempty"`
	// Images are up to 3 distinct image URLs.
	Images []string `json:"images,omitempty"`
}

// LineItems is a session's list of line items. On the wire Monime wraps it in
// an object, {"data": [...]}, which CheckoutSession reads and writes.
type LineItems []LineItem

// MarshalJSON writes the wire form, {"data": [...]}.
func (l LineItems) MarshalJSON() ([]byte, error) {
	items := []LineItem(l)
	if items == nil {
		items = []LineItem{}
	}
	return json.Marshal(struct {
		Data []LineItem `json:"data"`
	}{items})
}

// Metadata holds your own key-value pairs on a session: at most 64 keys,
// each of 1 to 64 characters of A-Z, a-z, 0-9, _ and -, not starting with
// _, - or "monime" (any case), and values of up to 100 characters.
//
// Reading is tolerant: a value Monime returns as a number, boolean or object
// is kept as its JSON text, and null as "", so odd metadata never makes a
// response undecodable.
type Metadata map[string]string

// BrandingOptions changes the look of the hosted checkout page.
type BrandingOptions struct {
	// PrimaryColor is a hex colour such as "#0A7CFF".
	PrimaryColor string `json:"primaryColor,omitempty"`
}

// PaymentOptions chooses which payment methods the hosted page offers. A nil
// field leaves that method as Monime configures it for the space.
type PaymentOptions struct {
	// Card configures card payments.
	Card *CardOptions `json:"card,omitempty"`
	// Bank configures bank payments (providers BankProviderSLB001...).
	Bank *MethodOptions `json:"bank,omitempty"`
	// Momo configures mobile money (providers MomoProviderM17, MomoProviderM18).
	Momo *MethodOptions `json:"momo,omitempty"`
	// Wallet configures digital wallets (provider WalletProviderDW001).
	Wallet *MethodOptions `json:"wallet,omitempty"`
}

// CardOptions configures card payments.
type CardOptions struct {
	// Disable hides card payments.
	Disable bool `json:"disable,omitempty"`
}

// MethodOptions configures a provider-based payment method (bank, mobile
// money or wallet). When both lists are given Monime uses EnabledProviders.
type MethodOptions struct {
	// Disable hides the whole method.
	Disable bool `json:"disable,omitempty"`
	// EnabledProviders, when set, lists the only providers offered.
	EnabledProviders []string `json:"enabledProviders,omitempty"`
	// DisabledProviders lists providers to hide.
	DisabledProviders []string `json:"disabledProviders,omitempty"`
}

// Provider ids accepted in MethodOptions.
const (
	BankProviderSLB001  = "slb001"
	BankProviderSLB004  = "slb004"
	BankProviderSLB007  = "slb007"
	MomoProviderM17     = "m17"
	MomoProviderM18     = "m18"
	WalletProviderDW001 = "dw001"
)

// Owner is one link of the chain of resources that own a session.
type Owner struct {
	// ID of the owning resource.
	ID string `json:"id,omitempty"`
	// Type of the owning resource, e.g. "space".
	Type string `json:"type,omitempty"`
	// Metadata of the owning resource.
	Metadata Metadata `json:"metadata,omitempty"`
	// Owner is the next link up the chain, if any.
	Owner *Owner `json:"owner,omitempty"`
}

// OwnershipGraph tells who owns a session.
type OwnershipGraph struct {
	// Owner is the first link of the chain.
	Owner *Owner `json:"owner,omitempty"`
}

// CheckoutSession is a Monime-hosted payment page for a set of line items.
// Send the customer to RedirectURL; the outcome shows in Status.
type CheckoutSession struct {
	// ID is Monime's id for the session, scs-...
	ID string `json:"id"`
	// Name is shown to the customer.
	Name string `json:"name"`
	// Status is pending, completed, cancelled or expired (see IsFinal).
	Status CheckoutSessionStatus `json:"status"`
	// OrderNumber is set once the customer paid; it ties the session to
	// its payment.
	OrderNumber string `json:"orderNumber,omitempty"`
	// Reference is your id for the order, as sent at creation.
	Reference string `json:"reference,omitempty"`
	// Description is the longer text sent at creation.
	Description string `json:"description,omitempty"`
	// RedirectURL is the hosted checkout page: send the customer there.
	RedirectURL string `json:"redirectUrl"`
	// CancelURL is where the customer lands after cancelling.
	CancelURL string `json:"cancelUrl,omitempty"`
	// SuccessURL is where the customer lands after paying. Landing there
	// proves nothing: confirm by webhook or Get.
	SuccessURL string `json:"successUrl,omitempty"`
	// LineItems are what the customer pays for.
	LineItems LineItems `json:"lineItems"`
	// FinancialAccountID is the account the money settles into.
	FinancialAccountID string `json:"financialAccountId,omitempty"`
	// BrandingOptions style the hosted page.
	BrandingOptions *BrandingOptions `json:"brandingOptions,omitempty"`
	// ExpireTime is when a pending session expires; zero when Monime did
	// not say (see ExpiresAt), which must not be read as long past.
	ExpireTime time.Time `json:"expireTime"`
	// CreateTime is when the session was created.
	CreateTime time.Time `json:"createTime"`
	// OwnershipGraph tells which resources own the session.
	OwnershipGraph *OwnershipGraph `json:"ownershipGraph,omitempty"`
	// Metadata are your own key-value pairs, as sent at creation.
	Metadata Metadata `json:"metadata,omitempty"`
}

// ExpiresAt returns when the session expires, and false when that is
// unknown (Monime sent no readable expireTime).
func (s *CheckoutSession) ExpiresAt() (time.Time, bool) {
	return s.ExpireTime, !s.ExpireTime.IsZero()
}

// Totals sums the session's line items per currency (price times quantity,
// a quantity of 0 counting as 1). It fails, rather than report a wrong
// amount, when a sum does not fit in an int64 or a line is negative, which
// only a broken or hostile answer can cause.
func (s *CheckoutSession) Totals() (map[Currency]int64, error) {
	out := make(map[Currency]int64)
	for i, li := range s.LineItems {
		q := int64(max(li.Quantity, 1))
		hi, line := bits.Mul64(uint64(li.Price.Value), uint64(q))
		sum := out[li.Price.Currency] + int64(line)
		if li.Price.Value < 0 || li.Quantity < 0 || hi != 0 || line > math.MaxInt64 || sum < out[li.Price.Currency] {
			return nil, fmt.Errorf("monime: session %s: line item %d (%d x %d %s) makes the total overflow or go negative", s.ID, i, q, li.Price.Value, li.Price.Currency)
		}
		out[li.Price.Currency] = sum
	}
	return out, nil
}
