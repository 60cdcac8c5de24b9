package spec_test

// The drift check compares the checkout-session operations of spec/ with
// Monime's published OpenAPI document. Both documents are flattened into a
// map from a readable location (CreateCheckoutSession.request.name,
// GetCheckoutSession.response.result.lineItems.data[].price.value,
// ListCheckoutSessions.param.query.limit, ...) to normalised attributes
// (type, required, maxLength, enum, ...), and the two maps are compared.
// Every difference must be explained by an entry of drift-allow.yaml, and
// every entry there must still explain some difference.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/monimekit/monime-go/spec"
)

const (
	// upstreamEnv names the environment variable that locates Monime's
	// OpenAPI document; a relative value is taken from the repository root.
	upstreamEnv = "MONIME_UPSTREAM_SPEC"
	// defaultUpstream is where the document lives next to this repository.
	defaultUpstream = "../shared/upstream/monime-openapi-caph.2025-08-23.yaml"
	// previousUpstream is the file name of the previous release of the
	// document, looked for next to the current one.
	previousUpstream = "monime-openapi-caph.2025-06-20.yaml"
	// allowlistFile holds the deliberate differences, next to the spec.
	allowlistFile = "drift-allow.yaml"
)

// driftOperations are the operations compared, by operationId.
var driftOperations = []string{"ListCheckoutSessions", "CreateCheckoutSession", "GetCheckoutSession", "DeleteCheckoutSession",
	"ListPayments", "GetPayment", "UpdatePayment",
	"ListFinancialAccounts", "CreateFinancialAccount", "GetFinancialAccount", "UpdateFinancialAccount",
	"ListPayouts", "CreatePayout", "GetPayout", "UpdatePayout", "DeletePayout",
	"ListInternalTransfers", "CreateInternalTransfer", "GetInternalTransfer", "PatchInternalTransfer", "DeleteInternalTransfer",
	"ListFinancialTransactions", "GetTransaction", "ListBanks", "GetBank", "ListMomos", "GetMomo", "GetProviderKYC",
	"ListPaymentCodes", "CreatePaymentCode", "GetPaymentCode", "UpdatePaymentCode", "DeletePaymentCode",
	"ListUSSDOTPs", "CreateUSSDOTP", "GetUSSDOTP", "DeleteUSSDOTP", "RetrieveReceipt", "RedeemReceipt",
	"ListWebhooks", "CreateWebhook", "GetWebhook", "UpdateWebhook", "DeleteWebhook", "ListCountries", "GetCountry"}

// onlyInCurrent are the operations caph.2025-08-23 added: the receipts,
// which caph.2025-06-20 lacks (and which the client refuses to send under
// it).
var onlyInCurrent = []string{"RetrieveReceipt", "RedeemReceipt"}

// TestDriftAgainstUpstream fails on every difference between spec/ and
// Monime's document that drift-allow.yaml does not explain, and on every
// allowlist entry that explains nothing. The previous release of the
// document differs from the current one only in descriptions and in
// lacking the receipt operations, so the same allowlist must explain it
// with the receipts left out of spec/; an entry is stale when it explains
// nothing in the current release.
func TestDriftAgainstUpstream(t *testing.T) {
	current := upstreamPath(t)
	for _, tc := range []struct {
		name, path string
		previous   bool
	}{
		{"caph.2025-08-23", current, false},
		{"caph.2025-06-20", filepath.Join(filepath.Dir(current), previousUpstream), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			upstream := loadUpstream(t, tc.path)
			ours := loadSpec(t, spec.YAML)
			if tc.previous {
				withoutOperations(ours, onlyInCurrent)
			}
			unexplained, stale := driftReport(t, upstream, ours)
			for _, d := range unexplained {
				t.Errorf("drift from upstream, not in %s: %s", allowlistFile, d)
			}
			for _, e := range stale {
				if !tc.previous {
					t.Errorf("stale %s entry (key %q, attribute %q) matches no difference; remove it", allowlistFile, e.Key, e.Attribute)
				}
			}
		})
	}
}

// withoutOperations removes the operations ids from doc, and paths left
// with none.
func withoutOperations(doc *openapi3.T, ids []string) {
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if slices.Contains(ids, op.OperationID) {
				item.SetOperation(method, nil)
			}
		}
		if len(item.Operations()) == 0 {
			doc.Paths.Delete(path)
		}
	}
}

