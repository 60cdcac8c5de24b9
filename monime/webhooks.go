package monime

import (
	"context"
	"errors"
	"iter"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/monimekit/monime-go/gen"
)

// WebhooksService registers the endpoints Monime POSTs events to. It is
// the API side; package monime/webhook verifies and reads what arrives.
// Reach it as Client.Webhooks.
type WebhooksService service

var webhooks = resource[webhookJSON, Webhook, *webhookJSON]{
	name: "Webhooks", what: "webhook", path: "/v1/webhooks", idPrefix: "whk-",
	id: func(w *Webhook) string { return w.ID },
}

// Create registers an endpoint (CreateWebhook, POST /v1/webhooks), with
// one Idempotency-Key for all its attempts. Deliveries carry objects of
// the caph API release and, with a Secret, are signed HS256 with it:
// verify them with package monime/webhook and the same secret.
func (s *WebhooksService) Create(ctx context.Context, params *WebhookCreateParams, opts ...CallOption) (*Webhook, error) {
	return webhooks.create(ctx, clientOf(s), params, func(server string) (*http.Request, error) {
		p := params
		body := gen.CreateWebhookRequest{Name: p.Name, Url: p.URL, ApiRelease: gen.CreateWebhookRequestApiReleaseCaph,
			Events: p.Events, Enabled: p.Enabled, Headers: sentMap(p.Headers), AlertEmails: sentList(p.AlertEmails),
			Metadata: sentMetadata(p.Metadata)}
		if p.Secret != "" {
			body.VerificationMethod = new(gen.WebhookVerification)
			if err := body.VerificationMethod.FromHS256Verification(gen.HS256Verification{Type: gen.HS256VerificationTypeHS256, Secret: p.Secret}); err != nil {
				return nil, err
			}
		}
		return gen.NewCreateWebhookRequest(server, nil, body)
	}, opts)
}

// Get returns the webhook id (GetWebhook, GET /v1/webhooks/{id}). An
// unknown id is an error matching ErrNotFound.
func (s *WebhooksService) Get(ctx context.Context, id string, opts ...CallOption) (*Webhook, error) {
	return webhooks.get(ctx, clientOf(s), id, nil, func(server string) (*http.Request, error) {
		return gen.NewGetWebhookRequest(server, id, nil)
	}, opts)
}

// List returns one page of the space's webhooks, newest first; params may
// be nil (ListWebhooks, GET /v1/webhooks). Follow Page.Next, or use All.
func (s *WebhooksService) List(ctx context.Context, params *WebhookListParams, opts ...CallOption) (*Page[Webhook], error) {
	p := valueOr(params)
	return webhooks.list(ctx, clientOf(s), &p, func(server string) (*http.Request, error) {
		return gen.NewListWebhooksRequest(server, &gen.ListWebhooksParams{Limit: positive(&p.Limit), After: optional(&p.After)})
	}, opts)
}

// All iterates over every webhook, newest first, fetching pages as the
// loop needs them; see CheckoutSessionsService.All.
func (s *WebhooksService) All(ctx context.Context, params *WebhookListParams, opts ...CallOption) iter.Seq2[*Webhook, error] {
	p := valueOr(params)
	return webhooks.all(&p.After, func() (*Page[Webhook], error) { return s.List(ctx, &p, opts...) })
}

// Update changes a webhook (UpdateWebhook, PATCH /v1/webhooks/{id}): what
// params leaves zero stays as it is. It returns the webhook as it now is,
// and is retried as PaymentsService.Update is.
func (s *WebhooksService) Update(ctx context.Context, id string, params *WebhookUpdateParams, opts ...CallOption) (*Webhook, error) {
	p := valueOr(params)
	return webhooks.update(ctx, clientOf(s), id, &p, func(server string) (*http.Request, error) {
		return gen.NewUpdateWebhookRequest(server, id, nil, gen.UpdateWebhookRequest{Name: optional(&p.Name), Url: optional(&p.URL),
			Enabled: p.Enabled, Events: sentList(p.Events), Headers: sentMap(p.Headers), AlertEmails: sentList(p.AlertEmails),
			Metadata: sentMetadata(p.Metadata)})
	}, opts)
}

// Delete removes a webhook (DeleteWebhook, DELETE /v1/webhooks/{id});
// nothing more is delivered to it. A 404 after an earlier attempt's answer
// was lost means that attempt deleted it, and Delete returns nil.
func (s *WebhooksService) Delete(ctx context.Context, id string, opts ...CallOption) error {
	return webhooks.delete(ctx, clientOf(s), id, func(server string) (*http.Request, error) {
		return gen.NewDeleteWebhookRequest(server, id, nil)
	}, opts)
}

