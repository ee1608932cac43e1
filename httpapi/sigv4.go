package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam"
)

// SigV4 verification, in the order AWS's front end checks (as recorded
// against the real services by kinesalite and dynalite), with AWS's
// messages:
//
//  1. Authorization header and X-Amz-Algorithm query parameter both present:
//     InvalidSignatureException. Neither: MissingAuthenticationTokenException.
//  2. Missing parameters (Credential, Signature, SignedHeaders; X-Amz-Date
//     or Date), or a parameter without "=": IncompleteSignatureException.
//  3. A date not in ISO 8601 basic format: IncompleteSignatureException.
//  4. * Signing time more than MaxClockSkew from the server clock (or a
//     presigned request past X-Amz-Expires): InvalidSignatureException.
//  5. * Host not among the signed headers: InvalidSignatureException.
//  6. An algorithm other than AWS4-HMAC-SHA256: IncompleteSignatureException.
//  7. A credential without five slash-separated parts:
//     IncompleteSignatureException.
//  8. * Credential scope naming an invalid region (see eddy.ValidRegion:
//     every valid region is served), another service, terminator or date:
//     InvalidSignatureException, all mismatches in one message.
//  9. * An unknown access key: UnrecognizedClientException.
//  10. * A signature that does not match: InvalidSignatureException, with the
//     canonical request and string to sign the server expected.
//
// The starred checks run only when Config.Credentials or Config.IAM is
// set. With Config.IAM the access key is looked up there, with the
// request's session token (X-Amz-Security-Token) for temporary
// credentials; otherwise a session token is accepted and not checked.
//
// The credential scope's region, from the Authorization header or a
// presigned query's X-Amz-Credential, is the region the request is served
// in (see Region). AWS answers each region at its own endpoint and refuses
// a scope naming another region (the message of check 8); Eddy answers
// every region at one endpoint, so only a name that cannot be a region is
// refused, and without Credentials such a name falls back to
// Config.Region.

const (
	sigAlgorithm    = "AWS4-HMAC-SHA256"
	amzDateFormat   = "20060102T150405Z"
	scopeTerminator = "aws4_request"
	maxPresignSecs  = 7 * 24 * 60 * 60 // X-Amz-Expires upper bound, as AWS
)

// sigRequest is the signature material of a request, from its
// Authorization header or its presigned query.
type sigRequest struct {
	presigned     bool
	algorithm     string
	credential    string
	signedHeaders string
	signature     string
	date          time.Time // the signing time
	dateText      string    // as sent: X-Amz-Date, or the Date header
	expires       int64     // presigned: X-Amz-Expires in seconds, 0 if absent
}

// authStyle is how a protocol's front end words the structural checks 1-3,
// where Kinesis's and DynamoDB's differ.
type authStyle struct {
	// missing is MissingAuthenticationTokenException's message.
	missing string
	// aws4Prefix: an Authorization header that does not start with
	// "AWS4-" counts as missing (DynamoDB: dynalite's index.js; its
	// test/connection.js recorded "AWS4" as missing, "AWS4-" as
	// incomplete).
	aws4Prefix bool
}

var (
	// json11Auth is Kinesis's (kinesalite test/connection.js).
	json11Auth = authStyle{missing: "Missing Authentication Token"}
	// json10Auth is DynamoDB's (dynalite test/connection.js
	// assertMissing).
	json10Auth = authStyle{missing: "Request is missing Authentication Token", aws4Prefix: true}
)