// TestUpstreamReleasesAgree shows that, for the compared operations, the
// two published releases differ in nothing the drift check looks at, but
// for the receipt operations only the current one has.
func TestUpstreamReleasesAgree(t *testing.T) {
	current := upstreamPath(t)
	a := flattenDoc(t, loadUpstream(t, current))
	b := flattenDoc(t, loadUpstream(t, filepath.Join(filepath.Dir(current), previousUpstream)))
	for _, id := range onlyInCurrent {
		assert.Contains(t, a, id, "caph.2025-08-23 has %s", id)
		assert.NotContains(t, b, id, "caph.2025-06-20 lacks %s", id)
		for key := range a {
			if key == id || strings.HasPrefix(key, id+".") {
				delete(a, key)
			}
		}
	}
	for _, d := range compareFlat(a, b) {
		t.Errorf("releases disagree (upstream=caph.2025-08-23, spec=caph.2025-06-20): %s", d)
	}
	assert.Greater(t, len(a), 100, "suspiciously few locations flattened")
}

// TestDriftNamesDeletedProperty deletes properties from a copy of spec/ and
// asserts that the drift check names each of them.
func TestDriftNamesDeletedProperty(t *testing.T) {
	upstream := loadUpstream(t, upstreamPath(t))
	ours := loadSpec(t, spec.YAML)
	delete(ours.Components.Schemas["CreateCheckoutSessionRequest"].Value.Properties, "callbackState")
	delete(ours.Components.Schemas["CheckoutSession"].Value.Properties, "orderNumber")
	delete(ours.Components.Schemas["LineItemInput"].Value.Properties, "images")

	assert.Equal(t, []string{
		"CreateCheckoutSession.request.callbackState: presence upstream=present spec=absent",
		"CreateCheckoutSession.request.lineItems[].images: presence upstream=present spec=absent",
		"CreateCheckoutSession.response.result.orderNumber: presence upstream=present spec=absent",
		"GetCheckoutSession.response.result.orderNumber: presence upstream=present spec=absent",
		"ListCheckoutSessions.response.result[].orderNumber: presence upstream=present spec=absent",
	}, newDifferences(t, upstream, ours), "images[] lies below images, so only images is named")
}

// TestDriftNamesChangedMaxLength changes limits in a copy of spec/ and
// asserts that the drift check names the property, upstream's value and ours.
func TestDriftNamesChangedMaxLength(t *testing.T) {
	upstream := loadUpstream(t, upstreamPath(t))
	const good, bad = "maxLength: 150\n", "maxLength: 140\n"
	require.Equal(t, 1, strings.Count(string(spec.YAML), good), "the name limit moved; update this test")
	ours := loadSpec(t, []byte(strings.Replace(string(spec.YAML), good, bad, 1)))
	*ours.Components.Schemas["LineItem"].Value.Properties["name"].Value.MaxLength = 120
	*ours.Components.Parameters["After"].Value.Schema.Value.MaxLength = 1000

	assert.Equal(t, []string{
		"CreateCheckoutSession.request.name: maxLength upstream=150 spec=140",
		"CreateCheckoutSession.response.result.lineItems.data[].name: maxLength upstream=100 spec=120",
		"GetCheckoutSession.response.result.lineItems.data[].name: maxLength upstream=100 spec=120",
		"ListBanks.param.query.after: maxLength upstream=2000 spec=1000",
		"ListCheckoutSessions.param.query.after: maxLength upstream=2000 spec=1000",
		"ListCheckoutSessions.response.result[].lineItems.data[].name: maxLength upstream=100 spec=120",
		"ListCountries.param.query.after: maxLength upstream=2000 spec=1000",
		"ListFinancialAccounts.param.query.after: maxLength upstream=2000 spec=1000",
		"ListFinancialTransactions.param.query.after: maxLength upstream=2000 spec=1000",
		"ListInternalTransfers.param.query.after: maxLength upstream=2000 spec=1000",
		"ListMomos.param.query.after: maxLength upstream=2000 spec=1000",
		"ListPaymentCodes.param.query.after: maxLength upstream=2000 spec=1000",
		"ListPayments.param.query.after: maxLength upstream=2000 spec=1000",
		"ListPayouts.param.query.after: maxLength upstream=2000 spec=1000",
		"ListUSSDOTPs.param.query.after: maxLength upstream=2000 spec=1000",
		"ListWebhooks.param.query.after: maxLength upstream=2000 spec=1000",
	}, newDifferences(t, upstream, ours))
}

// newDifferences returns the unexplained differences of the mutated copy
// that the unmutated spec does not already have, so that these tests prove
// what a mutation adds whatever the state of spec/ is.
func newDifferences(t *testing.T, upstream, mutated *openapi3.T) []string {
	t.Helper()
	base, _ := driftReport(t, upstream, loadSpec(t, spec.YAML))
	known := map[string]bool{}
	for _, d := range base {
		known[d.String()] = true
	}
	got, _ := driftReport(t, upstream, mutated)
	var added []string
	for _, d := range got {
		if !known[d.String()] {
			added = append(added, d.String())
		}
	}
	return added
}

