package monime_test

import (
	"context"
	"fmt"
	"log"

	"github.com/monimekit/monime-go/monime"
)

// Settle a shop's sales into an account of their own, and read its
// balance: a completed checkout credits its session's account with the
// payment less its fees.
func ExampleFinancialAccountsService_Create() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()

	sales, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{
		Name: "Online sales", Currency: "SLE", Reference: "sales", Metadata: monime.Metadata{"team": "shop"}},
		monime.WithIdempotencyKey("account-sales"))
	if err != nil {
		log.Fatal(err)
	}
	params := order()
	params.FinancialAccountID = sales.ID
	s, err := c.CheckoutSessions.Create(ctx, params)
	if err != nil {
		log.Fatal(err)
	}
	if err := fake.Complete(s.ID); err != nil { // the customer pays
		log.Fatal(err)
	}

	sales, err = c.FinancialAccounts.Get(ctx, sales.ID, &monime.FinancialAccountGetParams{WithBalance: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sales.Name, sales.Currency, sales.Balance)
	// Output: Online sales SLE SLE 300.00
}

// Find an account by your own reference, with its balance.
func ExampleFinancialAccountsService_List() {
	_, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	for _, ref := range []string{"payroll", "float"} {
		_, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{Name: "Account " + ref, Currency: "SLE", Reference: ref})
		if err != nil {
			log.Fatal(err)
		}
	}

	page, err := c.FinancialAccounts.List(ctx, &monime.FinancialAccountListParams{Reference: "payroll", WithBalance: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range page.Items {
		fmt.Println(a.Name, a.Reference, a.Balance)
	}
	// Output: Account payroll payroll SLE 0.00
}
