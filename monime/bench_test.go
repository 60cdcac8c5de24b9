package monime

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/internal/loadtest"
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
	Pagination *struct {
		Count int     `json:"count"`
		Next  *string `json:"next"`
	} `json:"pagination"`
	Error *errorBody `json:"error"`
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
		// Every create needs its own key, or Monime answers each with the
		// first one's session: 16 random bytes, as hex.
		var key [16]byte
		_, _ = rand.Read(key[:])
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", hex.EncodeToString(key[:]))
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
	LineItems  []rawLineItem     `json:"lineItems"`
	SuccessURL string            `json:"successUrl,omitempty"`
	CancelURL  string            `json:"cancelUrl,omitempty"`
	Reference  string            `json:"reference,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
}

type rawLineItem struct {
	Name     string    `json:"name"`
	Price    gen.Money `json:"price"`
	Quantity int       `json:"quantity,omitempty"`
}

func rawBody(p *CheckoutSessionCreateParams) rawCreateBody {
	items := make([]rawLineItem, len(p.LineItems))
	for i, li := range p.LineItems {
		items[i] = rawLineItem{Name: li.Name, Price: gen.Money{Currency: gen.Currency(li.Price.Currency), Value: li.Price.Value}, Quantity: li.Quantity}
	}
	return rawCreateBody{Name: p.Name, LineItems: items, SuccessURL: p.SuccessURL, CancelURL: p.CancelURL, Reference: p.Reference, Metadata: p.Metadata}
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
	b.Run("impl=raw", func(b *testing.B) {
		serial(b, rawGet(raw))
	})
	b.Run("impl=facade", func(b *testing.B) {
		serial(b, facadeGet(c))
	})
}

func BenchmarkCreateCanned(b *testing.B) {
	hc := &http.Client{Transport: canned{sessionBody()}}
	c, raw := benchClients(b, "http://127.0.0.1:1", hc)
	p := validParams()
	b.Run("impl=raw", func(b *testing.B) {
		serial(b, rawCreate(raw, p))
	})
	b.Run("impl=facade", func(b *testing.B) {
		serial(b, facadeCreate(c, p))
	})
}

func BenchmarkListPage50Canned(b *testing.B) {
	hc := &http.Client{Transport: canned{listBody(50)}}
	c, raw := benchClients(b, "http://127.0.0.1:1", hc)
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var env rawEnvelope[[]gen.CheckoutSession]
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
	loopbackPair(b, rawGet, facadeGet)
}

func BenchmarkCreateLoopback(b *testing.B) {
	p := validParams()
	loopbackPair(b, func(raw *rawClient) func() error { return rawCreate(raw, p) },
		func(c *Client) func() error { return facadeCreate(c, p) })
}

// loopbackPair runs the raw call and the facade's, each against its own
// loopback server, for their B/op and allocs/op.
func loopbackPair(b *testing.B, raw func(*rawClient) func() error, facade func(*Client) func() error) {
	b.Run("impl=raw", func(b *testing.B) {
		srv, conns := loopbackServer(b, sessionBody())
		_, rc := benchClients(b, srv.URL, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
		serial(b, raw(rc))
		b.ReportMetric(float64(conns.Load()), "conns")
	})
	b.Run("impl=facade", func(b *testing.B) {
		srv, conns := loopbackServer(b, sessionBody())
		c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		serial(b, facade(c))
		b.ReportMetric(float64(conns.Load()), "conns")
	})
}

// The calls the benchmarks time, each made once per benchmark.

func rawGet(raw *rawClient) func() error {
	return func() error {
		var env rawEnvelope[gen.CheckoutSession]
		return raw.do(context.Background(), http.MethodGet, "/v1/checkout-sessions/scs-bench", nil, &env)
	}
}

func facadeGet(c *Client) func() error {
	return func() error { _, err := c.CheckoutSessions.Get(context.Background(), "scs-bench"); return err }
}

func rawCreate(raw *rawClient, p *CheckoutSessionCreateParams) func() error {
	return func() error {
		var env rawEnvelope[gen.CheckoutSession]
		return raw.do(context.Background(), http.MethodPost, "/v1/checkout-sessions", rawBody(p), &env)
	}
}

func facadeCreate(c *Client, p *CheckoutSessionCreateParams) func() error {
	return func() error { _, err := c.CheckoutSessions.Create(context.Background(), p); return err }
}

// serial runs call b.N times, one after another.
func serial(b *testing.B, call func() error) {
	b.ReportAllocs()
	for b.Loop() {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
}

// parallel64 runs call from 64 goroutines (32 x GOMAXPROCS of 2) for b.N
// calls and reports how many connections the server accepted.
func parallel64(b *testing.B, conns *atomic.Int64, call func() error) {
	b.SetParallelism(32)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(conns.Load()), "conns")
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
		parallel64(b, conns, rawCreate(raw, p))
	})
	b.Run("impl=facade", func(b *testing.B) { // monime.NewClient with no options
		srv, conns := loopbackServer(b, sessionBody())
		c, err := NewClient(testToken, testSpace, WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		parallel64(b, conns, facadeCreate(c, p))
	})
	b.Run("impl=untuned", func(b *testing.B) { // raw on Go's defaults: 2 idle connections per host
		srv, conns := loopbackServer(b, sessionBody())
		raw := &rawClient{base: srv.URL, token: testToken, space: testSpace, hc: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
		parallel64(b, conns, rawCreate(raw, p))
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

// paired times base and other in pairs for b.N pairs and reports them as
// base and other (see report).
func paired(b *testing.B, baseName, otherName string, base, other func() error) {
	var pr pair
	for i := 0; b.Loop(); i++ {
		pr.step(b, i, base, other)
	}
	pr.report(b, baseName, otherName)
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
	p := validParams()
	b.Run("op=GetCanned", func(b *testing.B) {
		c, raw := benchClients(b, "http://127.0.0.1:1", &http.Client{Transport: canned{sessionBody()}})
		paired(b, "raw", "facade", rawGet(raw), facadeGet(c))
	})
	b.Run("op=CreateCanned", func(b *testing.B) {
		c, raw := benchClients(b, "http://127.0.0.1:1", &http.Client{Transport: canned{sessionBody()}})
		paired(b, "raw", "facade", rawCreate(raw, p), facadeCreate(c, p))
	})
	b.Run("op=GetLoopback", func(b *testing.B) {
		rawSrv, _ := loopbackServer(b, sessionBody())
		_, raw := benchClients(b, rawSrv.URL, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
		facadeSrv, _ := loopbackServer(b, sessionBody())
		c, err := NewClient(testToken, testSpace, WithBaseURL(facadeSrv.URL))
		if err != nil {
			b.Fatal(err)
		}
		paired(b, "raw", "facade", rawGet(raw), facadeGet(c))
	})
	b.Run("op=CreateLoopback", func(b *testing.B) {
		rawSrv, _ := loopbackServer(b, sessionBody())
		_, raw := benchClients(b, rawSrv.URL, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
		facadeSrv, _ := loopbackServer(b, sessionBody())
		c, err := NewClient(testToken, testSpace, WithBaseURL(facadeSrv.URL))
		if err != nil {
			b.Fatal(err)
		}
		paired(b, "raw", "facade", rawCreate(raw, p), facadeCreate(c, p))
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
		// facade first: 64 goroutines creating for 50 ms.
		rawSum, facadeSum, median := loadtest.Paired(b, 64, 50*time.Millisecond, processCPU, rawCreate(raw, p), facadeCreate(c, p))
		b.ReportMetric(rawSum.Rate(), "raw-creates/s")
		b.ReportMetric(facadeSum.Rate(), "facade-creates/s")
		b.ReportMetric(facadeSum.Rate()/rawSum.Rate(), "throughput")
		b.ReportMetric(median, "throughput-median")
		if rawSum.CPU > 0 && facadeSum.CPU > 0 {
			// The CPU time (client and server together) per create, raw
			// over facade: the throughput the machine would have if
			// nothing else ran on it.
			b.ReportMetric(rawSum.CPUPerOp()/facadeSum.CPUPerOp(), "cpu-throughput")
		}
		b.ReportMetric(float64(rawConns.Load()), "raw-conns")
		b.ReportMetric(float64(facadeConns.Load()), "facade-conns")
	})
}
