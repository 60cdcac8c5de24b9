package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/monimekit/monime-go/gen"
	speccontract "github.com/monimekit/monime-go/internal/contract"
)

// contract is spec/monime.yaml parsed, routed and ready to validate requests
// and responses. It is built once per process and only read afterwards, so
// every Server shares it.
type contract struct {
	doc             *openapi3.T
	router          routers.Router
	requestOptions  *openapi3filter.Options
	responseOptions *openapi3filter.Options
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	d, err := speccontract.Spec() // parsed once per process, shared with the tests
	if err != nil {
		return nil, err
	}
	formats := d.T.GetSchemaValidationOptions()
	return &contract{
		doc:    d.T,
		router: d.Router,
		requestOptions: &openapi3filter.Options{
			MultiError:          true,
			SkipSettingDefaults: true, // the fake applies defaults itself, as Monime does
			KeepValidatedValue:  true, // the generated server binds the validated value: one decode
			AuthenticationFunc:  checkBearerScheme,
			// Messages name the field and the rule, never echo the value.
			SchemaValidationOptions: append(formats, openapi3.DisableSchemaErrorDetails()),
		},
		responseOptions: &openapi3filter.Options{
			MultiError:              true,
			IncludeResponseStatus:   true,
			SchemaValidationOptions: formats,
		},
	}, nil
})

// checkBearerScheme is the AuthenticationFunc of request validation: the
// spec's bearerAuth scheme is satisfied when an "Authorization: Bearer
// <token>" header is present. Whether the token is known is checked later.
func checkBearerScheme(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	_, err := bearerToken(in.RequestValidationInput.Request.Header)
	return err
}

// route finds the spec operation of r, or explains with an API error.
func (c *contract) route(r *http.Request) (*routers.Route, map[string]string, *apiError) {
	route, params, err := c.find(r)
	if err == nil {
		return route, params, nil
	}
	// The path may still exist with another method: that is a 405.
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Header: http.Header{}}
		if m != r.Method {
			if _, _, err := c.find(probe); err == nil {
				allowed = append(allowed, m)
			}
		}
	}
	if len(allowed) > 0 {
		return nil, nil, &apiError{
			status:  http.StatusMethodNotAllowed,
			reason:  ReasonMethodNotAllowed,
			message: fmt.Sprintf("%s is not allowed on %s; it allows %s", r.Method, r.URL.Path, strings.Join(allowed, ", ")),
			header:  http.Header{"Allow": {strings.Join(allowed, ", ")}},
		}
	}
	return nil, nil, noOperation(r)
}

// errEmptyPathParameter is find's error for a match with an empty path
// parameter.
var errEmptyPathParameter = errors.New("a path parameter is empty")

// find is the router's FindRoute, except that a path with an empty
// parameter matches nothing: the router matches DELETE /v1/payments to
// /v1/payments/{id} with an empty id, and that path has no such operation.
func (c *contract) find(r *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		return nil, nil, err
	}
	for _, v := range params {
		if v == "" {
			return nil, nil, errEmptyPathParameter
		}
	}
	return route, params, nil
}

// noOperation is the answer to a request that matches no operation. It
// names the paths of spec/ whose resource is nearest the one asked for,
// such as /v1/payments and /v1/payments/{id} for /v1/payment.
func noOperation(r *http.Request) *apiError {
	message := fmt.Sprintf("no operation %s %s; the fake serves the operations of Monime's document under /v1/ (README's table lists them)", r.Method, r.URL.Path)
	if near := nearestPaths(r.URL.Path); len(near) > 0 {
		message += "; the nearest are " + strings.Join(near, ", ")
	}
	return &apiError{status: http.StatusNotFound, reason: ReasonNotFound, message: message}
}

// nearestPaths are the paths of spec/ whose resource (the segment after
// /v1/) shares the longest prefix, of at least three characters, with
// path's; none when no resource is that near.
func nearestPaths(path string) []string {
	c, err := loadContract()
	if err != nil {
		return nil
	}
	resource := func(p string) string {
		p = strings.TrimPrefix(p, "/v1/")
		head, _, _ := strings.Cut(p, "/")
		return head
	}
	want := resource(path)
	best, near := 2, []string(nil)
	for _, p := range c.doc.Paths.InMatchingOrder() {
		have, n := resource(p), 0
		for n < len(want) && n < len(have) && want[n] == have[n] {
			n++
		}
		switch {
		case n > best:
			best, near = n, []string{p}
		case n == best && near != nil:
			near = append(near, p)
		}
	}
	slices.Sort(near)
	return near
}

// validateRequest checks r against its operation. details list every
// violation but the bearer scheme's; authErr is set when that is missing (a
// 401).
func (c *contract) validateRequest(r *http.Request, route *routers.Route, pathParams map[string]string) (details []gen.ErrorDetail, authErr error) {
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
		Options:    c.requestOptions,
	})
	if err == nil {
		return nil, nil
	}
	var v violations
	v.collect(err)
	return v.details, v.auth
}

