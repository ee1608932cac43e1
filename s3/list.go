package s3

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Shapes from the S3 API reference (ListBuckets, ListObjectsV2 response
// elements) and aws-sdk-go-v2 service/s3 deserializers.go.
const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

type listBucketsXML struct {
	XMLName xml.Name `xml:"ListAllMyBucketsResult"`
	NS      string   `xml:"xmlns,attr"`
	Owner   ownerXML `xml:"Owner"`
	Buckets []struct {
		Name         string
		CreationDate string
	} `xml:"Buckets>Bucket"`
}

type ownerXML struct {
	ID          string
	DisplayName string
}

func (s *Server) writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(200)
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(v)
}

func (s *Server) listBuckets(w http.ResponseWriter, r *http.Request) {
	bs, err := s.Store.Buckets()
	if err != nil {
		s.internal(w, r, err)
		return
	}
	out := listBucketsXML{NS: s3NS, Owner: ownerXML{ID: "eddy", DisplayName: "eddy"}}
	// S3 lists the buckets the caller's account owns.
	caller := s.accountOr(s.callerAccount(r))
	for _, b := range bs {
		if s.accountOr(b.Owner) != caller {
			continue
		}
		out.Buckets = append(out.Buckets, struct {
			Name         string
			CreationDate string
		}{b.Name, b.Created.Format(time.RFC3339)})
	}
	s.writeXML(w, out)
}

type contentXML struct {
	Key          string
	LastModified string
	ETag         string
	Size         int64
	StorageClass string
}

type listV2XML struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	NS                    string   `xml:"xmlns,attr"`
	Name                  string
	Prefix                string
	Delimiter             string `xml:",omitempty"`
	StartAfter            string `xml:",omitempty"`
	ContinuationToken     string `xml:",omitempty"`
	NextContinuationToken string `xml:",omitempty"`
	KeyCount              int
	MaxKeys               int
	EncodingType          string `xml:",omitempty"`
	IsTruncated           bool
	Contents              []contentXML
	CommonPrefixes        []prefixXML
}

// listV1XML is ListObjects' (version 1) answer: Marker instead of the
// continuation token, and NextMarker only when a delimiter was given (S3
// API reference, ListObjects, "NextMarker": "This element is returned only
// if you have the delimiter request parameter specified"; without one the
// next marker is the last key listed).
type listV1XML struct {
	XMLName        xml.Name `xml:"ListBucketResult"`
	NS             string   `xml:"xmlns,attr"`
	Name           string
	Prefix         string
	Marker         string
	NextMarker     string `xml:",omitempty"`
	MaxKeys        int
	Delimiter      string `xml:",omitempty"`
	EncodingType   string `xml:",omitempty"`
	IsTruncated    bool
	Contents       []contentXML
	CommonPrefixes []prefixXML
}

type prefixXML struct{ Prefix string }

// page is one page of a listing: keys and common prefixes after a key, in
// order, at most max of them together.
type page struct {
	contents  []contentXML
	prefixes  []prefixXML
	truncated bool
	last      string // the last key or common prefix in the page
}

// listPage lists bucket's keys with prefix that sort after after, rolling
// keys that hold delim after the prefix into common prefixes (each counted
// once). enc encodes the keys and prefixes answered (encoding-type).
func (s *Server) listPage(bucket, prefix, delim, after string, max int, enc func(string) string) (*page, error) {
	all, err := s.Store.List(bucket, prefix)
	if err != nil {
		return nil, err
	}
	p := &page{}
	n := 0
	for _, m := range all {
		if m.Key <= after {
			continue
		}
		if delim != "" {
			if i := strings.Index(m.Key[len(prefix):], delim); i >= 0 {
				cp := m.Key[:len(prefix)+i+len(delim)]
				if cp <= after || (p.last == cp) {
					continue
				}
				if n >= max {
					p.truncated = true
					break
				}
				p.prefixes = append(p.prefixes, prefixXML{enc(cp)})
				p.last = cp
				n++
				continue
			}
		}
		if n >= max {
			p.truncated = true
			break
		}
		p.contents = append(p.contents, contentXML{Key: enc(m.Key), LastModified: m.LastModified.Format("2006-01-02T15:04:05.000Z"),
			ETag: m.ETag, Size: m.Size, StorageClass: "STANDARD"})
		p.last = m.Key
		n++
	}
	return p, nil
}

// listParams reads max-keys (default and cap 1000) and encoding-type
// (only "url": keys and prefixes in the answer percent-encoded, as
// botocore asks for and decodes with unquote_plus).
func (s *Server) listParams(w http.ResponseWriter, r *http.Request, bucket string) (max int, encType string, enc func(string) string, ok bool) {
	q := r.URL.Query()
	max = 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.fail(w, r, errMaxKeys.with("ArgumentName", "max-keys").with("ArgumentValue", v), bucket, "")
			return 0, "", nil, false
		}
		max = min(n, max)
	}
	enc = func(k string) string { return k }
	switch et := q.Get("encoding-type"); et {
	case "":
	case "url":
		encType, enc = et, url.QueryEscape
	default:
		// minio/minio cmd/api-errors.go ErrInvalidEncodingMethod.
		s.fail(w, r, s3Error{Code: "InvalidArgument", Message: "Invalid Encoding Method specified in Request", Status: 400}.
			with("ArgumentName", "encoding-type").with("ArgumentValue", et), bucket, "")
		return 0, "", nil, false
	}
	return max, encType, enc, true
}

