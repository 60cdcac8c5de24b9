package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/monimekit/monime-go/monime"
	_ "modernc.org/sqlite" // SQLite in pure Go: nothing to install, no cgo
)

// schema is the order database. Times are Unix milliseconds. A shop that
// changes its tables keeps numbered migrations; this one only creates them.
const schema = `
CREATE TABLE IF NOT EXISTS orders (
	id                  TEXT PRIMARY KEY,
	number              TEXT NOT NULL UNIQUE,
	quantity            INTEGER NOT NULL,
	created_at          INTEGER NOT NULL,
	expires_at          INTEGER NOT NULL,
	session_id          TEXT NOT NULL DEFAULT '',
	redirect_url        TEXT NOT NULL DEFAULT '',
	status              TEXT NOT NULL,
	monime_order_number TEXT NOT NULL DEFAULT '',
	confirmed_by        TEXT NOT NULL DEFAULT '',
	confirmed_at        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS orders_by_expiry ON orders (expires_at);

-- Every webhook event that changed, or was checked against, an order: a
-- redelivery finds its id here and changes nothing.
CREATE TABLE IF NOT EXISTS webhook_events (
	id          TEXT PRIMARY KEY,
	order_id    TEXT NOT NULL,
	received_at INTEGER NOT NULL
) STRICT;
`

// orderColumns are the columns scanOrder reads, in its order.
const orderColumns = `id, number, quantity, created_at, expires_at, session_id, redirect_url, status, monime_order_number, confirmed_by, confirmed_at`

var (
	errUnknownOrder = errors.New("no such order")
	// errNotOurs marks a session that no order of this shop is waiting
	// for: another app's in the same space, or one that claims an order
	// created for another session. Redelivering it changes nothing.
	errNotOurs = errors.New("not an order of this shop")
)

// applyResult says what a read or an event from Monime did to an order.
type applyResult string

const (
	resultChanged   applyResult = "changed"
	resultUnchanged applyResult = "unchanged"
	resultDuplicate applyResult = "duplicate event"
)

// store keeps the orders in a SQLite database file, so they outlive a
// restart: Monime still holds their sessions and delivers their webhooks.
// It is safe for concurrent use, by this process and by others that open
// the same file.
type store struct {
	db  *sql.DB
	now func() time.Time
	// newNumber makes a candidate order number (newOrderNumber).
	newNumber func() string
}

// openStore opens the order database at path, creating the file, its
// directory and its tables if needed.
func openStore(path string) (*store, error) {
	if path == "" {
		return nil, errors.New("the order database has no path; pass one with -db")
	}
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("the order database path %q holds a '?', which SQLite would read as options; choose another with -db", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create the directory of the order database: %w", err)
	}
	// WAL lets pages be read while a webhook writes; a writer waits up to
	// 10 s for another; every transaction takes the write lock when it
	// begins (BEGIN IMMEDIATE), so two cannot read the same order and then
	// both write it.
	db, err := sql.Open("sqlite", path+"?_busy_timeout=10000&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open the order database %s: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("open the order database %s: %w", path, err)
	}
	return &store{db: db, now: time.Now, newNumber: newOrderNumber}, nil
}

// Close closes the database.
func (s *store) Close() error { return s.db.Close() }

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// scanOrder reads the orderColumns of one row.
func scanOrder(row rowScanner) (order, error) {
	var o order
	var created, expires, confirmed int64
	err := row.Scan(&o.ID, &o.Number, &o.Quantity, &created, &expires, &o.SessionID, &o.RedirectURL, &o.Status,
		&o.OrderNumber, &o.ConfirmedBy, &confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return order{}, errUnknownOrder
	}
	if err != nil {
		return order{}, fmt.Errorf("read an order: %w", err)
	}
	o.Created = time.UnixMilli(created)
	o.ExpiresAt = time.UnixMilli(expires)
	if confirmed != 0 {
		o.ConfirmedAt = time.UnixMilli(confirmed)
	}
	return o, nil
}

