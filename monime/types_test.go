package monime

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMoneyFormatsItselfInMajorUnits(t *testing.T) {
	for m, want := range map[Money]string{
		{Currency: CurrencySLE, Value: 15000}:         "SLE 150.00",
		{Currency: CurrencyUSD, Value: 150}:           "USD 1.50",
		{Currency: CurrencySLE, Value: 5}:             "SLE 0.05",
		{Currency: CurrencySLE, Value: 0}:             "SLE 0.00",
		{Currency: CurrencySLE, Value: -250}:          "SLE -2.50",
		{Currency: CurrencySLE, Value: math.MinInt64}: "SLE -92233720368547758.08",
		{Currency: CurrencyUSD, Value: math.MaxInt64}: "USD 92233720368547758.07",
	} {
		assert.Equal(t, want, m.String())
	}
}
