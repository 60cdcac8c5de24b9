package spec_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/spec"
)

// loadSpec parses a fresh copy of spec/monime.yaml (or of a mutated text of
// it) with every $ref resolved. Each call returns an independent document,
// so tests may mutate what they get.
func loadSpec(t *testing.T, text []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(text)
	require.NoError(t, err, "spec/monime.yaml does not load")
	return doc
}

// TestSpecIsValidOpenAPI runs kin-openapi's own validation of the whole
// document, which includes checking media-type and parameter examples.
func TestSpecIsValidOpenAPI(t *testing.T) {
	doc := loadSpec(t, spec.YAML)
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation())
	require.NoError(t, err, "spec/monime.yaml is not a valid OpenAPI 3.0.3 document")
}

// TestSpecValidationRejectsBadExample proves the validation above can fail:
// the same document with a page size above the limit of 50 as the example
// of the limit parameter is rejected.
func TestSpecValidationRejectsBadExample(t *testing.T) {
	const good, bad = "      example: 50\n", "      example: 500\n"
	require.Equal(t, 1, strings.Count(string(spec.YAML), good), "the limit example moved; update this test")
	doc := loadSpec(t, []byte(strings.Replace(string(spec.YAML), good, bad, 1)))
	err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "maximum")
}

// TestEveryExampleMatchesItsSchema checks every example in the document
// one by one and names each one that does not match its schema.
func TestEveryExampleMatchesItsSchema(t *testing.T) {
	doc := loadSpec(t, spec.YAML)
	for _, p := range checkExamples(doc) {
		t.Error(p)
	}
}

// TestEveryOperationHasIDAndExamples checks that each operation can be
// named by generated code and is illustrated on both sides of the wire.
func TestEveryOperationHasIDAndExamples(t *testing.T) {
	doc := loadSpec(t, spec.YAML)
	want := []string{
		"CreateCheckoutSession", "CreateFinancialAccount", "CreateInternalTransfer", "CreatePaymentCode",
		"CreatePayout", "CreateUSSDOTP", "CreateWebhook", "DeleteCheckoutSession", "DeleteInternalTransfer",
		"DeletePaymentCode", "DeletePayout", "DeleteUSSDOTP", "DeleteWebhook", "GetBank", "GetCheckoutSession",
		"GetCountry", "GetFinancialAccount", "GetInternalTransfer", "GetMomo", "GetPayment", "GetPaymentCode",
		"GetPayout", "GetProviderKYC", "GetTransaction", "GetUSSDOTP", "GetWebhook", "ListBanks",
		"ListCheckoutSessions", "ListCountries", "ListFinancialAccounts", "ListFinancialTransactions",
		"ListInternalTransfers", "ListMomos", "ListPaymentCodes", "ListPayments", "ListPayouts", "ListUSSDOTPs",
		"ListWebhooks", "PatchInternalTransfer", "RedeemReceipt", "RetrieveReceipt", "UpdateFinancialAccount",
		"UpdatePayment", "UpdatePaymentCode", "UpdatePayout", "UpdateWebhook"}
	var got []string
	for _, op := range operations(doc) {
		got = append(got, op.op.OperationID)
	}
	sort.Strings(got)
	assert.Equal(t, want, got, "the document should hold exactly the operations the client covers")
	for _, p := range checkOperations(doc) {
		t.Error(p)
	}
}

