package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"

	"github.com/monimekit/monime-go/api"
)

// saveInterval is how often state changed outside requests (webhook
// deliveries) is written.
const saveInterval = 100 * time.Millisecond

// sqliteHeader starts every SQLite database file. A -data file that starts
// otherwise is a state file of the releases before SQLite (JSON, see
// api.SaveState), imported once into legacyDB(path).
const sqliteHeader = "SQLite format 3\x00"

// dbFormat names the databases monime-fake writes, in their meta table.
const (
	dbFormat  = "monime-fake-sqlite"
	dbVersion = "1"
)

// schema is the whole database: every object of the state as a JSON row,
// keyed by its table and id (an idempotency record's id holds the key's
// bytes as received), and a few named values (the format, the last
// sequence number, the webhook receivers).
const schema = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rows (tbl TEXT NOT NULL, id BLOB NOT NULL, data BLOB NOT NULL, PRIMARY KEY (tbl, id)) WITHOUT ROWID;`

// persister keeps the fake's state in a SQLite database, which it holds
// locked for as long as it runs. Each change is written before the request
// that made it is answered, as the rows it touched, in one transaction;
// requests that arrive while a transaction commits share the next one.
type persister struct {
	path string // the -data file
	db   string // the database: path, or legacyDB(path)
	sql  *sql.DB
	log  *slog.Logger
	fake *api.Server

	fresh   bool // the database holds no state yet: write the whole of it first
	created bool // this start made the database file: a failed start removes it

	saved atomic.Uint64 // the StateVersion last written
	mu    sync.Mutex    // one writer at a time
	whole bool          // a write failed: the next writes everything

	stop chan struct{}
	done chan struct{}
}

// legacyDB is the database a JSON state file is imported into.
func legacyDB(path string) string { return path + ".db" }

// openData opens and locks the database of the -data file path, and
// returns it with the option that starts the fake from what it holds (nil
// for a new one). A JSON state file is read for import and left as it was.
func openData(path string, log *slog.Logger) (p *persister, restore api.Option, err error) {
	if strings.ContainsRune(path, '?') {
		return nil, nil, fmt.Errorf("-data %s holds a '?', which SQLite would read as options; pass another file name", path)
	}
	p = &persister{path: path, db: path, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	var legacy api.Option
	head := make([]byte, len(sqliteHeader))
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, nil, fmt.Errorf("-data %s cannot be read: %w; fix its permissions, or pass another file", path, err)
	default:
		_, rerr := io.ReadFull(f, head)
		_ = f.Close()
		if rerr != nil && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, io.ErrUnexpectedEOF) {
			return nil, nil, fmt.Errorf("-data %s cannot be read: %w; fix its permissions, or pass another file", path, rerr)
		}
		if string(head) != sqliteHeader {
			p.db = legacyDB(path)
			raw, err := os.ReadFile(path)
			if err != nil {
				return nil, nil, fmt.Errorf("-data %s cannot be read: %w; fix its permissions, or pass another file", path, err)
			}
			legacy = api.WithState(bytes.NewReader(raw))
		}
	}
	if _, err := os.Stat(p.db); errors.Is(err, fs.ErrNotExist) {
		p.created = true
	}
	if err := p.open(); err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			p.discard()
		}
	}()
	if p.fresh {
		if legacy != nil {
			log.Info("monime-fake: importing the JSON state file into SQLite; the JSON file is left as it was", "from", path, "to", p.db)
		}
		return p, legacy, nil
	}
	if legacy != nil {
		log.Warn("monime-fake: the JSON state file was imported before; its SQLite database is used, and the JSON file is ignored", "json", path, "database", p.db)
	}
	restore, err = p.load()
	if err != nil {
		return nil, nil, err
	}
	return p, restore, nil
}

// open opens the database, takes its lock and makes its tables.
func (p *persister) open() error {
	// One connection, in exclusive locking mode: it takes the file's lock
	// with its first write below and keeps it until closed, so a second
	// process fails at once. WAL with synchronous FULL: a commit is on disk
	// when it returns.
	dsn := p.db + "?_txlock=immediate&_busy_timeout=200&_pragma=locking_mode(EXCLUSIVE)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
	if p.created {
		// Made private before SQLite opens it: SQLite gives the -wal and
		// -shm files it makes the database file's mode, and they hold the
		// webhook secrets too.
		f, err := os.OpenFile(p.db, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("-data %s cannot be created: %w; pass a file in a directory you can write", p.db, err)
		}
		_ = f.Close()
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("-data %s cannot be opened: %w", p.db, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	p.sql = db
	if err := p.lockAndCheck(); err != nil {
		p.discard()
		if isBusy(err) {
			return fmt.Errorf("-data %s is in use by another process (another monime-fake?); stop it, or pass another -data file", p.db)
		}
		return fmt.Errorf("-data %s cannot be used: %w; pass a monime-fake database, a state file of an earlier release, or a new file name", p.db, err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} { // they hold webhook secrets
		if err := os.Chmod(p.db+suffix, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			p.discard()
			return fmt.Errorf("-data %s cannot be made private: %w", p.db+suffix, err)
		}
	}
	return nil
}

// lockAndCheck writes once (which locks the file for good), making the
// tables of a new database, and checks the format of an old one.
func (p *persister) lockAndCheck() error {
	ctx := context.Background()
	tx, err := p.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var others int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT IN ('meta', 'rows')`).Scan(&others); err != nil {
		return err
	}
	if others > 0 {
		return errors.New("it is a SQLite database of another program")
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return err
	}
	var format, version sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT (SELECT value FROM meta WHERE name = 'format'), (SELECT value FROM meta WHERE name = 'version')`).Scan(&format, &version)
	switch {
	case err != nil:
		return err
	case !format.Valid:
		p.fresh = true
	case format.String != dbFormat:
		return fmt.Errorf("its format is %q, not %q", format.String, dbFormat)
	case version.String != dbVersion:
		return fmt.Errorf("its version is %q; this release reads version %s (a database of a later release?)", version.String, dbVersion)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (name, value) VALUES ('opened', ?)`, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return err
	}
	return tx.Commit()
}

