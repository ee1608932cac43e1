package httpapi

import "net/http"

// CORS, as AWS answers browsers (kinesalite recorded it): any origin is
// allowed, a preflight echoes the requested headers and method, and other
// responses expose the headers the SDKs read.

// preflight answers a CORS preflight as AWS does: 200, empty, allowing any
// origin and echoing the requested headers and method, cacheable for two
// days.
func preflight(x *exchange) {
	h := x.w.Header()
	delete(h, headerID2)
	h.Set("Access-Control-Allow-Origin", "*")
	if v := x.r.Header.Get("Access-Control-Request-Headers"); v != "" {
		h.Set("Access-Control-Allow-Headers", v)
	}
	if v := x.r.Header.Get("Access-Control-Request-Method"); v != "" {
		h.Set("Access-Control-Allow-Methods", v)
	}
	h.Set("Access-Control-Max-Age", "172800")
	x.write(http.StatusOK, "", nil)
}

// exposeHeaders lets a browser client read the response headers the SDKs
// use.
func exposeHeaders(x *exchange) {
	h := x.w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date")
}
