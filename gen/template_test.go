package gen_test

// These tests run oapi-codegen, as a library and with this project's
// configuration (oapi-codegen.yaml) and client template
// (templates/client.tmpl), on fixture specs that exercise what
// spec/monime.yaml does not: parameters that go through
// runtime.StyleParamWithOptions instead of being formatted in place, and
// input the template refuses to generate a client for.
//
// TestClientTemplateFixture generates a client from testdata/styles.yaml
// into a throwaway module, together with a test program (fixtureTest
// below), and runs that program with the go command, offline: it compares
// every request the generated builders make with one computed directly with
// runtime.StyleParamWithOptions. TestClientTemplateRefusesUnsupported checks
// that cookie parameters, content parameters and non-JSON bodies end in
// code that names the problem and does not build.

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// generateMu serialises codegen.Generate, which keeps the options and the
// spec of the run in package-level variables.
var generateMu sync.Mutex

// fixtureModule is the module path of the throwaway modules the generated
// code is built in.
const fixtureModule = "example.com/clienttemplatefixture"

// goRunTimeout bounds one go command run on a throwaway module.
const goRunTimeout = 3 * time.Minute

// codegenConfig reads oapi-codegen.yaml the way the oapi-codegen command
// does and returns its configuration, with the client template given by its
// text instead of by a path relative to this directory.
func codegenConfig(t *testing.T) codegen.Configuration {
	t.Helper()
	raw, err := os.ReadFile("oapi-codegen.yaml")
	require.NoError(t, err)
	// The command's own config type: codegen.Configuration plus the output
	// file name.
	var file struct {
		codegen.Configuration `yaml:",inline"`
		Output                string `yaml:"output,omitempty"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &file))
	cfg := file.Configuration

	// The settings the fixtures are written for; if one changes, so must
	// they.
	require.True(t, cfg.Generate.Models, "oapi-codegen.yaml: generate.models")
	require.True(t, cfg.Generate.Client, "oapi-codegen.yaml: generate.client")
	require.True(t, cfg.OutputOptions.SkipPrune, "oapi-codegen.yaml: output-options.skip-prune")
	require.True(t, cfg.Compatibility.AlwaysPrefixEnumValues, "oapi-codegen.yaml: compatibility.always-prefix-enum-values")
	require.Equal(t, map[string]string{"client.tmpl": "templates/client.tmpl"}, cfg.OutputOptions.UserTemplates,
		"oapi-codegen.yaml: output-options.user-templates")

	tmpl, err := os.ReadFile(filepath.Join("templates", "client.tmpl"))
	require.NoError(t, err)
	// Generate takes a value with a newline as the template itself.
	require.Contains(t, string(tmpl), "\n")
	cfg.OutputOptions.UserTemplates = map[string]string{"client.tmpl": string(tmpl)}

	cfg = cfg.UpdateDefaults()
	require.NoError(t, cfg.Validate())
	return cfg
}

// loadSpec loads and validates the OpenAPI document at path with the
// loader the oapi-codegen command uses.
func loadSpec(t *testing.T, path string) *openapi3.T {
	t.Helper()
	spec, err := util.LoadSwagger(path)
	require.NoError(t, err, "loading %s", path)
	require.NoError(t, spec.Validate(context.Background()), "%s is not a valid OpenAPI document", path)
	return spec
}

// generate runs oapi-codegen on spec and returns the code and Generate's
// error; the code is returned with the error when only formatting failed,
// as the oapi-codegen command writes it then too.
func generate(t *testing.T, spec *openapi3.T) (string, error) {
	t.Helper()
	cfg := codegenConfig(t)
	generateMu.Lock()
	defer generateMu.Unlock()
	return codegen.Generate(spec, cfg)
}

// goCommand returns the path of the go command, failing the test when there
// is none: these tests are worth nothing skipped.
func goCommand(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is not on PATH; the client template tests build generated code with it")
	return goBin
}

// moduleVersion returns the version at which the go.mod text gomod requires
// module path, or "".
func moduleVersion(gomod, path string) string {
	sc := bufio.NewScanner(strings.NewReader(gomod))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 && fields[0] == "require" {
			fields = fields[1:]
		}
		if len(fields) >= 2 && fields[0] == path {
			return fields[1]
		}
	}
	return ""
}

// goDirective returns the version of the go directive of the go.mod text
// gomod, or "".
func goDirective(gomod string) string {
	sc := bufio.NewScanner(strings.NewReader(gomod))
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 2 && fields[0] == "go" {
			return fields[1]
		}
	}
	return ""
}

// fixtureDir writes a throwaway module holding files (name to content) and
// returns its directory. It adds go.mod and go.sum to files: the go.mod
// requires what generated code imports, at the versions the repository's
// go.mod requires, and the go.sum is the repository's.
func fixtureDir(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	gomodRaw, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	gomod := string(gomodRaw)
	require.Contains(t, gomod, "module github.com/monimekit/monime-go", "the repository root is not the parent of the test's directory")
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)

	goVersion := goDirective(gomod)
	require.NotEmpty(t, goVersion, "no go directive in the repository's go.mod")
	var mod strings.Builder
	mod.WriteString("module " + fixtureModule + "\n\ngo " + goVersion + "\n\nrequire (\n")
	for _, path := range []string{
		"github.com/oapi-codegen/runtime",
		"github.com/apapsch/go-jsonmerge/v2",
		"github.com/google/uuid",
	} {
		version := moduleVersion(gomod, path)
		require.NotEmpty(t, version, "the repository's go.mod does not require %s", path)
		mod.WriteString("\t" + path + " " + version + "\n")
	}
	mod.WriteString(")\n")

	dir := t.TempDir()
	files["go.mod"] = mod.String()
	files["go.sum"] = string(gosum)
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

// runGo runs the go command with args in dir, offline (module cache only,
// no workspace, no toolchain download), and returns its combined output
// and error.
func runGo(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), goRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCommand(t), args...)
	cmd.Dir = dir
	// The last value of a repeated variable wins.
	cmd.Env = append(os.Environ(),
		"GOFLAGS=-mod=mod",
		"GOWORK=off",
		"GOPROXY=off",
		"GOTOOLCHAIN=local",
	)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// TestClientTemplateFixture generates a client from testdata/styles.yaml
// and runs fixtureTest against it in a module of its own.
func TestClientTemplateFixture(t *testing.T) {
	t.Parallel()
	goCommand(t) // fail first, and clearly, without a go command

	code, err := generate(t, loadSpec(t, filepath.Join("testdata", "styles.yaml")))
	require.NoError(t, err)

	// The fixture must reach both ways a parameter is written: in place...
	for _, plain := range []string{
		`strconv.FormatInt(int64(itemId), 10)`,
		`url.PathEscape(string(thingName))`,
		`appendQuery(query, "active", strconv.FormatBool(bool(*params.Active)))`,
		`appendQuery(query, "q", runtime.DefaultQueryEncoder.EscapeQueryValue(string(*params.Q), false))`,
		`appendQuery(query, "dryRun", strconv.FormatBool(bool(*params.DryRun)))`,
		`req.Header.Set("X-Count", strconv.FormatInt(int64(*params.XCount), 10))`,
		`req.Header.Set("X-Mode", string(params.XMode))`,
	} {
		assert.True(t, strings.Contains(code, plain), "a plain parameter is not written in place: no %s", plain)
	}
	// ...and through the runtime, with the style, explode, location, type
	// and format the fixture declares.
	styledCall := regexp.MustCompile(`runtime\.StyleParamWithOptions\("(\w+)", (true|false), "([\w-]+)", [^,]+, runtime\.StyleParamOptions\{ParamLocation: runtime\.(\w+), Type: "(\w*)", Format: "([\w-]*)"(, AllowReserved: true)?\}\)`)
	var styled []string
	for _, m := range styledCall.FindAllStringSubmatch(code, -1) {
		styled = append(styled, strings.Join(m[1:], " "))
	}
	assert.ElementsMatch(t, []string{
		"label false label ParamLocationPath string  ",
		"form true tags ParamLocationQuery array  ",
		"form false ids ParamLocationQuery array  ",
		"form true since ParamLocationQuery string date-time ",
		"simple false X-Trace ParamLocationHeader array  ",
		"form true path ParamLocationQuery string  , AllowReserved: true",
	}, styled, "the parameters written by runtime.StyleParamWithOptions")
	assert.Equal(t, strings.Count(code, "runtime.StyleParamWithOptions("), len(styled),
		"a call of runtime.StyleParamWithOptions is not in the expected form")
	require.False(t, strings.Contains(code, "notSupportedBy"), "the fixture uses nothing the template refuses")

	dir := fixtureDir(t, map[string]string{
		"client.gen.go": code,
		"main_test.go":  fixtureTest,
	})
	out, err := runGo(t, dir, "test", "-count=1", "-v", ".")
	require.NoError(t, err, "the generated client or its test failed:\n%s", out)
	// Guard against a run that passes because it ran nothing.
	for _, name := range fixtureTestNames {
		assert.Contains(t, out, "--- PASS: "+name+" ", "%s did not run and pass:\n%s", name, out)
	}
	t.Logf("generated client's test output:\n%s", out)
}

// fixtureTestNames are the top-level tests of fixtureTest.
var fixtureTestNames = []string{
	"TestGetItemLabelRequest",
	"TestGetItemLabelNilParams",
	"TestEmptyAndDotPathParameters",
	"TestPutThingRequest",
	"TestServerRoot",
	"TestClientSends",
}

// fixtureTest is the test of the client generated from testdata/styles.yaml
// (package gen, in the module fixtureModule). It builds requests with the
// generated New<Op>Request functions and compares each with what
// runtime.StyleParamWithOptions makes of the same values, with the style,
// explode, location, type and format the fixture declares.
const fixtureTest = `package gen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/runtime"

	gen "` + fixtureModule + `"
)

// origin is the scheme and host of server.
const origin = "http://127.0.0.1:9"

// server is the API root the requests are built for: a host and a path
// prefix, without the final slash NewClient adds.
const server = origin + "/prefix"

// tricky are the strings every string parameter is tried with.
var tricky = []string{
	"plain",
	"with space",
	"a/b/../c",
	"ünï cødé ✓",
	"a,b,,c",
	"1+1=2",
	"x&y=z",
	"?#%;@:$",
	"...",
	"-._~",
	"%2F",
}

// styled is the reference: what runtime.StyleParamWithOptions makes of
// value as the parameter name the fixture declares.
func styled(t *testing.T, style string, explode bool, name string, value any, loc runtime.ParamLocation, typ, format string) string {
	t.Helper()
	s, err := runtime.StyleParamWithOptions(style, explode, name, value, runtime.StyleParamOptions{ParamLocation: loc, Type: typ, Format: format})
	if err != nil {
		t.Fatalf("reference for %s = %#v: %v", name, value, err)
	}
	return s
}

// joinQuery joins encoded query fragments with '&', skipping empty ones.
func joinQuery(fragments ...string) string {
	var kept []string
	for _, f := range fragments {
		if f != "" {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, "&")
}

// checkURL compares the URL of req with origin, the escaped path (from the
// root of origin), and the encoded query.
func checkURL(t *testing.T, req *http.Request, escapedPath, rawQuery string) {
	t.Helper()
	want := origin + escapedPath
	if rawQuery != "" {
		want += "?" + rawQuery
	}
	wantURL, err := url.Parse(want)
	if err != nil {
		t.Fatalf("reference URL %q does not parse: %v", want, err)
	}
	got := req.URL
	if got.String() != want {
		t.Errorf("URL\n got %s\nwant %s", got, want)
	}
	if got.Scheme != wantURL.Scheme || got.Host != wantURL.Host {
		t.Errorf("scheme and host: got %s://%s, want %s://%s", got.Scheme, got.Host, wantURL.Scheme, wantURL.Host)
	}
	if got.Path != wantURL.Path {
		t.Errorf("Path\n got %q\nwant %q", got.Path, wantURL.Path)
	}
	if got.RawPath != wantURL.RawPath {
		t.Errorf("RawPath\n got %q\nwant %q", got.RawPath, wantURL.RawPath)
	}
	if got.EscapedPath() != escapedPath {
		t.Errorf("EscapedPath\n got %q\nwant %q", got.EscapedPath(), escapedPath)
	}
	if got.RawQuery != rawQuery {
		t.Errorf("RawQuery\n got %q\nwant %q", got.RawQuery, rawQuery)
	}
	if got.Fragment != "" || got.ForceQuery {
		t.Errorf("URL %s has a fragment or an empty query", got)
	}
}

// checkHeader compares the whole header of req with want.
func checkHeader(t *testing.T, req *http.Request, want http.Header) {
	t.Helper()
	if !reflect.DeepEqual(req.Header, want) {
		t.Errorf("header\n got %#v\nwant %#v", req.Header, want)
	}
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

func TestGetItemLabelRequest(t *testing.T) { checkGetItemLabelRequests(t) }

// With the RFC 3986 query encoder chosen, the parameters written in place
// and those the runtime styles are encoded alike (a space is %20 in both).
func TestGetItemLabelRequestRFC3986(t *testing.T) {
	saved := runtime.DefaultQueryEncoder
	runtime.DefaultQueryEncoder = runtime.RFC3986QueryEncoder{}
	defer func() { runtime.DefaultQueryEncoder = saved }()
	req, err := gen.NewGetItemLabelRequest(server, 1, "l", &gen.GetItemLabelParams{Tags: &[]string{"a b"}, Q: ptr("a b"), XMode: gen.ModeFast})
	if err != nil {
		t.Fatal(err)
	}
	if req.URL.RawQuery != "tags=a%20b&q=a%20b" {
		t.Errorf("RawQuery %q, want tags=a%%20b&q=a%%20b", req.URL.RawQuery)
	}
	checkGetItemLabelRequests(t)
}

func checkGetItemLabelRequests(t *testing.T) {
	since := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.FixedZone("", 5*3600+30*60))
	type tc struct {
		name   string
		itemID int64
		label  string
		params gen.GetItemLabelParams
	}
	var cases []tc
	for i, s := range tricky {
		p := gen.GetItemLabelParams{
			Tags:  &[]string{s, "second", s},
			Ids:   &[]string{s, "z"},
			Since: ptr(since.Add(time.Duration(i) * time.Hour)),
			Q:      ptr(s),
			Path:   ptr("/a/b?c=d,e;f:@!$"), // reserved characters stay (a "#" would end the URL: allowReserved lets it through)
			XTrace: &[]string{"t", s},
			XMode:  gen.Mode(s),
		}
		if i%2 == 0 {
			p.Active = ptr(true)
			p.XCount = ptr(-7 * i)
		} else {
			p.Active = ptr(false)
		}
		cases = append(cases, tc{name: s, itemID: int64(i) - 3, label: s, params: p})
	}
	cases = append(cases,
		tc{name: "required only", itemID: 1 << 62, label: "l", params: gen.GetItemLabelParams{XMode: gen.ModeFast}},
		tc{name: "empty lists and strings", itemID: 0, label: "x", params: gen.GetItemLabelParams{
			Tags: &[]string{}, Ids: &[]string{}, Q: ptr(""), XCount: ptr(0), XTrace: &[]string{}, XMode: gen.ModeSafe,
		}},
		tc{name: "lists of an empty string", itemID: 9, label: "y", params: gen.GetItemLabelParams{
			Tags: &[]string{""}, Ids: &[]string{"", ""}, Since: ptr(time.Unix(0, 0).UTC()), Active: ptr(false), XTrace: &[]string{"", ""}, XMode: "",
		}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.params
			req, err := gen.NewGetItemLabelRequest(server, c.itemID, c.label, &p)
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != http.MethodGet {
				t.Errorf("method %s", req.Method)
			}
			if req.Body != nil || req.GetBody != nil {
				t.Error("a GET request has a body")
			}

			path := "/prefix/items/" +
				styled(t, "simple", false, "itemId", c.itemID, runtime.ParamLocationPath, "integer", "int64") +
				"/labels/" +
				styled(t, "label", false, "label", c.label, runtime.ParamLocationPath, "string", "")
			var fragments []string
			if p.Tags != nil {
				fragments = append(fragments, styled(t, "form", true, "tags", *p.Tags, runtime.ParamLocationQuery, "array", ""))
			}
			if p.Ids != nil {
				fragments = append(fragments, styled(t, "form", false, "ids", *p.Ids, runtime.ParamLocationQuery, "array", ""))
			}
			if p.Since != nil {
				fragments = append(fragments, styled(t, "form", true, "since", *p.Since, runtime.ParamLocationQuery, "string", "date-time"))
			}
			if p.Active != nil {
				fragments = append(fragments, styled(t, "form", true, "active", *p.Active, runtime.ParamLocationQuery, "boolean", ""))
			}
			if p.Q != nil {
				fragments = append(fragments, styled(t, "form", true, "q", *p.Q, runtime.ParamLocationQuery, "string", ""))
			}
			if p.Path != nil { // allowReserved: reserved characters stay as they are
				ref, err := runtime.StyleParamWithOptions("form", true, "path", *p.Path, runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationQuery, Type: "string", AllowReserved: true})
				if err != nil {
					t.Fatal(err)
				}
				fragments = append(fragments, ref)
			}
			checkURL(t, req, path, joinQuery(fragments...))

			header := http.Header{}
			if p.XCount != nil {
				header.Set("X-Count", styled(t, "simple", false, "X-Count", *p.XCount, runtime.ParamLocationHeader, "integer", ""))
			}
			if p.XTrace != nil {
				header.Set("X-Trace", styled(t, "simple", false, "X-Trace", *p.XTrace, runtime.ParamLocationHeader, "array", ""))
			}
			header.Set("X-Mode", styled(t, "simple", false, "X-Mode", p.XMode, runtime.ParamLocationHeader, "string", ""))
			checkHeader(t, req, header)

			if p != c.params {
				t.Error("the builder changed the params it was given")
			}
		})
	}
}

