package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/webhook"
)

// quickstart walks one checkout session through its life with c, printing
// each step. local is the simulated customer and webhook receiver when c
// talks to the fake; nil against Monime itself, where the walk stops at the
// page a person must open to pay.
func quickstart(ctx context.Context, p *printer, c *monime.Client, local *localMonime) error {
	orderID, err := newOrderID()
	if err != nil {
		return err
	}
	// The order id is the idempotency key: however often this create is
	// retried, by the client or by a restarted process, Monime makes one
	// session for the order, so the customer can never pay twice.
	key := "order-" + orderID
	params := &monime.CheckoutSessionCreateParams{
		Name: "Order #" + orderID,
		LineItems: []monime.LineItem{
			{Name: "T-shirt", Price: monime.Money{Currency: monime.CurrencySLE, Value: 15000}, Quantity: 2},
			{Name: "Sticker pack", Price: monime.Money{Currency: monime.CurrencySLE, Value: 2500}, Quantity: 1},
		},
		SuccessURL: "https://example.com/orders/" + orderID + "?paid",
		CancelURL:  "https://example.com/orders/" + orderID + "?cancelled",
		Reference:  orderID,
		Metadata:   monime.Metadata{"source": "quickstart"},
	}

	p.step("Create a checkout session for order %s (Idempotency-Key %s)", orderID, key)
	var info monime.ResponseInfo
	s, err := c.CheckoutSessions.Create(ctx, params, monime.WithIdempotencyKey(key), monime.WithResponseInfo(&info))
	if err != nil {
		return fmt.Errorf("create the checkout session: %w", err)
	}
	id := s.ID
	p.field("id", id)
	p.field("status", s.Status)
	p.field("total", formatTotals(s))
	if at, known := s.ExpiresAt(); known {
		p.field("expires", at.Format(time.RFC3339))
	} else {
		p.field("expires", "unknown (Monime did not say)")
	}
	p.field("redirectUrl", s.RedirectURL)
	p.field("request id", info.RequestID)
	var replay monime.ResponseInfo
	again, err := c.CheckoutSessions.Create(ctx, params, monime.WithIdempotencyKey(key), monime.WithResponseInfo(&replay))
	if err != nil {
		return fmt.Errorf("repeat the create with the same idempotency key: %w", err)
	}
	p.say("   Sent again with the same key, as a retry would be: session %s, replayed %t. One order, one session.", again.ID, replay.Replayed)

	p.step("Get the session back by id")
	s, err = c.CheckoutSessions.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("get the checkout session %s: %w", id, err)
	}
	p.field("name", s.Name)
	p.field("status", s.Status)
	p.field("line items", len(s.LineItems))

	p.step("List the space's sessions, newest first")
	page, err := c.CheckoutSessions.List(ctx, &monime.CheckoutSessionListParams{Limit: 10})
	if err != nil {
		return fmt.Errorf("list checkout sessions: %w", err)
	}
	at := slices.IndexFunc(page.Items, func(x monime.CheckoutSession) bool { return x.ID == id })
	where := "not on the first page"
	if at >= 0 {
		where = fmt.Sprintf("number %d on it", at+1)
	}
	p.say("   %d on the first page (more pages: %t); ours is %s", len(page.Items), page.HasMore(), where)

	if local == nil {
		p.step("Pay")
		p.say("   Open the hosted checkout page in a browser to pay:")
		p.say("   %s", s.RedirectURL)
		p.say("   Monime then sends %s to the webhook URLs of your space;", webhook.EventCheckoutSessionCompleted)
		p.say("   go run ./examples/shop shows a site that receives it.")
		return nil
	}

	p.step("The customer pays on the hosted checkout page (simulated)")
	code, err := local.open(ctx, s.RedirectURL)
	if err != nil {
		return err
	}
	p.say("   GET  %s -> %d: the fake's page, with Pay and Cancel", pathOf(s.RedirectURL), code)
	code, location, err := local.pay(ctx, s.RedirectURL)
	if err != nil {
		return err
	}
	p.say("   POST %s (mobile money) -> %d, on to the success URL %s", pathOf(s.RedirectURL)+"/pay", code, location)

	p.step("Receive the signed webhooks")
	ev, err := local.nextEvent(ctx, 10*time.Second)
	for err == nil && ev.Name != webhook.EventCheckoutSessionCompleted {
		if pay, perr := ev.Payment(); perr == nil {
			p.say("   %s (event %s), Monime-Signature verified: %s, %s, %s by %s", ev.Name, ev.ID, pay.ID, pay.Status, pay.Amount, describeChannel(pay.Channel))
		} else {
			p.say("   %s (event %s, %s %s), Monime-Signature verified", ev.Name, ev.ID, ev.Object.Type, ev.Object.ID)
		}
		ev, err = local.nextEvent(ctx, 10*time.Second)
	}
	if err != nil {
		return err
	}
	paid, err := ev.CheckoutSession()
	if err != nil {
		return fmt.Errorf("read the checkout session of event %s: %w", ev.ID, err)
	}
	p.say("   %s (event %s), Monime-Signature verified", ev.Name, ev.ID)
	p.field("session", paid.ID)
	p.field("status", paid.Status)
	if ev.Name != webhook.EventCheckoutSessionCompleted || paid.ID != id {
		return fmt.Errorf("webhook: got %s for session %s, want %s for %s", ev.Name, paid.ID, webhook.EventCheckoutSessionCompleted, id)
	}

	p.step("Read the final status")
	s, err = c.CheckoutSessions.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("get the checkout session %s: %w", id, err)
	}
	p.field("status", s.Status)
	p.field("order number", s.OrderNumber)
	if s.Status != monime.CheckoutSessionStatusCompleted {
		return fmt.Errorf("session %s is %s after payment, want %s", id, s.Status, monime.CheckoutSessionStatusCompleted)
	}

	p.step("Reconcile: the payment of order number %s", s.OrderNumber)
	payments, err := c.Payments.ForCheckoutSession(ctx, s)
	if err != nil {
		return fmt.Errorf("find the payment of session %s: %w", id, err)
	}
	if len(payments) == 0 {
		return fmt.Errorf("session %s is completed but Monime lists no payment for order number %s", id, s.OrderNumber)
	}
	pay := payments[0]
	p.field("payment", pay.ID)
	p.field("status", pay.Status)
	p.field("amount", pay.Amount)
	p.field("channel", describeChannel(pay.Channel))
	fees, err := pay.Fees.Total()
	if err != nil {
		return fmt.Errorf("add up the fees of payment %s: %w", pay.ID, err)
	}
	net, err := pay.Net()
	if err != nil {
		return fmt.Errorf("work out what payment %s leaves: %w", pay.ID, err)
	}
	if len(pay.Fees) == 0 {
		p.field("fees", "none")
	} else {
		p.field("fees", fmt.Sprintf("%d, %s in all", len(pay.Fees), fees))
	}
	p.field("net", net)
	p.say("")
	p.say("Done: order %s is paid (%s by %s); Monime order number %s.", orderID, pay.Amount, describeChannel(pay.Channel), s.OrderNumber)
	return nil
}

