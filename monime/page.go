package monime

import (
	"errors"
	"fmt"
	"iter"
)

// Page is one page of a list.
type Page[T any] struct {
	// Items on this page.
	Items []T
	// Next is the cursor of the following page, empty on the last page.
	// Pass it as After.
	Next string
	// Count is the pagination count Monime reports with the page.
	Count int
}

// HasMore reports whether another page follows.
func (p *Page[T]) HasMore() bool { return p.Next != "" }

// all iterates over the items of the pages fetch returns, from the cursor
// after, following Next. It stops with an error on a page that could make
// it loop forever: one that is empty yet names a next page, that repeats
// items of the previous page or of a checkpoint page, or whose cursor comes
// round again: any cycle of pages (see loopGuard).
func all[T any](op, after string, fetch func(after string) (*Page[T], error), id func(*T) string) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		guard := loopGuard{cursor: after, power: 1}
		for {
			page, err := fetch(after)
			if err != nil {
				yield(nil, err)
				return
			}
			ids := make([]string, len(page.Items))
			for i := range page.Items {
				ids[i] = id(&page.Items[i])
			}
			if err := guard.check(ids, page.Next); err != nil {
				yield(nil, fmt.Errorf("monime: %s: %w; stopping rather than loop", op, err))
				return
			}
			for i := range page.Items {
				if !yield(&page.Items[i], nil) {
					return
				}
			}
			if page.Next == "" {
				return
			}
			after = page.Next
		}
	}
}

// loopGuard notices pages that come round again, in bounded memory: it
// keeps the ids of the previous page and of one checkpoint page, with the
// checkpoint's cursor, and moves the checkpoint ahead after 1, 2, 4, 8...
// pages (Brent's cycle detection), so any cycle of pages is caught within
// about twice its length.
type loopGuard struct {
	prev, checkpoint map[string]bool
	cursor           string // the checkpoint's next cursor
	steps, power     int
}

// check takes the next page's item ids and cursor.
func (g *loopGuard) check(ids []string, next string) error {
	if len(ids) == 0 && next != "" {
		return errors.New("an empty page names a next page")
	}
	for _, id := range ids {
		if g.prev[id] || g.checkpoint[id] {
			return fmt.Errorf("the item %q came again", excerpt([]byte(id), 40))
		}
	}
	if next != "" && next == g.cursor {
		return fmt.Errorf("the cursor %q came again", excerpt([]byte(next), 40))
	}
	g.prev = make(map[string]bool, len(ids))
	for _, id := range ids {
		g.prev[id] = true
	}
	if g.steps++; g.steps == g.power {
		g.checkpoint, g.cursor = g.prev, next
		g.steps, g.power = 0, g.power*2
	}
	return nil
}