func TestGetItemLabelNilParams(t *testing.T) {
	// X-Mode is required, so there is no params to default to.
	req, err := gen.NewGetItemLabelRequest(server, 1, "l", nil)
	if err == nil {
		t.Fatalf("nil params with a required header: got a request for %s, want an error", req.URL)
	}
	if !strings.Contains(err.Error(), "params is nil") {
		t.Errorf("error %q does not say params is nil", err)
	}
}

// checkSegment: a builder given value s for the path parameter name, whose
// escaped segment is segment, refuses it exactly when the segment is empty,
// "." or "..", naming the parameter; otherwise its URL is prefix+segment.
func checkSegment(t *testing.T, name, s, segment, prefix string, req *http.Request, err error) {
	t.Helper()
	refused := segment == "" || segment == "." || segment == ".."
	switch {
	case refused && err == nil:
		t.Errorf("%s %q: got a request for %s, want an error", name, s, req.URL)
	case refused && !strings.Contains(err.Error(), name):
		t.Errorf("%s %q: error %q does not name the parameter", name, s, err)
	case !refused && err != nil:
		t.Errorf("%s %q: %v", name, s, err)
	case !refused:
		checkURL(t, req, prefix+segment, "")
	}
}

func TestEmptyAndDotPathParameters(t *testing.T) {
	body := gen.PutThingJSONRequestBody{Name: "n"}
	for _, s := range []string{"", ".", "..", "...", ".a", "a.", "%2E", " "} {
		// thingName is a plain string: its segment is s escaped.
		segment := styled(t, "simple", false, "thingName", s, runtime.ParamLocationPath, "string", "")
		req, err := gen.NewPutThingRequest(server, s, nil, body)
		checkSegment(t, "thingName", s, segment, "/prefix/things/", req, err)

		// label is in label style: its segment is "." and s escaped, so ""
		// and "." name another path, ".." does not.
		segment = styled(t, "label", false, "label", s, runtime.ParamLocationPath, "string", "")
		req, err = gen.NewGetItemLabelRequest(server, 5, s, &gen.GetItemLabelParams{XMode: gen.ModeFast})
		checkSegment(t, "label", s, segment, "/prefix/items/5/labels/", req, err)
	}
	for _, s := range []string{"", ".", ".."} {
		if _, err := gen.NewPutThingRequest(server, s, nil, body); err == nil {
			t.Errorf("thingName %q was not refused", s)
		}
		if _, err := gen.NewPutThingRequestWithBody(server, s, nil, "application/json", strings.NewReader("{}")); err == nil {
			t.Errorf("thingName %q was not refused with a raw body", s)
		}
	}
	for _, s := range []string{"", "."} {
		if _, err := gen.NewGetItemLabelRequest(server, 5, s, &gen.GetItemLabelParams{}); err == nil {
			t.Errorf("label %q was not refused", s)
		}
	}
}

