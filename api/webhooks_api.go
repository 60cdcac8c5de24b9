package api

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/monimekit/monime-go/gen"
	"github.com/monimekit/monime-go/gen/server"
)

// WebhookEndpoint is one webhook created through the API (POST
// /v1/webhooks): what the read API returns for it, with its HS256 secret
// in verificationMethod. The fake delivers to it the events of its space
// that its events name, as it does to a receiver of AddWebhook (see
// Server.AddWebhook), with its headers added, while it is enabled. Find
// and FindAll return snapshots of it; SaveState writes it as it is.
type WebhookEndpoint struct {
	Stored
	// Webhook is what GetWebhook answers.
	gen.Webhook `json:"view"`
}

func (w *WebhookEndpoint) recordID() string { return w.Id }

// Secret is the HS256 secret the endpoint's deliveries are signed with
// (verificationMethod.secret), or "" when it has none, which a stored
// endpoint never lacks.
func (w *WebhookEndpoint) Secret() string {
	if w.VerificationMethod == nil {
		return ""
	}
	v, err := w.VerificationMethod.AsHS256Verification()
	if err != nil || v.Type != gen.HS256VerificationTypeHS256 {
		return ""
	}
	return v.Secret
}

// The limits of a webhook, as Monime's document gives them.
const (
	webhookSecretMin   = 32
	webhookSecretMax   = 256
	webhookMaxEvents   = 100
	webhookMaxHeaders  = 10
	webhookMaxEmails   = 2
	webhookMaxNameLen  = 100
	webhookMaxURLLen   = 255
	webhookIDPrefix    = "whk-"
	generatedSecretLen = 64 // what a create without verificationMethod gets
	objectTypeWebhook  = "webhook"
	webhookEndpointsTb = "webhookEndpoints"
)

// eventNameShape is what an event name of a webhook must look like:
// "<object type>.<what happened>", as every name Monime documents.
var eventNameShape = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)

// reservedWebhookHeaders are the headers a webhook's own headers may not
// name: those the fake sets on every delivery, and those of the HTTP
// connection itself. Every name starting with Monime- is reserved too.
var reservedWebhookHeaders = []string{
	"Content-Type", "Content-Length", "Content-Encoding", "User-Agent", "Host",
	"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Te", "Trailer", "Upgrade", "Expect",
}

// checkWebhookEvents says what is wrong with the events of a webhook.
func checkWebhookEvents(events []string) []gen.ErrorDetail {
	var problems []gen.ErrorDetail
	if len(events) < 1 || len(events) > webhookMaxEvents {
		problems = append(problems, detail("events", fmt.Sprintf("must name 1 to %d events, got %d", webhookMaxEvents, len(events))))
	}
	for i, name := range events {
		field := fmt.Sprintf("events[%d]", i)
		switch {
		case !eventNameShape.MatchString(name):
			problems = append(problems, detail(field, fmt.Sprintf("%q is not an event name such as checkout_session.completed (<object type>.<what happened>, lower case)", name)))
		case slices.Index(events, name) < i:
			problems = append(problems, detail(field, fmt.Sprintf("%q is named twice", name)))
		}
	}
	return problems
}

// checkWebhookHeaders says what is wrong with the custom headers of a
// webhook.
func checkWebhookHeaders(headers map[string]string) []gen.ErrorDetail {
	var problems []gen.ErrorDetail
	if len(headers) > webhookMaxHeaders {
		problems = append(problems, detail("headers", fmt.Sprintf("may hold at most %d headers, got %d", webhookMaxHeaders, len(headers))))
	}
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		field := "headers." + name
		canonical := http.CanonicalHeaderKey(name)
		switch {
		case !validHeaderName(name):
			problems = append(problems, detail(field, "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"))
		case slices.ContainsFunc(reservedWebhookHeaders, func(r string) bool { return strings.EqualFold(r, name) }),
			strings.HasPrefix(strings.ToLower(name), "monime-"):
			problems = append(problems, detail(field, fmt.Sprintf("%s is set by the fake on every delivery (or by HTTP itself), so a webhook may not set it; Content-Type, User-Agent, Monime-* and connection headers are reserved", canonical)))
		case strings.ContainsAny(headers[name], "\r\n\x00"):
			problems = append(problems, detail(field, "its value may not hold a line break or NUL"))
		}
	}
	return problems
}

