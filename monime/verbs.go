package monime

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
)

// The generic verbs. Every method of every resource is one of them: the
// resource file says which generated builder makes the request and what
// its params are; the verbs do the rest the same way for all (the call's
// settings, the checks, the headers, the attempts, the reading).
//
// A resource is described once, in its own file:
//
//	var payments = resource[paymentJSON, Payment, *paymentJSON]{
//		name: "Payments", what: "payment", path: "/v1/payments",
//		id: func(p *Payment) string { return p.ID },
//	}
//
// and a method reads:
//
//	func (s *PaymentsService) Get(ctx context.Context, id string, opts ...CallOption) (*Payment, error) {
//		return payments.get(ctx, clientOf(s), id, nil, func(server string) (*http.Request, error) {
//			return gen.NewGetPaymentRequest(server, id, nil)
//		}, opts)
//	}
//
// Builders are given nil (or only the query) for their header parameters:
// send sets Monime-Space-Id, Monime-Version and a create's Idempotency-Key
// on every request, in one place.

// resource describes one kind of Monime object: W is its wire form, T the
// public type W reads into.
type resource[W, T any, PW wireOf[W, T]] struct {
	name     string // the service, as errors name it: "Payments"
	what     string // one object, as errors describe it: "payment"
	path     string // the collection: "/v1/payments"
	idPrefix string // what every id starts with, when Monime's document says
	id       func(*T) string
}

// builder makes an operation's request with a generated builder, against
// the client's server URL.
type builder func(server string) (*http.Request, error)

// params are an operation's params: check adds every way they break
// Monime's limits, for the API release the call is sent with.
type params interface {
	check(ps *problems, apiVersion string)
}

// service is what every resource's service is: its client. Zero services
// (a Client not made by NewClient) have none, and every call says so.
type service struct{ c *Client }

// clientOf is a service's client, nil for a nil service.
func clientOf[S ~struct{ c *Client }](s *S) *Client {
	if s == nil {
		return nil
	}
	return service(*s).c
}

// create sends a new object (POST, with an Idempotency-Key chosen once for
// every attempt) and reads it back. Its params are required.
func (r *resource[W, T, PW]) create(ctx context.Context, c *Client, p params, build builder, opts []CallOption) (*T, error) {
	cl, ans, err := r.exchange(ctx, c, http.MethodPost, "Create", nil, p, build, opts)
	return readOne[W, T, PW](cl, ans, err, r.what)
}

// get reads one object by id; p is its query, nil when it has none.
func (r *resource[W, T, PW]) get(ctx context.Context, c *Client, id string, p params, build builder, opts []CallOption) (*T, error) {
	cl, ans, err := r.exchange(ctx, c, http.MethodGet, "Get", &id, p, build, opts)
	return readOne[W, T, PW](cl, ans, err, r.what)
}

// update changes one object (PATCH) and reads it back. An update has no
// Idempotency-Key (Monime takes none): send retries it only when the
// failed attempt shows it did nothing.
func (r *resource[W, T, PW]) update(ctx context.Context, c *Client, id string, p params, build builder, opts []CallOption) (*T, error) {
	cl, ans, err := r.exchange(ctx, c, http.MethodPatch, "Update", &id, p, build, opts)
	return readOne[W, T, PW](cl, ans, err, r.what)
}

// list reads one page; p holds the filters, Limit and After.
func (r *resource[W, T, PW]) list(ctx context.Context, c *Client, p params, build builder, opts []CallOption) (*Page[T], error) {
	cl, ans, err := r.exchange(ctx, c, http.MethodGet, "List", nil, p, build, opts)
	return readPage[W, T, PW](cl, ans, err, r.what, r.id)
}

// act runs an action on one object, a POST to its path and the action's
// name (.../{id}/redeem for the verb "Redeem"), and reads the result.
// Like a create it carries one Idempotency-Key for all its attempts, so a
// retry never acts twice. Its params are required.
func (r *resource[W, T, PW]) act(ctx context.Context, c *Client, id, verb string, p params, build builder, opts []CallOption) (*T, error) {
	cl, ans, err := r.exchange(ctx, c, http.MethodPost, verb, &id, p, build, opts)
	return readOne[W, T, PW](cl, ans, err, r.what)
}

