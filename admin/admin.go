// Package admin is Eddy's admin HTTP API, served on its own listener
// (`eddy serve --admin-listen`, default 127.0.0.1:4568), apart from the
// Kinesis API:
//
//	GET    /metrics                    Prometheus text format (see engine's metrics.go)
//	GET    /health                     200 "ok" while the process serves (liveness)
//	GET    /ready                      200 "ready" when every region's engine (Kinesis and DynamoDB) is open; 503 and why otherwise
//	GET    /faults                     a region's fault injection rules: {"region":"us-east-1","rules":[...]}
//	PUT    /faults                     replace them: {"rules":[{"stream":"orders","operation":"PutRecords","throttleRate":0.1,"seed":1}]}
//	DELETE /faults                     remove them all
//	POST   /streams/{name}/purge       drop every record a region's stream holds now
//
// Faults and streams belong to a region, as on Kinesis: the endpoints about
// them take ?region=eu-central-1, and without it mean the default region
// (`eddy serve --region`). PUT and purge open a region not used before;
// GET and DELETE of a region not used yet find no rules.
//
// Errors are JSON in the Kinesis API's shape, {"__type":"...","message":"..."}:
// 400 for a bad request (an invalid region name too), 404 for an unknown
// stream or path, 405 for a wrong method, 503 when the engine is closed. A
// refused request changes nothing.
package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/metrics/metricshttp"
)

// maxBody bounds admin request bodies.
const maxBody = 1 << 20

// Handler returns the admin API over the engines of regions, with metrics
// from reg. ready are more readiness checks for /ready (the other
// services', such as DynamoDB's regions).
func Handler(regions *kinesis.Regions, reg *metrics.Registry, ready ...func() error) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metricshttp.Handler(reg))
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		err := regions.Ready()
		for _, check := range ready {
			if err == nil {
				err = check()
			}
		}
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, err.Error()+"\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.HandleFunc("GET /faults", func(w http.ResponseWriter, r *http.Request) {
		region, eng, ok := lookup(w, r, regions, false)
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, faultsOut{Region: region, Rules: faultsOf(eng)})
	})
	mux.HandleFunc("PUT /faults", func(w http.ResponseWriter, r *http.Request) {
		var doc faultsDoc
		if err := decode(r, &doc); err != nil {
			writeError(w, http.StatusBadRequest, eddy.CodeInvalidArgument, err.Error())
			return
		}
		for i := range doc.Rules {
			if err := doc.Rules[i].Validate(); err != nil {
				writeError(w, http.StatusBadRequest, eddy.CodeInvalidArgument, err.Error())
				return
			}
		}
		region, eng, ok := lookup(w, r, regions, true)
		if !ok {
			return
		}
		if err := eng.SetFaults(doc.Rules); err != nil {
			writeError(w, http.StatusBadRequest, eddy.CodeInvalidArgument, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, faultsOut{Region: region, Rules: eng.Faults()})
	})
	mux.HandleFunc("DELETE /faults", func(w http.ResponseWriter, r *http.Request) {
		region, eng, ok := lookup(w, r, regions, false)
		if !ok {
			return
		}
		if eng != nil {
			eng.SetFaults(nil)
		}
		writeJSON(w, http.StatusOK, faultsOut{Region: region, Rules: faultsOf(eng)})
	})
	mux.HandleFunc("POST /streams/{name}/purge", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		region, eng, ok := lookup(w, r, regions, true)
		if !ok {
			return
		}
		if err := eng.PurgeStream(r.Context(), name); err != nil {
			var ee *eddy.Error
			switch {
			case errors.As(err, &ee) && ee.Code == eddy.CodeResourceNotFound:
				writeError(w, http.StatusNotFound, ee.Code, ee.Message)
			case errors.As(err, &ee):
				writeError(w, http.StatusBadRequest, ee.Code, ee.Message)
			default:
				writeError(w, http.StatusInternalServerError, eddy.CodeInternalFailure, err.Error())
			}
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"region": region, "stream": name, "status": "purged"})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The mux answers unknown paths and wrong methods in plain text;
		// answer them in JSON like everything else.
		h, pattern := mux.Handler(r)
		if pattern == "" {
			rec := &statusRecorder{header: http.Header{}}
			h.ServeHTTP(rec, r)
			if rec.status == http.StatusMethodNotAllowed {
				w.Header().Set("Allow", rec.header.Get("Allow"))
				writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method+" is not allowed on "+r.URL.Path)
				return
			}
			writeError(w, http.StatusNotFound, "NotFound", "no admin endpoint "+r.URL.Path)
			return
		}
		mux.ServeHTTP(w, r) // sets the path values
	})
}

// faultsDoc is the body of PUT /faults.
type faultsDoc struct {
	Rules []kinesis.FaultRule `json:"rules"`
}

// faultsOut is the answer of the /faults endpoints.
type faultsOut struct {
	Region string              `json:"region"`
	Rules  []kinesis.FaultRule `json:"rules"`
}

// lookup returns the region a request names (?region=, else the default
// region) and its engine: made if create is set, else nil for a region
// not used yet. It answers the request itself and returns false when the
// region name is invalid or its engine cannot be had.
func lookup(w http.ResponseWriter, r *http.Request, regions *kinesis.Regions, create bool) (string, *kinesis.Engine, bool) {
	region := r.URL.Query().Get("region")
	if region == "" {
		region = regions.DefaultRegion()
	}
	if !eddy.ValidRegion(region) {
		writeError(w, http.StatusBadRequest, eddy.CodeInvalidArgument,
			fmt.Sprintf("region %q: want lowercase letters, digits and hyphens, like us-east-1", region))
		return "", nil, false
	}
	if !create {
		return region, regions.Lookup(region), true
	}
	eng, err := regions.Get(region)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, eddy.CodeInternalFailure, err.Error())
		return "", nil, false
	}
	return region, eng, true
}

// faultsOf returns eng's rules; none for no engine.
func faultsOf(eng *kinesis.Engine) []kinesis.FaultRule {
	if eng == nil {
		return []kinesis.FaultRule{}
	}
	return eng.Faults()
}

func decode(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return err
	}
	if len(b) > maxBody {
		return errors.New("request body too large")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New("bad JSON: " + err.Error())
	}
	if dec.More() {
		return errors.New("bad JSON: more than one value")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"__type": code, "message": msg})
}

// statusRecorder captures what the mux's not-found or not-allowed handler
// would have answered.
type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header         { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *statusRecorder) WriteHeader(status int)      { r.status = status }
