package main

import (
	"log/slog"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/monimekit/monime-go/api"
)

// allocated is how many bytes the program has allocated on the heap so
// far: a count that only grows, and that, unlike a sampled peak, does not
// depend on when the collector runs.
func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// liveHeap is the heap still in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Starting from a -data database streams its rows into the store: what it
// allocates per session stays a small multiple of what a session keeps (the
// live heap it adds), instead of several copies of the whole database
// (issue 21: 441 MB of memory to start from an 82 MB file).
func TestStartingFromDataAllocatesLittlePerSession(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 20,000 sessions")
	}
	const n = 20_000
	file := filepath.Join(t.TempDir(), "state.db")
	writeRows(t, file, sessionRows(t, n))

	before := liveHeap()
	from := allocated()
	fake, p, err := openState(file, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	perSession := float64(allocated()-from) / n
	live := float64(liveHeap()-before) / n
	if got := len(api.FindAll[api.Session](fake, api.DefaultSpaceID)); got != n {
		t.Fatalf("the fake holds %d sessions, want %d", got, n)
	}
	runtime.KeepAlive(fake)
	fake.Close()
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("start: %.0f bytes allocated per session; %.0f bytes of live heap per session (%.1fx)", perSession, live, perSession/live)
	// Decoding a row allocates what the session keeps plus the row's bytes
	// as read and the decoder's garbage; 4x the live heap bounds that, and
	// copying the rows again (as Changes, as per-table JSON, and a second
	// store to check them) does not fit in it.
	if limit := 4 * live; perSession > limit {
		t.Errorf("starting allocated %.0f bytes per session, over %.0f (4x the %.0f bytes a session keeps)", perSession, limit, live)
	}
}
