package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/webhook"
)

// product is the one thing the shop sells.
var product = struct {
	Name, Description string
	Price             monime.Money
}{
	Name:        "Bintumani tote bag",
	Description: "Hand-woven cotton, printed in Freetown. Holds a week of groceries or a laptop and a lunch.",
	Price:       monime.Money{Currency: monime.CurrencySLE, Value: 25000}, // SLE 250.00
}

// shopMetadata marks the sessions this shop creates (metadata "shop"), to
// tell them from other apps' in the same Monime space.
const shopMetadata = "examples-shop"

// maxQuantity is the most bags one order may hold.
const maxQuantity = 5

//go:embed templates/*.html
var templateFS embed.FS

// pages are the shop's templates, each parsed with the shared layout.
// Amounts print themselves (monime.Money.String, "SLE 250.00"), as on
// Monime's hosted page, so one amount never reads two ways.
var pages = func() map[string]*template.Template {
	out := make(map[string]*template.Template)
	for _, name := range []string{"product", "order", "error"} {
		out[name] = template.Must(template.New("layout.html").
			ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}()

// shopConfig is what the shop needs besides its client and secret.
type shopConfig struct {
	// PublicURL is the shop's origin as customers reach it, such as
	// https://shop.example (see parseOrigin); Monime sends them back to it
	// after paying. It is required: a request's Host header is the
	// client's to choose, so return URLs are never built from it.
	PublicURL string
	// Simulated shows a banner that payments go to the local fake.
	Simulated bool
	// NewOrderBurst and NewOrderEvery limit how fast one client may create
	// orders: NewOrderBurst at once, then one every NewOrderEvery. Zero
	// means defaultOrderBurst and defaultOrderEvery.
	NewOrderBurst int
	NewOrderEvery time.Duration
	// Logger receives the shop's and the webhook handler's logs.
	Logger *slog.Logger
}

// shop is the merchant site: a product page, orders paid through Monime's
// hosted checkout, and the webhook endpoint that confirms them.
type shop struct {
	client  *monime.Client
	cfg     shopConfig
	orders  *store
	limiter *clientLimiter
	log     *slog.Logger
	mux     *http.ServeMux
	handler http.Handler // mux behind cross-origin protection
}

// newShop returns the site. c creates and reads checkout sessions; secret
// is the webhook signing secret that /webhooks/monime verifies deliveries
// with; orders keeps the orders. It fails if cfg.PublicURL is not an
// origin.
func newShop(c *monime.Client, secret string, orders *store, cfg shopConfig) (*shop, error) {
	origin, err := parseOrigin(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	cfg.PublicURL = origin
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.NewOrderBurst <= 0 {
		cfg.NewOrderBurst = defaultOrderBurst
	}
	if cfg.NewOrderEvery <= 0 {
		cfg.NewOrderEvery = defaultOrderEvery
	}
	s := &shop{
		client: c, cfg: cfg, orders: orders, log: cfg.Logger, mux: http.NewServeMux(),
		limiter: newClientLimiter(cfg.NewOrderEvery, cfg.NewOrderBurst),
	}
	s.mux.HandleFunc("GET /{$}", s.productPage)
	s.mux.HandleFunc("POST /orders", s.checkout)
	s.mux.HandleFunc("GET /orders/{id}", s.orderPage)
	s.mux.HandleFunc("POST /orders/{id}/refresh", s.refresh)
	// No webhook.WithDeduplicator: onEvent records each event's id in the
	// same transaction as its effect, which a separate store cannot do.
	s.mux.Handle(webhookPath, webhook.Handler(secret, s.onEvent, webhook.WithLogger(cfg.Logger)))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusNotFound, "There is no such page in this shop.")
	})
	// Every POST, PUT, PATCH and DELETE that a browser sends from another
	// site (by Sec-Fetch-Site, or Origin in older browsers) is refused
	// before any handler runs, so a page elsewhere cannot place orders or
	// ask Monime about them in a shopper's name. Monime's webhook
	// deliveries come from a server, which sends neither header, and prove
	// themselves by signature.
	// The public origin is trusted too, for a proxy in front of the shop
	// that passes on another Host.
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin(origin); err != nil {
		return nil, err
	}
	cop.SetDenyHandler(http.HandlerFunc(s.refuseCrossOrigin))
	s.handler = cop.Handler(s.mux)
	return s, nil
}