// TestCompareFlatNamesEveryKindOfChange compares spec/ with mutated copies
// of itself, so it runs without the upstream document.
func TestCompareFlatNamesEveryKindOfChange(t *testing.T) {
	base := flattenDoc(t, loadSpec(t, spec.YAML))
	assert.Empty(t, compareFlat(base, base))

	changed := loadSpec(t, spec.YAML)
	sch := changed.Components.Schemas
	delete(sch["CreateCheckoutSessionRequest"].Value.Properties, "paymentOptions")
	sch["CreateCheckoutSessionRequest"].Value.Required = []string{"name"}
	sch["LineItemInput"].Value.Properties["quantity"].Value.Max = openapi3.Ptr(1000.0)
	sch["Currency"].Value.Enum = []any{"SLE"}
	sch["BrandingOptions"].Value.AdditionalProperties = openapi3.AdditionalProperties{}
	sch["CheckoutSession"].Value.Properties["expireTime"].Value.Format = ""
	sch["CheckoutSession"].Value.Properties["redirectUrl"].Value.Type = &openapi3.Types{"integer"}
	changed.Components.Parameters["MonimeSpaceId"].Value.Required = false
	changed.Paths.Find("/v1/checkout-sessions/{id}").Delete.Responses.Delete("409")

	got := differenceStrings(compareFlat(base, flattenDoc(t, changed)))
	for _, want := range []string{
		"CreateCheckoutSession.request.paymentOptions: presence upstream=present spec=absent",
		"CreateCheckoutSession.request.lineItems: required upstream=true spec=false",
		"CreateCheckoutSession.request.lineItems[].quantity: maximum upstream=100000 spec=1000",
		"CreateCheckoutSession.request.lineItems[].price.currency: enum upstream=SLE,USD spec=SLE",
		"GetCheckoutSession.response.result.lineItems.data[].price.currency: enum upstream=SLE,USD spec=SLE",
		"CreateCheckoutSession.request.brandingOptions: additionalProperties upstream=false spec=true",
		"GetCheckoutSession.response.result.expireTime: format upstream=date-time spec=<none>",
		"GetCheckoutSession.response.result.redirectUrl: type upstream=string spec=integer",
		"GetCheckoutSession.param.header.Monime-Space-Id: required upstream=true spec=false",
		"DeleteCheckoutSession.responses.409: presence upstream=present spec=absent",
	} {
		assert.Contains(t, got, want)
	}
	for _, d := range got {
		assert.NotContains(t, d, "paymentOptions.", "children of a missing location are not repeated")
	}
}

// TestFlattenFollowsUpstreamShapes checks the normalisations the comparison
// relies on: upstream's single-branch oneOf merged with its siblings,
// format url read as uri, and recursion cut at the same depth on both sides.
func TestFlattenFollowsUpstreamShapes(t *testing.T) {
	up := flattenDoc(t, loadUpstream(t, upstreamPath(t)))
	line := up["CreateCheckoutSession.request.lineItems[].type"].attrs
	assert.Equal(t, `"custom"`, line["default"], "sibling default of the oneOf is merged in")
	assert.Equal(t, "custom", line["enum"], "branch enum is kept")
	assert.Equal(t, "false", up["CreateCheckoutSession.request.lineItems[]"].attrs["additionalProperties"])
	assert.Equal(t, "true", up["CreateCheckoutSession.request.lineItems[].name"].attrs["required"])
	assert.Equal(t, "uri", up["CreateCheckoutSession.request.successUrl"].attrs["format"])

	ours := flattenDoc(t, loadSpec(t, spec.YAML))
	deepest := "GetCheckoutSession.response.result.ownershipGraph" + strings.Repeat(".owner", maxDepth-2)
	for name, flat := range map[string]flatDoc{"upstream": up, "spec": ours} {
		assert.Contains(t, flat, deepest, name)
		assert.NotContains(t, flat, deepest+".id", name)
	}
}

// TestFlattenReportsDepthWithoutRecursion checks that the depth cut is
// only taken for recursive schemas: a deep but finite schema is reported
// rather than silently truncated.
func TestFlattenReportsDepthWithoutRecursion(t *testing.T) {
	leaf := openapi3.NewStringSchema()
	deep := leaf
	for range maxDepth + 1 {
		deep = openapi3.NewObjectSchema().WithProperty("x", deep)
	}
	f := &flattener{out: flatDoc{}}
	f.schema("Op.request", "Op", deep.NewRef(), nil, 0, nil)
	require.Len(t, f.errs, 1)
	assert.Contains(t, f.errs[0], "Op.request"+strings.Repeat(".x", maxDepth)+": nested more than")

	self := openapi3.NewObjectSchema()
	self.Properties = openapi3.Schemas{"next": self.NewRef()}
	f = &flattener{out: flatDoc{}}
	f.schema("Op.request", "Op", self.NewRef(), nil, 0, nil)
	assert.Empty(t, f.errs)
	assert.Contains(t, f.out, "Op.request"+strings.Repeat(".next", maxDepth))
}