func TestPutThingRequest(t *testing.T) {
	for _, name := range tricky {
		for _, dryRun := range []*bool{nil, ptr(true), ptr(false)} {
			body := gen.PutThingJSONRequestBody{Name: name, Size: ptr(len(name))}
			var params *gen.PutThingParams
			if dryRun != nil {
				params = &gen.PutThingParams{DryRun: dryRun}
			}
			req, err := gen.NewPutThingRequest(server, name, params, body)
			if err != nil {
				t.Fatalf("%q: %v", name, err)
			}
			if req.Method != http.MethodPut {
				t.Errorf("method %s", req.Method)
			}
			path := "/prefix/things/" + styled(t, "simple", false, "thingName", name, runtime.ParamLocationPath, "string", "")
			query := ""
			if dryRun != nil {
				query = styled(t, "form", true, "dryRun", *dryRun, runtime.ParamLocationQuery, "boolean", "")
			}
			checkURL(t, req, path, query)
			checkHeader(t, req, http.Header{"Content-Type": {"application/json"}})

			want, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			if req.ContentLength != int64(len(want)) {
				t.Errorf("ContentLength %d, want %d", req.ContentLength, len(want))
			}
			if req.GetBody == nil {
				t.Fatal("GetBody is not set: the request cannot be sent again")
			}
			got, err := io.ReadAll(req.Body)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("body %s, want %s", got, want)
			}
			for range 2 {
				again, err := req.GetBody()
				if err != nil {
					t.Fatal(err)
				}
				got, err = io.ReadAll(again)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("GetBody gives %s, want %s", got, want)
				}
			}
		}
	}
}

