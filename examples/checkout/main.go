// Command checkout is the quickstart: one checkout session from creation to
// payment, printed step by step.
//
//	go run ./examples/checkout
//
// With no MONIME_ACCESS_TOKEN set, everything runs on this machine: the fake
// Monime API from package api, a webhook receiver, and a simulated customer
// who pays on the hosted checkout page. Nothing leaves loopback.
//
// With MONIME_ACCESS_TOKEN and MONIME_SPACE_ID set, the same code creates and
// reads a session on Monime itself and prints the page to open in a browser;
// nothing is paid. MONIME_BASE_URL overrides the API root
// (default https://api.monime.io).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/monimekit/monime-go/monime"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "checkout:", err)
		os.Exit(1)
	}
}

// run is the whole program. It reads its settings through env (os.Getenv in
// main, a map in tests) and prints every step to out.
func run(ctx context.Context, out io.Writer, env func(string) string) error {
	token := strings.TrimSpace(env("MONIME_ACCESS_TOKEN"))
	spaceID := strings.TrimSpace(env("MONIME_SPACE_ID"))
	if token == "" {
		if spaceID != "" {
			return errors.New("MONIME_SPACE_ID is set but MONIME_ACCESS_TOKEN is not: set both to use Monime, or neither to use the local fake")
		}
		return runLocal(ctx, out)
	}
	if spaceID == "" {
		return errors.New("MONIME_ACCESS_TOKEN is set but MONIME_SPACE_ID is not: set MONIME_SPACE_ID to your space id (spc-..., in the Monime dashboard), or unset MONIME_ACCESS_TOKEN to use the local fake")
	}
	opts := []monime.ClientOption{monime.WithUserAgent("monime-go-quickstart")}
	if base := strings.TrimSpace(env("MONIME_BASE_URL")); base != "" {
		opts = append(opts, monime.WithBaseURL(base))
	}
	c, err := monime.NewClient(token, spaceID, opts...)
	if err != nil {
		return err
	}
	p := &printer{w: out}
	p.say("Monime checkout quickstart against %s (space %s).", c.BaseURL(), c.SpaceID())
	p.say("Nothing is paid: the session waits for you to open its page.")
	return quickstart(ctx, p, c, nil)
}
