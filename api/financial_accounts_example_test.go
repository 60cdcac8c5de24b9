package api_test

import (
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/monimekit/monime-go/api"
)

// A completed checkout settles into the space's main account: its balance
// rises by the payment less its fees, and the books show why.
func ExampleServer_CheckBooks() {
	srv, err := api.New(api.WithFee("processing_fee", 150, 100))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()

	id, _, err := createSession(ts.URL, `{"name":"Order #1042","lineItems":[{"name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2}]}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.Complete(id); err != nil {
		fmt.Println(err)
		return
	}
	main, _ := api.Find[api.FinancialAccount](srv, api.MainAccountID(api.DefaultSpaceID))
	fmt.Println(main.Id, main.Currency, main.Available)
	for _, e := range api.FindAll[api.LedgerEntry](srv, api.DefaultSpaceID) {
		fmt.Println(e.Type, e.Amount.Value, "->", e.BalanceAfter, e.OwnerType)
	}
	fmt.Println("books balance:", srv.CheckBooks() == nil)
	// Output:
	// fac-monimetest SLE 29450
	// credit 30000 -> 30000 payment
	// debit 550 -> 29450 payment
	// books balance: true
}