// validHeaderName reports whether name is an HTTP token (RFC 9110).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", c):
		default:
			return false
		}
	}
	return true
}

// checkAlertEmails says what is wrong with the alert emails of a webhook.
func checkAlertEmails(emails []string) []gen.ErrorDetail {
	var problems []gen.ErrorDetail
	if len(emails) > webhookMaxEmails {
		problems = append(problems, detail("alertEmails", fmt.Sprintf("may hold at most %d addresses, got %d", webhookMaxEmails, len(emails))))
	}
	for i, e := range emails {
		field := fmt.Sprintf("alertEmails[%d]", i)
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			problems = append(problems, detail(field, "is not an email address such as ops@shop.example"))
		} else if slices.Index(emails, e) < i {
			problems = append(problems, detail(field, "is named twice"))
		}
	}
	return problems
}

// checkWebhookName says what is wrong with the name of a webhook.
func checkWebhookName(name string) []gen.ErrorDetail {
	if n := len([]rune(name)); n < 1 || n > webhookMaxNameLen {
		return []gen.ErrorDetail{detail("name", fmt.Sprintf("must be 1 to %d characters", webhookMaxNameLen))}
	}
	return nil
}

// checkWebhookURL says what is wrong with the URL of a webhook: it must
// be absolute http or https, at most 255 characters, and not where the
// fake itself is served (WithOwnAddress).
func (s *Server) checkWebhookURL(raw string) []gen.ErrorDetail {
	if problem := webURLProblem(raw); problem != "" {
		return []gen.ErrorDetail{detail("url", "the URL "+problem+"; pass the absolute http or https URL of the receiver")}
	}
	if len(raw) > webhookMaxURLLen {
		return []gen.ErrorDetail{detail("url", fmt.Sprintf("must be at most %d characters", webhookMaxURLLen))}
	}
	if at, own := pointsAtOwn(raw, s.webhooks.own); own {
		return []gen.ErrorDetail{detail("url", ownURLError(at).Error())}
	}
	return nil
}

// checkAPIRelease refuses every release but caph: the fake's events carry
// caph objects only.
func checkAPIRelease(release string) []gen.ErrorDetail {
	if release == string(gen.CreateWebhookRequestApiReleaseCaph) {
		return nil
	}
	return []gen.ErrorDetail{detail("apiRelease", fmt.Sprintf("the fake's events carry caph objects only (apiVersion %s), so it cannot deliver %q ones; use caph", webhookAPIVersion, release))}
}

// webhookSecret reads the verification method of a create: HS256 with a
// secret of 32 to 256 characters, or none, which gets a generated HS256
// secret. ES256 is refused.
func webhookSecret(v *gen.WebhookVerification) (string, []gen.ErrorDetail) {
	if v == nil {
		return "whsec_" + randomText(idAlphabet, generatedSecretLen-len("whsec_")), nil
	}
	kind, err := v.Discriminator()
	if err != nil {
		return "", []gen.ErrorDetail{detail("verificationMethod", "does not decode: "+err.Error())}
	}
	switch kind {
	case string(gen.HS256VerificationTypeHS256):
		h, err := v.AsHS256Verification()
		if err != nil {
			return "", []gen.ErrorDetail{detail("verificationMethod", "does not decode: "+err.Error())}
		}
		if n := len([]rune(h.Secret)); n < webhookSecretMin || n > webhookSecretMax {
			return "", []gen.ErrorDetail{detail("verificationMethod.secret", fmt.Sprintf("must be %d to %d characters, got %d", webhookSecretMin, webhookSecretMax, n))}
		}
		return h.Secret, nil
	case string(gen.ES256VerificationTypeES256):
		return "", []gen.ErrorDetail{detail("verificationMethod.type", "ES256 delivery is not documented by Monime, so the fake cannot sign that way; use HS256")}
	}
	return "", []gen.ErrorDetail{detail("verificationMethod.type", fmt.Sprintf("%q is neither HS256 nor ES256; use HS256", kind))}
}

