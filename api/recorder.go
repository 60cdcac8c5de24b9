package api

import (
	"bytes"
	"net/http"
)

// recorder buffers a whole response, so that the fake can validate it, keep
// it for idempotent replay, or throw it away (a dropped connection) before
// anything reaches the client.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder {
	return &recorder{header: make(http.Header)}
}

// Header implements http.ResponseWriter.
func (rec *recorder) Header() http.Header { return rec.header }

// WriteHeader implements http.ResponseWriter; the first status wins.
func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

// Write implements http.ResponseWriter.
func (rec *recorder) Write(p []byte) (int, error) {
	rec.WriteHeader(http.StatusOK)
	return rec.body.Write(p)
}

// reset forgets the body and status and every header but Monime-Request-Id,
// so another answer can take the place of the one recorded.
func (rec *recorder) reset() {
	id := rec.header.Get("Monime-Request-Id")
	clear(rec.header)
	if id != "" {
		rec.header.Set("Monime-Request-Id", id)
	}
	rec.status = 0
	rec.body.Reset()
}

// flush sends the recorded response to w.
func (rec *recorder) flush(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range rec.header {
		h[k] = v
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(rec.body.Bytes())
}
