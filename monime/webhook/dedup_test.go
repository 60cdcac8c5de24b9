package webhook

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for the deduplicator's TTL.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func seen(t *testing.T, d Deduplicator, id string) bool {
	t.Helper()
	ok, err := d.Seen(context.Background(), id)
	require.NoError(t, err)
	return ok
}

func mark(t *testing.T, d Deduplicator, id string) {
	t.Helper()
	require.NoError(t, d.MarkSeen(context.Background(), id))
}

func TestMemoryDeduplicatorRemembersMarkedIDs(t *testing.T) {
	d := NewMemoryDeduplicator(0, 0)
	assert.False(t, seen(t, d, "evt-1"))
	mark(t, d, "evt-1")
	assert.True(t, seen(t, d, "evt-1"))
	assert.False(t, seen(t, d, "evt-2"))
	mark(t, d, "evt-1")
	assert.Equal(t, 1, d.Len(), "marking twice keeps one entry")
}

func TestMemoryDeduplicatorCapacity(t *testing.T) {
	d := NewMemoryDeduplicator(3, time.Hour)
	for _, id := range []string{"a", "b", "c"} {
		mark(t, d, id)
	}
	mark(t, d, "a") // refreshed: now the newest
	mark(t, d, "d") // pushes out the oldest mark, b
	assert.Equal(t, 3, d.Len())
	assert.True(t, seen(t, d, "a"))
	assert.False(t, seen(t, d, "b"))
	assert.True(t, seen(t, d, "c"))
	assert.True(t, seen(t, d, "d"))
}

func TestMemoryDeduplicatorTTL(t *testing.T) {
	clock := &fakeClock{t: testTime}
	d := NewMemoryDeduplicator(10, time.Hour)
	d.now = clock.now

	mark(t, d, "old")
	clock.t = clock.t.Add(30 * time.Minute)
	mark(t, d, "new")

	clock.t = clock.t.Add(29 * time.Minute)
	assert.True(t, seen(t, d, "old"), "59 minutes after marking")
	clock.t = clock.t.Add(time.Minute)
	assert.False(t, seen(t, d, "old"), "an hour after marking")
	assert.True(t, seen(t, d, "new"))
	assert.Equal(t, 1, d.Len())

	mark(t, d, "new") // refreshing restarts its hour
	clock.t = clock.t.Add(59 * time.Minute)
	assert.True(t, seen(t, d, "new"))
	clock.t = clock.t.Add(time.Minute)
	assert.False(t, seen(t, d, "new"))
	assert.Zero(t, d.Len())
}

func TestZeroMemoryDeduplicatorWorks(t *testing.T) {
	var d MemoryDeduplicator
	seen, err := d.Seen(context.Background(), "evt-1")
	require.NoError(t, err)
	assert.False(t, seen)
	require.NoError(t, d.MarkSeen(context.Background(), "evt-1"))
	seen, _ = d.Seen(context.Background(), "evt-1")
	assert.True(t, seen)
	assert.Equal(t, 1, d.Len())
}

func TestMemoryDeduplicatorDefaults(t *testing.T) {
	d := NewMemoryDeduplicator(-1, -1)
	assert.Equal(t, DefaultDedupCapacity, d.capacity)
	assert.Equal(t, DefaultDedupTTL, d.ttl)
}

func TestMemoryDeduplicatorConcurrentUse(t *testing.T) {
	d := NewMemoryDeduplicator(50, time.Hour)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				id := fmt.Sprintf("evt-%d-%d", g, i%60)
				_, _ = d.Seen(context.Background(), id)
				_ = d.MarkSeen(context.Background(), id)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 50, d.Len())
}