// querier is what reads need of a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// getFrom reads the order id through q.
func getFrom(ctx context.Context, q querier, id string) (order, error) {
	return scanOrder(q.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
}

// get returns the order id, or errUnknownOrder.
func (s *store) get(ctx context.Context, id string) (order, error) {
	return getFrom(ctx, s.db, id)
}

// getOrCreate returns the order id, creating it with quantity and a new
// order number if it is new. An existing order keeps both, so a
// resubmitted form repeats the very same checkout request.
func (s *store) getOrCreate(ctx context.Context, id string, quantity int) (order, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return order{}, err
	}
	defer tx.Rollback()
	o, err := getFrom(ctx, tx, id)
	if !errors.Is(err, errUnknownOrder) {
		return o, err
	}
	number, err := s.freeNumber(ctx, tx)
	if err != nil {
		return order{}, fmt.Errorf("create order %s: %w", id, err)
	}
	now := s.now()
	o = order{ID: id, Number: number, Quantity: quantity, Created: now, ExpiresAt: now.Add(sessionlessOrderTTL), Status: statusAwaiting}
	if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, number, quantity, created_at, expires_at, status) VALUES (?, ?, ?, ?, ?, ?)`,
		o.ID, o.Number, o.Quantity, o.Created.UnixMilli(), o.ExpiresAt.UnixMilli(), o.Status); err != nil {
		return order{}, fmt.Errorf("create order %s: %w", id, err)
	}
	return o, tx.Commit()
}

// freeNumber picks an order number that no order in the store has, within
// tx (which holds the write lock, so no one else can take it meanwhile).
// With 30⁶ numbers a clash is rare; ten in a row mean something is wrong.
func (s *store) freeNumber(ctx context.Context, tx *sql.Tx) (string, error) {
	for range 10 {
		n := s.newNumber()
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM orders WHERE number = ?)`, n).Scan(&taken); err != nil {
			return "", fmt.Errorf("look up order number %s: %w", n, err)
		}
		if !taken {
			return n, nil
		}
	}
	return "", errors.New("no free order number in 10 tries")
}

