package api_test

import (
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/monimekit/monime-go/api"
)

// Pay a session by bank transfer with a 1.5% + SLE 1.00 processing fee,
// and look at the payment the fake recorded.
func ExampleServer_CompleteWith() {
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
	if err := srv.CompleteWith(id, "bank", "slb004"); err != nil {
		fmt.Println(err)
		return
	}
	s, _ := api.Find[api.Session](srv, id)
	p, _ := api.Find[api.Payment](srv, s.PaymentIDs[0])
	bank, _ := p.Channel.AsBankChannel()
	fmt.Println(p.Status, p.Amount.Currency, p.Amount.Value, *p.OrderNumber == *s.OrderNumber)
	fmt.Println(bank.Type, *bank.Provider)
	for _, fee := range *p.Fees {
		fmt.Println(fee.Code, fee.Amount.Currency, fee.Amount.Value)
	}
	// Output:
	// completed SLE 30000 true
	// bank slb004
	// processing_fee SLE 550
}