// exchange is what every verb does before reading the answer: the call's
// settings, the id's and the params' checks, the generated builder, and
// send's attempts. id is nil for an operation on the collection; p is nil
// for an operation that takes no params, and a nil pointer in p is params
// the operation needs but did not get. A POST with an id is an action.
func (r *resource[W, T, PW]) exchange(ctx context.Context, c *Client, method, verb string, id *string, p params, build builder, opts []CallOption) (*call, *answer, error) {
	op, path := r.name+"."+verb, r.path
	if id != nil {
		path += "/" + *id
		if method == http.MethodPost {
			path += "/" + strings.ToLower(verb)
		}
	}
	cl, err := c.newCall(ctx, method, path, opts)
	if err != nil {
		return nil, nil, err
	}
	if id != nil {
		if err := r.checkID(op, *id); err != nil {
			return nil, nil, err
		}
	}
	if p != nil {
		if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer && v.IsNil() {
			return nil, nil, &ValidationError{Op: op, Problems: []FieldError{{Field: "params",
				Problem: "required; pass a " + strings.Replace(fmt.Sprintf("%T", p), "monime.", "", 1)}}}
		}
		if err := validate(op, p, cl.cfg.apiVersion); err != nil {
			return nil, nil, err
		}
	}
	req, err := build(c.server)
	ans, err := cl.send(ctx, req, err)
	return cl, ans, err
}

// all iterates over every item of the pages list returns, setting *after
// to the next page's cursor before each further call (see Page and
// loopGuard for when it stops).
func (r *resource[W, T, PW]) all(after *string, list func() (*Page[T], error)) iter.Seq2[*T, error] {
	return all(r.name+".All", *after, func(next string) (*Page[T], error) {
		*after = next
		return list()
	}, r.id)
}

// delete deletes one object (DELETE). When a retry answers 404 after an
// earlier attempt's answer was lost, that earlier attempt did the delete,
// and delete returns nil.
func (r *resource[W, T, PW]) delete(ctx context.Context, c *Client, id string, build builder, opts []CallOption) error {
	cl, ans, err := r.exchange(ctx, c, http.MethodDelete, "Delete", &id, nil, build, opts)
	if cl == nil {
		return err // refused before sending
	}
	if err == nil {
		_, err = cl.open(ans) // whatever result a delete carries, it is not needed
	}
	var apiErr *Error
	switch {
	case err == nil:
		return nil
	case cl.answerLost && errors.Is(err, ErrNotFound):
		return nil
	case errors.As(err, &apiErr) && apiErr.undecodable && apiErr.StatusCode >= 200 && apiErr.StatusCode <= 299:
		// A 2xx that is not a Monime envelope (no body at all, as in a 204,
		// or a proxy's "OK" page) still says the delete was done; only
		// success:false undoes that.
		return nil
	}
	return err
}

// checkID refuses an id that is empty, or that is "." or "..": a URL
// resolves those as dot segments (RFC 3986, section 5.2.4), so the request
// would reach another path. An id that does not start as Monime's
// document says every id of the resource does is refused too. Any other id
// is escaped into the path.
func (r *resource[W, T, PW]) checkID(op, id string) error {
	var ps problems
	switch {
	case id == "":
		ps.add(field("id"), "required; pass the id Monime gave the %s", r.what)
	case id == "." || id == "..":
		ps.add(field("id"), "%q is a path segment, not an id; pass the id Monime gave the %s", id, r.what)
	case !strings.HasPrefix(id, r.idPrefix):
		ps.add(field("id"), "%q is not a %s id, which starts with %s", excerpt([]byte(id), 40), r.what, r.idPrefix)
	}
	return ps.err(op)
}

// valueOr is *p, or the zero P for a nil p: optional params read as none.
func valueOr[P any](p *P) P {
	if p == nil {
		var zero P
		return zero
	}
	return *p
}

// optional is nil for an empty string, so it is left out of the JSON.
func optional(s *string) *string {
	if *s == "" {
		return nil
	}
	return s
}

// positive is nil for zero, so a page size of 0 lets Monime choose.
func positive(n *int) *int {
	if *n == 0 {
		return nil
	}
	return n
}

// sentMetadata is nil for nil metadata, which is left out; any other,
// even empty, is sent.
func sentMetadata(m Metadata) *gen.Metadata {
	if m == nil {
		return nil
	}
	return (*gen.Metadata)(&m)
}

// wireMoney is an amount as the generated builders take it.
func wireMoney(m Money) gen.Money {
	return gen.Money{Currency: gen.Currency(m.Currency), Value: m.Value}
}

// wireDuration is a duration as Monime reads one, Go's form without its
// zero units ("30m", "1h30m", not "30m0s"); nil for zero, which is left
// out so Monime applies its default.
func wireDuration(d time.Duration) *string {
	if d == 0 {
		return nil
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return &s
}

// ifTrue is nil for false, so the flag is left out of the query.
func ifTrue(b *bool) *bool {
	if !*b {
		return nil
	}
	return b
}