func TestServerRoot(t *testing.T) {
	for _, bad := range []string{
		"http://h/?a=b",
		"http://h/x?",
		"http://h/#f",
		"/x",
		"x",
		"h:80",
		"",
		"http://",
		"mailto:a@b",
		"http://h/%zz",
	} {
		if c, err := gen.NewClient(bad); err == nil {
			t.Errorf("NewClient(%q) = %+v, want an error", bad, c)
		}
		if req, err := gen.NewPutThingRequest(bad, "n", nil, gen.Thing{Name: "n"}); err == nil {
			t.Errorf("NewPutThingRequest for server %q: got a request for %s, want an error", bad, req.URL)
		}
		if req, err := gen.NewGetItemLabelRequest(bad, 1, "l", &gen.GetItemLabelParams{}); err == nil {
			t.Errorf("NewGetItemLabelRequest for server %q: got a request for %s, want an error", bad, req.URL)
		}
	}
	for _, good := range []string{server, server + "/", server + "//"} {
		c, err := gen.NewClient(good)
		if err != nil {
			t.Errorf("NewClient(%q): %v", good, err)
			continue
		}
		if c.Server != server+"/" {
			t.Errorf("NewClient(%q).Server = %q, want %q", good, c.Server, server+"/")
		}
		req, err := gen.NewPutThingRequest(good, "n", nil, gen.Thing{Name: "n"})
		if err != nil {
			t.Errorf("server %q: %v", good, err)
			continue
		}
		checkURL(t, req, "/prefix/things/n", "")
	}
	c, err := gen.NewClient("https://api.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if c.Server != "https://api.example.com/" {
		t.Errorf("Server %q", c.Server)
	}
}

