package opensearch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeBulk is a FAKE of the OpenSearch / Elasticsearch _bulk API, for
// tests: no OpenSearch or Elasticsearch server is installable here (not in
// Debian's archive nor npm). It serves POST /_bulk on 127.0.0.1, parses
// the NDJSON strictly (an action line {"index":{...}} with _index, then a
// JSON object; the body must end with a newline, as OpenSearch requires),
// keeps the documents it indexed, and answers as OpenSearch does: HTTP 200
// with "errors" and one item per action, an item failing with the status
// and error fail chooses; a whole request fails with the status
// failRequest chooses.
type fakeBulk struct {
	*httptest.Server
	mu       sync.Mutex
	docs     map[string]map[string]json.RawMessage // index → id → source
	noID     map[string][]json.RawMessage          // index → sources indexed without an id
	types    map[string]string                     // index/id → _type
	requests [][]bulkLine
	// fail, when set, may fail an action: a status and an error type.
	fail func(index, id string, source []byte) (int, string)
	// failRequest, when set, may fail a whole request with a status.
	failRequest func(n int) int
}

// bulkLine is an action the fake received.
type bulkLine struct {
	Index, Type, ID string
	Source          string
}

func startFakeBulk(t *testing.T) *fakeBulk {
	f := &fakeBulk{docs: map[string]map[string]json.RawMessage{}, noID: map[string][]json.RawMessage{}, types: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeBulk) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/_bulk" {
		http.Error(w, `{"error":"no handler"}`, http.StatusNotFound)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" && ct != "application/json" {
		writeError(w, http.StatusNotAcceptable, "content_type", "Content-Type header ["+ct+"] is not supported")
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.requests)
	if f.failRequest != nil {
		if st := f.failRequest(n); st != 0 {
			f.requests = append(f.requests, nil)
			writeError(w, st, "fake_failure", "the fake failed the request")
			return
		}
	}
	if len(body) == 0 || body[len(body)-1] != '\n' {
		writeError(w, http.StatusBadRequest, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]")
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var lines []bulkLine
	type item struct {
		Index  string          `json:"_index"`
		ID     string          `json:"_id,omitempty"`
		Status int             `json:"status"`
		Error  json.RawMessage `json:"error,omitempty"`
	}
	var items []map[string]item
	errs := false
	for sc.Scan() {
		var act map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &act); err != nil || len(act) != 1 || act["index"] == nil {
			writeError(w, http.StatusBadRequest, "illegal_argument_exception", fmt.Sprintf("Malformed action/metadata line: %q", sc.Text()))
			return
		}
		var meta map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(act["index"]))
		if err := dec.Decode(&meta); err != nil {
			writeError(w, http.StatusBadRequest, "illegal_argument_exception", "bad metadata")
			return
		}
		var m struct{ Index, Type, ID string }
		for k, v := range meta {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				writeError(w, http.StatusBadRequest, "illegal_argument_exception", "metadata "+k+" is not a string")
				return
			}
			switch k {
			case "_index":
				m.Index = s
			case "_type":
				m.Type = s
			case "_id":
				m.ID = s
			default:
				writeError(w, http.StatusBadRequest, "illegal_argument_exception", "Action/metadata line [1] contains an unknown parameter ["+k+"]")
				return
			}
		}
		if m.Index == "" {
			writeError(w, http.StatusBadRequest, "action_request_validation_exception", "index is missing")
			return
		}
		if !sc.Scan() {
			writeError(w, http.StatusBadRequest, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]")
			return
		}
		src := bytes.Clone(sc.Bytes())
		lines = append(lines, bulkLine{m.Index, m.Type, m.ID, string(src)})
		it := item{Index: m.Index, ID: m.ID, Status: http.StatusCreated}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(src, &obj); err != nil || obj == nil {
			it.Status, it.Error = http.StatusBadRequest, errJSON("mapper_parsing_exception", "failed to parse")
		} else if f.fail != nil {
			if st, typ := f.fail(m.Index, m.ID, src); st != 0 {
				it.Status, it.Error = st, errJSON(typ, "the fake failed the document")
			}
		}
		if it.Error == nil {
			if m.ID == "" {
				f.noID[m.Index] = append(f.noID[m.Index], src)
			} else {
				if f.docs[m.Index] == nil {
					f.docs[m.Index] = map[string]json.RawMessage{}
				}
				f.docs[m.Index][m.ID] = src
				f.types[m.Index+"/"+m.ID] = m.Type
			}
		} else {
			errs = true
		}
		items = append(items, map[string]item{"index": it})
	}
	f.requests = append(f.requests, lines)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"took": 1, "errors": errs, "items": items})
}

func errJSON(typ, reason string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"type": typ, "reason": reason})
	return b
}

func writeError(w http.ResponseWriter, status int, typ, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": typ, "reason": reason}, "status": status})
}

func (f *fakeBulk) snapshot() (docs map[string]map[string]string, noID map[string][]string, requests [][]bulkLine) {
	f.mu.Lock()
	defer f.mu.Unlock()
	docs = map[string]map[string]string{}
	for idx, m := range f.docs {
		docs[idx] = map[string]string{}
		for id, src := range m {
			docs[idx][id] = string(src)
		}
	}
	noID = map[string][]string{}
	for idx, l := range f.noID {
		for _, src := range l {
			noID[idx] = append(noID[idx], string(src))
		}
	}
	return docs, noID, append([][]bulkLine(nil), f.requests...)
}

// TestFakeBulkIsStrict checks the fake refuses what OpenSearch refuses.
func TestFakeBulkIsStrict(t *testing.T) {
	f := startFakeBulk(t)
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"index":{"_index":"a"}}` + "\n" + `{"x":1}`, 400},        // no final newline
		{`{"index":{"_index":"a"}}` + "\n", 400},                    // no source line
		{`{"create":{"_index":"a"}}` + "\n{}\n", 400},               // not an index action
		{`{"index":{"_id":"1"}}` + "\n{}\n", 400},                   // no _index
		{`{"index":{"_index":"a","pipeline":"p"}}` + "\n{}\n", 400}, // unknown parameter
		{`{"index":{"_index":"a","_id":"1"}}` + "\n" + `{"x":1}` + "\n", 200},
	} {
		resp, err := http.Post(f.URL+"/_bulk", "application/x-ndjson", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%q: %d, want %d", tc.body, resp.StatusCode, tc.want)
		}
	}
}