// TestExampleCheckerReportsBadExamples mutates copies of the document and
// asserts that the checker names each broken example by its location.
func TestExampleCheckerReportsBadExamples(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, doc *openapi3.T)
		want   []string
	}{
		{
			name: "parameter example above maximum",
			mutate: func(t *testing.T, doc *openapi3.T) {
				doc.Components.Parameters["Limit"].Value.Example = 500.0
			},
			want: []string{"components.parameters.Limit.example: "},
		},
		{
			name: "space id example breaks the pattern",
			mutate: func(t *testing.T, doc *openapi3.T) {
				doc.Components.Parameters["MonimeSpaceId"].Value.Example = "space-1"
			},
			want: []string{"components.parameters.MonimeSpaceId.example: "},
		},
		{
			name: "shared response example with an unknown status",
			mutate: func(t *testing.T, doc *openapi3.T) {
				result := exampleObject(t, doc.Components.Examples["SessionEnvelope"].Value.Value, "result")
				result["status"] = "paid"
			},
			want: []string{
				"CreateCheckoutSession.responses.200.content.application/json.examples.created ($ref #/components/examples/SessionEnvelope): ",
				"GetCheckoutSession.responses.200.content.application/json.examples.found ($ref #/components/examples/SessionEnvelope): ",
			},
		},
		{
			name: "request example with an unknown field",
			mutate: func(t *testing.T, doc *openapi3.T) {
				body := doc.Paths.Find("/v1/checkout-sessions").Post.RequestBody.Value
				value := body.Content["application/json"].Examples["order"].Value.Value
				exampleObject(t, value, "")["totalAmount"] = 30000.0
			},
			want: []string{"CreateCheckoutSession.requestBody.content.application/json.examples.order: "},
		},
		{
			name: "request example with a relative success URL",
			mutate: func(t *testing.T, doc *openapi3.T) {
				body := doc.Paths.Find("/v1/checkout-sessions").Post.RequestBody.Value
				value := body.Content["application/json"].Examples["order"].Value.Value
				exampleObject(t, value, "")["successUrl"] = "/ok"
			},
			want: []string{"CreateCheckoutSession.requestBody.content.application/json.examples.order: "},
		},
		{
			name: "error example missing its reason",
			mutate: func(t *testing.T, doc *openapi3.T) {
				value := doc.Components.Responses["NotFound"].Value.Content["application/json"].Example
				delete(exampleObject(t, value, "error"), "reason")
			},
			want: []string{"components.responses.NotFound.content.application/json.example: "},
		},
		{
			name: "request example carrying a read-only line item id",
			mutate: func(t *testing.T, doc *openapi3.T) {
				// LineItemInput has no id; give the request the response
				// schema's read-only one to prove direction is honoured.
				body := doc.Paths.Find("/v1/checkout-sessions").Post.RequestBody.Value
				schema := body.Content["application/json"].Schema.Value
				schema.Properties["lineItems"].Value.Items = doc.Components.Schemas["LineItem"]
				value := body.Content["application/json"].Examples["order"].Value.Value
				items := exampleObject(t, value, "")["lineItems"].([]any)
				line := items[0].(map[string]any)
				line["id"] = "sli-1"
			},
			want: []string{"CreateCheckoutSession.requestBody.content.application/json.examples.order: "},
		},
		{
			name: "component example that nothing uses",
			mutate: func(t *testing.T, doc *openapi3.T) {
				doc.Components.Examples["Orphan"] = &openapi3.ExampleRef{Value: openapi3.NewExample(map[string]any{"success": true})}
			},
			want: []string{"components.examples.Orphan: "},
		},
		{
			name: "schema example of the wrong type",
			mutate: func(t *testing.T, doc *openapi3.T) {
				doc.Components.Schemas["Money"].Value.Properties["value"].Value.Example = "15000"
			},
			want: []string{"components.schemas.Money.properties.value.example: "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := loadSpec(t, spec.YAML)
			tt.mutate(t, doc)
			problems := checkExamples(doc)
			t.Logf("reported:\n%s", strings.Join(problems, "\n"))
			for _, w := range tt.want {
				assert.True(t, hasPrefixIn(problems, w), "no problem reported at %q; got:\n%s", w, strings.Join(problems, "\n"))
			}
			assert.Len(t, problems, len(tt.want), "unexpected problems:\n%s", strings.Join(problems, "\n"))
		})
	}
}

