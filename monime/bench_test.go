package monime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The benchmarks compare the facade with rawClient, the least a careful
// hand-written client does: net/http, encoding/json, the same headers and
// the same envelope decoding, but no validation, retries or options.
// BENCHMARKS.md reads them as ratios within one run.

type rawClient struct {
	base, token, space string
	hc                 *http.Client
}

type rawEnvelope[T any] struct {
	Success    bool            `json:"success"`
	Messages   json.RawMessage `json:"messages"`
	Result     T               `json:"result"`
	Pagination *pagination     `json:"pagination"`
	Error      *errorBody      `json:"error"`
}

func (c *rawClient) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Monime-Space-Id", c.space)
	req.Header.Set("Monime-Version", APIVersion)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "bench-key")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// rawCreateBody is what a raw client would send for validParams.
type rawCreateBody struct {
	Name       string            `json:"name"`
	LineItems  []LineItem        `json:"lineItems"`
	SuccessURL string            `json:"successUrl,omitempty"`
	CancelURL  string            `json:"cancelUrl,omitempty"`
	Reference  string            `json:"reference,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
}

func rawBody(p *CheckoutSessionCreateParams) rawCreateBody {
	return rawCreateBody{Name: p.Name, LineItems: p.LineItems, SuccessURL: p.SuccessURL, CancelURL: p.CancelURL, Reference: p.Reference, Metadata: p.Metadata}
}

func sessionBody() []byte {
	b, _ := json.Marshal(map[string]any{"success": true, "messages": []any{}, "result": wireSession("scs-bench")})
	return b
}

func listBody(n int) []byte {
	items := make([]any, n)
	for i := range items {
		items[i] = wireSession("scs-" + strconv.Itoa(i))
	}
	b, _ := json.Marshal(map[string]any{"success": true, "messages": []any{}, "result": items, "pagination": map[string]any{"count": n, "next": "cursor-50"}})
	return b
}

// canned answers every request with the same bytes, without a network.
type canned struct{ body []byte }

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Monime-Request-Id": {"req-1"}},
		Body:          io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)),
		Request:       req,
	}, nil
}

func benchClients(b *testing.B, base string, hc *http.Client) (*Client, *rawClient) {
	c, err := NewClient(testToken, testSpace, WithBaseURL(base), WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	return c, &rawClient{base: base, token: testToken, space: testSpace, hc: hc}
}

func BenchmarkGetCanned(b *testing.B) {
	hc := &http.Client{Transport: canned{sessionBody()}}
	c, raw := benchClients(b, "http://127.0.0.1:1", hc)
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var env rawEnvelope[CheckoutSession]
			if err := raw.do(ctx, http.MethodGet, "/v1/checkout-sessions/scs-bench", nil, &env); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=facade", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CheckoutSessions.Get(ctx, "scs-bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCreateCanned(b *testing.B) {
	hc := &http.Client{Transport: canned{sessionBody()}}
	c, raw := benchClients(b, "http://127.0.0.1:1", hc)
	ctx := context.Background()
	p := validParams()
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var env rawEnvelope[CheckoutSession]
			if err := raw.do(ctx, http.MethodPost, "/v1/checkout-sessions", rawBody(p), &env); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=facade", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CheckoutSessions.Create(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkListPage50Canned(b *testing.B) {
	hc := &http.Client{Transport: canned{listBody(50)}}
	c, raw := benchClients(b, "http://127.0.0.1:1", hc)
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var env rawEnvelope[[]CheckoutSession]
			if err := raw.do(ctx, http.MethodGet, "/v1/checkout-sessions?limit=50", nil, &env); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=facade", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CheckoutSessions.List(ctx, &CheckoutSessionListParams{Limit: 50}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func loopbackServer(b *testing.B, body []byte) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Monime-Request-Id", "req-1")
		_, _ = w.Write(body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	b.Cleanup(srv.Close)
	return srv, &conns
}

func BenchmarkGetLoopback(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		srv, conns := loopbackServer(b, sessionBody())
		_, raw := benchClients(b, srv.URL, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
		b.ReportAllocs()
		for b.Loop() {
			var env rawEnvelope[CheckoutSession]
			if err := raw.do(ctx, http.MethodGet, "/v1/checkout-sessions/scs-bench", nil, &env); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(conns.Load()), "conns")
	})
	b.Run("impl=facade", func(b *testing.B) {
		srv, conns := loopbackServer(b, sessionBody())
		c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CheckoutSessions.Get(ctx, "scs-bench"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(conns.Load()), "conns")
	})
}

// BenchmarkCreateParallel64 creates from 64 goroutines over loopback: the
// facade with its default http.Client against a raw client whose transport
// is tuned to keep 64 idle connections, and one left on Go's defaults
// (impl=untuned), which churns connections. "conns" is how many TCP
// connections the server accepted in the run.
func BenchmarkCreateParallel64(b *testing.B) {
	p := validParams()
	b.Run("impl=raw", func(b *testing.B) { // tuned: 64 idle connections per host
		srv, conns := loopbackServer(b, sessionBody())
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		raw := &rawClient{base: srv.URL, token: testToken, space: testSpace, hc: &http.Client{Transport: t}}
		b.SetParallelism(32) // 32 x GOMAXPROCS(2) = 64 goroutines
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				var env rawEnvelope[CheckoutSession]
				if err := raw.do(context.Background(), http.MethodPost, "/v1/checkout-sessions", rawBody(p), &env); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(conns.Load()), "conns")
	})
	b.Run("impl=facade", func(b *testing.B) { // monime.NewClient with no options
		srv, conns := loopbackServer(b, sessionBody())
		c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		b.SetParallelism(32)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.CheckoutSessions.Create(context.Background(), p); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(conns.Load()), "conns")
	})
	b.Run("impl=untuned", func(b *testing.B) { // raw on Go's defaults: 2 idle connections per host
		srv, conns := loopbackServer(b, sessionBody())
		raw := &rawClient{base: srv.URL, token: testToken, space: testSpace, hc: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
		b.SetParallelism(32)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				var env rawEnvelope[CheckoutSession]
				if err := raw.do(context.Background(), http.MethodPost, "/v1/checkout-sessions", rawBody(p), &env); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(conns.Load()), "conns")
	})
}

// Paired ratios. On a shared machine the speed of the whole VM drifts by
// 10-30% from one second to the next, which is larger than the overheads
// being measured. BenchmarkRatio therefore times the raw client and the
// facade side by side, alternating call by call (or, with 64 goroutines,
// block by block) in the same loop, and reports the ratio of their totals:
// a drift slows both alike and cancels out. The separate benchmarks above
// give the exact B/op and allocs/op of each.

// pair alternates a raw and a facade call, in turn raw first and facade
// first, and returns the summed time of each.
type pair struct{ raw, facade time.Duration }

func (p *pair) step(b *testing.B, i int, raw, facade func() error) {
	first, second, tf, ts := raw, facade, &p.raw, &p.facade
	if i%2 == 1 {
		first, second, tf, ts = facade, raw, &p.facade, &p.raw
	}
	t0 := time.Now()
	if err := first(); err != nil {
		b.Fatal(err)
	}
	t1 := time.Now()
	if err := second(); err != nil {
		b.Fatal(err)
	}
	*tf += t1.Sub(t0)
	*ts += time.Since(t1)
}

// report names the two sides: base (the first function given to step) and
// other; the ratio is other/base.
func (p *pair) report(b *testing.B, base, other string) {
	n := float64(b.N)
	b.ReportMetric(float64(p.raw.Nanoseconds())/n, base+"-ns/op")
	b.ReportMetric(float64(p.facade.Nanoseconds())/n, other+"-ns/op")
	b.ReportMetric(float64(p.facade)/float64(p.raw), other+"/"+base)
}

// BenchmarkRatio reports, per operation, the facade's time over the raw
// client's ("facade/raw"), measured in pairs; for CreateParallel64 it is
// the facade's throughput over the tuned raw client's ("throughput") and
// the connections each opened.
func BenchmarkRatio(b *testing.B) {
	ctx := context.Background()
	p := validParams()
	getRaw := func(raw *rawClient) func() error {
		return func() error {
			var env rawEnvelope[CheckoutSession]
			return raw.do(ctx, http.MethodGet, "/v1/checkout-sessions/scs-bench", nil, &env)
		}
	}
	getFacade := func(c *Client) func() error {
		return func() error { _, err := c.CheckoutSessions.Get(ctx, "scs-bench"); return err }
	}
	createRaw := func(raw *rawClient) func() error {
		return func() error {
			var env rawEnvelope[CheckoutSession]
			return raw.do(ctx, http.MethodPost, "/v1/checkout-sessions", rawBody(p), &env)
		}
	}
	createFacade := func(c *Client) func() error {
		return func() error { _, err := c.CheckoutSessions.Create(ctx, p); return err }
	}

	b.Run("op=GetCanned", func(b *testing.B) {
		c, raw := benchClients(b, "http://127.0.0.1:1", &http.Client{Transport: canned{sessionBody()}})
		var pr pair
		for i := 0; b.Loop(); i++ {
			pr.step(b, i, getRaw(raw), getFacade(c))
		}
		pr.report(b, "raw", "facade")
	})
	b.Run("op=CreateCanned", func(b *testing.B) {
		c, raw := benchClients(b, "http://127.0.0.1:1", &http.Client{Transport: canned{sessionBody()}})
		var pr pair
		for i := 0; b.Loop(); i++ {
			pr.step(b, i, createRaw(raw), createFacade(c))
		}
		pr.report(b, "raw", "facade")
	})
	// What the per-attempt timer costs: the facade against itself, once
	// with a caller's deadline sooner than the attempt timeout (no timer
	// is started) and once without a deadline (one timer per attempt).
	b.Run("op=AttemptTimer", func(b *testing.B) {
		c, _ := benchClients(b, "http://127.0.0.1:1", &http.Client{Transport: canned{sessionBody()}})
		soon, cancel := context.WithTimeout(ctx, defaultTimeout-time.Second)
		defer cancel()
		var pr pair
		for i := 0; b.Loop(); i++ {
			pr.step(b, i,
				func() error { _, err := c.CheckoutSessions.Create(soon, p); return err },
				func() error { _, err := c.CheckoutSessions.Create(ctx, p); return err })
		}
		pr.report(b, "notimer", "timer")
	})
	b.Run("op=GetLoopback", func(b *testing.B) {
		rawSrv, _ := loopbackServer(b, sessionBody())
		_, raw := benchClients(b, rawSrv.URL, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
		facadeSrv, _ := loopbackServer(b, sessionBody())
		c, err := NewClient(testToken, testSpace, WithBaseURL(facadeSrv.URL))
		if err != nil {
			b.Fatal(err)
		}
		var pr pair
		for i := 0; b.Loop(); i++ {
			pr.step(b, i, getRaw(raw), getFacade(c))
		}
		pr.report(b, "raw", "facade")
	})
	b.Run("op=CreateParallel64", func(b *testing.B) {
		rawSrv, rawConns := loopbackServer(b, sessionBody())
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		raw := &rawClient{base: rawSrv.URL, token: testToken, space: testSpace, hc: &http.Client{Transport: t}}
		facadeSrv, facadeConns := loopbackServer(b, sessionBody())
		c, err := NewClient(testToken, testSpace, WithBaseURL(facadeSrv.URL))
		if err != nil {
			b.Fatal(err)
		}
		// Each iteration runs a block of each, in turn raw first and
		// facade first: 64 goroutines creating for blockTime.
		const blockTime = 50 * time.Millisecond
		var rawOps, facadeOps int64
		var rawTime, facadeTime, rawCPU, facadeCPU time.Duration
		block := func(call func() error, ops *int64, took, cpu *time.Duration) {
			var done atomic.Int64
			var failed atomic.Pointer[error]
			cpu0 := processCPU()
			start := time.Now()
			stop := start.Add(blockTime)
			var wg sync.WaitGroup
			for range 64 {
				wg.Go(func() {
					for time.Now().Before(stop) {
						if err := call(); err != nil {
							failed.CompareAndSwap(nil, &err)
							return
						}
						done.Add(1)
					}
				})
			}
			wg.Wait()
			if err := failed.Load(); err != nil {
				b.Fatal(*err)
			}
			*ops += done.Load()
			*took += time.Since(start)
			*cpu += processCPU() - cpu0
		}
		for i := 0; b.Loop(); i++ {
			if i%2 == 0 {
				block(createRaw(raw), &rawOps, &rawTime, &rawCPU)
				block(createFacade(c), &facadeOps, &facadeTime, &facadeCPU)
			} else {
				block(createFacade(c), &facadeOps, &facadeTime, &facadeCPU)
				block(createRaw(raw), &rawOps, &rawTime, &rawCPU)
			}
		}
		rawRate := float64(rawOps) / rawTime.Seconds()
		facadeRate := float64(facadeOps) / facadeTime.Seconds()
		b.ReportMetric(rawRate, "raw-creates/s")
		b.ReportMetric(facadeRate, "facade-creates/s")
		b.ReportMetric(facadeRate/rawRate, "throughput")
		if rawCPU > 0 && facadeCPU > 0 {
			// The CPU time (client and server together) per create, raw
			// over facade: the throughput the machine would have if
			// nothing else ran on it.
			b.ReportMetric((rawCPU.Seconds()/float64(rawOps))/(facadeCPU.Seconds()/float64(facadeOps)), "cpu-throughput")
		}
		b.ReportMetric(float64(rawConns.Load()), "raw-conns")
		b.ReportMetric(float64(facadeConns.Load()), "facade-conns")
	})
}