// attach records the checkout session created for the order id; an
// unpaid order expires with its session.
func (s *store) attach(ctx context.Context, id string, cs *monime.CheckoutSession) error {
	res, err := s.db.ExecContext(ctx, `UPDATE orders SET session_id = ?, redirect_url = ?, expires_at = coalesce(?, expires_at) WHERE id = ?`,
		cs.ID, cs.RedirectURL, expiresAt(cs), id)
	if err != nil {
		return fmt.Errorf("attach session %s to order %s: %w", cs.ID, id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errUnknownOrder
	}
	return nil
}

// apply updates the order that the checkout session cs belongs to (by its
// reference, which is the order id) with what a read from Monime says;
// source names the read. See applyTx for the rules.
func (s *store) apply(ctx context.Context, cs *monime.CheckoutSession, source string) (applyResult, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	res, err := s.applyTx(ctx, tx, cs, source)
	if err != nil {
		return "", err
	}
	return res, tx.Commit()
}

// applyEvent is apply for the webhook event eventID, in one transaction
// with recording the event's id: an event already recorded changes
// nothing (resultDuplicate), and an order is never marked paid without its
// event being recorded, or the other way round. Two deliveries of one event
// at once are one after the other here: the second finds the first's mark.
// An event for no order of this shop is recorded too, and reported with
// errNotOurs.
func (s *store) applyEvent(ctx context.Context, eventID string, cs *monime.CheckoutSession, source string) (applyResult, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	ins, err := tx.ExecContext(ctx, `INSERT INTO webhook_events (id, order_id, received_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		eventID, cs.Reference, s.now().UnixMilli())
	if err != nil {
		return "", fmt.Errorf("record event %s: %w", eventID, err)
	}
	if n, err := ins.RowsAffected(); err != nil {
		return "", err
	} else if n == 0 {
		return resultDuplicate, nil
	}
	res, applyErr := s.applyTx(ctx, tx, cs, source)
	if applyErr != nil && !errors.Is(applyErr, errNotOurs) {
		return "", applyErr
	}
	if err := tx.Commit(); err != nil {
		return "", err
	}
	return res, applyErr
}

// applyTx sets the order of cs to the session's outcome, within tx. A
// session still open changes nothing, and a paid order never changes
// again, so a late or repeated read or event is harmless. A payment is
// recorded over any other outcome: the shop may have marked the order
// expired by the clock while the customer's payment went through.
func (s *store) applyTx(ctx context.Context, tx *sql.Tx, cs *monime.CheckoutSession, source string) (applyResult, error) {
	o, err := getFrom(ctx, tx, cs.Reference)
	if errors.Is(err, errUnknownOrder) {
		return "", fmt.Errorf("session %s has reference %q, %w: %w", cs.ID, cs.Reference, err, errNotOurs)
	}
	if err != nil {
		return "", err
	}
	if o.SessionID != "" && o.SessionID != cs.ID {
		return "", fmt.Errorf("session %s claims order %s, which belongs to session %s: %w", cs.ID, o.ID, o.SessionID, errNotOurs)
	}
	next := statusOf(cs.Status)
	if next == statusAwaiting || o.Status == statusPaid || (o.Status.Final() && next != statusPaid) {
		return resultUnchanged, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE orders SET session_id = ?, status = ?, monime_order_number = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ?`,
		cs.ID, next, cs.OrderNumber, source, s.now().UnixMilli(), o.ID)
	if err != nil {
		return "", fmt.Errorf("update order %s: %w", o.ID, err)
	}
	return resultChanged, nil
}

// How long the store keeps what it no longer needs.
const (
	// sessionlessOrderTTL is how long an order whose checkout session was
	// never created (Monime failed, or the customer left) stays open.
	sessionlessOrderTTL = time.Hour
	// keepUnpaid is how long an order that was never paid is kept after
	// its session expired, for its page and for late webhooks. A
	// checkout_session.completed event for an order removed by then is
	// logged as an error, to be settled by hand.
	keepUnpaid = 24 * time.Hour
	// keepEvents is how long a webhook event's id is kept, longer than
	// Monime goes on redelivering an event. A redelivery after that finds
	// a paid order paid, or no order, and changes nothing either.
	keepEvents = 7 * 24 * time.Hour
)

// expiresAt is when the session cs expires, as Unix milliseconds, or nil
// when Monime did not say.
func expiresAt(cs *monime.CheckoutSession) any {
	if t, ok := cs.ExpiresAt(); ok {
		return t.UnixMilli()
	}
	return nil
}

// sweep marks expired every order still awaiting payment whose session has
// expired (its webhook may be late, or never come), and removes the orders
// that were never paid and whatever is kept past its time, so that abandoned
// and spurious orders do not fill the database. It reports how many orders
// it marked and removed.
func (s *store) sweep(ctx context.Context) (expired, removed int64, err error) {
	now := s.now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE orders SET status = ?, confirmed_by = ?, confirmed_at = ? WHERE status = ? AND expires_at <= ?`,
		statusExpired, "the session's expiry time", now.UnixMilli(), statusAwaiting, now.UnixMilli())
	if err != nil {
		return 0, 0, fmt.Errorf("expire orders: %w", err)
	}
	expired, _ = res.RowsAffected()
	res, err = tx.ExecContext(ctx, `DELETE FROM orders WHERE status != ? AND expires_at <= ?`,
		statusPaid, now.Add(-keepUnpaid).UnixMilli())
	if err != nil {
		return 0, 0, fmt.Errorf("remove unpaid orders: %w", err)
	}
	removed, _ = res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_events WHERE received_at <= ?`, now.Add(-keepEvents).UnixMilli()); err != nil {
		return 0, 0, fmt.Errorf("forget old webhook events: %w", err)
	}
	return expired, removed, tx.Commit()
}
