package monime_test

import (
	"fmt"

	"github.com/monimekit/monime-go/monime"
)

// Money is in minor units; String prints the currency and two decimals,
// as the Money doc comment and the README say.
func ExampleMoney_String() {
	fmt.Println(monime.Money{Currency: monime.CurrencySLE, Value: 15000})
	fmt.Println(monime.Money{Currency: monime.CurrencyUSD, Value: -250})
	// Output:
	// SLE 150.00
	// USD -2.50
}
