package s3

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
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
	for _, b := range bs {
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
	IsTruncated           bool
	Contents              []contentXML
	CommonPrefixes        []struct{ Prefix string }
}

// listObjectsV2: prefix, delimiter (-> CommonPrefixes), max-keys (default and
// cap 1000), continuation-token (opaque: here the base64 of the last key or
// prefix returned), start-after; fetch-owner ignored.
func (s *Server) listObjectsV2(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	max := 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.fail(w, r, errMaxKeys.with("ArgumentName", "max-keys").with("ArgumentValue", v), bucket, "")
			return
		}
		if n < max {
			max = n
		}
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
	all, err := s.Store.List(bucket, prefix)
	if err != nil {
		s.storeErr(w, r, err, bucket, "")
		return
	}
	out := listV2XML{NS: s3NS, Name: bucket, Prefix: prefix, Delimiter: delim, StartAfter: q.Get("start-after"),
		ContinuationToken: q.Get("continuation-token"), MaxKeys: max}
	last := ""
	for _, m := range all {
		if m.Key <= after {
			continue
		}
		if delim != "" {
			if i := strings.Index(m.Key[len(prefix):], delim); i >= 0 {
				cp := m.Key[:len(prefix)+i+len(delim)]
				if cp <= after || (len(out.CommonPrefixes) > 0 && out.CommonPrefixes[len(out.CommonPrefixes)-1].Prefix == cp) {
					continue
				}
				if out.KeyCount >= max {
					out.IsTruncated = true
					break
				}
				out.CommonPrefixes = append(out.CommonPrefixes, struct{ Prefix string }{cp})
				out.KeyCount++
				last = cp + "\xff" // skip every key under this prefix
				continue
			}
		}
		if out.KeyCount >= max {
			out.IsTruncated = true
			break
		}
		out.Contents = append(out.Contents, contentXML{Key: m.Key, LastModified: m.LastModified.Format("2006-01-02T15:04:05.000Z"),
			ETag: m.ETag, Size: m.Size, StorageClass: "STANDARD"})
		out.KeyCount++
		last = m.Key
	}
	if out.IsTruncated {
		out.NextContinuationToken = base64.URLEncoding.EncodeToString([]byte(last))
	}
	s.writeXML(w, out)
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
