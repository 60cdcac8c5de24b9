package monime_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/monimekit/monime-go/monime"
)

// Pay a salary to an Orange Money number, once: check who holds the number
// first, and give the payout a key of your own, so that running the
// payroll again after a crash answers with the payout already made
// instead of paying twice.
func ExamplePayoutsService_Create() {
	c, err := monime.NewClient(os.Getenv("MONIME_TOKEN"), os.Getenv("MONIME_SPACE_ID"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	holder, err := c.ProviderKYC.Get(ctx, monime.MomoProviderM17, "+23276123456")
	if err != nil {
		log.Fatal(err)
	}
	if !strings.EqualFold(holder.Account.HolderName, "Aminata Kamara") {
		log.Fatalf("the number is held by %q, not the employee", holder.Account.HolderName)
	}

	p, err := c.Payouts.Create(ctx, &monime.PayoutCreateParams{
		Amount: monime.Money{Currency: "SLE", Value: 300000},
		Destination: monime.PayoutDestination{Type: monime.PayoutDestinationMomo, ProviderID: monime.MomoProviderM17,
			PhoneNumber: "+23276123456"},
		Metadata: monime.Metadata{"run": "2025-11", "employee": "e-17"},
	}, monime.WithIdempotencyKey("salary-2025-11-e-17"))
	var noAnswer *monime.RequestError
	switch {
	case errors.As(err, &noAnswer):
		// No answer came: whether Monime made the payout is unknown. Run
		// again with the same key (noAnswer.IdempotencyKey): it cannot pay
		// twice.
		log.Fatal(err)
	case err != nil:
		// Refused, by Monime (a *monime.Error) or before sending (a
		// *monime.ValidationError): no payout was made.
		log.Fatalf("no payout: %v", err)
	}
	fmt.Println(p.ID, p.Status)
}

// Follow a payout until it is final: completed, or failed with a code that
// says what to do.
func ExamplePayoutsService_Get() {
	c, err := monime.NewClient(os.Getenv("MONIME_TOKEN"), os.Getenv("MONIME_SPACE_ID"))
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.Payouts.Get(context.Background(), "pyt-7Wq2Lm0Xc")
	if err != nil {
		log.Fatal(err)
	}
	switch {
	case !p.Status.IsFinal():
		fmt.Println("still", p.Status)
	case p.Status == monime.PayoutCompleted:
		fmt.Println("paid; the provider's reference is", p.Destination.TransactionReference)
	case p.FailureDetail != nil && p.FailureDetail.Code == monime.PayoutFailureFundInsufficient:
		fmt.Println("top up the source account, then pay again with a new key")
	case p.FailureDetail != nil:
		fmt.Println("failed:", p.FailureDetail.Code, p.FailureDetail.Message)
	default:
		fmt.Println("failed")
	}
}