// parseOrigin checks that raw is an origin, scheme and host such as
// https://shop.example or http://127.0.0.1:8080, and returns it without a
// trailing slash.
func parseOrigin(raw string) (string, error) {
	const want = "want the shop's origin as customers reach it: http:// or https:// and a host, such as https://shop.example, with no path"
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "", errors.New("the public URL is empty; " + want)
	case err != nil:
		return "", fmt.Errorf("the public URL %q cannot be read (%v); %s", raw, err, want)
	case u.Scheme != "http" && u.Scheme != "https", u.Hostname() == "", u.User != nil,
		u.Path != "" && u.Path != "/", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return "", fmt.Errorf("the public URL %q is not an origin; %s", raw, want)
	}
	return u.Scheme + "://" + u.Host, nil
}

// ServeHTTP serves the site with headers that keep its pages to themselves.
func (s *shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No form-action: the checkout form's answer redirects to Monime.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	s.handler.ServeHTTP(w, r)
}

// refuseCrossOrigin answers a form posted from another site.
func (s *shop) refuseCrossOrigin(w http.ResponseWriter, r *http.Request) {
	s.log.Warn("shop: refused a cross-origin request", "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"), "remote_addr", r.RemoteAddr)
	s.fail(w, http.StatusForbidden, "This form was sent from another website, so the shop refused it. Nothing was ordered or charged. To buy, open the shop yourself and order there.")
}

// productPage shows the product and a form for a new order. The form
// carries a fresh order id, so a double click or a resubmission is one order.
func (s *shop) productPage(w http.ResponseWriter, r *http.Request) {
	quantities := make([]int, maxQuantity)
	for i := range quantities {
		quantities[i] = i + 1
	}
	s.render(w, http.StatusOK, "product", map[string]any{
		"Simulated":  s.cfg.Simulated,
		"Product":    product,
		"OrderID":    newOrderID(),
		"Quantities": quantities,
	})
}

// checkout creates the order's checkout session and sends the customer to
// Monime's hosted page.
func (s *shop) checkout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	id := r.PostFormValue("order_id")
	if !orderIDPattern.MatchString(id) {
		s.fail(w, http.StatusBadRequest, "This order form is incomplete. Go back to the shop and press Pay with Monime again.")
		return
	}
	qty, err := strconv.Atoi(r.PostFormValue("quantity"))
	if err != nil || qty < 1 || qty > maxQuantity {
		s.fail(w, http.StatusBadRequest, fmt.Sprintf("Choose a quantity from 1 to %d.", maxQuantity))
		return
	}
	// A new order costs a checkout session at Monime and a row here: each
	// client may create only so many. Sending the same form again is free.
	if _, err := s.orders.get(r.Context(), id); errors.Is(err, errUnknownOrder) {
		if ok, wait := s.limiter.allow(r.RemoteAddr); !ok {
			s.tooManyOrders(w, r, wait)
			return
		}
	}
	o, err := s.orders.getOrCreate(r.Context(), id, qty)
	if err != nil {
		s.log.Error("shop: cannot store the order", "order", id, "err", err)
		s.fail(w, http.StatusServiceUnavailable, "The shop cannot take more orders right now. Please try again later.")
		return
	}
	switch {
	case o.Status.Final():
		http.Redirect(w, r, "/orders/"+o.ID, http.StatusSeeOther)
		return
	case o.RedirectURL != "":
		// The form was sent again (back button, double click): same order,
		// same checkout page.
		http.Redirect(w, r, o.RedirectURL, http.StatusSeeOther)
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	// Where Monime sends the customer back: the configured origin, never
	// the Host this request named (anyone can send Host: evil.example).
	back := s.cfg.PublicURL + "/orders/" + o.ID
	// The order id is the idempotency key, and the request is built from
	// the stored order: two submissions racing here, a retry, or a retry
	// after a crash get the same session back, never a second one.
	cs, err := s.client.CheckoutSessions.Create(ctx, &monime.CheckoutSessionCreateParams{
		Name:       "Order " + o.Number,
		LineItems:  []monime.LineItem{{Name: product.Name, Price: product.Price, Quantity: o.Quantity}},
		SuccessURL: back,
		CancelURL:  back,
		Reference:  o.ID,
		Metadata:   monime.Metadata{"shop": shopMetadata},
	}, monime.WithIdempotencyKey("order-"+o.ID))
	if err != nil {
		s.log.Error("shop: create checkout session", "order", o.ID, "err", err)
		s.fail(w, http.StatusBadGateway, "Monime could not start the payment. Nothing was charged; go back and press Pay with Monime to try again.")
		return
	}
	if err := s.orders.attach(ctx, o.ID, cs); err != nil {
		s.log.Error("shop: attach checkout session", "order", o.ID, "session", cs.ID, "err", err)
	}
	s.log.Info("shop: checkout session created", "order", o.ID, "number", o.Number, "session", cs.ID)
	http.Redirect(w, r, cs.RedirectURL, http.StatusSeeOther)
}

