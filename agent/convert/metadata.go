package convert

import (
	"fmt"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/agent/config"
)

// addMetadata is ADDMETADATA (AddMetadataConverter.java): the record, less
// its trailing newline, becomes {"metadata":<metadata>,"data":"<record>"}
// where <metadata> is the option's "metadata" value re-written as Jackson
// writes it (null when absent). With "timestamp": true a "ts" field comes
// first, the current time in UTC as yyyy-MM-dd'T'HH:mm:ss.SSS'Z'.
//
// The agent's versions differ here: the AddMetadataConverter in
// awslabs/amazon-kinesis-agent at commit b47dbe51 writes metadata and data
// only; later versions of the same file read "timestamp" and put "ts"
// before "metadata". Eddy writes "ts" only when "timestamp" is true, so a
// configuration without it gets the older output exactly.
type addMetadata struct {
	prefix    []byte // `"metadata":...,"data":`
	timestamp bool
	now       func() time.Time
}

func newAddMetadata(o *config.ProcessingOption, op *options) (*addMetadata, error) {
	meta := []byte("null")
	if len(o.Metadata) > 0 {
		v, err := parseJSON(o.Metadata)
		if err != nil {
			return nil, fmt.Errorf("metadata: %w", err)
		}
		meta = v.appendJSON(nil)
	}
	prefix := append([]byte(`"metadata":`), meta...)
	prefix = append(prefix, `,"data":`...)
	return &addMetadata{prefix: prefix, timestamp: o.Timestamp, now: op.now}, nil
}

func (c *addMetadata) Convert(dst, rec []byte) ([]byte, error) {
	dst = append(dst, '{')
	if c.timestamp {
		dst = append(dst, `"ts":"`...)
		dst = c.now().UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z")
		dst = append(dst, '"', ',')
	}
	dst = append(dst, c.prefix...)
	dst = appendJSONString(dst, trimNewline(rec))
	return append(dst, '}', '\n'), nil
}

// EC2 metadata variables: Eddy runs where there is no instance metadata
// service, so ADDEC2METADATA takes the values the agent reads from it from
// these environment variables instead.
const (
	EnvEC2PrivateIP        = "EDDY_EC2_PRIVATE_IP"
	EnvEC2AvailabilityZone = "EDDY_EC2_AVAILABILITY_ZONE"
	EnvEC2InstanceID       = "EDDY_EC2_INSTANCE_ID"
	EnvEC2InstanceType     = "EDDY_EC2_INSTANCE_TYPE"
	EnvEC2AccountID        = "EDDY_EC2_ACCOUNT_ID"
	EnvEC2AMIID            = "EDDY_EC2_AMI_ID"
	EnvEC2Region           = "EDDY_EC2_REGION"
)

// ec2Fields are the fields AddEC2MetadataConverter.refreshEC2Metadata puts,
// in its order, and the variable each comes from here.
var ec2Fields = []struct{ name, env string }{
	{"privateIp", EnvEC2PrivateIP},
	{"availabilityZone", EnvEC2AvailabilityZone},
	{"instanceId", EnvEC2InstanceID},
	{"instanceType", EnvEC2InstanceType},
	{"accountId", EnvEC2AccountID},
	{"amiId", EnvEC2AMIID},
	{"region", EnvEC2Region},
}

// addEC2Metadata is ADDEC2METADATA (AddEC2MetadataConverter.java): the
// record must be a JSON object (usually LOGTOJSON's output); the converter
// adds privateIp, availabilityZone, instanceId, instanceType, accountId,
// amiId, region and metadataTimestamp (yyyy-MM-dd'T'HH:mm:ssZ, the time the
// metadata was read) to it and writes it back with "\n". A record that is
// not a JSON object fails.
//
// Differences from the agent: the values come from the EDDY_EC2_*
// variables (see EnvEC2InstanceID); when EDDY_EC2_INSTANCE_ID is unset the
// record passes unchanged, as the agent passes records unchanged when it
// cannot read instance metadata. The agent also adds "tags" from EC2
// DescribeTags; Eddy has no EC2 API and omits them, as the agent does when
// DescribeTags fails. The metadata is re-read every metadataTTL, as the
// agent re-reads it.
type addEC2Metadata struct {
	ttl    time.Duration
	now    func() time.Time
	getenv func(string) string

	mu struct {
		sync.Mutex
		readAt time.Time
		fields []*jsonValue // nil: no metadata
	}
}

func newAddEC2Metadata(o *config.ProcessingOption, op *options) *addEC2Metadata {
	ttl := o.MetadataTTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	c := &addEC2Metadata{ttl: ttl, now: op.now, getenv: op.getenv}
	c.mu.Lock()
	c.refreshLocked(c.now())
	c.mu.Unlock()
	return c
}

func (c *addEC2Metadata) refreshLocked(now time.Time) {
	c.mu.readAt = now
	if c.getenv(EnvEC2InstanceID) == "" {
		c.mu.fields = nil
		return
	}
	fields := make([]*jsonValue, 0, len(ec2Fields)+1)
	for _, f := range ec2Fields {
		v := c.getenv(f.env)
		if v == "" {
			fields = append(fields, &jsonValue{kind: 'z'})
			continue
		}
		fields = append(fields, &jsonValue{kind: 's', str: v})
	}
	// SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssZ") in the local time zone.
	fields = append(fields, &jsonValue{kind: 's', str: now.Format("2006-01-02T15:04:05-0700")})
	c.mu.fields = fields
}

func (c *addEC2Metadata) Convert(dst, rec []byte) ([]byte, error) {
	c.mu.Lock()
	now := c.now()
	if now.Sub(c.mu.readAt) > c.ttl {
		c.refreshLocked(now)
	}
	fields := c.mu.fields
	c.mu.Unlock()
	if fields == nil {
		return append(dst, rec...), nil
	}
	v, err := parseJSON(rec)
	if err != nil {
		return dst, fmt.Errorf("%w: error converting json source data to map: %v", ErrFailed, err)
	}
	if v.kind != 'o' {
		return dst, fmt.Errorf("%w: error converting json source data to map: %v", ErrFailed, errNotObject)
	}
	for i, f := range ec2Fields {
		v.set(f.name, fields[i])
	}
	v.set("metadataTimestamp", fields[len(ec2Fields)])
	dst = v.appendJSON(dst)
	return append(dst, '\n'), nil
}