// listObjectsV2: prefix, delimiter (-> CommonPrefixes), max-keys,
// continuation-token (opaque: here the base64 of the last key or prefix
// returned), start-after, encoding-type; fetch-owner ignored.
func (s *Server) listObjectsV2(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	max, encType, enc, ok := s.listParams(w, r, bucket)
	if !ok {
		return
	}
	after := q.Get("start-after")
	if t := q.Get("continuation-token"); t != "" {
		b, err := base64.URLEncoding.DecodeString(t)
		if err != nil {
			s.fail(w, r, errContToken.with("ArgumentName", "continuation-token").with("ArgumentValue", t), bucket, "")
			return
		}
		after = string(b)
	}
	p, err := s.listPage(bucket, prefix, delim, after, max, enc)
	if err != nil {
		s.storeErr(w, r, err, bucket, "")
		return
	}
	out := listV2XML{NS: s3NS, Name: bucket, Prefix: enc(prefix), Delimiter: enc(delim), StartAfter: enc(q.Get("start-after")),
		ContinuationToken: q.Get("continuation-token"), MaxKeys: max, EncodingType: encType,
		KeyCount: len(p.contents) + len(p.prefixes), IsTruncated: p.truncated, Contents: p.contents, CommonPrefixes: p.prefixes}
	if p.truncated {
		out.NextContinuationToken = base64.URLEncoding.EncodeToString([]byte(p.last))
	}
	s.writeXML(w, out)
}

// listObjectsV1 is ListObjects: prefix, delimiter, marker, max-keys,
// encoding-type.
func (s *Server) listObjectsV1(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	prefix, delim, marker := q.Get("prefix"), q.Get("delimiter"), q.Get("marker")
	max, encType, enc, ok := s.listParams(w, r, bucket)
	if !ok {
		return
	}
	p, err := s.listPage(bucket, prefix, delim, marker, max, enc)
	if err != nil {
		s.storeErr(w, r, err, bucket, "")
		return
	}
	out := listV1XML{NS: s3NS, Name: bucket, Prefix: enc(prefix), Marker: enc(marker), MaxKeys: max, Delimiter: enc(delim),
		EncodingType: encType, IsTruncated: p.truncated, Contents: p.contents, CommonPrefixes: p.prefixes}
	if p.truncated && delim != "" {
		out.NextMarker = enc(p.last)
	}
	s.writeXML(w, out)
}

// getBucketLocation answers GET /bucket?location: the region the endpoint
// was started with, as an empty LocationConstraint for us-east-1 (S3 API
// reference, GetBucketLocation: "Buckets in Region us-east-1 have a
// LocationConstraint of null"). Buckets do not keep the LocationConstraint
// they were created with.
func (s *Server) getBucketLocation(w http.ResponseWriter, r *http.Request, bucket string) {
	if !s.Store.HasBucket(bucket) {
		s.fail(w, r, errNoSuchBucket, bucket, "")
		return
	}
	loc := s.region()
	if loc == "us-east-1" {
		loc = ""
	}
	s.writeXML(w, struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		NS      string   `xml:"xmlns,attr"`
		Region  string   `xml:",chardata"`
	}{NS: s3NS, Region: loc})
}

// deleteObjects is DeleteObjects (POST /bucket?delete), used by
// "aws s3 rm --recursive": up to 1000 keys; every key is reported deleted
// (a missing key too, as S3 does) unless Quiet; errors per key as <Error>.
func (s *Server) deleteObjects(w http.ResponseWriter, r *http.Request, bucket string) {
	var req struct {
		Quiet   bool
		Objects []struct{ Key string } `xml:"Object"`
	}
	b, err := readBody(r, 4<<20)
	if err != nil {
		s.storeErr(w, r, err, bucket, "")
		return
	}
	if err := xml.Unmarshal(b, &req); err != nil || len(req.Objects) == 0 || len(req.Objects) > 1000 {
		s.fail(w, r, errMalformedXML, bucket, "")
		return
	}
	if !s.Store.HasBucket(bucket) {
		s.fail(w, r, errNoSuchBucket, bucket, "")
		return
	}
	type keyXML struct{ Key string }
	type errXML struct{ Key, Code, Message string }
	out := struct {
		XMLName xml.Name `xml:"DeleteResult"`
		NS      string   `xml:"xmlns,attr"`
		Deleted []keyXML `xml:"Deleted"`
		Errors  []errXML `xml:"Error"`
	}{NS: s3NS}
	for _, o := range req.Objects {
		if err := s.Store.Delete(bucket, o.Key); err != nil {
			out.Errors = append(out.Errors, errXML{o.Key, errInternal.Code, errInternal.Message})
			continue
		}
		if !req.Quiet {
			out.Deleted = append(out.Deleted, keyXML{o.Key})
		}
	}
	s.writeXML(w, out)
}