// isBusy reports whether err is SQLite's "the database is locked".
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == 5 // SQLITE_BUSY
}

// load returns the option that starts the fake from the database: its
// sequence number and webhook receivers, read now, and its rows, which New
// reads one at a time, decoding each into the object it holds as it comes,
// so that the rows are never all in memory at once.
func (p *persister) load() (api.Option, error) {
	ctx := context.Background()
	var seqText string
	if err := p.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = 'seq'`).Scan(&seqText); err != nil {
		return nil, fmt.Errorf("-data %s has no sequence number (%w); move it away to start afresh", p.db, err)
	}
	seq, err := strconv.ParseUint(seqText, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("-data %s has the sequence number %q, not a number; move it away to start afresh", p.db, seqText)
	}
	var hooks []byte
	if err := p.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = 'webhooks'`).Scan(&hooks); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("-data %s cannot be read: %w", p.db, err)
	}
	return api.WithRows(seq, hooks, p.rows), nil
}

// rows yields every row of the database, in the order of its primary key.
// A row's Data is the driver's buffer, valid until the next row is read.
func (p *persister) rows(yield func(api.Row, error) bool) {
	fail := func(err error) { yield(api.Row{}, fmt.Errorf("-data %s cannot be read: %w", p.db, err)) }
	rows, err := p.sql.QueryContext(context.Background(), `SELECT tbl, id, data FROM rows ORDER BY tbl, id`)
	if err != nil {
		fail(err)
		return
	}
	defer rows.Close()
	tables := map[string]string{} // each table's name, allocated once
	for rows.Next() {
		var tbl, id, data sql.RawBytes
		if err := rows.Scan(&tbl, &id, &data); err != nil {
			fail(err)
			return
		}
		name, ok := tables[string(tbl)]
		if !ok {
			name = string(tbl)
			tables[name] = name
		}
		if data == nil {
			data = sql.RawBytes{} // an empty value, not a row that is gone
		}
		if !yield(api.Row{Table: name, ID: string(id), Data: json.RawMessage(data)}, nil) {
			return
		}
	}
	if err := rows.Err(); err != nil {
		fail(err)
	}
}

// stateError explains a data file that does not load.
func stateError(path string, err error) error {
	return fmt.Errorf("-data %s does not hold a state monime-fake can load, and was left as it was: %w; move it away to start afresh, or pass another file", path, err)
}

// attach starts keeping fake's state: its changes from now on, and the
// whole of it first when the database is new (a JSON file imported, or
// nothing).
func (p *persister) attach(fake *api.Server) error {
	p.fake = fake
	fake.TrackChanges()
	p.saved.Store(fake.StateVersion())
	if p.fresh {
		c, err := fake.AllChanges()
		if err == nil {
			err = p.write(c)
		}
		if err != nil {
			return fmt.Errorf("-data %s cannot be written: %w", p.db, err)
		}
	}
	go p.run()
	return nil
}

