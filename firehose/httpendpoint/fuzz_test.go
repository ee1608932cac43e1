package httpendpoint

import (
	"net/http"
	"testing"
)

// FuzzConforming: any response body is either refused or decoded with its
// requestId and a numeric timestamp.
func FuzzConforming(f *testing.F) {
	f.Add(200, []byte(`{"requestId":"a","timestamp":1578090903599}`))
	f.Add(500, []byte(`{"requestId":"a","timestamp":"1578090903599","errorMessage":"x"}`))
	f.Add(200, []byte(`{"requestId":null,"timestamp":1}`))
	f.Add(302, []byte(``))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: int64(len(body))}
		r, ok := conforming(resp, body)
		if ok && (r.RequestID == nil || r.Timestamp == nil) {
			t.Fatalf("accepted %q without requestId or timestamp", body)
		}
		if ok && ((status < 200 || status > 299) && (status < 400 || status > 599)) {
			t.Fatalf("accepted status %d", status)
		}
	})
}