// hs256 is the verification method of secret.
func hs256(secret string) *gen.WebhookVerification {
	v := &gen.WebhookVerification{}
	_ = v.FromHS256Verification(gen.HS256Verification{Type: gen.HS256VerificationTypeHS256, Secret: secret}) // always encodes
	return v
}

// target is the endpoint as the dispatcher delivers to it.
func (w *WebhookEndpoint) target() webhookTarget {
	t := webhookTarget{id: w.Id, space: w.SpaceID, url: w.Url, secret: w.Secret()}
	if w.Events != nil {
		t.events = slices.Clone(*w.Events)
	}
	if w.Headers != nil {
		t.headers = maps.Clone(*w.Headers)
	}
	return t
}

// storedSpace is the space of a stored object, whether the value or a
// pointer to it is at hand (event records are values).
func (s Stored) storedSpace() string { return s.SpaceID }

// spaceOf is the space of an event's record, or "".
func spaceOf(record any) string {
	if r, ok := record.(interface{ storedSpace() string }); ok {
		return r.storedSpace()
	}
	return ""
}

// endpointsFor lists the enabled API webhooks of the space of ev that
// subscribed to its name, as they are now: the ones the event goes to.
// Call it with mu held.
func (st *store) endpointsFor(ev event) []webhookTarget {
	if !slices.Contains(webhookEvents, ev.name) {
		return nil
	}
	space := spaceOf(ev.record)
	if space == "" {
		return nil
	}
	var out []webhookTarget
	for _, w := range st.endpoints.bySpace[space] {
		if w.Enabled && w.Events != nil && slices.Contains(*w.Events, ev.name) {
			out = append(out, w.target())
		}
	}
	return out
}

// endpointLive reports whether the API webhook t is still there, enabled,
// with the same URL and secret: whether a retry may still go to it.
func (s *Server) endpointLive(t webhookTarget) bool {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	w, ok := st.endpoints.get(t.space, t.id)
	return ok && w.Enabled && w.Url == t.url && w.Secret() == t.secret
}

// endpointTargets lists the enabled API webhooks of every space, oldest
// first.
func (s *Server) endpointTargets() []webhookTarget {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []webhookTarget
	for _, w := range st.endpoints.all("") {
		if w.Enabled {
			out = append(out, w.target())
		}
	}
	return out
}

// emitWebhook queues webhook.<what> for w; Monime documents no webhook
// events, so only the fake's own hooks see it. Call it with mu held.
func (st *store) emitWebhook(w *WebhookEndpoint, what string, now time.Time) {
	snap := *w
	st.emit(event{name: objectTypeWebhook + "." + what, at: now, objectType: objectTypeWebhook, objectID: w.Id, data: snap.Webhook, record: snap})
}

// checkEndpoint checks a stored API webhook the way a create checks what
// arrives (but for the fake's own address, which may differ after a
// restart).
func checkEndpoint(w *WebhookEndpoint) []error {
	var problems []error
	var details []gen.ErrorDetail
	details = append(details, checkWebhookName(w.Name)...)
	if p := webURLProblem(w.Url); p != "" {
		details = append(details, detail("url", "the URL "+p))
	}
	if w.Events == nil {
		details = append(details, detail("events", "is missing"))
	} else {
		details = append(details, checkWebhookEvents(*w.Events)...)
	}
	if w.Headers != nil {
		details = append(details, checkWebhookHeaders(*w.Headers)...)
	}
	if w.AlertEmails != nil {
		details = append(details, checkAlertEmails(*w.AlertEmails)...)
	}
	details = append(details, checkAPIRelease(w.ApiRelease)...)
	if n := len([]rune(w.Secret())); n < webhookSecretMin || n > webhookSecretMax {
		details = append(details, detail("verificationMethod", fmt.Sprintf("must be HS256 with a secret of %d to %d characters", webhookSecretMin, webhookSecretMax)))
	}
	if !strings.HasPrefix(w.Id, webhookIDPrefix) {
		details = append(details, detail("id", "does not start with "+webhookIDPrefix))
	}
	for _, d := range details {
		field := ""
		if d.Field != nil {
			field = *d.Field + " "
		}
		problems = append(problems, fmt.Errorf("%s: %s %s%s", webhookEndpointsTb, w.Id, field, *d.Message))
	}
	return problems
}