// write commits c in one transaction; a new database gets its format in
// the same one, so an import cut short is done again at the next start.
func (p *persister) write(c api.Changes) error {
	ctx := context.Background()
	tx, err := p.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if c.Reset {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rows`); err != nil {
			return err
		}
	}
	meta := map[string]any{"seq": strconv.FormatUint(c.Seq, 10)}
	if c.Webhooks != nil {
		meta["webhooks"] = []byte(c.Webhooks)
	}
	if p.fresh {
		meta["format"], meta["version"] = dbFormat, dbVersion
	}
	for name, value := range meta {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)`, name, value); err != nil {
			return err
		}
	}
	put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO rows (tbl, id, data) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	del, err := tx.PrepareContext(ctx, `DELETE FROM rows WHERE tbl = ? AND id = ?`)
	if err != nil {
		return err
	}
	for _, r := range c.Rows {
		if r.Data == nil {
			_, err = del.ExecContext(ctx, r.Table, []byte(r.ID))
		} else {
			_, err = put.ExecContext(ctx, r.Table, []byte(r.ID), []byte(r.Data))
		}
		if err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	p.fresh = false
	return nil
}

// save writes what changed since the last write, if anything did. Callers
// that arrive while another writes wait, and usually find their change
// written with the other's.
func (p *persister) save() error {
	v := p.fake.StateVersion()
	if v <= p.saved.Load() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if v <= p.saved.Load() && !p.whole {
		return nil // written by the commit we waited for
	}
	now := p.fake.StateVersion() // read first: a change made meanwhile is in this write or the next
	var c api.Changes
	var err error
	if p.whole {
		c, err = p.fake.AllChanges()
	} else {
		c, err = p.fake.TakeChanges()
	}
	if err == nil {
		err = p.write(c)
	}
	if err != nil {
		p.whole = true // what was taken is not written: write everything next time
		return fmt.Errorf("writing %s: %w", p.db, err)
	}
	p.whole = false
	p.saved.Store(now)
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
				p.log.Error("monime-fake: saving the state failed; it will be tried again", "file", p.db, "err", err)
			}
		}
	}
}

// close stops run, writes the last changes and closes the database.
func (p *persister) close() error {
	if p.fake != nil {
		close(p.stop)
		<-p.done
	}
	var err error
	if p.fake != nil {
		err = p.save()
	}
	if cerr := p.closeDB(); err == nil {
		err = cerr
	}
	return err
}

// closeDB closes the database, which releases its lock.
func (p *persister) closeDB() error {
	if p.sql == nil {
		return nil
	}
	err := p.sql.Close()
	p.sql = nil
	return err
}

// discard closes the database after a failed start, and removes it when
// this start made it.
func (p *persister) discard() {
	_ = p.closeDB()
	if p.created {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			_ = os.Remove(p.db + suffix)
		}
	}
}

// writeAtomic replaces path with what write writes, atomically and
// durably, readable by the owner only.
func writeAtomic(path string, write func(*bufio.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing next to %s failed: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	w := bufio.NewWriter(tmp)
	if err = write(w); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = w.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: fsync: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
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

// keptSecret returns the secret kept for dataFile, or a new one and the
// function that keeps it, to be called once the fake has started (a failed
// start leaves no secret file behind); keep is nil when the secret is
// kept already.
func keptSecret(dataFile string) (secret string, keep func() error, err error) {
	raw, err := os.ReadFile(secretFile(dataFile))
	if err == nil {
		secret := strings.TrimSpace(string(raw))
		if secret == "" {
			return "", nil, fmt.Errorf("%s is empty; delete it to have a new secret made, or pass -webhook-secret", secretFile(dataFile))
		}
		return secret, nil, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("%s cannot be read: %w; fix its permissions, or pass -webhook-secret", secretFile(dataFile), err)
	}
	secret = newSecret()
	return secret, func() error {
		if err := writeAtomic(secretFile(dataFile), func(w *bufio.Writer) error {
			_, err := w.WriteString(secret + "\n")
			return err
		}); err != nil {
			return fmt.Errorf("keeping the generated webhook secret failed: %w; pass -webhook-secret, or a -data file in a writable directory", err)
		}
		return nil
	}, nil
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
			p.log.Error("monime-fake: saving the state failed; the request is answered 503", "file", p.db, "err", err)
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

// openState starts the fake with opts from the -data file path, and keeps
// its state there from now on.
func openState(path string, opts []api.Option, log *slog.Logger) (*api.Server, *persister, error) {
	p, restore, err := openData(path, log)
	if err != nil {
		return nil, nil, err
	}
	if restore != nil {
		opts = append(opts, restore)
	}
	fake, err := api.New(opts...)
	if err != nil {
		p.discard()
		return nil, nil, stateError(path, err)
	}
	if err := p.attach(fake); err != nil {
		fake.Close()
		p.discard()
		return nil, nil, err
	}
	return fake, p, nil
}
