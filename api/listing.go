package api

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Page is one page of the objects of a kind, newest first, as FindPage
// returns it.
type Page[T any] struct {
	// Items are the objects of the page, newest first.
	Items []T
	// Next is the cursor of the page after this one (pass it to FindPage
	// as after), or "" when this page is the last.
	Next string
}

// FindPage returns a page of the objects of kind T in the space spaceID,
// as the API's lists page them: up to limit objects, newest first, older
// than the object the cursor after names ("" starts from the newest),
// skipping those keep refuses (nil keeps all). It snapshots the page
// alone, so a page of a space of a hundred thousand sessions costs what a
// page costs. keep is called with each stored object under the Server's
// lock: it must only read it and must not call the Server.
//
// The cursors are those of the API's lists: opaque, bound to the space,
// and stable while objects are created or deleted. FindPage returns an
// error for a limit below 1 or a cursor it did not issue for spaceID.
//
//	page, err := api.FindPage[api.Session](srv, space, 50, "", nil)
func FindPage[T any, P Record[T]](s *Server, spaceID string, limit int, after string, keep func(*T) bool) (Page[T], error) {
	if limit < 1 {
		return Page[T]{}, fmt.Errorf("api: FindPage: limit must be at least 1, got %d", limit)
	}
	var seq uint64
	if after != "" {
		var e *apiError
		if seq, e = decodeCursor(spaceID, after); e != nil {
			return Page[T]{}, fmt.Errorf("api: FindPage: %s", e.message)
		}
	}
	var out Page[T]
	s.store.within(func(time.Time) {
		var accept func(P) bool
		if keep != nil {
			accept = func(r P) bool { return keep((*T)(r)) }
		}
		rows, last, more := tableOf[T, P](s.store).page(spaceID, limit, seq, accept)
		out.Items = make([]T, len(rows))
		for i, r := range rows {
			out.Items[i] = clone((*T)(r))
		}
		if more {
			out.Next = encodeCursor(spaceID, last)
		}
	})
	return out, nil
}

// ErrWebhookNotFound: RemoveWebhook was given a URL no receiver has.
var ErrWebhookNotFound = errors.New("no webhook receiver has this URL")

// RemoveWebhook stops delivering events to url: every receiver configured
// with that URL, by WithWebhook or AddWebhook, is removed, as deleting a
// webhook at Monime does. Attempts already running finish and are
// recorded; pending retries to url are dropped at their next attempt, and
// the delivery records stay. It returns an error wrapping
// ErrWebhookNotFound when no receiver has url.
func (s *Server) RemoveWebhook(url string) error {
	d := s.webhooks
	d.mu.Lock()
	n := len(d.targets)
	d.targets = slices.DeleteFunc(d.targets, func(t webhookTarget) bool { return t.url == url })
	removed := len(d.targets) < n
	d.mu.Unlock()
	if !removed {
		return fmt.Errorf("api: RemoveWebhook: %w; pass a URL that Webhooks lists", ErrWebhookNotFound)
	}
	d.changes.Add(1)
	return nil
}

// configured reports whether the receiver t is still configured: its
// URL and secret are those of one of the targets.
func (d *dispatcher) configured(t webhookTarget) bool {
	if t.id != "" { // an API webhook: the store knows
		return d.endpointLive != nil && d.endpointLive(t)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.ContainsFunc(d.targets, func(o webhookTarget) bool { return o.url == t.url && o.secret == t.secret })
}