// authenticate checks r's signature. body is the request body, signingName
// the SigV4 service name of the target. It returns the region the request
// is for and, with Config.IAM, the caller; or the *eddy.Error to answer
// with.
func (s *Server) authenticate(r *http.Request, body []byte, signingName string, now time.Time, style authStyle) (string, *iam.Caller, *eddy.Error) {
	sr, err := parseSignature(r, style)
	if err != nil {
		return "", nil, err
	}
	verify := len(s.cfg.Credentials) > 0 || s.cfg.IAM != nil
	if verify {
		if err := checkSkew(sr, now, s.cfg.MaxClockSkew); err != nil {
			return "", nil, err
		}
		if !hasSignedHeader(sr.signedHeaders, "host") {
			return "", nil, eddy.Errorf(eddy.CodeInvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
		}
	}
	if sr.algorithm != sigAlgorithm {
		return "", nil, eddy.Errorf(eddy.CodeIncompleteSignature, "Unsupported AWS 'algorithm': '%s' (only %s for now). ", sr.algorithm, sigAlgorithm)
	}
	scope := strings.Split(strings.TrimRight(sr.credential, "/"), "/")
	if len(scope) != 5 {
		return "", nil, eddy.Errorf(eddy.CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", sr.credential)
	}
	keyID, day, region, service, term := scope[0], scope[1], scope[2], scope[3], scope[4]
	if !verify {
		if !eddy.ValidRegion(region) {
			return s.cfg.Region, nil, nil
		}
		return region, nil, nil
	}
	var msg strings.Builder
	if !eddy.ValidRegion(region) {
		msg.WriteString("Credential should be scoped to a valid region, not '" + region + "'. ")
	}
	if service != signingName {
		msg.WriteString("Credential should be scoped to correct service: '" + signingName + "'. ")
	}
	if term != scopeTerminator {
		msg.WriteString("Credential should be scoped with a valid terminator: '" + scopeTerminator + "', not '" + term + "'. ")
	}
	if want := sr.date.Format("20060102"); day != want {
		msg.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + day + "' != '" + want + "', from '" + sr.dateText + "'.")
	}
	if msg.Len() > 0 {
		return "", nil, &eddy.Error{Code: eddy.CodeInvalidSignature, Message: msg.String()}
	}
	secret, ok := s.cfg.Credentials[keyID]
	var caller *iam.Caller
	if s.cfg.IAM != nil {
		var err *eddy.Error
		if secret, caller, err = s.cfg.IAM.Credential(keyID, sessionToken(r), now); err != nil {
			return "", nil, err
		}
	} else if !ok {
		return "", nil, eddy.Errorf(eddy.CodeUnrecognizedClient, "The security token included in the request is invalid.")
	}
	canonical := canonicalRequest(r, sr, payloadHash(r, body), false)
	scopeText := strings.Join(scope[1:], "/") // date/region/service/aws4_request
	toSign := sigAlgorithm + "\n" + sr.date.Format(amzDateFormat) + "\n" + scopeText + "\n" + hexSHA256([]byte(canonical))
	key := signingKey(secret, day, region, service)
	want := hex.EncodeToString(hmacSHA256(key, []byte(toSign)))
	if !hmac.Equal([]byte(want), []byte(sr.signature)) {
		return "", nil, eddy.Errorf(eddy.CodeInvalidSignature, "The request signature we calculated does not match the signature you provided. "+
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"+
			"The Canonical String for this request should have been\n'%s'\n\n"+
			"The String-to-Sign should have been\n'%s'\n", canonical, toSign)
	}
	return region, caller, nil
}

// sessionToken is the request's X-Amz-Security-Token, from its header or
// a presigned query.
func sessionToken(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Security-Token"); t != "" {
		return t
	}
	return r.URL.Query().Get("X-Amz-Security-Token")
}

