package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
)

// webhookPath is the shop's webhook endpoint; register <public URL>/webhooks/monime with Monime.
const webhookPath = "/webhooks/monime"

// siteConfig says where the shop listens and which Monime it talks to.
type siteConfig struct {
	// Addr is the shop's listen address, such as 127.0.0.1:8080
	// (127.0.0.1:0 picks a free port).
	Addr string
	// PublicURL is the shop's origin as customers reach it, such as
	// https://shop.example; empty means the listen address,
	// http://127.0.0.1:8080 by default.
	PublicURL string
	// Token, SpaceID and WebhookSecret are the Monime credentials. An empty
	// Token runs the embedded fake instead, with a fresh webhook secret.
	Token, SpaceID, WebhookSecret string
	// BaseURL overrides Monime's API root (empty: https://api.monime.io).
	BaseURL string
	// DBPath is the SQLite file that keeps the orders. Empty means
	// orders.db in the user's cache directory against Monime, and a
	// fresh file that Stop removes against the embedded fake, whose
	// sessions end with it too.
	DBPath string
	// Logger receives the logs of the shop and of the fake.
	Logger *slog.Logger
}

// site is the running shop and, when it runs against the embedded fake,
// the fake too.
type site struct {
	// ShopURL is the shop's address, http://host:port.
	ShopURL string
	// PublicURL is the origin customers are sent back to: the configured
	// one, else ShopURL.
	PublicURL string
	// FakeURL and Fake are the embedded fake Monime API; empty and nil
	// against Monime itself.
	FakeURL string
	Fake    *api.Server
	// Shop is the site's handler, for inspection in tests.
	Shop *shop
	// DBPath is the order database's file.
	DBPath string

	stops []func()
}

// startSite starts the shop on cfg.Addr and, without a Token, the fake
// Monime API on a free loopback port, delivering signed webhooks to the
// shop. Stop shuts everything down.
func startSite(cfg siteConfig) (*site, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w; choose another address with -addr (127.0.0.1:0 picks a free port)", cfg.Addr, err)
	}
	s := &site{ShopURL: "http://" + dialable(ln.Addr())}
	s.PublicURL = cfg.PublicURL
	if s.PublicURL == "" {
		s.PublicURL = s.ShopURL
	}

	simulated := cfg.Token == ""
	if s.DBPath, err = s.dbPath(cfg.DBPath, simulated); err != nil {
		ln.Close()
		s.Stop()
		return nil, err
	}
	orders, err := openStore(s.DBPath)
	if err != nil {
		ln.Close()
		s.Stop()
		return nil, err
	}
	s.stops = append(s.stops, func() { orders.Close() })

	var c *monime.Client
	secret := cfg.WebhookSecret
	if simulated {
		if secret, err = newSecret(); err != nil {
			ln.Close()
			return nil, err
		}
		if s.Fake, err = api.New(api.WithWebhook(s.ShopURL+webhookPath, secret), api.WithLogger(cfg.Logger)); err != nil {
			ln.Close()
			return nil, err
		}
		if s.FakeURL, err = s.serve("127.0.0.1:0", s.Fake); err != nil {
			ln.Close()
			s.Stop()
			return nil, err
		}
		s.stops = append(s.stops, s.Fake.Close)
		c, err = monime.NewClient(api.DefaultToken, api.DefaultSpaceID, monime.WithBaseURL(s.FakeURL), monime.WithUserAgent("monime-go-shop-example"))
	} else {
		opts := []monime.ClientOption{monime.WithUserAgent("monime-go-shop-example")}
		if cfg.BaseURL != "" {
			opts = append(opts, monime.WithBaseURL(cfg.BaseURL))
		}
		c, err = monime.NewClient(cfg.Token, cfg.SpaceID, opts...)
	}
	if err != nil {
		ln.Close()
		s.Stop()
		return nil, err
	}

	if s.Shop, err = newShop(c, secret, orders, shopConfig{PublicURL: s.PublicURL, Simulated: simulated, Logger: cfg.Logger}); err != nil {
		ln.Close()
		s.Stop()
		return nil, err
	}
	s.stops = append(s.stops, serveOn(ln, s.Shop))
	s.stops = append(s.stops, every(sweepInterval, s.Shop.sweep))
	return s, nil
}

// sweepInterval is how often the site expires and removes unpaid orders.
const sweepInterval = time.Minute

// every calls f now and then every interval, in a goroutine, until the
// returned function is called; that waits for a call in progress.
func every(interval time.Duration, f func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			f(ctx)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// dbPath is configured, or the default for a shop that runs against the
// embedded fake (simulated) or Monime.
func (s *site) dbPath(configured string, simulated bool) (string, error) {
	if configured != "" {
		return configured, nil
	}
	if simulated {
		dir, err := os.MkdirTemp("", "monime-shop-")
		if err != nil {
			return "", fmt.Errorf("create a directory for the order database: %w; choose a file with -db", err)
		}
		s.stops = append(s.stops, func() { os.RemoveAll(dir) })
		return filepath.Join(dir, "orders.db"), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "monime-go-shop", "orders.db"), nil
}

// Stop shuts down the shop first, then the fake, waiting briefly for
// requests in flight.
func (s *site) Stop() {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	s.stops = nil
}

// serve serves h on addr and returns its URL; Stop shuts it down.
func (s *site) serve(addr string, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", addr, err)
	}
	s.stops = append(s.stops, serveOn(ln, h))
	return "http://" + dialable(ln.Addr()), nil
}

// serveOn serves h on ln until the returned function is called.
func serveOn(ln net.Listener, h http.Handler) (stop func()) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("shop: server stopped", "addr", ln.Addr(), "err", err)
		}
	}
}

// dialable is addr as a client can dial it: an unspecified host (listening
// on every interface) becomes 127.0.0.1.
func dialable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	return fmt.Sprintf("127.0.0.1:%d", tcp.Port)
}

// newSecret makes a webhook signing secret for the fake; with Monime you
// copy it from the dashboard instead.
func newSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a webhook secret: %w", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b), nil
}
