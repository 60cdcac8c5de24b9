package readme_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/internal/contract"
	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
	"github.com/monimekit/monime-go/spec"
)

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(contract.ModuleRoot(), name))
	require.NoError(t, err)
	return string(b)
}

var fence = regexp.MustCompile("(?s)```(\\w+)\\n(.*?)```")

// squash folds runs of white space, so indentation does not matter.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestReadmeSnippetsAreCompiled(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	here := squash(readRepoFile(t, "internal/readme/snippets_test.go"))
	n := 0
	for _, m := range fence.FindAllStringSubmatch(readme, -1) {
		if m[1] != "go" {
			continue
		}
		n++
		assert.Contains(t, here, squash(m[2]), "README.md snippet %d is not in internal/readme/snippets_test.go, so nothing compiles it", n)
	}
	assert.GreaterOrEqual(t, n, 5)
}

func TestReadmeCommandsAreTheOnesCIRuns(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	first := fence.FindStringSubmatch(readme)
	require.NotNil(t, first)
	assert.Equal(t, "sh", first[1])
	lines := strings.Split(strings.TrimSpace(first[2]), "\n")
	require.Len(t, lines, 2, "README opens with the quickstart and the test command")
	quickstart := strings.TrimSpace(strings.SplitN(lines[0], "#", 2)[0])
	testCmd := strings.TrimSpace(strings.SplitN(lines[1], "#", 2)[0])
	assert.Equal(t, "go run ./examples/checkout", quickstart)
	assert.Equal(t, "go test -race ./...", testCmd)
	ci := readRepoFile(t, ".ci/run")
	assert.Regexp(t, `(?m)^[^#]*`+regexp.QuoteMeta(testCmd)+`\s*$`, ci, ".ci/run must run the README's test command as written")
	_, err := os.Stat(filepath.Join(contract.ModuleRoot(), "examples", "checkout"))
	assert.NoError(t, err, "the quickstart's package exists")
}

var testName = regexp.MustCompile("`((?:Test|Fuzz|Example)[A-Za-z0-9_]+)`")

func TestSecurityMdNamesOnlyTestsThatExist(t *testing.T) {
	doc := readRepoFile(t, "SECURITY.md")
	var all strings.Builder
	root := contract.ModuleRoot()
	require.NoError(t, filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			all.Write(b)
		}
		return nil
	}))
	names := testName.FindAllStringSubmatch(doc, -1)
	require.NotEmpty(t, names)
	for _, m := range names {
		assert.Contains(t, all.String(), "func "+m[1]+"(", "SECURITY.md cites %s, which no test defines", m[1])
	}
}

// The snippets run: against the fake, with the README's environment.
func TestReadmeSnippetsRun(t *testing.T) {
	fake := monimetest.NewServer(t)
	t.Setenv("MONIME_ACCESS_TOKEN", fake.Token)
	t.Setenv("MONIME_SPACE_ID", fake.SpaceID)
	// createAndRedirect talks to api.monime.io by design; point the default
	// transport at the fake for this test only.
	original := http.DefaultTransport
	http.DefaultTransport = rewriteTo{base: fake.URL, next: original}
	t.Cleanup(func() { http.DefaultTransport = original })

	w := httptest.NewRecorder()
	require.NoError(t, createAndRedirect(context.Background(), w, httptest.NewRequest(http.MethodPost, "/buy", nil)))
	c, s := created.c, created.s
	assert.Equal(t, http.StatusSeeOther, w.Code)
	assert.Equal(t, s.RedirectURL, w.Header().Get("Location"))
	require.NoError(t, observe(context.Background(), s.ID))
	paid, err := c.CheckoutSessions.Create(context.Background(), &monime.CheckoutSessionCreateParams{
		Name: "Order #1043", LineItems: []monime.LineItem{{Name: "Cap", Price: monime.Money{Currency: "SLE", Value: 5000}}}})
	require.NoError(t, err)
	require.NoError(t, fake.Complete(paid.ID))
	require.NoError(t, reconcile(context.Background(), c, paid))
	require.NoError(t, readListDelete(context.Background(), c, s))
	_, err = c.CheckoutSessions.Get(context.Background(), s.ID)
	assert.ErrorIs(t, err, monime.ErrNotFound)
	handleError(err)
	registerWebhookOnce.Do(func() { webhookEndpoint("whsec", nil) }) // http.Handle takes a path once per process
	_ = api.DefaultToken
}