// TestAllowlistFile checks that drift-allow.yaml parses and that each entry
// says why the difference is deliberate.
func TestAllowlistFile(t *testing.T) {
	entries := readAllowlist(t)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		assert.GreaterOrEqual(t, len(strings.Fields(e.Reason)), 4, "reason of %s/%s is too short to explain anything", e.Key, e.Attribute)
	}
}

// TestAllowlistRules checks parsing, glob matching and stale detection.
func TestAllowlistRules(t *testing.T) {
	_, err := parseAllowlist([]byte("allow:\n  - {key: a.b, attribute: maxLength}\n"))
	assert.ErrorContains(t, err, "reason")
	_, err = parseAllowlist([]byte("allow:\n  - {key: a.b, attribute: maxlength, reason: typo in the attribute}\n"))
	assert.ErrorContains(t, err, "unknown attribute")
	_, err = parseAllowlist([]byte("allow:\n  - {key: a.b, atribute: maxLength, reason: typo in a field}\n"))
	assert.Error(t, err)

	for _, tc := range []struct {
		pattern, key string
		match        bool
	}{
		{"A.request.name", "A.request.name", true},
		{"A.request.name", "A.request.names", false},
		{"*.response.*", "Get.response.result.id", true},
		{"*.response.*", "Get.request.response", false},
		{"*.lineItems[].price.value", "List.response.result[].lineItems.data[].price.value", false},
		{"*.lineItems*.price.value", "List.response.result[].lineItems.data[].price.value", true},
		{"*.responses.4*", "Get.responses.404", true},
		{"*.responses.4*", "Get.responses.500", false},
	} {
		assert.Equal(t, tc.match, globMatch(tc.pattern, tc.key), "%q ~ %q", tc.pattern, tc.key)
	}

	diffs := []difference{
		{Key: "Get.response.result.id", Attr: "required", Upstream: "", Spec: "true"},
		{Key: "Create.request.name", Attr: "maxLength", Upstream: "150", Spec: "140"},
	}
	allow := []allowEntry{
		{Key: "*.response.*", Attribute: "required", Reason: "fields Monime always returns"},
		{Key: "Create.request.name", Attribute: "minLength", Reason: "matches nothing here"},
	}
	unexplained, stale := applyAllowlist(diffs, allow)
	assert.Equal(t, diffs[1:], unexplained)
	assert.Equal(t, allow[1:], stale)
}

// TestUpstreamPath checks where the upstream document is looked for.
func TestUpstreamPath(t *testing.T) {
	root := moduleRoot(t)
	t.Setenv(upstreamEnv, "")
	assert.Equal(t, filepath.Join(root, defaultUpstream), upstreamPath(t))
	t.Setenv(upstreamEnv, "testdata/up.yaml")
	assert.Equal(t, filepath.Join(root, "testdata/up.yaml"), upstreamPath(t))
	abs := filepath.Join(t.TempDir(), "up.yaml")
	t.Setenv(upstreamEnv, abs)
	assert.Equal(t, abs, upstreamPath(t))
}

// TestMissingUpstreamFailsInCI checks the decision loadUpstream takes when
// the document is absent: fail in CI, skip elsewhere, both with the path.
func TestMissingUpstreamFailsInCI(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.yaml")
	fatal, msg := missingUpstream(missing, "true")
	assert.True(t, fatal)
	assert.Contains(t, msg, missing)
	assert.Contains(t, msg, upstreamEnv)
	fatal, msg = missingUpstream(missing, "")
	assert.False(t, fatal)
	assert.Contains(t, msg, missing)
}

// moduleRoot finds the repository root: the nearest directory upwards from
// the working directory that holds this module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module github.com/monimekit/monime-go\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod of github.com/monimekit/monime-go above the working directory")
		dir = parent
	}
}

// upstreamPath is $MONIME_UPSTREAM_SPEC, or defaultUpstream, with a
// relative path taken from the repository root.
func upstreamPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv(upstreamEnv)
	if p == "" {
		p = defaultUpstream
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(moduleRoot(t), p)
	}
	return p
}

// missingUpstream words the failure (in CI, when ci is "true") or the skip
// (elsewhere) for an upstream document that cannot be found at path.
func missingUpstream(path, ci string) (fatal bool, msg string) {
	msg = fmt.Sprintf("upstream OpenAPI document %s not found; set %s to a copy of versions/caph/2025-08-23/openapi.yaml "+
		"from github.com/monimesl/monime-developer-apis, with versions/caph/2025-06-20/openapi.yaml next to it as %s",
		path, upstreamEnv, previousUpstream)
	if ci == "true" {
		return true, msg
	}
	return false, msg + " (skipped: the drift check is mandatory only when CI=true)"
}