// TestOperationCheckerReportsGaps mutates copies of the document and
// asserts that missing operation ids and examples are named.
func TestOperationCheckerReportsGaps(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(doc *openapi3.T)
		want   string
	}{
		{
			name:   "no operationId",
			mutate: func(doc *openapi3.T) { doc.Paths.Find("/v1/checkout-sessions").Get.OperationID = "" },
			want:   "GET /v1/checkout-sessions: no operationId",
		},
		{
			name: "no request body example",
			mutate: func(doc *openapi3.T) {
				mt := doc.Paths.Find("/v1/checkout-sessions").Post.RequestBody.Value.Content["application/json"]
				mt.Examples, mt.Example = nil, nil
			},
			want: "CreateCheckoutSession: no request example",
		},
		{
			name: "no parameter example",
			mutate: func(doc *openapi3.T) {
				for _, p := range doc.Paths.Find("/v1/checkout-sessions/{id}").Get.Parameters {
					p.Value.Example, p.Value.Examples = nil, nil
				}
			},
			// The parameters are shared components, so Delete loses its
			// examples too.
			want: "GetCheckoutSession: no request example",
		},
		{
			name: "no 200 example",
			mutate: func(doc *openapi3.T) {
				ok := doc.Paths.Find("/v1/checkout-sessions/{id}").Delete.Responses.Status(200).Value
				ok.Content["application/json"].Examples = nil
			},
			want: "DeleteCheckoutSession: no 200 response example",
		},
		{
			name: "no 200 response",
			mutate: func(doc *openapi3.T) {
				doc.Paths.Find("/v1/checkout-sessions/{id}").Delete.Responses.Delete("200")
			},
			want: "DeleteCheckoutSession: no 200 response example",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := loadSpec(t, spec.YAML)
			tt.mutate(doc)
			problems := checkOperations(doc)
			assert.Contains(t, problems, tt.want)
		})
	}
}