// tooManyOrders refuses a new order from a client that has made too many
// just now, saying when to try again.
func (s *shop) tooManyOrders(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	s.log.Warn("shop: too many new orders from one client", "remote_addr", r.RemoteAddr, "retry_after_s", secs)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.fail(w, http.StatusTooManyRequests, fmt.Sprintf("Too many new orders came from your network just now. Nothing was charged. Please wait %d seconds, then go back to the shop and order again.", secs))
}

// orderPage shows what the shop knows for sure about an order. Landing here
// from Monime's success URL proves nothing (anyone can open the URL), so
// the page says paid only once a verified webhook or a read from Monime
// did; until then it refreshes itself.
func (s *shop) orderPage(w http.ResponseWriter, r *http.Request) {
	o, err := s.orders.get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, http.StatusNotFound, "There is no such order. Check the link, or start a new order from the shop.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, http.StatusOK, "order", map[string]any{
		"Simulated": s.cfg.Simulated,
		"Order":     o,
		"Product":   product,
		"Payment":   s.paymentOf(r.Context(), o),
	})
}

// paidWith is what the paid page says of the payment: the amount, how it
// was paid and what Monime kept.
type paidWith struct {
	Amount, Fees, Net monime.Money
	Channel           string
	Reference         string
}

// paymentOf asks Monime what a paid order's payment was (ListPayments by
// the session's order number). The page shows the order without it when
// Monime cannot say right now.
func (s *shop) paymentOf(ctx context.Context, o order) *paidWith {
	if o.Status != statusPaid || o.OrderNumber == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	payments, err := s.client.Payments.ForCheckoutSession(ctx, &monime.CheckoutSession{ID: o.SessionID, Status: monime.CheckoutSessionStatusCompleted, OrderNumber: o.OrderNumber})
	if err != nil || len(payments) == 0 {
		s.log.Warn("shop: could not read the payment of a paid order", "order", o.Number, "monime_order", o.OrderNumber, "err", err)
		return nil
	}
	p := payments[0]
	fees, ferr := p.Fees.Total()
	net, nerr := p.Net()
	if ferr != nil || nerr != nil {
		s.log.Warn("shop: could not add up a payment's fees", "payment", p.ID, "err", errors.Join(ferr, nerr))
		return nil
	}
	out := &paidWith{Amount: p.Amount, Fees: fees, Net: net, Channel: string(p.Channel.Type)}
	switch c := p.Channel; {
	case c.Momo != nil:
		out.Channel, out.Reference = "Mobile money ("+c.Momo.Provider+")", c.Momo.Reference
	case c.Card != nil:
		out.Channel = "Card (" + c.Card.Scheme + " ending " + c.Card.Last4 + ")"
	case c.Bank != nil:
		out.Channel, out.Reference = "Bank ("+c.Bank.Provider+")", c.Bank.Reference
	case c.Wallet != nil:
		out.Channel, out.Reference = "Wallet ("+c.Wallet.Provider+")", c.Wallet.Reference
	}
	return out
}