// loadUpstream loads Monime's document at path. A missing file fails the
// test when CI=true and skips it otherwise.
func loadUpstream(t *testing.T, path string) *openapi3.T {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		fatal, msg := missingUpstream(path, os.Getenv("CI"))
		if fatal {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	require.NoError(t, err, "upstream document %s does not load", path)
	return doc
}

// driftReport compares upstream with ours through drift-allow.yaml and
// returns the unexplained differences and the stale allowlist entries.
func driftReport(t *testing.T, upstream, ours *openapi3.T) ([]difference, []allowEntry) {
	t.Helper()
	diffs := compareFlat(flattenDoc(t, upstream), flattenDoc(t, ours))
	return applyAllowlist(diffs, readAllowlist(t))
}

// differenceStrings renders differences as the messages tests print.
func differenceStrings(diffs []difference) []string {
	out := make([]string, len(diffs))
	for i, d := range diffs {
		out[i] = d.String()
	}
	return out
}

// Attribute names of a flattened location. presence is not stored: it is
// whether the location exists at all.
const (
	attrPresence = "presence"
	attrMethod   = "method"
	attrPath     = "path"
	attrRequired = "required"
)

// compared lists, in report order, every attribute the check knows, with
// how an absent value reads in a message.
var compared = []struct{ name, absent string }{
	{attrPresence, "absent"},
	{attrMethod, "<none>"},
	{attrPath, "<none>"},
	{attrRequired, "false"},
	{"type", "<none>"},
	{"format", "<none>"},
	{"nullable", "false"},
	{"readOnly", "false"},
	{"writeOnly", "false"},
	{"enum", "<none>"},
	{"default", "<none>"},
	{"pattern", "<none>"},
	{"minLength", "<none>"},
	{"maxLength", "<none>"},
	{"minItems", "<none>"},
	{"maxItems", "<none>"},
	{"uniqueItems", "false"},
	{"minimum", "<none>"},
	{"maximum", "<none>"},
	{"exclusiveMinimum", "false"},
	{"exclusiveMaximum", "false"},
	{"minProperties", "<none>"},
	{"maxProperties", "<none>"},
	{"additionalProperties", "true"},
	{"composition", "<none>"},
}

// parameterAttrs are the schema attributes compared for a parameter.
var parameterAttrs = map[string]bool{
	"type": true, "format": true, "pattern": true, "minLength": true, "maxLength": true,
	"enum": true, "minimum": true, "maximum": true, "default": true,
}

// maxDepth is how many levels below an operation's request or response the
// flattening descends. Recursive schemas (the ownership chain) are cut here,
// at the same depth in both documents; the deepest non-recursive location
// (ListCheckoutSessions.response.result[].lineItems.data[].price.currency)
// is 7 levels down.
const maxDepth = 8

// node is one flattened location.
type node struct {
	// parent is the key of the enclosing location, "" for an operation.
	parent string
	// attrs maps attribute names to normalised values; an absent attribute
	// is left out rather than stored as its zero value.
	attrs map[string]string
}

// flatDoc maps location keys to their flattened description.
type flatDoc map[string]node

// flattenDoc flattens the driftOperations of doc, failing the test on
// shapes the flattening cannot compare.
func flattenDoc(t *testing.T, doc *openapi3.T) flatDoc {
	t.Helper()
	f := &flattener{out: flatDoc{}}
	for _, id := range driftOperations {
		f.operation(doc, id)
	}
	for _, e := range f.errs {
		t.Error(e)
	}
	return f.out
}

// flattener accumulates the flattened locations of one document.
type flattener struct {
	out  flatDoc
	errs []string
}

// operation flattens the operation with the given id: method and path, its
// parameters, its JSON request body, its declared response codes and its
// JSON 200 response body. An absent operation leaves no location.
func (f *flattener) operation(doc *openapi3.T, id string) {
	for _, path := range sortedKeys(doc.Paths.Map()) {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			if op.OperationID != id {
				continue
			}
			f.out[id] = node{attrs: map[string]string{attrMethod: method, attrPath: path}}
			params := map[string]*openapi3.Parameter{}
			for _, list := range []openapi3.Parameters{item.Parameters, op.Parameters} {
				for _, p := range list {
					in := p.Value.In
					name := p.Value.Name
					if in == openapi3.ParameterInHeader {
						name = textproto.CanonicalMIMEHeaderKey(name)
					}
					params[id+".param."+in+"."+name] = p.Value
				}
			}
			for key, p := range params {
				f.parameter(key, id, p)
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					required := rb.Value.Required
					f.schema(id+".request", id, mt.Schema, &required, 0, nil)
				}
			}
			for code, r := range op.Responses.Map() {
				key := id + ".responses." + code
				f.out[key] = node{parent: id, attrs: map[string]string{}}
				if code != "200" || r.Value == nil {
					continue
				}
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					f.schema(id+".response", key, mt.Schema, nil, 0, nil)
				}
			}
			return
		}
	}
}

