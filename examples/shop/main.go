// Command shop is a small merchant site that takes payments through
// Monime's hosted checkout.
//
//	go run ./examples/shop              # then open the URL it prints
//	go run ./examples/shop -addr 127.0.0.1:9000
//
// "/" shows a product with a "Pay with Monime" button. The button creates a
// checkout session (its idempotency key is the order id, so a double click
// is one order) and redirects the customer to the session's hosted page.
// Monime sends the customer back to "/orders/{id}", which says paid only
// once a verified webhook at "/webhooks/monime" (or a read of the session,
// with "Check with Monime now") confirms it.
//
// Orders are kept in a SQLite file (pure Go: nothing to install), so they
// outlive a restart, as their sessions at Monime do. Each webhook event's
// id is recorded in the same transaction that applies it, so a redelivered
// event changes nothing. An order left unpaid expires with its checkout
// session and is removed a day later, and each client address may create
// only so many orders (10 at once, then one every 6 seconds), so a script
// cannot fill the database or create sessions at Monime by the thousand.
//
// With no MONIME_ACCESS_TOKEN set it runs against the fake Monime API of
// package api, on loopback, whose hosted page lets you press Pay or Cancel
// and which delivers signed webhooks to the shop. To use Monime itself, set
// MONIME_ACCESS_TOKEN, MONIME_SPACE_ID and MONIME_WEBHOOK_SECRET (the
// signing secret of a webhook you registered for <public URL>/webhooks/monime),
// and pass -public-url with the address at which Monime and your customers
// reach the shop.
//
// Flags (each defaults to an environment variable):
//
//	-addr        listen address (SHOP_ADDR, else 127.0.0.1:8080)
//	-public-url  origin customers are sent back to (SHOP_PUBLIC_URL, else the listen address)
//	-db          SQLite file of the orders (SHOP_DB, else orders.db in the user cache
//	             directory; against the fake, a temporary file removed on exit)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

// run starts the site as args and env say, prints where it is, and serves
// until ctx is done.
func run(ctx context.Context, args []string, out io.Writer, env func(string) string) error {
	cfg, err := parseConfig(args, env, out)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h printed the usage
	}
	if err != nil {
		return err
	}
	s, err := startSite(cfg)
	if err != nil {
		return err
	}
	defer s.Stop()
	fmt.Fprintf(out, "Shop: %s\n", s.ShopURL)
	if s.PublicURL != s.ShopURL {
		fmt.Fprintf(out, "Customers reach it, and come back from paying, at %s.\n", s.PublicURL)
	}
	if s.Fake != nil {
		fmt.Fprintf(out, "Payments: the local fake Monime API at %s; its hosted page has Pay and Cancel buttons.\n", s.FakeURL)
		fmt.Fprintf(out, "Webhooks: the fake signs and delivers them to %s%s.\n", s.ShopURL, webhookPath)
		fmt.Fprintln(out, "Set MONIME_ACCESS_TOKEN, MONIME_SPACE_ID and MONIME_WEBHOOK_SECRET to use Monime itself.")
	} else {
		fmt.Fprintf(out, "Payments: Monime, space %s.\n", cfg.SpaceID)
		fmt.Fprintf(out, "Webhooks: register %s%s in the Monime dashboard.\n", s.PublicURL, webhookPath)
	}
	fmt.Fprintf(out, "Orders: %s\n", s.DBPath)
	fmt.Fprintln(out, "Press Ctrl+C to stop.")
	<-ctx.Done()
	return nil
}

// parseConfig reads flags and environment into a siteConfig.
func parseConfig(args []string, env func(string) string, out io.Writer) (siteConfig, error) {
	cfg := siteConfig{
		Token:         strings.TrimSpace(env("MONIME_ACCESS_TOKEN")),
		SpaceID:       strings.TrimSpace(env("MONIME_SPACE_ID")),
		WebhookSecret: strings.TrimSpace(env("MONIME_WEBHOOK_SECRET")),
		BaseURL:       strings.TrimSpace(env("MONIME_BASE_URL")),
	}
	fs := flag.NewFlagSet("shop", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Addr, "addr", orDefault(env("SHOP_ADDR"), "127.0.0.1:8080"), "listen address; 127.0.0.1:0 picks a free port")
	fs.StringVar(&cfg.PublicURL, "public-url", strings.TrimSpace(env("SHOP_PUBLIC_URL")), "the shop's origin as customers and Monime reach it, e.g. https://shop.example; empty means http://<-addr>")
	fs.StringVar(&cfg.DBPath, "db", strings.TrimSpace(env("SHOP_DB")), "the SQLite file that keeps the orders; empty means a temporary one against the fake, and orders.db in the user cache directory against Monime")
	verbose := fs.Bool("v", false, "log every checkout, webhook and fake API request")
	fs.Usage = func() {
		fmt.Fprint(out, `Usage: go run ./examples/shop [flags]

A small shop that takes payments through Monime's hosted checkout. Without
MONIME_ACCESS_TOKEN it runs against the embedded fake Monime API.

Environment: MONIME_ACCESS_TOKEN, MONIME_SPACE_ID and MONIME_WEBHOOK_SECRET
(all three to use Monime), MONIME_BASE_URL, SHOP_ADDR, SHOP_PUBLIC_URL, SHOP_DB.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q; see -h", fs.Args())
	}
	if cfg.PublicURL != "" {
		if _, err := parseOrigin(cfg.PublicURL); err != nil {
			return cfg, fmt.Errorf("-public-url (or SHOP_PUBLIC_URL): %w", err)
		}
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	switch {
	case cfg.Token == "" && cfg.SpaceID != "":
		return cfg, errors.New("MONIME_SPACE_ID is set but MONIME_ACCESS_TOKEN is not: set both to use Monime, or neither to use the local fake")
	case cfg.Token != "" && cfg.SpaceID == "":
		return cfg, errors.New("MONIME_ACCESS_TOKEN is set but MONIME_SPACE_ID is not: set it to your space id (spc-..., in the Monime dashboard)")
	case cfg.Token != "" && cfg.WebhookSecret == "":
		return cfg, errors.New("MONIME_WEBHOOK_SECRET is not set: register <public URL>/webhooks/monime as a webhook in the Monime dashboard and set its signing secret, so the shop can verify payments")
	}
	return cfg, nil
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}
