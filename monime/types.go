package monime

import (
	"fmt"
	"strings"
)

// The vocabulary every resource shares: money, metadata, providers and
// ownership.

// Currency is an ISO 4217 currency code.
type Currency string

// The currencies Monime settles in.
const (
	CurrencySLE Currency = "SLE" // Sierra Leonean leone; 100 minor units = SLE 1.00
	CurrencyUSD Currency = "USD" // US dollar (API release caph.2025-08-23 onwards); 100 cents = $1
)

// Money is an amount in minor units: Money{Currency: "SLE", Value: 15000}
// is 150 leones, and String prints it as "SLE 150.00".
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

// Metadata holds your own key-value pairs on an object: at most 64 keys,
// each of 1 to 64 characters of A-Z, a-z, 0-9, _ and -, not starting with
// _, - or "monime" (any case), and values of up to 100 characters.
//
// Reading is tolerant: a value Monime returns as a number, boolean or object
// is kept as its JSON text, and null as "", so odd metadata never makes a
// response undecodable.
type Metadata map[string]string

// Provider ids accepted in MethodOptions.
const (
	BankProviderSLB001  = "slb001"
	BankProviderSLB004  = "slb004"
	BankProviderSLB007  = "slb007"
	MomoProviderM17     = "m17"
	MomoProviderM18     = "m18"
	WalletProviderDW001 = "dw001"
)

// Owner is one link of the chain of resources that own an object.
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

// OwnershipGraph tells who owns an object.
type OwnershipGraph struct {
	// Owner is the first link of the chain.
	Owner *Owner `json:"owner,omitempty"`
}
