package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/webhook"
)

// webhookPath is where the local receiver listens for Monime's deliveries.
const webhookPath = "/webhooks/monime"

// runLocal runs the quickstart against Monime simulated on this machine.
func runLocal(ctx context.Context, out io.Writer) error {
	local, c, err := startLocal()
	if err != nil {
		return err
	}
	defer local.stop()
	p := &printer{w: out}
	p.say("Monime checkout quickstart, all on this machine (MONIME_ACCESS_TOKEN is not set).")
	p.say("   fake Monime API:  %s", local.apiURL)
	p.say("   webhook receiver: %s (registered with the fake, with a new signing secret)", local.hookURL)
	return quickstart(ctx, p, c, local)
}

// localMonime is Monime on this machine: the fake API on loopback, a webhook
// receiver registered with it, and the customer's browser.
type localMonime struct {
	apiURL, hookURL string
	fake            *api.Server
	// events receives each delivery that passed signature verification.
	events chan *webhook.Event
	// browser plays the customer; it stops at redirects so we can print them.
	browser *http.Client
	stops   []func()
}

// startLocal starts the webhook receiver, then the fake API configured to
// deliver to it, and returns a client for the fake.
func startLocal() (*localMonime, *monime.Client, error) {
	l := &localMonime{
		events: make(chan *webhook.Event, 16),
		browser: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	secret, err := newSecret()
	if err != nil {
		return nil, nil, err
	}

	// The receiver: webhook.Handler verifies Monime-Signature with the
	// secret before our function sees anything.
	mux := http.NewServeMux()
	mux.Handle("POST "+webhookPath, webhook.Handler(secret, func(ctx context.Context, ev *webhook.Event) error {
		select {
		case l.events <- ev:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}))
	hookBase, stopHooks, err := serve(mux)
	if err != nil {
		return nil, nil, err
	}
	l.stops = append(l.stops, stopHooks)
	l.hookURL = hookBase + webhookPath

	// The fake Monime API, which signs its deliveries with the same secret.
	if l.fake, err = api.New(api.WithWebhook(l.hookURL, secret,
		webhook.EventPaymentCreated, webhook.EventPaymentCompleted, webhook.EventCheckoutSessionCompleted,
		webhook.EventCheckoutSessionCancelled, webhook.EventCheckoutSessionExpired)); err != nil {
		l.stop()
		return nil, nil, err
	}
	l.apiURL, err = l.serveFake()
	if err != nil {
		l.stop()
		return nil, nil, err
	}

	c, err := monime.NewClient(api.DefaultToken, api.DefaultSpaceID,
		monime.WithBaseURL(l.apiURL), monime.WithUserAgent("monime-go-quickstart"))
	if err != nil {
		l.stop()
		return nil, nil, err
	}
	return l, c, nil
}

// serveFake serves the fake and arranges for stop to let its last webhook
// deliveries finish before everything shuts down.
func (l *localMonime) serveFake() (string, error) {
	base, stopAPI, err := serve(l.fake)
	if err != nil {
		return "", err
	}
	l.stops = append(l.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = l.fake.WaitForDeliveries(ctx)
		l.fake.Close()
		stopAPI()
	})
	return base, nil
}

// stop shuts down what startLocal started, last started first.
func (l *localMonime) stop() {
	for i := len(l.stops) - 1; i >= 0; i-- {
		l.stops[i]()
	}
	l.stops = nil
}

// open loads the hosted checkout page as the customer's browser would and
// checks that it offers to pay.
func (l *localMonime) open(ctx context.Context, pageURL string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		return 0, fmt.Errorf("open the hosted page %s: %w", pageURL, err)
	}
	resp, err := l.browser.Do(req)
	if err != nil {
		return 0, fmt.Errorf("open the hosted page: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("read the hosted page %s: %w", pageURL, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="pay"`) {
		return resp.StatusCode, fmt.Errorf("the hosted page %s answered %s without a Pay button; the fake in package api should serve it", pageURL, resp.Status)
	}
	return resp.StatusCode, nil
}

// pay presses Pay on the hosted page: a form POST to <page>/pay, which
// answers with a redirect to the session's success URL.
func (l *localMonime) pay(ctx context.Context, pageURL string) (int, string, error) {
	action := strings.TrimSuffix(pageURL, "/") + "/pay"
	form := url.Values{"method": {"momo"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", fmt.Errorf("pay on the hosted page %s: %w", action, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := l.browser.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("pay on the hosted page: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusSeeOther {
		return resp.StatusCode, "", fmt.Errorf("pay on the hosted page %s: got %s, want 303 See Other to the success URL", action, resp.Status)
	}
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

// nextEvent waits at most timeout for the next verified webhook.
func (l *localMonime) nextEvent(ctx context.Context, timeout time.Duration) (*webhook.Event, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case ev := <-l.events:
		return ev, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the webhook: %w", ctx.Err())
	case <-t.C:
		return nil, fmt.Errorf("no verified webhook reached %s within %v: the fake should deliver %s after the payment", l.hookURL, timeout, webhook.EventCheckoutSessionCompleted)
	}
}

// newSecret makes a webhook signing secret; with Monime you copy it from the
// dashboard instead.
func newSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a webhook secret: %w", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// serve serves h on a free loopback port and returns its base URL and a
// function that shuts it down.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen on a loopback port: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("serve %s: %v", ln.Addr(), err)
		}
	}()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}
	return "http://" + ln.Addr().String(), stop, nil
}