// parseSignature extracts the signature material from r and runs the
// structural checks 1-3.
func parseSignature(r *http.Request, style authStyle) (*sigRequest, *eddy.Error) {
	auth := r.Header.Get("Authorization")
	query := r.URL.Query()
	_, presigned := query["X-Amz-Algorithm"]
	switch {
	case auth != "" && presigned:
		return nil, eddy.Errorf(eddy.CodeInvalidSignature, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case auth == "" && !presigned,
		auth != "" && style.aws4Prefix && !strings.HasPrefix(strings.TrimSpace(auth), "AWS4-"):
		return nil, &eddy.Error{Code: eddy.CodeMissingAuthenticationTok, Message: style.missing}
	case presigned:
		return parsePresigned(query)
	}

	// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...":
	// the algorithm, then key=value pairs separated by commas and/or spaces.
	fields := strings.FieldsFunc(auth, func(c rune) bool { return c == ',' || c == ' ' })
	sr := &sigRequest{}
	if len(fields) > 0 {
		sr.algorithm = fields[0]
	}
	for _, f := range fields[min(1, len(fields)):] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, eddy.Errorf(eddy.CodeIncompleteSignature, "'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", f, auth)
		}
		switch k {
		case "Credential":
			sr.credential = v
		case "SignedHeaders":
			sr.signedHeaders = v
		case "Signature":
			sr.signature = v
		}
	}
	var msg strings.Builder
	for _, p := range []struct{ name, val string }{
		{"Credential", sr.credential}, {"Signature", sr.signature}, {"SignedHeaders", sr.signedHeaders},
	} {
		if p.val == "" {
			msg.WriteString("Authorization header requires '" + p.name + "' parameter. ")
		}
	}
	amzDate, httpDate := r.Header.Get("X-Amz-Date"), r.Header.Get("Date")
	if amzDate == "" && httpDate == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		return nil, eddy.Errorf(eddy.CodeIncompleteSignature, "%sAuthorization=%s", msg.String(), auth)
	}
	var err *eddy.Error
	if amzDate != "" {
		sr.dateText = amzDate
		sr.date, err = parseAmzDate(amzDate)
	} else {
		sr.dateText = httpDate
		t, perr := http.ParseTime(httpDate)
		if perr != nil {
			err = badDate(httpDate)
		}
		sr.date = t.UTC()
	}
	if err != nil {
		return nil, err
	}
	return sr, nil
}

// parsePresigned reads the X-Amz-* query parameters of a presigned request.
func parsePresigned(q url.Values) (*sigRequest, *eddy.Error) {
	var msg strings.Builder
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(p) == "" {
			msg.WriteString("AWS query-string parameters must include '" + p + "'. ")
		}
	}
	if msg.Len() > 0 {
		msg.WriteString("Re-examine the query-string parameters.")
		return nil, &eddy.Error{Code: eddy.CodeIncompleteSignature, Message: msg.String()}
	}
	sr := &sigRequest{
		presigned:     true,
		algorithm:     q.Get("X-Amz-Algorithm"),
		credential:    q.Get("X-Amz-Credential"),
		signedHeaders: q.Get("X-Amz-SignedHeaders"),
		signature:     q.Get("X-Amz-Signature"),
		dateText:      q.Get("X-Amz-Date"),
	}
	var err *eddy.Error
	if sr.date, err = parseAmzDate(sr.dateText); err != nil {
		return nil, err
	}
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, perr := strconv.ParseInt(e, 10, 64)
		if perr != nil || n < 1 || n > maxPresignSecs {
			// AWS's wording for this is not known.
			return nil, eddy.Errorf(eddy.CodeIncompleteSignature, "X-Amz-Expires must be a whole number of seconds from 1 to %d, got '%s'. Re-examine the query-string parameters.", maxPresignSecs, e)
		}
		sr.expires = n
	}
	return sr, nil
}

func parseAmzDate(s string) (time.Time, *eddy.Error) {
	t, err := time.Parse(amzDateFormat, s)
	if err != nil {
		return time.Time{}, badDate(s)
	}
	return t, nil
}

func badDate(s string) *eddy.Error {
	return eddy.Errorf(eddy.CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", s)
}

// checkSkew rejects a signing time too far from now, in AWS's words:
//
//	Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T002000Z - 15 min.)
//	Signature not yet current: 20240101T003600Z is still later than 20240101T003500Z (20240101T002000Z + 15 min.)
//
// A presigned request with X-Amz-Expires also expires that many seconds
// after its signing time; that message follows the same pattern (AWS's own
// wording is not known).
func checkSkew(sr *sigRequest, now time.Time, skew time.Duration) *eddy.Error {
	now = now.UTC().Truncate(time.Second)
	f := func(t time.Time) string { return t.Format(amzDateFormat) }
	if sr.presigned && sr.expires > 0 {
		life := time.Duration(sr.expires) * time.Second
		if sr.date.Before(now.Add(-life)) {
			return eddy.Errorf(eddy.CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - %d sec.)",
				f(sr.date), f(now.Add(-life)), f(now), sr.expires)
		}
	} else if sr.date.Before(now.Add(-skew)) {
		return eddy.Errorf(eddy.CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - %s)",
			f(sr.date), f(now.Add(-skew)), f(now), minutes(skew))
	}
	if sr.date.After(now.Add(skew)) {
		return eddy.Errorf(eddy.CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + %s)",
			f(sr.date), f(now.Add(skew)), f(now), minutes(skew))
	}
	return nil
}