// describeChannel says how a payment was made, e.g. "mobile money (m17)".
func describeChannel(c monime.PaymentChannel) string {
	switch {
	case c.Momo != nil:
		return "mobile money (" + c.Momo.Provider + ")"
	case c.Bank != nil:
		return "bank (" + c.Bank.Provider + ")"
	case c.Card != nil:
		return "card (" + c.Card.Scheme + " " + c.Card.Last4 + ")"
	case c.Wallet != nil:
		return "wallet (" + c.Wallet.Provider + ")"
	}
	return string(c.Type)
}

// newOrderID makes a random six-digit order id, so that runs against Monime
// never reuse an idempotency key from an earlier run.
func newOrderID() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(900000))
	if err != nil {
		return "", fmt.Errorf("make an order id: %w", err)
	}
	return fmt.Sprint(100000 + n.Int64()), nil
}

// formatTotals prints the session's totals, one currency after the other,
// each as Money formats itself ("SLE 325.00").
func formatTotals(s *monime.CheckoutSession) string {
	t, err := s.Totals()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	var parts []string
	for cur, v := range t {
		parts = append(parts, monime.Money{Currency: cur, Value: v}.String())
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// pathOf is the path of a URL, to keep printed lines short.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}

// printer numbers the steps and indents what each one found.
type printer struct {
	w io.Writer
	n int
}

func (p *printer) say(format string, args ...any) {
	fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *printer) step(format string, args ...any) {
	p.n++
	fmt.Fprintf(p.w, "\n%d. "+format+"\n", append([]any{p.n}, args...)...)
}

func (p *printer) field(name string, value any) {
	fmt.Fprintf(p.w, "   %-13s %v\n", name+":", value)
}
