package metricshttp_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/metrics/metricshttp"
)

func TestHandler(t *testing.T) {
	r := metrics.NewRegistry()
	r.CounterVec("c_total", "C.", "x").With("y").Add(2)
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	want := buf.String()
	h := metricshttp.Handler(r)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != want {
		t.Errorf("GET: status %d body %q, want 200 %q", rec.Code, rec.Body.String(), want)
	}
	if metrics.ContentType != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("ContentType = %q", metrics.ContentType)
	}
	if ct := rec.Header().Get("Content-Type"); ct != metrics.ContentType {
		t.Errorf("GET: Content-Type %q, want %q", ct, metrics.ContentType)
	}
	if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(want)) {
		t.Errorf("GET: Content-Length %q, want %d", cl, len(want))
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/metrics", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != metrics.ContentType {
		t.Errorf("HEAD: status %d body %q content type %q", rec.Code, rec.Body.String(), rec.Header().Get("Content-Type"))
	}
	if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(want)) {
		t.Errorf("HEAD: Content-Length %q, want %d", cl, len(want))
	}

	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions, "BREW"} {
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(m, "/metrics", nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: status %d Allow %q, want 405 \"GET, HEAD\"", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
}

func TestHandlerBadCollector(t *testing.T) {
	r := metrics.NewRegistry()
	r.Collect("bad", "Bad.", "gauge", func(emit func(float64, ...string)) { emit(1, "odd") })
	rec := httptest.NewRecorder()
	metricshttp.Handler(r).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
}