// hasPrefixIn reports whether one of the problems starts with prefix.
func hasPrefixIn(problems []string, prefix string) bool {
	for _, p := range problems {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// exampleObject returns the JSON object at key of an example value (the
// value itself for an empty key), failing the test if it is not one.
func exampleObject(t *testing.T, value any, key string) map[string]any {
	t.Helper()
	obj, ok := value.(map[string]any)
	require.True(t, ok, "example is a %T, not an object", value)
	if key == "" {
		return obj
	}
	inner, ok := obj[key].(map[string]any)
	require.True(t, ok, "example field %q is a %T, not an object", key, obj[key])
	return inner
}

// direction says which side of the wire an example stands for, which
// decides how readOnly and writeOnly properties are treated.
type direction int

const (
	neither direction = iota
	request
	response
)

// exampleChecker collects every example that does not match its schema.
type exampleChecker struct {
	problems []string
	// usedExamples holds each components.examples name some example $ref
	// points at; the others are checked against no schema, so they are
	// reported.
	usedExamples map[string]bool
	// seenSchemas stops the schema walk from visiting a schema twice.
	seenSchemas map[*openapi3.Schema]bool
}

// checkExamples validates every example in doc against its schema:
// parameter and header examples, media-type example and examples (inline
// or $ref'd from components.examples) and schema-level example values. A
// problem starts with the location of the example, then says what is wrong.
// Components referenced by an operation are checked once, where they are
// written.
func checkExamples(doc *openapi3.T) []string {
	c := &exampleChecker{usedExamples: map[string]bool{}, seenSchemas: map[*openapi3.Schema]bool{}}
	comps := doc.Components
	if comps != nil {
		for _, name := range sortedKeys(comps.Schemas) {
			c.schema("components.schemas."+name, comps.Schemas[name], true)
		}
		for _, name := range sortedKeys(comps.Parameters) {
			c.parameter("components.parameters."+name, comps.Parameters[name].Value, request)
		}
		for _, name := range sortedKeys(comps.Headers) {
			c.parameter("components.headers."+name, &comps.Headers[name].Value.Parameter, response)
		}
		for _, name := range sortedKeys(comps.RequestBodies) {
			c.content("components.requestBodies."+name+".content", comps.RequestBodies[name].Value.Content, request)
		}
		for _, name := range sortedKeys(comps.Responses) {
			c.response("components.responses."+name, comps.Responses[name].Value)
		}
	}
	for _, o := range operations(doc) {
		loc := o.name()
		for _, p := range o.op.Parameters {
			if p.Ref == "" {
				c.parameter(loc+".parameters."+p.Value.In+"."+p.Value.Name, p.Value, request)
			}
		}
		if rb := o.op.RequestBody; rb != nil && rb.Ref == "" {
			c.content(loc+".requestBody.content", rb.Value.Content, request)
		}
		if o.op.Responses != nil {
			for _, code := range sortedKeys(o.op.Responses.Map()) {
				if r := o.op.Responses.Value(code); r.Ref == "" {
					c.response(loc+".responses."+code, r.Value)
				}
			}
		}
	}
	if comps != nil {
		for _, name := range sortedKeys(comps.Examples) {
			if !c.usedExamples[name] {
				c.report("components.examples."+name, errors.New("no media type, parameter or header uses it, so no schema checks it"))
			}
		}
	}
	return c.problems
}

// report records one problem at loc.
func (c *exampleChecker) report(loc string, err error) {
	c.problems = append(c.problems, fmt.Sprintf("%s: %v", loc, err))
}

// parameter checks the examples of a parameter or header.
func (c *exampleChecker) parameter(loc string, p *openapi3.Parameter, dir direction) {
	if p.Schema != nil {
		c.schema(loc+".schema", p.Schema, false)
		c.values(loc, p.Example, p.Examples, p.Schema.Value, dir)
	}
	c.content(loc+".content", p.Content, dir)
}

// response checks the examples of a response's headers and bodies.
func (c *exampleChecker) response(loc string, r *openapi3.Response) {
	for _, name := range sortedKeys(r.Headers) {
		if h := r.Headers[name]; h.Ref == "" {
			c.parameter(loc+".headers."+name, &h.Value.Parameter, response)
		}
	}
	c.content(loc+".content", r.Content, response)
}

// content checks the example and examples of each media type.
func (c *exampleChecker) content(loc string, content openapi3.Content, dir direction) {
	for _, mime := range sortedKeys(content) {
		mt := content[mime]
		if mt.Schema == nil {
			if mt.Example != nil || len(mt.Examples) > 0 {
				c.report(loc+"."+mime, errors.New("examples without a schema to check them against"))
			}
			continue
		}
		c.schema(loc+"."+mime+".schema", mt.Schema, false)
		c.values(loc+"."+mime, mt.Example, mt.Examples, mt.Schema.Value, dir)
	}
}

// values checks a single example and a map of named examples against s.
func (c *exampleChecker) values(loc string, example any, examples openapi3.Examples, s *openapi3.Schema, dir direction) {
	if example != nil {
		if err := validateExample(example, s, dir); err != nil {
			c.report(loc+".example", err)
		}
	}
	for _, name := range sortedKeys(examples) {
		ref := examples[name]
		where := loc + ".examples." + name
		if ref.Ref != "" {
			where += " ($ref " + ref.Ref + ")"
			c.usedExamples[strings.TrimPrefix(ref.Ref, "#/components/examples/")] = true
		}
		switch {
		case ref.Value == nil:
			c.report(where, errors.New("unresolved example"))
		case ref.Value.ExternalValue != "":
			c.report(where, errors.New("externalValue examples cannot be checked; inline the value"))
		default:
			if err := validateExample(ref.Value.Value, s, dir); err != nil {
				c.report(where, err)
			}
		}
	}
}

// schema checks the example keyword of ref and of every schema below it.
// A $ref to a component schema is not followed: checkExamples walks every
// component schema itself, so each is checked once and named by where it
// is written. Pass root for the component itself.
func (c *exampleChecker) schema(loc string, ref *openapi3.SchemaRef, root bool) {
	if ref == nil || ref.Value == nil || (ref.Ref != "" && !root) || c.seenSchemas[ref.Value] {
		return
	}
	s := ref.Value
	c.seenSchemas[s] = true
	if s.Example != nil {
		if err := validateExample(s.Example, s, neither); err != nil {
			c.report(loc+".example", err)
		}
	}
	for _, name := range sortedKeys(s.Properties) {
		c.schema(loc+".properties."+name, s.Properties[name], false)
	}
	c.schema(loc+".items", s.Items, false)
	c.schema(loc+".additionalProperties", s.AdditionalProperties.Schema, false)
	for _, group := range []struct {
		kind string
		refs openapi3.SchemaRefs
	}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
		for i, r := range group.refs {
			c.schema(fmt.Sprintf("%s.%s[%d]", loc, group.kind, i), r, false)
		}
	}
	c.schema(loc+".not", s.Not, false)
}

// validateExample checks one example value against s. Besides the formats
// kin-openapi knows (date-time, int64, ...), it checks format uri as an
// absolute URL, since every uri in this API is one.
func validateExample(value any, s *openapi3.Schema, dir direction) error {
	opts := []openapi3.SchemaValidationOption{
		openapi3.MultiErrors(),
		openapi3.DisableSchemaErrorDetails(),
		openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(checkAbsoluteURL)),
	}
	switch dir {
	case request:
		opts = append(opts, openapi3.VisitAsRequest())
	case response:
		opts = append(opts, openapi3.VisitAsResponse())
	}
	return s.VisitJSON(value, opts...)
}

