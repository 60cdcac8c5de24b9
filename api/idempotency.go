package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// idemEntry is what the fake remembers about one Idempotency-Key in a space.
type idemEntry struct {
	fingerprint [sha256.Size]byte // of method, URI and body
	done        chan struct{}     // closed when the first request has finished
	stored      *storedResponse   // the first request's answer; nil while it runs
	expires     time.Time         // when stored stops being replayed
}

// storedResponse is a successful answer kept for replay, byte for byte.
type storedResponse struct {
	status      int
	contentType string
	body        []byte
}

// claim says what a request with key and fingerprint must do.
type claim int

const (
	claimRun      claim = iota // no record: run the request and settle the entry
	claimReplay                // a stored answer for the same request: replay it
	claimConflict              // the key belongs to another request: 409
	claimWait                  // the same request is running: wait for entry.done
)

// claimKey finds or creates the record of key in space.
func (st *store) claimKey(space, key string, fp [sha256.Size]byte) (e *idemEntry, c claim) {
	st.within(func(now time.Time) {
		keys := st.spaceKeys(space)
		e = keys[key]
		if e != nil && e.stored != nil && !now.Before(e.expires) {
			delete(keys, key)
			st.noteKey(space, key)
			e = nil
		}
		switch {
		case e == nil:
			e = &idemEntry{fingerprint: fp, done: make(chan struct{})}
			keys[key] = e
			c = claimRun
		case e.fingerprint != fp:
			c = claimConflict
		case e.stored != nil:
			c = claimReplay
		default:
			c = claimWait
		}
	})
	return e, c
}

// settleKey records how the request that claimed e ended: a success is kept
// for replay, anything else frees the key (Monime does not cache errors).
// Requests waiting on e then look again.
func (st *store) settleKey(space, key string, e *idemEntry, rec *recorder) {
	st.within(func(now time.Time) {
		if rec != nil && rec.status == http.StatusOK {
			e.stored = &storedResponse{
				status:      rec.status,
				contentType: rec.header.Get("Content-Type"),
				body:        bytes.Clone(rec.body.Bytes()),
			}
			e.expires = now.Add(st.retention)
			st.noteKey(space, key)
			st.touched()
		} else if keys := st.keys[space]; keys[key] == e {
			delete(keys, key)
		}
		close(e.done)
	})
}

// forgetExpiredKeysLocked drops the records past retention. Call it with mu
// held.
func (st *store) forgetExpiredKeysLocked(now time.Time) {
	for space, keys := range st.keys {
		for key, e := range keys {
			if e.stored != nil && !now.Before(e.expires) {
				delete(keys, key)
				st.noteKey(space, key)
			}
		}
	}
}

// fingerprint identifies a request for idempotency: its method, its URI and
// its body. A JSON body is compared by value (key order and spacing do not
// matter); anything else byte for byte.
func fingerprint(method, uri string, body []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(method + " " + uri + "\n"))
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		if canonical, err := json.Marshal(v); err == nil {
			body = canonical
		}
	}
	h.Write(body)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// idempotent runs next at most once per Idempotency-Key and space, the way
// Monime does: the same key with the same request replays the first success
// with Monime-Cache: irc; the same key with another method, URI or body is a
// 409 idempotency_key_in_use; a request that arrives while the first one
// with its key is still running waits for it and then replays its answer
// (or, if the first failed, runs itself). So one key never creates two
// objects.
func (s *Server) idempotent(rec *recorder, r *http.Request, body []byte, next func(*recorder, *http.Request)) {
	space := r.Header.Get("Monime-Space-Id")
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		next(rec, r) // only with request validation off; the generated server answers 400
		return
	}
	fp := fingerprint(r.Method, r.URL.RequestURI(), body)
	for {
		e, c := s.store.claimKey(space, key, fp)
		switch c {
		case claimRun:
			s.runClaimed(rec, r, space, key, e, next)
			return
		case claimReplay:
			rec.header.Set("Content-Type", e.stored.contentType)
			rec.header.Set("Monime-Cache", "irc")
			rec.WriteHeader(e.stored.status)
			_, _ = rec.Write(e.stored.body)
			return
		case claimConflict:
			conflict(ReasonIdempotencyKeyInUse, "the Idempotency-Key "+strconv.Quote(key)+" was already used with a different request (method, path or body) in this space; "+
				"send a new key for a new request, or resend exactly the first request to get its result").write(rec)
			return
		case claimWait:
			select {
			case <-e.done:
				// Look again: replay the stored answer, or run if the first failed.
			case <-r.Context().Done():
				conflict(ReasonIdempotencyKeyInUse, "a request with the Idempotency-Key "+strconv.Quote(key)+" is still being processed; retry it later").write(rec)
				return
			}
		}
	}
}

// runClaimed runs the request that claimed e and settles e however next
// ends, so that requests waiting on the key never hang.
func (s *Server) runClaimed(rec *recorder, r *http.Request, space, key string, e *idemEntry, next func(*recorder, *http.Request)) {
	settled := false
	defer func() {
		if !settled { // next panicked: free the key for the waiters
			s.store.settleKey(space, key, e, nil)
		}
	}()
	next(rec, r)
	s.store.settleKey(space, key, e, rec)
	settled = true
}