// parameter flattens one parameter: whether it is required and the
// parameterAttrs of its schema.
func (f *flattener) parameter(key, parent string, p *openapi3.Parameter) {
	attrs := map[string]string{}
	if p.Required {
		attrs[attrRequired] = "true"
	}
	if p.Schema != nil && p.Schema.Value != nil {
		for k, v := range schemaAttrs(p.Schema.Value) {
			if parameterAttrs[k] {
				attrs[k] = v
			}
		}
	}
	f.out[key] = node{parent: parent, attrs: attrs}
}

// schema flattens ref at key and everything below it: properties as
// key.name, array items as key[]. required is nil where required-ness does
// not apply (array items, the response body). stack holds the schemas
// being flattened above key, to tell recursion from mere depth.
func (f *flattener) schema(key, parent string, ref *openapi3.SchemaRef, required *bool, depth int, stack []*openapi3.Schema) {
	if ref == nil || ref.Value == nil {
		f.errs = append(f.errs, key+": unresolved schema")
		return
	}
	orig := ref.Value
	s := merged(orig)
	attrs := schemaAttrs(s)
	if required != nil && *required {
		attrs[attrRequired] = "true"
	}
	f.out[key] = node{parent: parent, attrs: attrs}
	if depth == maxDepth {
		if !containsSchema(stack, orig) && (len(s.Properties) > 0 || s.Items != nil) {
			f.errs = append(f.errs, fmt.Sprintf("%s: nested more than %d levels deep without recursion; raise maxDepth", key, maxDepth))
		}
		return
	}
	stack = append(stack, orig)
	for _, name := range sortedKeys(s.Properties) {
		req := contains(s.Required, name)
		f.schema(key+"."+name, key, s.Properties[name], &req, depth+1, stack)
	}
	if s.Items != nil {
		f.schema(key+"[]", key, s.Items, nil, depth+1, stack)
	}
}

// merged folds allOf and a single-branch oneOf or anyOf into one schema:
// the branches' constraints plus those of the schema itself (its
// "siblings"), so that upstream's line item (a oneOf with one branch and a
// sibling type property) compares field by field with a flat object. A
// oneOf or anyOf with several branches is left as it is.
func merged(s *openapi3.Schema) *openapi3.Schema {
	if len(s.OneOf) > 1 || len(s.AnyOf) > 1 || len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) == 0 {
		return s
	}
	out := *s
	out.OneOf, out.AnyOf, out.AllOf = nil, nil, nil
	var branches openapi3.SchemaRefs
	branches = append(branches, s.OneOf...)
	branches = append(branches, s.AnyOf...)
	branches = append(branches, s.AllOf...)
	m := &out
	for _, b := range branches {
		if b.Value != nil {
			m = fill(merged(b.Value), m)
		}
	}
	return m
}

// fill returns a copy of dst with every constraint dst leaves unset taken
// from src; properties present in both are filled the same way and the
// required lists are joined.
func fill(dst, src *openapi3.Schema) *openapi3.Schema {
	out := *dst
	if out.Type == nil {
		out.Type = src.Type
	}
	if out.Format == "" {
		out.Format = src.Format
	}
	if out.Enum == nil {
		out.Enum = src.Enum
	}
	if out.Default == nil {
		out.Default = src.Default
	}
	out.Nullable = out.Nullable || src.Nullable
	out.ReadOnly = out.ReadOnly || src.ReadOnly
	out.WriteOnly = out.WriteOnly || src.WriteOnly
	out.UniqueItems = out.UniqueItems || src.UniqueItems
	if out.Pattern == "" {
		out.Pattern = src.Pattern
	}
	if out.MinLength == 0 {
		out.MinLength = src.MinLength
	}
	if out.MaxLength == nil {
		out.MaxLength = src.MaxLength
	}
	if out.MinItems == 0 {
		out.MinItems = src.MinItems
	}
	if out.MaxItems == nil {
		out.MaxItems = src.MaxItems
	}
	if out.Min == nil {
		out.Min = src.Min
	}
	if out.Max == nil {
		out.Max = src.Max
	}
	if !out.ExclusiveMin.IsSet() {
		out.ExclusiveMin = src.ExclusiveMin
	}
	if !out.ExclusiveMax.IsSet() {
		out.ExclusiveMax = src.ExclusiveMax
	}
	if out.MinProps == 0 {
		out.MinProps = src.MinProps
	}
	if out.MaxProps == nil {
		out.MaxProps = src.MaxProps
	}
	if out.AdditionalProperties.Has == nil && out.AdditionalProperties.Schema == nil {
		out.AdditionalProperties = src.AdditionalProperties
	}
	switch {
	case out.Items == nil:
		out.Items = src.Items
	case src.Items != nil && out.Items.Value != nil && src.Items.Value != nil:
		out.Items = &openapi3.SchemaRef{Value: fill(out.Items.Value, src.Items.Value)}
	}
	if len(src.Properties) > 0 {
		props := openapi3.Schemas{}
		for name, p := range out.Properties {
			props[name] = p
		}
		for name, p := range src.Properties {
			if have, ok := props[name]; ok && have.Value != nil && p.Value != nil {
				props[name] = &openapi3.SchemaRef{Value: fill(have.Value, p.Value)}
			} else if !ok {
				props[name] = p
			}
		}
		out.Properties = props
	}
	for _, r := range src.Required {
		if !contains(out.Required, r) {
			out.Required = append(append([]string(nil), out.Required...), r)
		}
	}
	return &out
}

