package httpapi

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam"
)

// QueryService is a service of the AWS Query protocol: a POST of a
// form-encoded body (Action=...&Version=...&params), answered in XML,
// as STS and IAM speak it. A request without X-Amz-Target whose body is
// application/x-www-form-urlencoded and whose signature is scoped to
// SigningName goes to the service.
type QueryService struct {
	// SigningName is the SigV4 service name, e.g. "sts"; it is also the
	// IAM action prefix.
	SigningName string
	// Namespace is the XML namespace of answers, e.g.
	// "https://sts.amazonaws.com/doc/2011-06-15/".
	Namespace string
	// Operations by Action name. Call returns the value marshalled (by
	// encoding/xml) inside <ActionResult>, or an error: an *eddy.Error is
	// answered with its code, as a Sender fault with status 400 (403 for
	// AccessDenied); any other error is an InternalFailure.
	Operations map[string]func(ctx context.Context, form url.Values) (any, error)
	// Authorize, if set, returns the resources an action acts on for
	// authorization with Config.IAM (the action is
	// "<SigningName>:<Action>"), and whether the action is authorized at
	// all (STS's are not: GetCallerIdentity needs no permission and
	// AssumeRole checks its own). A denial is AccessDenied (403).
	Authorize func(ctx context.Context, action string, form url.Values) (resources []iam.Resource, needed bool)
	// Status, if set, is the HTTP status of an error code; default 400
	// (403 for AccessDenied, 500 for InternalFailure).
	Status func(code string) int
}

// AddQuery registers Query-protocol services. Call it before Serve.
func (s *Server) AddQuery(services ...QueryService) {
	s.query = append(s.query, services...)
}

// queryFor returns the Query service r is for, or nil.
func (s *Server) queryFor(r *http.Request) *QueryService {
	if len(s.query) == 0 || r.Method != http.MethodPost {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil
	}
	name := scopeService(r)
	for i := range s.query {
		if s.query[i].SigningName == name {
			return &s.query[i]
		}
	}
	return nil
}

// serveQuery answers a Query-protocol request: body, SigV4, the action,
// its authorization (QueryService.Authorize), then the operation.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, svc *QueryService) {
	x := s.begin(w, r, s.services[0])
	x.svc = nil
	x.target = "POST " + r.URL.Path
	defer s.end(x, func() { writeQueryError(x, svc, &eddy.Error{Code: eddy.CodeInternalFailure}) })
	held, err := s.reserveBody(r, restBodyLimits)
	if err != nil {
		writeQueryError(x, svc, &eddy.Error{Code: eddy.CodeInternalFailure})
		return
	}
	body, tooLarge, release, err := s.readReserved(w, r, &x.reqBuf, restBodyLimits, held)
	defer release()
	if tooLarge || err != nil {
		writeQueryError(x, svc, &eddy.Error{Code: "MalformedInput", Message: "The request body could not be read."})
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeQueryError(x, svc, &eddy.Error{Code: "MalformedInput", Message: "The request body is not form-encoded."})
		return
	}
	action := form.Get("Action")
	x.op = action
	region, caller, aerr := s.authenticate(r, body, svc.SigningName, x.now, json11Auth)
	if aerr != nil {
		// STS and IAM name the key errors their own way (their models'
		// InvalidClientTokenId and ExpiredTokenException's Query code
		// ExpiredToken).
		switch aerr.Code {
		case eddy.CodeUnrecognizedClient:
			aerr = &eddy.Error{Code: "InvalidClientTokenId", Message: aerr.Message}
		case eddy.CodeExpiredToken:
			aerr = &eddy.Error{Code: "ExpiredToken", Message: aerr.Message}
		}
		writeQueryError(x, svc, aerr)
		return
	}
	call := svc.Operations[action]
	if call == nil {
		// The Query protocol's answer to an unknown action (AWS's common
		// errors: InvalidAction, 400).
		writeQueryError(x, svc, eddy.Errorf("InvalidAction", "Could not find operation %s for version %s", action, form.Get("Version")))
		return
	}
	ctx := context.WithValue(r.Context(), requestIDKey{}, x.id)
	ctx = context.WithValue(ctx, regionKey{}, region)
	if caller != nil {
		ctx = context.WithValue(ctx, callerKey{}, caller)
		if svc.Authorize != nil {
			if res, needed := svc.Authorize(ctx, action, form); needed {
				if err := s.authorize(r, x.now, caller, svc.SigningName+":"+action, region, res); err != nil {
					writeQueryError(x, svc, &eddy.Error{Code: "AccessDenied", Message: err.Message})
					return
				}
			}
		}
	}
	out, err := call(ctx, form)
	if err != nil {
		var ee *eddy.Error
		if !errors.As(err, &ee) {
			x.cause = err
			ee = &eddy.Error{Code: eddy.CodeInternalFailure}
		}
		writeQueryError(x, svc, ee)
		return
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	resp := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: svc.Namespace}}}
	err = enc.EncodeToken(resp)
	if err == nil {
		err = enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(struct {
			RequestID string `xml:"RequestId"`
		}{x.id}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(resp.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		x.cause = fmt.Errorf("encode %s result: %w", action, err)
		writeQueryError(x, svc, &eddy.Error{Code: eddy.CodeInternalFailure})
		return
	}
	x.write(http.StatusOK, "text/xml", buf.Bytes())
}

// writeQueryError writes the Query protocol's error document.
func writeQueryError(x *exchange, svc *QueryService, e *eddy.Error) {
	status := http.StatusBadRequest
	kind := "Sender"
	switch {
	case e.Code == eddy.CodeInternalFailure:
		status, kind = http.StatusInternalServerError, "Receiver"
	case e.Code == "AccessDenied", e.Code == eddy.CodeAccessDenied, e.Code == "InvalidClientTokenId":
		status = http.StatusForbidden
	case svc.Status != nil:
		if st := svc.Status(e.Code); st != 0 {
			status = st
		}
	}
	x.code = e.Code
	doc := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Namespace string   `xml:"xmlns,attr"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message,omitempty"`
		RequestID string   `xml:"RequestId"`
	}{Namespace: svc.Namespace, Type: kind, Code: e.Code, Message: e.Message, RequestID: x.id}
	b, _ := xml.Marshal(doc)
	x.write(status, "text/xml", append([]byte(xml.Header), b...))
}
