package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/monimekit/monime-go/api"
)

// adminPrefix starts the paths of the JSON admin API. Monime's own paths
// start with /v1/ and the hosted pages' with /checkout/, so it cannot
// collide with either.
const adminPrefix = "/_fake/"

// deliveryGrace bounds how long a stop waits for webhook deliveries still
// pending, after the last request has finished.
const deliveryGrace = 5 * time.Second

// expiryTick is how often the fake looks for sessions whose expireTime has
// come and payouts whose -payout-delay has passed, so that
// checkout_session.expired and payout.completed are sent on time, as
// Monime sends them, even when no request arrives.
const expiryTick = time.Second

// app is the running fake: package api's Server and what the command adds
// around it.
type app struct {
	cfg  *config
	log  *slog.Logger
	fake *api.Server
	base string     // http://host:port, known once listening
	disk *persister // nil without -data

	stopExpiry, expiryDone chan struct{}
}

// newApp builds the fake from cfg, served at own (host:port). Its error
// says which setting is wrong.
func newApp(cfg *config, log *slog.Logger, own string) (*app, error) {
	opts := append(flagOptions(cfg, log), api.WithOwnAddress(own))
	fake, err := api.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("the flags do not make a working fake: %w", err)
	}
	a := &app{cfg: cfg, log: log, fake: fake}
	if cfg.dataFile != "" {
		// Restored after the flags are known good, so that the error of a
		// bad file is about the file alone.
		fake.Close()
		if a.fake, a.disk, err = openState(cfg.dataFile, opts, log); err != nil {
			return nil, err
		}
	}
	a.stopExpiry, a.expiryDone = make(chan struct{}), make(chan struct{})
	go a.expireOnTime()
	return a, nil
}

// expireOnTime expires sessions and completes payouts as their time
// comes (api's Sweep), until close.
func (a *app) expireOnTime() {
	defer close(a.expiryDone)
	t := time.NewTicker(expiryTick)
	defer t.Stop()
	for {
		select {
		case <-a.stopExpiry:
			return
		case <-t.C:
			before := a.fake.StateVersion()
			if n := a.fake.Sweep(); n > 0 {
				a.log.Info("monime-fake: sessions expired", "count", n)
			}
			// Sessions expired and payouts completed by -payout-delay are
			// written at once, not at the next save tick, as a request's
			// changes are: what a webhook already told a receiver survives
			// a crash.
			if a.disk != nil && a.fake.StateVersion() != before {
				if err := a.disk.save(); err != nil {
					a.log.Error("monime-fake: saving the state failed; it will be tried again", "file", a.cfg.dataFile, "err", err)
				}
			}
		}
	}
}

func (a *app) setBase(base string) { a.base = base }

// handler routes every request: Monime's API and hosted pages to the fake,
// the rest to the command's own pages, each request logged once.
func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", a.fake) // /v1/..., /checkout/... and Monime's 404 envelope for the rest
	mux.HandleFunc("GET /healthz", a.health)
	// A page on another site must not drive the fake through the visitor's
	// browser: the admin API and the dashboard's forms refuse cross-origin
	// posts (curl and other non-browser clients send no Origin and pass).
	csrf := http.NewCrossOriginProtection()
	admin := http.NewServeMux()
	a.adminRoutes(admin)
	// guard (guard.go) keeps them from other sites and other machines.
	mux.Handle(adminPrefix, a.guard(csrf.Handler(admin)))
	dash := http.NewServeMux()
	a.dashboardRoutes(dash)
	for _, pattern := range []string{"GET /{$}", "/sessions/", "/payments", "/accounts", "/accounts/", "/payouts", "/payouts/", "/transfers", "/payment-codes", "/payment-codes/", "/ussd-otps", "/ussd-otps/", "/receipts", "/webhooks", "/webhooks/"} {
		mux.Handle(pattern, a.guard(csrf.Handler(dash)))
	}
	var h http.Handler = mux
	if a.disk != nil {
		h = a.disk.persistBeforeAnswering(h)
	}
	return a.logRequests(h)
}

// health answers 200 {"status":"ok"} while the fake serves.
func (a *app) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
}

// close waits a little for pending webhook deliveries, reports those that
// did not finish, and stops delivery.
func (a *app) close(ctx context.Context) {
	close(a.stopExpiry)
	<-a.expiryDone
	waitCtx, cancel := context.WithTimeout(ctx, deliveryGrace)
	defer cancel()
	if err := a.fake.WaitForDeliveries(waitCtx); err != nil {
		a.log.Warn("monime-fake: stopping with webhook deliveries unfinished; they are in the delivery log, redeliver them from the dashboard after a restart with -data", "err", err)
	}
	a.fake.Close()
	if a.disk != nil {
		if err := a.disk.close(); err != nil {
			a.log.Error("monime-fake: saving the state at stop failed", "file", a.cfg.dataFile, "err", err)
		}
	}
}

// statusWriter remembers the status and size of a response for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (the fake's
// Reset and Drop faults take it over).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request once it is answered.
func (a *app) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			a.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes, "duration", time.Since(start).Round(time.Microsecond), "remote", r.RemoteAddr)
		}()
		next.ServeHTTP(sw, r)
	})
}
