package main

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// adminCookie carries -admin-token for a browser on the dashboard, set
// from ?token= once.
const adminCookie = "monime_fake_admin"

// minAdminToken is the shortest -admin-token accepted.
const minAdminToken = 16

// isLoopbackHost reports whether host (a name or an IP, without port)
// can only be reached from this machine: localhost or a loopback IP.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// checkExposure refuses an -addr other machines can reach without
// -admin-token: the admin API wipes the state and the dashboard shows the
// access token, so neither may answer a stranger.
func (cfg *config) checkExposure() error {
	host, _, _ := net.SplitHostPort(cfg.addr) // checked before
	if cfg.adminToken != "" {
		if len(cfg.adminToken) < minAdminToken || strings.TrimSpace(cfg.adminToken) != cfg.adminToken {
			return usagef("-admin-token is shorter than %d characters or has white space at either end; pass a random one, such as the output of 'openssl rand -hex 16'", minAdminToken)
		}
		return nil
	}
	if !isLoopbackHost(host) {
		shown := host
		if shown == "" {
			shown = "every interface"
		}
		return usagef("-addr %s listens on %s, which other machines can reach, and the admin API (%s) and the dashboard would answer them unauthenticated; pass -admin-token with a random secret (such as the output of 'openssl rand -hex 16'), which they will then require, or listen on loopback only, such as -addr 127.0.0.1:8089", cfg.addr, shown, adminPrefix)
	}
	return nil
}

// guard protects the admin API and the dashboard, which can wipe the state
// and show the access token. Without -admin-token it answers only requests
// whose Host is the fake's address, localhost or a loopback IP: a page on
// another site that gets its name resolved to 127.0.0.1 (DNS rebinding)
// sends its own name as Host and is refused. With -admin-token it requires
// the token instead: "Authorization: Bearer <token>" for the admin API,
// and for a browser a cookie that opening any dashboard page with
// ?token=<token> sets. The Monime API under /v1/ checks its own access
// token and is not guarded here.
func (a *app) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.adminToken == "" {
			if !a.hostAllowed(r.Host) {
				a.refuse(w, r, http.StatusForbidden, "the Host header "+quoteHost(r.Host)+" is not this fake's address; the admin API and the dashboard answer only requests for localhost or a loopback address (so that a web page cannot reach them by DNS rebinding). Open them at "+a.base+"/, or, to serve other machines, start monime-fake with -admin-token")
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if q := r.URL.Query(); q.Has("token") && r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, adminPrefix) {
			if !a.adminTokenOK(q.Get("token")) {
				a.refuse(w, r, http.StatusUnauthorized, "the token in ?token= is not this fake's -admin-token; open the dashboard with ?token=<the -admin-token monime-fake was started with>")
				return
			}
			// Remembered in a cookie, and taken out of the address bar.
			http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: q.Get("token"), Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			q.Del("token")
			u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
			http.Redirect(w, r, u.String(), http.StatusSeeOther)
			return
		}
		if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && a.adminTokenOK(strings.TrimSpace(token)) {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(adminCookie); err == nil && a.adminTokenOK(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		a.refuse(w, r, http.StatusUnauthorized, "this fake was started with -admin-token, which the admin API and the dashboard require; send 'Authorization: Bearer <admin token>', or open the dashboard once with ?token=<admin token> in a browser")
	})
}

// adminTokenOK compares in constant time.
func (a *app) adminTokenOK(token string) bool {
	return subtle.ConstantTimeCompare([]byte(token), []byte(a.cfg.adminToken)) == 1
}

// hostAllowed reports whether a Host header names this fake on loopback.
// Without -admin-token the fake listens on loopback only (checkExposure),
// so its own address is one of these.
func (a *app) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return isLoopbackHost(host)
}

// refuse answers a guarded request the guard turned away: JSON in the
// admin API's error shape, plain text for the dashboard.
func (a *app) refuse(w http.ResponseWriter, r *http.Request, status int, message string) {
	a.log.Warn("monime-fake: request refused", "method", r.Method, "path", r.URL.Path, "host", r.Host, "status", status)
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		code := "forbidden"
		if status == http.StatusUnauthorized {
			code = "unauthorized"
		}
		writeError(w, status, code, message)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, message, status)
}

// quoteHost quotes a Host header for a message, shortened if long.
func quoteHost(h string) string {
	if len(h) > 100 {
		h = h[:100] + "..."
	}
	return "\"" + strings.ToValidUTF8(h, "?") + "\""
}