// doer records the request it is given and answers 204.
type doer struct{ got *http.Request }

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	d.got = req
	return &http.Response{StatusCode: http.StatusNoContent, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func TestClientSends(t *testing.T) {
	type key struct{}
	var order []string
	d := &doer{}
	c, err := gen.NewClient(server, gen.WithHTTPClient(d), gen.WithRequestEditorFn(func(ctx context.Context, req *http.Request) error {
		order = append(order, "client")
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(context.Background(), key{}, "caller")
	resp, err := c.PutThing(ctx, "a b", &gen.PutThingParams{DryRun: ptr(true)}, gen.Thing{Name: "n"}, func(ctx context.Context, req *http.Request) error {
		order = append(order, "call")
		req.Header.Set("X-Edited", "yes")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d.got == nil {
		t.Fatal("the doer got no request")
	}
	if d.got.Context().Value(key{}) != "caller" {
		t.Error("the request does not carry the caller's context")
	}
	if strings.Join(order, ",") != "client,call" {
		t.Errorf("editors ran in order %v, want client's then call's", order)
	}
	checkURL(t, d.got, "/prefix/things/a%20b", "dryRun=true")
	checkHeader(t, d.got, http.Header{"Content-Type": {"application/json"}, "X-Edited": {"yes"}})

	if _, err := c.GetItemLabel(ctx, 1, "l", nil); err == nil {
		t.Error("GetItemLabel with nil params: no error")
	}
}
`

// unsupportedSpec declares what the client template refuses: a cookie
// parameter, a parameter given as content instead of a schema, and (in
// unsupportedBodySpec) request bodies that are neither JSON nor raw bytes.
const unsupportedSpec = `openapi: 3.0.3
info:
  title: what the client template refuses
  version: "1"
paths:
  /session:
    get:
      operationId: getWithCookie
      parameters:
        - name: session
          in: cookie
          required: true
          schema:
            type: string
      responses:
        "204":
          description: ok
  /search:
    get:
      operationId: searchByContent
      parameters:
        - name: filter
          in: query
          required: true
          content:
            application/json:
              schema:
                type: object
                properties:
                  name:
                    type: string
      responses:
        "204":
          description: ok
`

// unsupportedBodySpec has a text and a form body: the client template
// writes only JSON bodies.
const unsupportedBodySpec = `openapi: 3.0.3
info:
  title: bodies the client template refuses
  version: "1"
paths:
  /notes:
    post:
      operationId: postNote
      requestBody:
        required: true
        content:
          text/plain:
            schema:
              type: string
      responses:
        "204":
          description: ok
  /forms:
    post:
      operationId: postForm
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                name:
                  type: string
      responses:
        "204":
          description: ok
`

// TestClientTemplateRefusesUnsupported checks that what the client template
// does not support gives code that names the problem and does not build,
// never a client that quietly drops a parameter or a body.
func TestClientTemplateRefusesUnsupported(t *testing.T) {
	t.Parallel()
	goCommand(t)

	writeSpec := func(t *testing.T, text string) *openapi3.T {
		path := filepath.Join(t.TempDir(), "spec.yaml")
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		return loadSpec(t, path)
	}

	t.Run("cookie and content parameters", func(t *testing.T) {
		code, err := generate(t, writeSpec(t, unsupportedSpec))
		// Both identifiers stand as statements, so the code still parses
		// and formats; it is the build that fails.
		require.NoError(t, err)
		refusals := []string{
			"GetWithCookie_cookieParameters_areNotSupportedBy_gen_templates_client_tmpl",
			"filter_isAContentParameter_notSupportedBy_gen_templates_client_tmpl",
		}
		for _, id := range refusals {
			assert.True(t, strings.Contains(code, id), "the generated code does not name %s", id)
		}

		dir := fixtureDir(t, map[string]string{"client.gen.go": code})
		out, err := runGo(t, dir, "build", ".")
		require.Error(t, err, "a client with a cookie and a content parameter built:\n%s", out)
		for _, id := range refusals {
			assert.Contains(t, out, "undefined: "+id, "the build does not fail on %s:\n%s", id, out)
		}
	})

	t.Run("non-JSON bodies", func(t *testing.T) {
		code, err := generate(t, writeSpec(t, unsupportedBodySpec))
		// The identifier stands where a declaration should: the code does
		// not even parse, so Generate fails while formatting it and returns
		// it unformatted, as the oapi-codegen command writes it.
		require.Error(t, err, "a client with text and form bodies was generated")
		assert.Contains(t, err.Error(), "formatting")
		for _, id := range []string{
			"PostNoteWithTextBody_bodyOfContentType_Text_isNotSupportedBy_gen_templates_client_tmpl",
			"PostFormWithFormdataBody_bodyOfContentType_Formdata_isNotSupportedBy_gen_templates_client_tmpl",
		} {
			assert.True(t, strings.Contains(code, id), "the generated code does not name %s", id)
		}
	})
}
