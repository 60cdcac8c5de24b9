package webhook

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Deduplicator remembers which events have been handled, so that
// [Handler] can acknowledge Monime's redeliveries without repeating their
// side effects. Implementations must be safe for concurrent use.
//
// For several server instances, back it with shared storage (for example a
// table with a unique key on the event id) so every instance sees the marks.
type Deduplicator interface {
	// Seen reports whether MarkSeen was called for eventID. An error makes
	// the handler answer 500, so Monime retries later.
	Seen(ctx context.Context, eventID string) (bool, error)
	// MarkSeen records that eventID was handled successfully.
	MarkSeen(ctx context.Context, eventID string) error
}

// Defaults of [NewMemoryDeduplicator].
const (
	DefaultDedupCapacity = 10000
	DefaultDedupTTL      = 72 * time.Hour
)

// MemoryDeduplicator is a [Deduplicator] held in this process's memory: it
// remembers the most recently marked event ids, at most a fixed number of
// them and each for a fixed time. It suits a single instance; marks are lost
// on restart.
type MemoryDeduplicator struct {
	mu       sync.Mutex
	capacity int
	ttl      time.Duration
	now      func() time.Time
	order    *list.List               // of *dedupEntry, most recently marked first
	byID     map[string]*list.Element // into order
}

type dedupEntry struct {
	id       string
	markedAt time.Time
}

// NewMemoryDeduplicator returns an empty [MemoryDeduplicator] remembering up
// to capacity ids, each for ttl after it was marked. Zero or negative values
// mean [DefaultDedupCapacity] and [DefaultDedupTTL]. Choose a ttl longer
// than the time over which Monime redelivers an event.
func NewMemoryDeduplicator(capacity int, ttl time.Duration) *MemoryDeduplicator {
	if capacity <= 0 {
		capacity = DefaultDedupCapacity
	}
	if ttl <= 0 {
		ttl = DefaultDedupTTL
	}
	return &MemoryDeduplicator{
		capacity: capacity,
		ttl:      ttl,
		now:      time.Now,
		order:    list.New(),
		byID:     make(map[string]*list.Element),
	}
}

// Seen reports whether eventID was marked within the time-to-live and has
// not been pushed out by newer marks. It never fails.
func (d *MemoryDeduplicator) Seen(_ context.Context, eventID string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	d.expire()
	_, ok := d.byID[eventID]
	return ok, nil
}

// MarkSeen records eventID as handled now, forgetting the oldest mark when
// full. It never fails.
func (d *MemoryDeduplicator) MarkSeen(_ context.Context, eventID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	now := d.now()
	if el, ok := d.byID[eventID]; ok {
		el.Value.(*dedupEntry).markedAt = now
		d.order.MoveToFront(el)
	} else {
		d.byID[eventID] = d.order.PushFront(&dedupEntry{id: eventID, markedAt: now})
	}
	for d.order.Len() > d.capacity {
		d.remove(d.order.Back())
	}
	d.expire()
	return nil
}

// Len reports how many event ids are remembered now.
func (d *MemoryDeduplicator) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	d.expire()
	return d.order.Len()
}

// init makes a zero MemoryDeduplicator usable, with the defaults.
func (d *MemoryDeduplicator) init() {
	if d.byID != nil {
		return
	}
	if d.capacity <= 0 {
		d.capacity = DefaultDedupCapacity
	}
	if d.ttl <= 0 {
		d.ttl = DefaultDedupTTL
	}
	if d.now == nil {
		d.now = time.Now
	}
	d.order = list.New()
	d.byID = make(map[string]*list.Element)
}

// expire drops marks older than the ttl; they sit at the back of order.
func (d *MemoryDeduplicator) expire() {
	cutoff := d.now().Add(-d.ttl)
	for el := d.order.Back(); el != nil && !el.Value.(*dedupEntry).markedAt.After(cutoff); el = d.order.Back() {
		d.remove(el)
	}
}

func (d *MemoryDeduplicator) remove(el *list.Element) {
	d.order.Remove(el)
	delete(d.byID, el.Value.(*dedupEntry).id)
}