// validateResponse checks one finished response against the operation it
// answers.
func (c *contract) validateResponse(r *http.Request, route *routers.Route, pathParams map[string]string, status int, header http.Header, body []byte) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: pathParams,
			Route:      route,
		},
		Status:  status,
		Header:  header,
		Options: c.responseOptions,
	}
	in.SetBodyBytes(bytes.Clone(body))
	return openapi3filter.ValidateResponse(r.Context(), in)
}

// violations turns kin-openapi's error tree into Monime error details.
type violations struct {
	auth    error
	details []gen.ErrorDetail
}

func (v *violations) collect(err error) {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			v.collect(inner)
		}
	case *openapi3filter.SecurityRequirementsError:
		if v.auth == nil {
			v.auth = e
			if len(e.Errors) > 0 {
				v.auth = e.Errors[0]
			}
		}
	case *openapi3filter.RequestError:
		v.request(e)
	default:
		v.details = append(v.details, detail("", err.Error()))
	}
}

func (v *violations) request(re *openapi3filter.RequestError) {
	field := ""
	switch {
	case re.Parameter != nil:
		field = re.Parameter.Name
	case re.RequestBody != nil && strings.HasPrefix(re.Reason, "header Content-Type"):
		v.details = append(v.details, detail("Content-Type", "must be application/json"))
		return
	}
	switch e := re.Err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			if se, ok := inner.(*openapi3.SchemaError); ok {
				v.schema(field, se)
			} else {
				v.details = append(v.details, detail(field, inner.Error()))
			}
		}
	case *openapi3.SchemaError:
		v.schema(field, e)
	case *openapi3filter.ParseError:
		if re.Parameter != nil {
			v.details = append(v.details, detail(field, "cannot be parsed: "+e.Error()))
		} else {
			v.details = append(v.details, detail("", "the body is not valid JSON: "+e.Error()))
		}
	default:
		switch {
		case !errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			v.details = append(v.details, detail(field, re.Error()))
		case re.Parameter != nil:
			v.details = append(v.details, detail(field, fmt.Sprintf("is required (a %s parameter)", re.Parameter.In)))
		default:
			v.details = append(v.details, detail("", "a JSON request body is required"))
		}
	}
}

// schema adds one schema violation, naming the field as a path such as
// lineItems[0].price.currency.
func (v *violations) schema(prefix string, se *openapi3.SchemaError) {
	path := se.JSONPointer()
	if v.variant(fieldPath(prefix, path), se) {
		return
	}
	message := se.Reason
	switch se.SchemaField {
	case "required":
		message = "is required"
	case "properties":
		// An unknown field: kin-openapi names it only in the reason.
		const pre, suf = "property ", " is unsupported"
		if q, ok := strings.CutPrefix(se.Reason, pre); ok {
			if q, ok = strings.CutSuffix(q, suf); ok {
				if name, err := strconv.Unquote(q); err == nil {
					path = append(path, name)
					message = "is not a field of this request; remove it"
				}
			}
		}
	}
	if message == "" {
		message = "does not match the schema's " + se.SchemaField
	}
	v.details = append(v.details, detail(fieldPath(prefix, path), message))
}

// variant reports a value that matches no branch of a discriminated
// oneOf (a payout's destination, a webhook's verificationMethod) by what
// is wrong with it against the branch its discriminator names, such as
// "verificationMethod.secret: minimum string length is 32", rather than
// "doesn't match any schema". It reports false, adding nothing, for any
// other violation or a discriminator value no branch has.
func (v *violations) variant(at string, se *openapi3.SchemaError) bool {
	d := se.Schema.Discriminator
	obj, ok := se.Value.(map[string]any)
	if se.SchemaField != "oneOf" || d == nil || !ok {
		return false
	}
	name, _ := obj[d.PropertyName].(string)
	ref, ok := d.Mapping[name]
	if !ok {
		return false
	}
	for _, branch := range se.Schema.OneOf {
		if branch.Ref != ref.Ref || branch.Value == nil {
			continue
		}
		err := branch.Value.VisitJSON(se.Value, openapi3.MultiErrors())
		var inner []*openapi3.SchemaError
		var multi openapi3.MultiError
		var one *openapi3.SchemaError
		switch {
		case errors.As(err, &multi):
			for _, e := range multi {
				if s, ok := e.(*openapi3.SchemaError); ok {
					inner = append(inner, s)
				}
			}
		case errors.As(err, &one):
			inner = append(inner, one)
		}
		for _, s := range inner {
			v.schema(at, s)
		}
		return len(inner) > 0
	}
	return false
}

// fieldPath joins JSON-pointer segments the way a developer writes them:
// lineItems[0].price.currency.
func fieldPath(prefix string, segments []string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, s := range segments {
		if _, err := strconv.Atoi(s); err == nil {
			b.WriteString("[" + s + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// summarize is the message of a validation_error: the first problem, and
// how many more the details hold.
func summarize(details []gen.ErrorDetail) string {
	if len(details) == 0 {
		return "the request is invalid"
	}
	first := ""
	if f := details[0].Field; f != nil && *f != "" {
		first = *f + ": "
	}
	if m := details[0].Message; m != nil {
		first += *m
	}
	if n := len(details) - 1; n > 0 {
		return fmt.Sprintf("the request is invalid: %s (and %d more; see error.details)", first, n)
	}
	return "the request is invalid: " + first
}