// How a webhook's deliveries are signed (Webhook.VerificationType).
const (
	WebhookHS256 = "HS256" // HMAC-SHA256 with the shared Secret
	WebhookES256 = "ES256" // ECDSA P-256; Monime keeps the private key
)

// Webhook is an endpoint Monime POSTs events to.
type Webhook struct {
	// ID is Monime's id for the webhook, whk-...
	ID string `json:"id"`
	// Name labels it.
	Name string `json:"name"`
	// URL is where events are POSTed.
	URL string `json:"url"`
	// Enabled is whether events are delivered.
	Enabled bool `json:"enabled"`
	// Events are the names of the events delivered, such as
	// checkout_session.completed.
	Events []string `json:"events"`
	// APIRelease is the API release whose objects the events carry, such as
	// caph.
	APIRelease string `json:"apiRelease"`
	// VerificationType is how deliveries are signed: WebhookHS256 or
	// WebhookES256; empty when Monime did not say.
	VerificationType string `json:"verificationType,omitempty"`
	// Secret is the HS256 secret, as Monime returns it.
	Secret string `json:"secret,omitempty"`
	// PublicKey is the ES256 public key.
	PublicKey string `json:"publicKey,omitempty"`
	// Headers are sent with every delivery.
	Headers map[string]string `json:"headers"`
	// AlertEmails are told of repeated delivery failures.
	AlertEmails []string `json:"alertEmails"`
	// CreateTime is when it was created.
	CreateTime time.Time `json:"createTime"`
	// UpdateTime is when it last changed; zero when Monime did not say.
	UpdateTime time.Time `json:"updateTime"`
	// Metadata are your own key-value pairs.
	Metadata Metadata `json:"metadata"`
}

// WebhookCreateParams is an endpoint to register: Name, URL and Events are
// required; Secret is how to verify its deliveries.
type WebhookCreateParams struct {
	// Name labels it: 1 to 100 characters.
	Name string
	// URL is where events are POSTed: an absolute http or https URL of at
	// most 255 characters.
	URL string
	// Events are the names of the events to deliver: 1 to 100, each once.
	Events []string
	// Secret signs deliveries HS256: 32 to 256 characters. Empty sends no
	// verification method, leaving it to Monime.
	Secret string
	// Headers are sent with every delivery: at most 10.
	Headers map[string]string
	// AlertEmails are told of repeated delivery failures: at most 2, each
	// once.
	AlertEmails []string
	// Enabled says whether events are delivered; nil for Monime's default,
	// true.
	Enabled *bool
	// Metadata are your own key-value pairs (see Metadata for the rules).
	Metadata Metadata
}

// WebhookListParams pages a space's webhooks.
type WebhookListParams struct {
	// Limit is the page size, 1 to 50; 0 lets Monime choose (10).
	Limit int
	// After is the Next cursor of the previous page; empty for the first.
	After string
}

// WebhookUpdateParams is what Update changes: zero fields are not sent
// and stay as they are; a non-nil list, map or Metadata is sent whole.
type WebhookUpdateParams struct {
	// Name is a new label: 1 to 100 characters.
	Name string
	// URL is a new endpoint: absolute http or https, at most 255 characters.
	URL string
	// Enabled turns deliveries on or off.
	Enabled *bool
	// Events replaces the events delivered: 1 to 100, each once.
	Events []string
	// Headers replaces the headers sent: at most 10.
	Headers map[string]string
	// AlertEmails replaces the addresses told of failures: at most 2.
	AlertEmails []string
	// Metadata, when not nil, replaces the webhook's metadata.
	Metadata Metadata
}

// The limits Monime's document sets on a webhook.
const (
	maxWebhookNameLen = 100
	maxWebhookURLLen  = 255
	maxWebhookEvents  = 100
	maxWebhookHeaders = 10
	maxAlertEmails    = 2
	minSecretLen      = 32
	maxSecretLen      = 256
)

// Validate checks p against Monime's limits.
func (p *WebhookCreateParams) Validate() error { return validate("Webhooks.Create", p, APIVersion) }

