package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/internal/loadtest"
)

// The fake with -data, measured as a team's test suite uses it: 64
// clients creating checkout sessions over loopback HTTP. As in
// monime/bench_test.go's BenchmarkRatio, the two sides of each comparison
// run in alternating blocks in the same loop, so that the drift of a shared
// machine slows both alike:
//
//	go test ./cmd/monime-fake/ -run '^$' -bench BenchmarkData -benchtime 40x
//
// op=MemoryVsData: the fake in memory against the same fake with -data
// ("data/memory" is the share of the in-memory throughput -data keeps).
// op=EmptyVsFull: -data on an empty database against -data on one that
// holds 100,000 sessions ("full/empty"). op=HeapPerSession: the heap one
// stored session takes.
func BenchmarkData(b *testing.B) {
	b.Run("op=MemoryVsData", func(b *testing.B) {
		memory := benchFake(b, "", 0)
		data := benchFake(b, filepath.Join(b.TempDir(), "state.db"), 0)
		pairedBlocks(b, "memory", "data", memory, data)
	})
	b.Run("op=EmptyVsFull", func(b *testing.B) {
		empty := benchFake(b, filepath.Join(b.TempDir(), "empty.db"), 0)
		full := benchFake(b, filepath.Join(b.TempDir(), "full.db"), 100_000)
		pairedBlocks(b, "empty", "full", empty, full)
	})
	b.Run("op=HeapPerSession", func(b *testing.B) {
		const n = 100_000
		changes := sessionRows(b, n)
		var perSession float64
		for b.Loop() {
			before := heapInUse()
			fake, err := api.New(api.WithChanges(changes))
			if err != nil {
				b.Fatal(err)
			}
			perSession = float64(heapInUse()-before) / n
			runtime.KeepAlive(fake)
			fake.Close()
		}
		b.ReportMetric(perSession, "heap-bytes/session")
	})
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// benchFake serves a fake over loopback, with -data file when file is not
// empty, holding preload sessions from the start, and returns the function
// that creates one session through it.
func benchFake(b *testing.B, file string, preload int) func() error {
	b.Helper()
	args := []string{"-webhook-secret", "test-secret-0123456789abcdefghijklmnop", "-log-level", "error"}
	if file != "" {
		args = append(args, "-data", file)
		if preload > 0 {
			writeRows(b, file, sessionRows(b, preload))
		}
	}
	cfg, err := parseConfig(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	a, err := newApp(cfg, slog.New(slog.DiscardHandler), ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	if got := len(api.FindAll[api.Session](a.fake, api.DefaultSpaceID)); got != preload {
		b.Fatalf("the fake holds %d sessions, want %d", got, preload)
	}
	srv := httptest.NewUnstartedServer(a.handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	b.Cleanup(func() { srv.Close(); a.close(context.Background()) })
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	client := &http.Client{Transport: t}
	var n atomic.Int64
	body := `{"name":"Order","lineItems":[{"type":"custom","name":"T-shirt","price":{"currency":"SLE","value":15000},"quantity":2}]}`
	return func() error {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/checkout-sessions", strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+api.DefaultToken)
		req.Header.Set("Monime-Space-Id", api.DefaultSpaceID)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", n.Add(1)))
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("a create answered %d", res.StatusCode)
		}
		return nil
	}
}

// sessionRows is a whole state of n pending sessions, made from one
// session the fake created, with fresh ids: what n creates would leave,
// without n requests.
func sessionRows(b testing.TB, n int) api.Changes {
	b.Helper()
	fake, err := api.New()
	if err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/checkout-sessions", strings.NewReader(`{"name":"Order","lineItems":[{"name":"T-shirt","price":{"currency":"SLE","value":15000}}]}`))
	req.Header.Set("Authorization", "Bearer "+api.DefaultToken)
	req.Header.Set("Monime-Space-Id", api.DefaultSpaceID)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "template")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("the template session: %v %v", err, res)
	}
	_ = res.Body.Close()
	all, err := fake.AllChanges()
	if err != nil {
		b.Fatal(err)
	}
	template := slices.IndexFunc(all.Rows, func(r api.Row) bool { return r.Table == "sessions" })
	row := all.Rows[template]
	seq := fmt.Sprintf(`"seq":%d,`, all.Seq)
	if !strings.Contains(string(row.Data), seq) {
		b.Fatalf("the template session has no %s: %s", seq, row.Data)
	}
	out := api.Changes{Reset: true, Webhooks: all.Webhooks}
	for _, r := range all.Rows {
		if r.Table == "financialAccounts" {
			out.Rows = append(out.Rows, r)
		}
	}
	base := all.Seq
	for i := range n {
		id := fmt.Sprintf("scs-bench%09d", i)
		data := strings.ReplaceAll(string(row.Data), row.ID, id)
		data = strings.Replace(data, seq, fmt.Sprintf(`"seq":%d,`, base+uint64(i)), 1)
		out.Rows = append(out.Rows, api.Row{Table: "sessions", ID: id, Data: []byte(data)})
	}
	out.Seq = base + uint64(n)
	return out
}

// writeRows makes file a database holding c, as the fake writes it.
func writeRows(b testing.TB, file string, c api.Changes) {
	b.Helper()
	p, _, err := openData(file, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = p.closeDB() }()
	if err := p.write(c); err != nil {
		b.Fatal(err)
	}
}

// pairedBlocks runs 64 clients creating for blocks of 250 ms on base and
// on other, alternately (see loadtest.Paired), and reports each side's
// creates per second and the median of other's throughput over base's.
func pairedBlocks(b *testing.B, baseName, otherName string, base, other func() error) {
	baseSum, otherSum, median := loadtest.Paired(b, 64, 250*time.Millisecond, nil, base, other)
	b.ReportMetric(baseSum.Rate(), baseName+"-creates/s")
	b.ReportMetric(otherSum.Rate(), otherName+"-creates/s")
	b.ReportMetric(median, otherName+"/"+baseName)
}
