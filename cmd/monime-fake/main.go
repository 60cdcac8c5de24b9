// Command monime-fake runs the fake Monime API of package api as a program,
// for apps written in any language: the checkout-session and payment API
// under /v1/, the simulated hosted checkout page under /checkout/, a
// dashboard at /, a JSON admin API under /_fake/ and a health check at
// /healthz. With -data it keeps its state in a file across restarts.
//
//	go run github.com/monimekit/monime-go/cmd/monime-fake@latest
//
// The admin API and the dashboard answer only requests for localhost or a
// loopback address; an -addr other machines reach needs -admin-token,
// which they then require instead (see guard.go).
//
// Every flag has an environment twin (-addr is MONIME_FAKE_ADDR); run it
// with -h for the list. A bad flag, a bad URL, a port in use or a data
// file that does not load ends it at once with a message on stderr and
// exit status 2.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Exit statuses of run.
const (
	exitOK    = 0
	exitError = 1 // it ran, and failed while running
	exitUsage = 2 // it could not start: a bad flag, URL, address or data file
)

// shutdownGrace bounds how long a stop waits for requests in flight and
// then for pending webhook deliveries.
const shutdownGrace = 10 * time.Second

// run is the whole program: it serves until ctx is done (main cancels it on
// SIGINT or SIGTERM), then shuts down gracefully, and returns the exit
// status. Tests call it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "monime-fake:", err)
		return exitUsage
	}
	var keepSecret func() error // keeps a generated secret with -data, once started
	if cfg.webhookSecret == "" {
		cfg.secretMade = true
		cfg.webhookSecret = newSecret()
		if cfg.dataFile != "" {
			if cfg.webhookSecret, keepSecret, err = keptSecret(cfg.dataFile); err != nil {
				fmt.Fprintln(stderr, "monime-fake:", err)
				return exitUsage
			}
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
	if err := checkFlags(cfg, log); err != nil {
		fmt.Fprintln(stderr, "monime-fake:", err)
		return exitUsage
	}
	// The fake is made once listening: it refuses webhooks that point at
	// its own address.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(stderr, "monime-fake: cannot listen on %s: %v; pass a free -addr (or %s), such as -addr 127.0.0.1:0 for any free port\n", cfg.addr, err, envName("addr"))
		return exitUsage
	}

	a, err := newApp(cfg, log, ln.Addr().String())
	if err != nil {
		fmt.Fprintln(stderr, "monime-fake:", err)
		ln.Close()
		return exitUsage
	}
	if keepSecret != nil {
		if err := keepSecret(); err != nil {
			fmt.Fprintln(stderr, "monime-fake:", err)
			_ = ln.Close()
			a.close(context.Background())
			return exitUsage
		}
	}
	a.setBase("http://" + displayAddr(ln.Addr()))
	data := cfg.dataFile
	if a.disk != nil {
		data = a.disk.db // FILE.db when FILE was a JSON state file, imported
	}
	printBanner(stdout, cfg, ln.Addr(), a.base, data)

	limit := newConnLimit(ln, cfg.maxConns)
	srv := newHTTPServer(a.handler(), limit, cfg.idleTimeout)
	srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(limit) }()

	status := exitOK
	select {
	case <-ctx.Done():
		log.Info("monime-fake: stopping; finishing requests in flight")
	case err := <-served:
		log.Error("monime-fake: the server stopped", "err", err)
		status = exitError
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("monime-fake: requests still in flight were cut off", "err", err)
	}
	a.close(shutdownCtx)
	return status
}

// newSecret returns a random webhook signing secret: 32 random bytes in
// URL-safe base64 (43 characters; Monime takes 32 to 256).
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// displayAddr is the address clients should use: a wildcard listener is
// reached on loopback.
func displayAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
	}
	return tcp.String()
}

// printBanner says where the fake listens and how to reach it: base is
// where this machine reaches it.
func printBanner(w io.Writer, cfg *config, listening net.Addr, base, data string) {
	secretNote := ""
	if cfg.secretMade {
		secretNote = "   (generated; fix it with -webhook-secret)"
		if cfg.dataFile != "" {
			secretNote = "   (generated; kept in " + secretFile(cfg.dataFile) + ")"
		}
	}
	if data == "" {
		data = "none: state is lost on exit (keep it with -data FILE)"
	}
	fmt.Fprintf(w, "monime-fake: a fake Monime API for local development\n")
	where := listening.String()
	if tcp, ok := listening.(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		where += "   (reachable from other machines)"
	}
	fmt.Fprintf(w, "  listening on    %s\n", where)
	fmt.Fprintf(w, "  base URL        %s\n", base)
	fmt.Fprintf(w, "  access token    %s\n", cfg.token)
	fmt.Fprintf(w, "  space id        %s\n", cfg.space)
	fmt.Fprintf(w, "  webhook secret  %s%s\n", cfg.webhookSecret, secretNote)
	for _, u := range cfg.webhookURLs {
		fmt.Fprintf(w, "  webhook URL     %s\n", u)
	}
	dashNote, adminNote := "   (localhost and loopback addresses only)", "   (localhost and loopback addresses only)"
	if cfg.adminToken != "" {
		dashNote, adminNote = "   (open it once with ?token=<your -admin-token>)", "   (send Authorization: Bearer <your -admin-token>)"
	}
	fmt.Fprintf(w, "  dashboard       %s/%s\n", base, dashNote)
	fmt.Fprintf(w, "  admin API       %s%s%s\n", base, adminPrefix, adminNote)
	fmt.Fprintf(w, "  data file       %s\n", data)
	if cfg.payoutDelay > 0 {
		fmt.Fprintf(w, "  payouts         complete %v after they are made (-payout-delay; 0 waits for the admin API or the dashboard)\n", cfg.payoutDelay)
	} else {
		fmt.Fprintf(w, "  payouts         stay pending until the admin API or the dashboard completes or fails them (-payout-delay 0)\n")
	}
}
