package monime_test

import (
	"context"
	"fmt"
	"log"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/monime"
)

// Top up a payroll account from the main account before a salary run. A
// covered transfer completes at once; its two sides share a reference.
func ExampleInternalTransfersService_Create() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	main := api.MainAccountID(api.DefaultSpaceID)
	if err := fake.Fund(main, gen.Money{Currency: gen.CurrencySLE, Value: 200000}); err != nil { // the fake's test funding
		log.Fatal(err)
	}

	payroll, err := c.FinancialAccounts.Create(ctx, &monime.FinancialAccountCreateParams{Name: "Payroll", Currency: "SLE"},
		monime.WithIdempotencyKey("account-payroll"))
	if err != nil {
		log.Fatal(err)
	}
	t, err := c.InternalTransfers.Create(ctx, &monime.InternalTransferCreateParams{
		Amount:                   monime.Money{Currency: "SLE", Value: 150000},
		SourceFinancialAccountID: main, DestinationFinancialAccountID: payroll.ID,
		Description: "November salaries",
	}, monime.WithIdempotencyKey("float-2025-11"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Status, t.Amount)

	for tx, err := range c.FinancialTransactions.All(ctx, &monime.FinancialTransactionListParams{Reference: t.FinancialTransactionReference}) {
		if err != nil {
			log.Fatal(err)
		}
		side := "from main"
		if tx.FinancialAccountID == payroll.ID {
			side = "to payroll"
		}
		fmt.Println(tx.Type, tx.Amount, side, "balance after", tx.BalanceAfter)
	}
	// Unordered output:
	// completed SLE 1500.00
	// debit SLE 1500.00 from main balance after SLE 500.00
	// credit SLE 1500.00 to payroll balance after SLE 1500.00
}

// Reconcile a payout against the ledger: its amount and each fee are
// debits of their own under the payout's source.transactionReference.
func ExampleFinancialTransactionsService_List() {
	fake, c, stop := startFake()
	defer stop()
	ctx := context.Background()
	if err := fake.Fund(api.MainAccountID(api.DefaultSpaceID), gen.Money{Currency: gen.CurrencySLE, Value: 100000}); err != nil {
		log.Fatal(err)
	}
	p, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{
		Amount:      monime.Money{Currency: "SLE", Value: 30000},
		Destination: monime.PayoutDestination{Type: "momo", ProviderID: "m17", PhoneNumber: "+23276123456"},
	}, monime.WithIdempotencyKey("vendor-88"))
	if err != nil {
		log.Fatal(err)
	}
	if err := fake.CompletePayout(p.ID); err != nil { // the operator pays
		log.Fatal(err)
	}

	page, err := c.FinancialTransactions.List(ctx, &monime.FinancialTransactionListParams{Reference: p.Source.TransactionReference})
	if err != nil {
		log.Fatal(err)
	}
	for _, tx := range page.Items {
		fmt.Println(tx.Type, tx.Amount, tx.BalanceAfter)
	}
	// Output:
	// debit SLE 300.00 SLE 700.00
}
