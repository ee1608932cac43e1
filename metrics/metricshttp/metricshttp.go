// Package metricshttp serves a metrics.Registry over HTTP. It is apart from
// package metrics so that packages which only record metrics (the engine)
// do not import net/http.
//
//	http.Handle("/metrics", metricshttp.Handler(reg))
package metricshttp

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/eddy-streams/eddy/metrics"
)

// Handler returns an http.Handler that serves r's text exposition with
// Content-Type metrics.ContentType to GET and HEAD requests. Other methods
// get 405; an invalid sample from a Collect callback gets 500 with the
// error.
func Handler(r *metrics.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		bp := bufPool.Get().(*[]byte)
		defer putBuf(bp)
		b, err := r.AppendText((*bp)[:0])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		*bp = b
		h := w.Header()
		h.Set("Content-Type", metrics.ContentType)
		h.Set("Content-Length", strconv.Itoa(len(b)))
		if req.Method == http.MethodHead {
			return
		}
		w.Write(b) // the client has gone if this fails; nothing to do
	})
}

// bufPool holds exposition buffers between scrapes; buffers above
// maxPooledBuf are left to the garbage collector.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBuf = 4 << 20

func putBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledBuf {
		bufPool.Put(bp)
	}
}