// ListWebhooks implements GET /v1/webhooks: the space's webhooks, newest
// first, limit 1 to 50 (default 10).
func (h *handlers) ListWebhooks(ctx context.Context, req server.ListWebhooksRequestObject) (server.ListWebhooksResponseObject, error) {
	info := infoFrom(ctx)
	space, p := req.Params.MonimeSpaceId, req.Params
	limit, after, e := pageRequest(space, p.Limit, p.After)
	if e != nil {
		return server.ListWebhooks400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	var views []gen.Webhook
	var pagination gen.Pagination
	h.s.store.within(func(time.Time) {
		page, last, more := h.s.store.endpoints.page(space, limit, after, nil)
		views = make([]gen.Webhook, len(page))
		for i, w := range page {
			views[i] = w.Webhook
		}
		pagination = pageInfo(space, len(page), last, more)
	})
	return server.ListWebhooks200JSONResponse{
		Body:    gen.WebhookListEnvelope{Success: true, Messages: &gen.Messages{}, Result: views, Pagination: pagination},
		Headers: server.ListWebhooks200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// CreateWebhook implements POST /v1/webhooks: an endpoint the space's
// events go to from now on (see WebhookEndpoint). Idempotency is handled
// around it (see Server.idempotent).
func (h *handlers) CreateWebhook(ctx context.Context, req server.CreateWebhookRequestObject) (server.CreateWebhookResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	body := req.Body
	if body == nil {
		e := validation([]gen.ErrorDetail{detail("", "a JSON request body is required")})
		return server.CreateWebhook400JSONResponse{BadRequestJSONResponse: e.badRequest(info.id)}, nil
	}
	var problems []gen.ErrorDetail
	problems = append(problems, checkWebhookName(body.Name)...)
	problems = append(problems, h.s.checkWebhookURL(body.Url)...)
	problems = append(problems, checkAPIRelease(string(body.ApiRelease))...)
	problems = append(problems, checkWebhookEvents(body.Events)...)
	if body.Headers != nil {
		problems = append(problems, checkWebhookHeaders(*body.Headers)...)
	}
	if body.AlertEmails != nil {
		problems = append(problems, checkAlertEmails(*body.AlertEmails)...)
	}
	problems = append(problems, checkMetadataKeys(body.Metadata)...)
	secret, secretProblems := webhookSecret(body.VerificationMethod)
	problems = append(problems, secretProblems...)
	if len(problems) > 0 {
		return server.CreateWebhook400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	enabled := body.Enabled == nil || *body.Enabled
	var view gen.Webhook
	st := h.s.store
	st.within(func(now time.Time) {
		w := &WebhookEndpoint{Stored: Stored{Seq: st.next(), SpaceID: space}, Webhook: gen.Webhook{
			Id: newID(webhookIDPrefix, 14), Name: body.Name, Url: body.Url, Enabled: enabled,
			Events: valueOf(slices.Clone(body.Events)), ApiRelease: string(body.ApiRelease),
			Headers: cloneHeaders(body.Headers), AlertEmails: cloneStrings(body.AlertEmails),
			VerificationMethod: hs256(secret), Metadata: copyMetadata(body.Metadata), CreateTime: now,
		}}
		st.endpoints.insert(w)
		st.emitWebhook(w, "created", now)
		view = w.Webhook
	})
	return server.CreateWebhook200JSONResponse{
		Body:    gen.WebhookEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.CreateWebhook200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

func cloneHeaders(h *map[string]string) *map[string]string {
	if h == nil {
		return nil
	}
	m := maps.Clone(*h)
	if m == nil {
		m = map[string]string{}
	}
	return &m
}

func cloneStrings(s *[]string) *[]string {
	if s == nil {
		return nil
	}
	out := append([]string{}, *s...)
	return &out
}

// GetWebhook implements GET /v1/webhooks/{id}.
func (h *handlers) GetWebhook(ctx context.Context, req server.GetWebhookRequestObject) (server.GetWebhookResponseObject, error) {
	info := infoFrom(ctx)
	view, e := lookup(h.s.store, h.s.store.endpoints, "webhook", req.Params.MonimeSpaceId, req.Id,
		func(w *WebhookEndpoint) gen.Webhook { return w.Webhook })
	if e != nil {
		return server.GetWebhook404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.GetWebhook200JSONResponse{
		Body:    gen.WebhookEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.GetWebhook200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// UpdateWebhook implements PATCH /v1/webhooks/{id}: a member the body
// leaves out, or sends as null, stays as it was; headers, events,
// alertEmails and metadata, when sent, replace the old ones whole. The
// change applies to the events that happen after it; updateTime becomes
// now.
func (h *handlers) UpdateWebhook(ctx context.Context, req server.UpdateWebhookRequestObject) (server.UpdateWebhookResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	body := req.Body
	if body == nil {
		body = &gen.UpdateWebhookRequest{}
	}
	var problems []gen.ErrorDetail
	if body.Name != nil {
		problems = append(problems, checkWebhookName(*body.Name)...)
	}
	if body.Url != nil {
		problems = append(problems, h.s.checkWebhookURL(*body.Url)...)
	}
	if body.ApiRelease != nil {
		problems = append(problems, checkAPIRelease(string(*body.ApiRelease))...)
	}
	if body.Events != nil {
		problems = append(problems, checkWebhookEvents(*body.Events)...)
	}
	if body.Headers != nil {
		problems = append(problems, checkWebhookHeaders(*body.Headers)...)
	}
	if body.AlertEmails != nil {
		problems = append(problems, checkAlertEmails(*body.AlertEmails)...)
	}
	problems = append(problems, checkMetadataKeys(body.Metadata)...)
	if len(problems) > 0 {
		return server.UpdateWebhook400JSONResponse{BadRequestJSONResponse: validation(problems).badRequest(info.id)}, nil
	}
	var view gen.Webhook
	var e *apiError
	st := h.s.store
	st.within(func(now time.Time) {
		w, ok := st.endpoints.get(space, req.Id)
		if !ok {
			e = notFound("webhook", req.Id, space)
			return
		}
		if body.Name != nil {
			w.Name = *body.Name
		}
		if body.Url != nil {
			w.Url = *body.Url
		}
		if body.Enabled != nil {
			w.Enabled = *body.Enabled
		}
		if body.ApiRelease != nil {
			w.ApiRelease = string(*body.ApiRelease)
		}
		if body.Events != nil {
			w.Events = valueOf(slices.Clone(*body.Events))
		}
		if body.Headers != nil {
			w.Headers = cloneHeaders(body.Headers)
		}
		if body.AlertEmails != nil {
			w.AlertEmails = cloneStrings(body.AlertEmails)
		}
		if body.Metadata != nil {
			w.Metadata = copyMetadata(body.Metadata)
		}
		w.UpdateTime = &now
		st.touched(w)
		st.emitWebhook(w, "updated", now)
		view = w.Webhook
	})
	if e != nil {
		return server.UpdateWebhook404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.UpdateWebhook200JSONResponse{
		Body:    gen.WebhookEnvelope{Success: true, Messages: &gen.Messages{}, Result: view},
		Headers: server.UpdateWebhook200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}

// DeleteWebhook implements DELETE /v1/webhooks/{id}: no event that
// happens after it goes to the endpoint, and pending retries to it are
// dropped at their next attempt; its delivery records stay.
func (h *handlers) DeleteWebhook(ctx context.Context, req server.DeleteWebhookRequestObject) (server.DeleteWebhookResponseObject, error) {
	info := infoFrom(ctx)
	space := req.Params.MonimeSpaceId
	var e *apiError
	st := h.s.store
	st.within(func(now time.Time) {
		w, ok := st.endpoints.get(space, req.Id)
		if !ok {
			e = notFound("webhook", req.Id, space)
			return
		}
		st.endpoints.remove(w)
		st.touched()
		st.emitWebhook(w, "deleted", now)
	})
	if e != nil {
		return server.DeleteWebhook404JSONResponse{NotFoundJSONResponse: e.notFound(info.id)}, nil
	}
	return server.DeleteWebhook200JSONResponse{
		Body:    gen.EmptyEnvelope{Success: true, Messages: &gen.Messages{}},
		Headers: server.DeleteWebhook200ResponseHeaders{MonimeRequestId: info.id},
	}, nil
}