func (p *WebhookCreateParams) check(ps *problems, _ string) {
	ps.text(field("name"), p.Name, maxWebhookNameLen, true)
	checkWebhookURL(ps, p.URL, true)
	if p.Events == nil {
		ps.add(field("events"), "required; list the event names to deliver, such as checkout_session.completed")
	}
	checkWebhookFields(ps, p.Events, p.Headers, p.AlertEmails, p.Metadata)
	if f := field("verificationMethod.secret"); ps.text(f, p.Secret, maxSecretLen, false) && p.Secret != "" &&
		utf8.RuneCountInString(p.Secret) < minSecretLen {
		ps.add(f, "is %d characters long; want %d to %d (a random one: 32 bytes, hex-encoded)", utf8.RuneCountInString(p.Secret), minSecretLen, maxSecretLen)
	}
}

// Validate checks the page size and cursor.
func (p *WebhookListParams) Validate() error { return validate("Webhooks.List", p, APIVersion) }

func (p *WebhookListParams) check(ps *problems, _ string) { checkPage(ps, p.Limit, p.After) }

// Validate checks p against Monime's limits, and that it changes something.
func (p *WebhookUpdateParams) Validate() error { return validate("Webhooks.Update", p, APIVersion) }

func (p *WebhookUpdateParams) check(ps *problems, _ string) {
	if p.Name == "" && p.URL == "" && p.Enabled == nil && p.Events == nil && p.Headers == nil && p.AlertEmails == nil && p.Metadata == nil {
		ps.add(field("params"), "nothing to update; set Name, URL, Enabled, Events, Headers, AlertEmails or Metadata")
	}
	ps.text(field("name"), p.Name, maxWebhookNameLen, false)
	checkWebhookURL(ps, p.URL, false)
	checkWebhookFields(ps, p.Events, p.Headers, p.AlertEmails, p.Metadata)
}

// checkWebhookURL checks an endpoint: absolute http or https.
func checkWebhookURL(ps *problems, s string, required bool) {
	f := field("url")
	if !ps.text(f, s, maxWebhookURLLen, required) || s == "" {
		return
	}
	if u, err := url.Parse(s); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		ps.add(f, "%q is not an absolute http or https URL; want one such as https://shop.example/monime", excerpt([]byte(s), 40))
	}
}

// checkWebhookFields checks what a create and an update share.
func checkWebhookFields(ps *problems, events []string, headers map[string]string, emails []string, m Metadata) {
	checkList(ps, "events", events, 1, maxWebhookEvents, func(f fieldPath, v string) { ps.text(f, v, math.MaxInt, true) })
	if len(headers) > maxWebhookHeaders {
		ps.add(field("headers"), "has %d headers; at most %d allowed", len(headers), maxWebhookHeaders)
	}
	var found problems // sorted, as map order is random
	for k, v := range headers {
		if k == "" {
			found.add(field("headers"), "has a header without a name; name every header")
			continue
		}
		f := fieldPath{"headers.", -1, excerpt([]byte(k), 40)}
		found.text(f, k, math.MaxInt, false)
		found.text(f, v, math.MaxInt, false)
	}
	slices.SortStableFunc(found, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	*ps = append(*ps, found...)
	checkList(ps, "alertEmails", emails, 0, maxAlertEmails, func(f fieldPath, v string) { ps.text(f, v, math.MaxInt, true) })
	validateMetadata(ps, m)
}

// sentList is nil for a nil list, which is left out; any other is sent.
func sentList(list []string) *[]string {
	if list == nil {
		return nil
	}
	return &list
}

// sentMap is nil for a nil map, which is left out; any other is sent.
func sentMap(m map[string]string) *map[string]string {
	if m == nil {
		return nil
	}
	return &m
}

// webhookJSON is a webhook as Monime sends it: how it is signed nested.
type webhookJSON struct {
	Webhook
	ID                 string `json:"id" decode:"strict"`
	VerificationMethod *struct {
		Type      string `json:"type"`
		Secret    string `json:"secret"`
		PublicKey string `json:"publicKey"`
	} `json:"verificationMethod"`
}

// public checks the id.
func (w *webhookJSON) public() (*Webhook, error) {
	if w.ID == "" {
		return nil, errors.New("the id is missing")
	}
	h := &w.Webhook
	h.ID, h.VerificationType, h.Secret, h.PublicKey = w.ID, "", "", ""
	if v := w.VerificationMethod; v != nil {
		h.VerificationType, h.Secret, h.PublicKey = v.Type, v.Secret, v.PublicKey
	}
	return h, nil
}