// refresh asks Monime for the order's session (GetCheckoutSession), for
// when a webhook is late or cannot reach the shop.
func (s *shop) refresh(w http.ResponseWriter, r *http.Request) {
	o, err := s.orders.get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, http.StatusNotFound, "There is no such order. Check the link, or start a new order from the shop.")
		return
	}
	if o.SessionID != "" && !o.Status.Final() {
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		cs, err := s.client.CheckoutSessions.Get(ctx, o.SessionID)
		if err != nil {
			s.log.Error("shop: get checkout session", "order", o.ID, "session", o.SessionID, "err", err)
			s.fail(w, http.StatusBadGateway, "Monime could not be asked about this order just now. Try again in a moment.")
			return
		}
		if _, err := s.orders.apply(ctx, cs, "GetCheckoutSession"); err != nil {
			s.log.Error("shop: apply checkout session", "order", o.ID, "err", err)
		}
	}
	http.Redirect(w, r, "/orders/"+o.ID, http.StatusSeeOther)
}

// onEvent handles a delivery that webhook.Handler has verified. Returning
// an error makes Monime deliver it again later.
func (s *shop) onEvent(ctx context.Context, ev *webhook.Event) error {
	if !ev.IsCheckoutSession() {
		return nil // not ours to handle; acknowledge it
	}
	cs, err := ev.CheckoutSession()
	if err != nil {
		return fmt.Errorf("event %s: %w", ev.ID, err)
	}
	source := "webhook " + ev.Name
	var res applyResult
	if ev.ID == "" { // nothing to recognise a redelivery by
		res, err = s.orders.apply(ctx, cs, source)
	} else {
		res, err = s.orders.applyEvent(ctx, ev.ID, cs, source)
	}
	switch {
	case errors.Is(err, errNotOurs) && cs.Status == monime.CheckoutSessionStatusCompleted && cs.Metadata["shop"] == shopMetadata:
		// A payment for an order of this shop that it no longer holds
		// (removed long after its session expired): someone must
		// settle it by hand. Redelivering it would not help.
		s.log.Error("shop: PAYMENT FOR AN ORDER THIS SHOP NO LONGER HOLDS; refund or fulfil it by hand",
			"event", ev.ID, "session", cs.ID, "order", cs.Reference, "monime_order_number", cs.OrderNumber, "err", err)
		return nil
	case errors.Is(err, errNotOurs):
		// Another app's session in the same space, or a stray: acknowledge,
		// or Monime would redeliver it forever.
		s.log.Warn("shop: webhook for no order of ours", "event", ev.ID, "name", ev.Name, "err", err)
		return nil
	case err != nil:
		// The database failed: nothing was changed or recorded, and Monime
		// will deliver the event again.
		return fmt.Errorf("event %s: %w", ev.ID, err)
	}
	s.log.Info("shop: webhook", "event", ev.ID, "name", ev.Name, "order", cs.Reference, "status", cs.Status, "result", res)
	return nil
}

// sweep expires and removes what the store no longer needs (see
// store.sweep); the site calls it every minute.
func (s *shop) sweep(ctx context.Context) {
	expired, removed, err := s.orders.sweep(ctx)
	if err != nil {
		s.log.Error("shop: sweep the order database", "err", err)
		return
	}
	if expired > 0 || removed > 0 {
		s.log.Info("shop: swept the order database", "expired", expired, "removed", removed)
	}
}

// render writes a page, or a plain 500 if the template fails.
func (s *shop) render(w http.ResponseWriter, status int, page string, data map[string]any) {
	var b strings.Builder
	if err := pages[page].Execute(&b, data); err != nil {
		s.log.Error("shop: render", "page", page, "err", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// fail shows the customer what went wrong and what to do.
func (s *shop) fail(w http.ResponseWriter, status int, message string) {
	s.render(w, status, "error", map[string]any{
		"Simulated": s.cfg.Simulated,
		"Title":     http.StatusText(status),
		"Message":   message,
	})
}