var registerWebhookOnce sync.Once

// rewriteTo sends every request to base instead of its own host, so code
// that talks to api.monime.io can run against the fake.
type rewriteTo struct {
	base string
	next http.RoundTripper
}

func (rw rewriteTo) RoundTrip(r *http.Request) (*http.Response, error) {
	u, err := r.URL.Parse(rw.base)
	if err != nil {
		return nil, err
	}
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host = u.Scheme, u.Host
	r2.Host = u.Host
	return rw.next.RoundTrip(r2)
}

// section returns the text of README's "## <title>" section.
func section(t *testing.T, doc, title string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "\n## "+title+"\n")
	require.True(t, ok, "README.md has no section %q", title)
	body, _, _ := strings.Cut(rest, "\n## ")
	return body
}

var tableModule = regexp.MustCompile("(?m)^\\| `([^`]+)` \\|")

// The modules the README's runtime dependencies table names are exactly
// the ones outside the standard library that monime and monime/webhook are
// built from: a new one must be explained, a dropped one removed.
func TestReadmeListsTheRuntimeDependencies(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no go command on PATH")
		}
		t.Skip("no go command on PATH")
	}
	cmd := exec.Command(goCmd, "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", "./monime", "./monime/webhook")
	cmd.Dir = contract.ModuleRoot()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())

	const self = "github.com/monimekit/monime-go"
	want := map[string]bool{}
	for _, m := range strings.Fields(string(out)) {
		if m != self {
			want[m] = true
		}
	}
	got := map[string]bool{}
	for _, m := range tableModule.FindAllStringSubmatch(section(t, readRepoFile(t, "README.md"), "Runtime dependencies"), -1) {
		got[m[1]] = true
	}
	assert.Equal(t, want, got, "README.md's runtime dependencies table against go list -deps ./monime ./monime/webhook")
}

// TestPublicCIRunsWhatOurCIRuns: the GitHub workflow runs .ci/run itself,
// so the public repository checks what ours does (the fake's smoke test,
// the browser tests and the oldest supported Go included), and cannot
// drift from it step by step.
func TestPublicCIRunsWhatOurCIRuns(t *testing.T) {
	workflow := readRepoFile(t, ".github/workflows/ci.yml")
	assert.Regexp(t, `(?m)^\s+run: \.ci/run\s*$`, workflow, "ci.yml must have a step that runs .ci/run")
	ci := readRepoFile(t, ".ci/run")
	for _, want := range []string{"make check-generate", "make lint", "go test -race ./...", "make fuzz", "cmd/monime-fake/testdata/smoke.sh", "GOTOOLCHAIN=go1.25.0 go test ./...", "need_apt+=(chromium)"} {
		assert.Contains(t, ci, want, ".ci/run")
	}
	gomod := readRepoFile(t, "go.mod")
	assert.Contains(t, gomod, "\ngo 1.25.0\n", "the oldest Go .ci/run tests is the one go.mod names")
}

// TestReadmeTableListsEveryOperation holds README's table of operations to
// spec/: one row per operation, in which the first client method named
// exists on monime.Client, and no row for an operation spec/ lacks.
func TestReadmeTableListsEveryOperation(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	require.NoError(t, err)
	want := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			want[op.OperationID] = true
		}
	}
	row := regexp.MustCompile("(?m)^\\| `(\\w+)` \\| `c\\.(\\w+)\\.(\\w+)`")
	client := reflect.TypeFor[monime.Client]()
	got := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(readRepoFile(t, "README.md"), -1) {
		op, field, method := m[1], m[2], m[3]
		assert.False(t, got[op], "%s has two rows", op)
		got[op] = true
		assert.True(t, want[op], "README's table lists %s, which spec/ lacks", op)
		f, ok := client.FieldByName(field)
		if !assert.True(t, ok, "%s: monime.Client has no field %s", op, field) {
			continue
		}
		_, ok = f.Type.MethodByName(method)
		assert.True(t, ok, "%s: c.%s has no method %s", op, field, method)
	}
	for op := range want {
		assert.True(t, got[op], "README's table of operations leaves out %s", op)
	}
	assert.Len(t, got, 46)
}
