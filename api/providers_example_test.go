package api_test

import (
	"fmt"

	"github.com/monimekit/monime-go/api"
)

// ProviderByID names a provider the fake knows, for a label or a check.
func ExampleProviderByID() {
	for _, id := range []string{"m17", "slb004", "dw001", "m99"} {
		p, ok := api.ProviderByID(id)
		fmt.Println(id, ok, p.Type, p.Name)
	}
	// Output:
	// m17 true momo Orange Money
	// slb004 true bank Guarantee Trust Bank
	// dw001 true wallet SafulPay
	// m99 false
}
