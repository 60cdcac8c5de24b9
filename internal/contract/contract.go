// Package contract loads spec/monime.yaml with kin-openapi and checks HTTP
// traffic against it, for this module's tests and its fake API; package
// monime does not use it, so users never compile kin-openapi.
package contract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/monimekit/monime-go/spec"
)

// Doc is a parsed OpenAPI document with a router that matches its paths on
// any host (the fake runs on loopback, not on the document's server).
type Doc struct {
	// T is the parsed, validated document.
	T *openapi3.T
	// Router finds a request's operation on any host.
	Router routers.Router
}

var (
	specParses atomic.Int32
	loadSpec   = sync.OnceValues(func() (*Doc, error) {
		specParses.Add(1)
		return parse(spec.YAML, "spec/monime.yaml")
	})
)

// Spec returns spec/monime.yaml, parsed and validated once per process.
func Spec() (*Doc, error) { return loadSpec() }

// SpecParses is how many times this process parsed spec/monime.yaml: one
// after the first Spec call, however many servers and tests use it.
func SpecParses() int { return int(specParses.Load()) }

// Load parses an OpenAPI document from a file (e.g. Monime's upstream one).
func Load(path string) (*Doc, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(b, path)
}

func parse(b []byte, name string) (*Doc, error) {
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("contract: parsing %s: %w", name, err)
	}
	if err := t.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("contract: %s is not a valid OpenAPI document: %w", name, err)
	}
	// kin-openapi knows the format name "uri" but checks nothing for it.
	t.SetStringFormatValidator("uri", openapi3.NewCallbackValidator(checkAbsoluteURL))
	// Match paths on any host (the fake runs on loopback, not on the
	// document's server): route a copy without servers.
	routed := *t
	routed.Servers = nil
	r, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("contract: routing %s: %w", name, err)
	}
	return &Doc{T: t, Router: r}, nil
}

func checkAbsoluteURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("must be an absolute URL such as https://shop.example/ok")
	}
	return nil
}

// UpstreamPath is where Monime's published OpenAPI file is: the
// MONIME_UPSTREAM_SPEC environment variable, or ../shared/upstream beside
// the repository.
func UpstreamPath() string {
	if p := os.Getenv("MONIME_UPSTREAM_SPEC"); p != "" {
		return p
	}
	return filepath.Join(ModuleRoot(), "..", "shared", "upstream", "monime-openapi-caph.2025-08-23.yaml")
}

// ModuleRoot finds the directory holding go.mod, from the working directory up.
func ModuleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// Options for request validation: never rewrite what was sent, report every
// problem, and require the Bearer scheme on secured operations.
func Options() *openapi3filter.Options {
	return &openapi3filter.Options{
		SkipSettingDefaults: true,
		MultiError:          true,
		AuthenticationFunc:  CheckBearer,
	}
}

// CheckBearer accepts a request whose Authorization header uses the Bearer
// scheme with a non-empty token; which tokens are good is the server's call.
func CheckBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return fmt.Errorf("want Authorization: Bearer <access token>")
	}
	return nil
}

// ValidateRequest checks req against d and restores its body for the next
// reader. It returns the route input, for validating the response.
func (d *Doc) ValidateRequest(req *http.Request) (*openapi3filter.RequestValidationInput, error) {
	body, err := readAndRestore(&req.Body)
	if err != nil {
		return nil, err
	}
	route, params, err := d.Router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("no operation for %s %s: %w", req.Method, req.URL.Path, err)
	}
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	opts := Options()
	opts.SchemaValidationOptions = d.T.GetSchemaValidationOptions()
	in := &openapi3filter.RequestValidationInput{Request: clone, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		return in, err
	}
	return in, nil
}

// ValidateResponse checks a response to the request in in; body is the
// whole response body.
func (d *Doc) ValidateResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true, SchemaValidationOptions: d.T.GetSchemaValidationOptions()},
	}
	return openapi3filter.ValidateResponse(in.Request.Context(), out)
}

func readAndRestore(rc *io.ReadCloser) ([]byte, error) {
	if *rc == nil || *rc == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(*rc)
	_ = (*rc).Close()
	*rc = io.NopCloser(bytes.NewReader(b))
	return b, err
}