// minutes formats d as AWS does, "15 min.", or as a Go duration when it is
// not a whole number of minutes.
func minutes(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return d.String()
}

func hasSignedHeader(list, name string) bool {
	for _, h := range strings.Split(list, ";") {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// payloadHash returns the payload hash the client signed: the
// X-Amz-Content-Sha256 header when it holds a symbolic value such as
// UNSIGNED-PAYLOAD, and otherwise the SHA-256 of the body actually received
// (so a header claiming a hash the body does not have fails verification).
func payloadHash(r *http.Request, body []byte) string {
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && !isHexSHA256(h) {
		return h
	}
	return hexSHA256(body)
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// canonicalRequest builds the SigV4 canonical request:
//
//	METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
//
// s3Path: the path is used as sent, not URI-encoded a second time (S3's
// rule; see canonicalURI).
func canonicalRequest(r *http.Request, sr *sigRequest, payload string, s3Path bool) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	if s3Path {
		b.WriteString(s3CanonicalURI(r.URL))
	} else {
		b.WriteString(canonicalURI(r.URL))
	}
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL, sr.presigned))
	b.WriteByte('\n')
	for _, name := range strings.Split(sr.signedHeaders, ";") {
		name = strings.ToLower(name)
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(sr.signedHeaders)
	b.WriteByte('\n')
	b.WriteString(payload)
	return b.String()
}

// canonicalURI is the path as sent, URI-encoded once more, as every AWS
// service but S3 expects.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return uriEncode(p, false)
}

// s3CanonicalURI is the path as sent, not encoded again: S3 is the one
// service whose canonical URI is encoded once (aws-sdk-go-v2 service/s3
// api_client.go signs with DisableURIPathEscaping = true; the v4 signer
// then uses the request's escaped path as is).
func s3CanonicalURI(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// canonicalQuery sorts the query parameters by encoded name, then value,
// leaving out X-Amz-Signature from a presigned request.
func canonicalQuery(u *url.URL, presigned bool) string {
	if u.RawQuery == "" {
		return ""
	}
	q, _ := url.ParseQuery(u.RawQuery) // on a bad escape, the pairs that parsed
	type pair struct{ k, v string }
	pairs := make([]pair, 0, len(q))
	for k, vs := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		ek := uriEncode(k, true)
		for _, v := range vs {
			pairs = append(pairs, pair{ek, uriEncode(v, true)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k + "=" + p.v)
	}
	return b.String()
}

// canonicalHeaderValue returns the values of the header name (lowercase),
// each trimmed with inner runs of spaces collapsed, joined by commas. Host
// and Content-Length come from where net/http keeps them.
func canonicalHeaderValue(r *http.Request, name string) string {
	var vals []string
	switch name {
	case "host":
		vals = []string{r.Host}
	case "content-length":
		vals = r.Header.Values("Content-Length")
		if len(vals) == 0 && r.ContentLength >= 0 {
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		vals = r.TransferEncoding
	default:
		vals = r.Header.Values(name)
	}
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

// uriEncode percent-encodes every byte of s except the unreserved
// characters A-Z a-z 0-9 - _ . ~ (and '/' unless encodeSlash), with
// uppercase hex, as SigV4 specifies.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// signingKey derives the SigV4 signing key:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, day), region), service), "aws4_request").
func signingKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(day))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte(scopeTerminator))
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

func hexSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