// checkAbsoluteURL accepts a URL with a scheme and a host.
func checkAbsoluteURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	return nil
}

// checkOperations checks that every operation has an operationId, at least
// one request example (a body example, or parameter examples when there is
// no body) and at least one example of its 200 response.
func checkOperations(doc *openapi3.T) []string {
	var problems []string
	for _, o := range operations(doc) {
		name := o.name()
		if o.op.OperationID == "" {
			problems = append(problems, name+": no operationId")
		}
		if !hasRequestExample(o.op) {
			problems = append(problems, name+": no request example")
		}
		ok := o.op.Responses.Status(200)
		if ok == nil || ok.Value == nil || !hasContentExample(ok.Value.Content) {
			problems = append(problems, name+": no 200 response example")
		}
	}
	return problems
}

// hasRequestExample reports whether op shows what a request looks like.
func hasRequestExample(op *openapi3.Operation) bool {
	if op.RequestBody != nil {
		return op.RequestBody.Value != nil && hasContentExample(op.RequestBody.Value.Content)
	}
	for _, p := range op.Parameters {
		if p.Value != nil && (p.Value.Example != nil || len(p.Value.Examples) > 0 || hasContentExample(p.Value.Content)) {
			return true
		}
	}
	return false
}

// hasContentExample reports whether some media type carries an example.
func hasContentExample(content openapi3.Content) bool {
	for _, mt := range content {
		if mt.Example != nil || len(mt.Examples) > 0 {
			return true
		}
	}
	return false
}

// operation is one operation with the method and path it answers.
type operation struct {
	method, path string
	op           *openapi3.Operation
}

// name is how problems refer to the operation: its id, or its method and
// path when it has none.
func (o operation) name() string {
	if o.op.OperationID != "" {
		return o.op.OperationID
	}
	return o.method + " " + o.path
}

// operations lists the operations of doc in a stable order (by path, then
// method).
func operations(doc *openapi3.T) []operation {
	if doc.Paths == nil {
		return nil
	}
	var ops []operation
	for _, path := range sortedKeys(doc.Paths.Map()) {
		byMethod := doc.Paths.Value(path).Operations()
		for _, method := range sortedKeys(byMethod) {
			ops = append(ops, operation{method: method, path: path, op: byMethod[method]})
		}
	}
	return ops
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