// schemaAttrs normalises the constraints of one schema, leaving out those
// that are unset. Upstream's non-standard format url is read as uri, the
// standard name for the same thing, so that it compares equal.
func schemaAttrs(s *openapi3.Schema) map[string]string {
	a := map[string]string{}
	set := func(name, value string) {
		if value != "" {
			a[name] = value
		}
	}
	flag := func(name string, on bool) {
		if on {
			a[name] = "true"
		}
	}
	set("type", strings.Join(s.Type.Slice(), ","))
	if s.Format == "url" {
		set("format", "uri")
	} else {
		set("format", s.Format)
	}
	flag("nullable", s.Nullable)
	flag("readOnly", s.ReadOnly)
	flag("writeOnly", s.WriteOnly)
	if len(s.Enum) > 0 {
		values := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			values[i] = fmt.Sprint(v)
		}
		sort.Strings(values)
		set("enum", strings.Join(values, ","))
	}
	if s.Default != nil {
		b, _ := json.Marshal(s.Default)
		set("default", string(b))
	}
	set("pattern", s.Pattern)
	if s.MinLength > 0 {
		set("minLength", strconv.FormatUint(s.MinLength, 10))
	}
	if s.MaxLength != nil {
		set("maxLength", strconv.FormatUint(*s.MaxLength, 10))
	}
	if s.MinItems > 0 {
		set("minItems", strconv.FormatUint(s.MinItems, 10))
	}
	if s.MaxItems != nil {
		set("maxItems", strconv.FormatUint(*s.MaxItems, 10))
	}
	flag("uniqueItems", s.UniqueItems)
	if s.Min != nil {
		set("minimum", strconv.FormatFloat(*s.Min, 'g', -1, 64))
	}
	if s.Max != nil {
		set("maximum", strconv.FormatFloat(*s.Max, 'g', -1, 64))
	}
	flag("exclusiveMinimum", s.ExclusiveMin.IsTrue())
	flag("exclusiveMaximum", s.ExclusiveMax.IsTrue())
	if s.MinProps > 0 {
		set("minProperties", strconv.FormatUint(s.MinProps, 10))
	}
	if s.MaxProps != nil {
		set("maxProperties", strconv.FormatUint(*s.MaxProps, 10))
	}
	switch ap := s.AdditionalProperties; {
	case ap.Schema != nil && ap.Schema.Value != nil:
		set("additionalProperties", "{"+summary(schemaAttrs(ap.Schema.Value))+"}")
	case ap.Has != nil && !*ap.Has:
		set("additionalProperties", "false")
	}
	if n := len(s.OneOf) + len(s.AnyOf); n > 1 {
		set("composition", fmt.Sprintf("oneOf/anyOf of %d", n))
	}
	return a
}

// summary renders attributes as sorted name=value pairs.
func summary(attrs map[string]string) string {
	parts := make([]string, 0, len(attrs))
	for _, k := range sortedKeys(attrs) {
		parts = append(parts, k+"="+attrs[k])
	}
	return strings.Join(parts, " ")
}

// difference is one attribute of one location that upstream and spec/
// disagree on.
type difference struct {
	Key, Attr, Upstream, Spec string
}

// String names the location, the attribute, upstream's value and ours,
// e.g. "CreateCheckoutSession.request.name: maxLength upstream=150 spec=140".
func (d difference) String() string {
	return fmt.Sprintf("%s: %s upstream=%s spec=%s", d.Key, d.Attr, shown(d.Attr, d.Upstream), shown(d.Attr, d.Spec))
}

// shown spells an attribute value, or what its absence means.
func shown(attr, value string) string {
	if value != "" {
		return value
	}
	for _, c := range compared {
		if c.name == attr {
			return c.absent
		}
	}
	return "<none>"
}

