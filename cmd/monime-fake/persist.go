package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/monimekit/monime-go/api"
)

// saveInterval is how often state changed outside requests (webhook
// deliveries) is written.
const saveInterval = 100 * time.Millisecond

// persister keeps the fake's state in a file: written atomically (a
// temporary file in the same directory, fsync, rename, fsync of the
// directory), so a crash at any moment leaves the old state or the new,
// never half of one.
type persister struct {
	path string
	fake *api.Server
	log  *slog.Logger

	mu    sync.Mutex
	saved uint64 // the StateVersion last written
	fresh bool   // nothing written yet

	stop chan struct{}
	done chan struct{}
}

// readState returns the option that restores the state in path, or nil
// when there is no file yet. It only reads the file.
func readState(path string) (api.Option, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("-data %s cannot be read: %w; fix its permissions, or pass another file", path, err)
	}
	return api.WithState(bytes.NewReader(raw)), nil
}

// stateError explains a data file that does not load.
func stateError(path string, err error) error {
	return fmt.Errorf("-data %s does not hold a state monime-fake can load, and was left as it was: %w; move it away to start afresh, or pass another file", path, err)
}

func newPersister(path string, fake *api.Server, log *slog.Logger) *persister {
	return &persister{path: path, fake: fake, log: log, fresh: true, stop: make(chan struct{}), done: make(chan struct{})}
}

// save writes the state if it changed since the last write.
func (p *persister) save() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	v := p.fake.StateVersion() // read first: a change made while writing is written next time
	if v == p.saved && !p.fresh {
		return nil
	}
	if err := writeAtomic(p.path, func(w *bufio.Writer) error { return p.fake.SaveState(w) }); err != nil {
		return err
	}
	p.saved, p.fresh = v, false
	return nil
}

// run saves changes made outside requests until stop is closed.
func (p *persister) run() {
	defer close(p.done)
	t := time.NewTicker(saveInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if err := p.save(); err != nil {
				p.log.Error("monime-fake: saving the state failed; it will be tried again", "file", p.path, "err", err)
			}
		}
	}
}

// close stops run and writes the last changes.
func (p *persister) close() error {
	close(p.stop)
	<-p.done
	return p.save()
}

// writeAtomic replaces path with what write writes, atomically and
// durably, readable by the owner only (the state holds webhook secrets).
func writeAtomic(path string, write func(*bufio.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing the state next to %s failed: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	w := bufio.NewWriter(tmp)
	if err = write(w); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err = w.Flush(); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing the state: fsync: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil { // make the rename itself durable
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// secretFile is where a generated webhook secret is kept with -data, so
// that a restart signs with the secret the receivers already know.
func secretFile(dataFile string) string { return dataFile + ".webhook-secret" }

// keptSecret returns the secret kept for dataFile, making and keeping one
// the first time.
func keptSecret(dataFile string) (string, error) {
	raw, err := os.ReadFile(secretFile(dataFile))
	if err == nil {
		secret := strings.TrimSpace(string(raw))
		if secret == "" {
			return "", fmt.Errorf("%s is empty; delete it to have a new secret made, or pass -webhook-secret", secretFile(dataFile))
		}
		return secret, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s cannot be read: %w; fix its permissions, or pass -webhook-secret", secretFile(dataFile), err)
	}
	secret := newSecret()
	if err := writeAtomic(secretFile(dataFile), func(w *bufio.Writer) error {
		_, err := w.WriteString(secret + "\n")
		return err
	}); err != nil {
		return "", fmt.Errorf("keeping the generated webhook secret failed: %w; pass -webhook-secret, or a -data file in a writable directory", err)
	}
	return secret, nil
}

// bufferedResponse holds a whole response until the state it reports is
// saved.
type bufferedResponse struct {
	w      http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// Unwrap lets http.ResponseController take over the connection (the
// fake's Reset and Drop faults).
func (b *bufferedResponse) Unwrap() http.ResponseWriter { return b.w }

// persistBeforeAnswering wraps next so that a request that changed the
// state is answered only once the change is on disk: a client never sees a
// success that a crash could lose. A failed save answers 503 instead.
func (p *persister) persistBeforeAnswering(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := &bufferedResponse{w: w, header: make(http.Header)}
		next.ServeHTTP(buf, r)
		if buf.status == 0 && buf.body.Len() == 0 && len(buf.header) == 0 {
			return // the connection was taken over (a Reset or Drop fault)
		}
		if err := p.save(); err != nil {
			p.log.Error("monime-fake: saving the state failed; the request is answered 503", "file", p.path, "err", err)
			writeError(w, http.StatusServiceUnavailable, "state_not_saved", "the change may not survive a restart: saving the state failed ("+err.Error()+"); retry the request once the disk is fixed")
			return
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}