// compareFlat lists the differences between two flattened documents,
// sorted by location and then attribute. A location missing on one side is
// one presence difference; locations under it are not repeated.
func compareFlat(upstream, ours flatDoc) []difference {
	keys := map[string]bool{}
	for k := range upstream {
		keys[k] = true
	}
	for k := range ours {
		keys[k] = true
	}
	var diffs []difference
	for _, key := range sortedKeys(keys) {
		up, inUp := upstream[key]
		sp, inSpec := ours[key]
		switch {
		case inUp && !inSpec:
			if _, parentThere := ours[up.parent]; up.parent == "" || parentThere {
				diffs = append(diffs, difference{key, attrPresence, "present", ""})
			}
		case inSpec && !inUp:
			if _, parentThere := upstream[sp.parent]; sp.parent == "" || parentThere {
				diffs = append(diffs, difference{key, attrPresence, "", "present"})
			}
		default:
			for _, c := range compared {
				if u, s := up.attrs[c.name], sp.attrs[c.name]; u != s {
					diffs = append(diffs, difference{key, c.name, u, s})
				}
			}
		}
	}
	return diffs
}

// allowEntry is one deliberate difference from drift-allow.yaml.
type allowEntry struct {
	// Key is a location, exactly, or a pattern in which * stands for any
	// run of characters (dots and brackets included).
	Key string `yaml:"key"`
	// Attribute is the attribute that differs, e.g. maxLength or presence.
	Attribute string `yaml:"attribute"`
	// Reason says why spec/ deliberately differs from upstream.
	Reason string `yaml:"reason"`
}

// readAllowlist reads and parses drift-allow.yaml next to this test.
func readAllowlist(t *testing.T) []allowEntry {
	t.Helper()
	data, err := os.ReadFile(allowlistFile)
	require.NoError(t, err)
	entries, err := parseAllowlist(data)
	require.NoError(t, err, allowlistFile)
	return entries
}

// parseAllowlist decodes an allowlist, rejecting unknown fields, unknown
// attributes and entries without a key or a reason.
func parseAllowlist(data []byte) ([]allowEntry, error) {
	var file struct {
		Allow []allowEntry `yaml:"allow"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range compared {
		known[c.name] = true
	}
	for i, e := range file.Allow {
		switch {
		case strings.TrimSpace(e.Key) == "":
			return nil, fmt.Errorf("entry %d: no key", i+1)
		case !known[e.Attribute]:
			return nil, fmt.Errorf("entry %d (%s): unknown attribute %q", i+1, e.Key, e.Attribute)
		case strings.TrimSpace(e.Reason) == "":
			return nil, fmt.Errorf("entry %d (%s %s): no reason", i+1, e.Key, e.Attribute)
		}
	}
	return file.Allow, nil
}

// applyAllowlist splits diffs into those no entry explains and reports the
// entries that explain none of them.
func applyAllowlist(diffs []difference, allow []allowEntry) (unexplained []difference, stale []allowEntry) {
	used := make([]bool, len(allow))
	for _, d := range diffs {
		explained := false
		for i, e := range allow {
			if e.Attribute == d.Attr && globMatch(e.Key, d.Key) {
				used[i], explained = true, true
			}
		}
		if !explained {
			unexplained = append(unexplained, d)
		}
	}
	for i, e := range allow {
		if !used[i] {
			stale = append(stale, e)
		}
	}
	return unexplained, stale
}

// globMatch reports whether key matches pattern, in which * matches any
// run of characters and everything else matches itself.
func globMatch(pattern, key string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == key
	}
	if !strings.HasPrefix(key, parts[0]) {
		return false
	}
	key = key[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(key, p)
		if i < 0 {
			return false
		}
		key = key[i+len(p):]
	}
	return len(key) >= len(last) && strings.HasSuffix(key, last)
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// containsSchema reports whether stack holds s.
func containsSchema(stack []*openapi3.Schema, s *openapi3.Schema) bool {
	for _, v := range stack {
		if v == s {
			return true
		}
	}
	return false
}

// TestSpecCoversEveryUpstreamOperation holds spec/ to the whole of
// Monime's current document: the same operations, by id, method and path,
// and every one of them compared by the drift check.
func TestSpecCoversEveryUpstreamOperation(t *testing.T) {
	ops := func(doc *openapi3.T) map[string]string {
		out := map[string]string{}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				out[op.OperationID] = method + " " + path
			}
		}
		return out
	}
	upstream := ops(loadUpstream(t, upstreamPath(t)))
	ours := ops(loadSpec(t, spec.YAML))
	assert.Len(t, upstream, 46, "caph.2025-08-23 publishes 46 operations")
	assert.Equal(t, upstream, ours, "spec/ has exactly upstream's operations, at the same method and path")
	assert.ElementsMatch(t, slices.Collect(maps.Keys(upstream)), driftOperations, "the drift check compares every operation")
}
