package firehose

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/eddy-streams/eddy"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
)

// DestinationID is the id of a delivery stream's one destination, as
// Firehose numbers it ("destinationId-000000000001" in every recorded
// DescribeDeliveryStream answer, e.g. turbot/steampipe-plugin-aws pull 769).
const DestinationID = "destinationId-000000000001"

// Destination is a delivery stream's one destination: exactly one of the
// configurations is set, kept whole as CreateDeliveryStream gave it (and
// as UpdateDestination merged into it), with Firehose's defaults filled in
// where the model's descriptions require a value (see withDefaults).
type Destination struct {
	ID            string                                              `json:"id"`
	ExtendedS3    *fp.ExtendedS3DestinationConfiguration              `json:"ExtendedS3,omitempty"`
	S3            *fp.S3DestinationConfiguration                      `json:"S3,omitempty"`
	Redshift      *fp.RedshiftDestinationConfiguration                `json:"Redshift,omitempty"`
	Elasticsearch *fp.ElasticsearchDestinationConfiguration           `json:"Elasticsearch,omitempty"`
	OpenSearch    *fp.AmazonopensearchserviceDestinationConfiguration `json:"Amazonopensearchservice,omitempty"`
	HTTPEndpoint  *fp.HttpEndpointDestinationConfiguration            `json:"HttpEndpoint,omitempty"`
	Iceberg       *fp.IcebergDestinationConfiguration                 `json:"Iceberg,omitempty"`
}

// Type returns the destination's type: one of the protocol/firehose
// Dest* names.
func (d *Destination) Type() string {
	switch {
	case d.ExtendedS3 != nil:
		return fp.DestExtendedS3
	case d.S3 != nil:
		return fp.DestS3
	case d.Redshift != nil:
		return fp.DestRedshift
	case d.Elasticsearch != nil:
		return fp.DestElasticsearch
	case d.OpenSearch != nil:
		return fp.DestOpenSearch
	case d.HTTPEndpoint != nil:
		return fp.DestHTTPEndpoint
	case d.Iceberg != nil:
		return fp.DestIceberg
	}
	return ""
}

func destinationOf(in *fp.CreateDeliveryStreamInput) Destination {
	d := Destination{ID: DestinationID, ExtendedS3: in.ExtendedS3DestinationConfiguration, S3: in.S3DestinationConfiguration,
		Redshift: in.RedshiftDestinationConfiguration, Elasticsearch: in.ElasticsearchDestinationConfiguration,
		OpenSearch: in.AmazonopensearchserviceDestinationConfiguration, HTTPEndpoint: in.HttpEndpointDestinationConfiguration,
		Iceberg: in.IcebergDestinationConfiguration}
	d.withDefaults()
	return d
}

// Defaults the model documents, filled in so that descriptions carry the
// members the model requires there and the runner reads one value:
// BufferingHints 5 MiB / 300 s ("By default, if no BufferingHints value is
// provided, Firehose buffers data up to 5 MB or for 5 minutes",
// CreateDeliveryStream), CompressionFormat UNCOMPRESSED, no encryption,
// S3BackupMode Disabled (ExtendedS3), CloudWatch logging disabled (the
// recorded description in turbot/steampipe-plugin-aws pull 769 shows
// "CloudWatchLoggingOptions": {"Enabled": false} and "NoEncryptionConfig":
// "NoEncryption" for a stream created without them).
func (d *Destination) withDefaults() {
	if c := d.ExtendedS3; c != nil {
		if conv := c.DataFormatConversionConfiguration; conv != nil && (conv.Enabled == nil || *conv.Enabled) &&
			(c.BufferingHints == nil || c.BufferingHints.SizeInMBs == nil) {
			// A stream converting to Parquet or ORC buffers 128 MiB by
			// default (probed in 2026, floci-io/floci pull 3236).
			if c.BufferingHints == nil {
				c.BufferingHints = &fp.BufferingHints{}
			}
			c.BufferingHints.SizeInMBs = fp.Int32(128)
		}
		c.BufferingHints = bufferingDefaults(c.BufferingHints)
		if c.CompressionFormat == "" {
			c.CompressionFormat = "UNCOMPRESSED"
		}
		c.EncryptionConfiguration = encryptionDefaults(c.EncryptionConfiguration)
		c.CloudWatchLoggingOptions = loggingDefaults(c.CloudWatchLoggingOptions)
		if c.S3BackupMode == "" {
			c.S3BackupMode = "Disabled"
		}
		s3Defaults(c.S3BackupConfiguration)
	}
	s3Defaults(d.S3)
	if c := d.Redshift; c != nil {
		s3Defaults(c.S3Configuration)
		s3Defaults(c.S3BackupConfiguration)
		if c.S3BackupMode == "" {
			c.S3BackupMode = "Disabled"
		}
	}
	if c := d.Elasticsearch; c != nil {
		s3Defaults(c.S3Configuration)
	}
	if c := d.OpenSearch; c != nil {
		s3Defaults(c.S3Configuration)
	}
	if c := d.HTTPEndpoint; c != nil {
		s3Defaults(c.S3Configuration)
	}
	if c := d.Iceberg; c != nil {
		s3Defaults(c.S3Configuration)
	}
}

func s3Defaults(c *fp.S3DestinationConfiguration) {
	if c == nil {
		return
	}
	c.BufferingHints = bufferingDefaults(c.BufferingHints)
	if c.CompressionFormat == "" {
		c.CompressionFormat = "UNCOMPRESSED"
	}
	c.EncryptionConfiguration = encryptionDefaults(c.EncryptionConfiguration)
	c.CloudWatchLoggingOptions = loggingDefaults(c.CloudWatchLoggingOptions)
}

func bufferingDefaults(b *fp.BufferingHints) *fp.BufferingHints {
	if b == nil {
		b = &fp.BufferingHints{}
	}
	if b.SizeInMBs == nil {
		b.SizeInMBs = fp.Int32(5)
	}
	if b.IntervalInSeconds == nil {
		b.IntervalInSeconds = fp.Int32(300)
	}
	return b
}

func encryptionDefaults(e *fp.EncryptionConfiguration) *fp.EncryptionConfiguration {
	if e == nil || (e.KMSEncryptionConfig == nil && e.NoEncryptionConfig == "") {
		return &fp.EncryptionConfiguration{NoEncryptionConfig: "NoEncryption"}
	}
	return e
}

func loggingDefaults(l *fp.CloudWatchLoggingOptions) *fp.CloudWatchLoggingOptions {
	if l == nil {
		return &fp.CloudWatchLoggingOptions{Enabled: fp.Bool(false)}
	}
	return l
}

// description is d as DescribeDeliveryStream shows it. A description has
// the configuration's members under other names (S3Configuration is
// S3DestinationDescription, S3BackupConfiguration S3BackupDescription,
// VpcConfiguration VpcConfigurationDescription) and leaves out secrets
// (Redshift's Password, the HTTP endpoint's AccessKey, Snowflake's keys):
// the configuration is re-encoded with those names changed.
func (d *Destination) description() (fp.DestinationDescription, error) {
	out := fp.DestinationDescription{DestinationId: fp.String(d.ID)}
	var err error
	switch {
	case d.ExtendedS3 != nil:
		out.ExtendedS3DestinationDescription = new(fp.ExtendedS3DestinationDescription)
		err = recode(d.ExtendedS3, out.ExtendedS3DestinationDescription)
	case d.S3 != nil:
		out.S3DestinationDescription = new(fp.S3DestinationDescription)
		err = recode(d.S3, out.S3DestinationDescription)
	case d.Redshift != nil:
		out.RedshiftDestinationDescription = new(fp.RedshiftDestinationDescription)
		err = recode(d.Redshift, out.RedshiftDestinationDescription)
	case d.Elasticsearch != nil:
		out.ElasticsearchDestinationDescription = new(fp.ElasticsearchDestinationDescription)
		err = recode(d.Elasticsearch, out.ElasticsearchDestinationDescription)
	case d.OpenSearch != nil:
		out.AmazonopensearchserviceDestinationDescription = new(fp.AmazonopensearchserviceDestinationDescription)
		err = recode(d.OpenSearch, out.AmazonopensearchserviceDestinationDescription)
	case d.HTTPEndpoint != nil:
		out.HttpEndpointDestinationDescription = new(fp.HttpEndpointDestinationDescription)
		err = recode(d.HTTPEndpoint, out.HttpEndpointDestinationDescription)
	case d.Iceberg != nil:
		out.IcebergDestinationDescription = new(fp.IcebergDestinationDescription)
		err = recode(d.Iceberg, out.IcebergDestinationDescription)
	}
	return out, err
}

// descriptionNames are the members a configuration and its description
// name differently.
var descriptionNames = map[string]string{
	"S3Configuration":       "S3DestinationDescription",
	"S3BackupConfiguration": "S3BackupDescription",
	"VpcConfiguration":      "VpcConfigurationDescription",
}

// recode copies the configuration from into the description to, renaming
// members as descriptions name them; members a description lacks (secrets)
// are dropped by the decoding.
func recode(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for old, nw := range descriptionNames {
		if v, ok := m[old]; ok {
			delete(m, old)
			m[nw] = v
		}
	}
	b, err = json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, to)
}

// updateNames are the members an update and a configuration name
// differently.
var updateNames = map[string]string{
	"S3Update":       "S3Configuration",
	"S3BackupUpdate": "S3BackupConfiguration",
}

// applyUpdate returns d with in's destination update applied, as
// UpdateDestination's documentation describes: "If the destination type
// is the same, Firehose merges the configuration parameters specified with
// the destination configuration that already exists ... If the
// destination type is not the same ... Firehose does not merge any
// parameters. In this case, all parameters must be specified." Eddy merges
// structures member by member, recursively; a list given replaces the
// stored one. The result is checked against the model as a
// CreateDeliveryStream configuration would be.
func applyUpdate(d Destination, in *fp.UpdateDestinationInput) (Destination, error) {
	var update any
	var newType string
	switch {
	case in.ExtendedS3DestinationUpdate != nil:
		update, newType = in.ExtendedS3DestinationUpdate, fp.DestExtendedS3
	case in.S3DestinationUpdate != nil:
		update, newType = in.S3DestinationUpdate, fp.DestS3
	case in.RedshiftDestinationUpdate != nil:
		update, newType = in.RedshiftDestinationUpdate, fp.DestRedshift
	case in.ElasticsearchDestinationUpdate != nil:
		update, newType = in.ElasticsearchDestinationUpdate, fp.DestElasticsearch
	case in.AmazonopensearchserviceDestinationUpdate != nil:
		update, newType = in.AmazonopensearchserviceDestinationUpdate, fp.DestOpenSearch
	case in.HttpEndpointDestinationUpdate != nil:
		update, newType = in.HttpEndpointDestinationUpdate, fp.DestHTTPEndpoint
	case in.IcebergDestinationUpdate != nil:
		update, newType = in.IcebergDestinationUpdate, fp.DestIceberg
	}
	oldType := d.Type()
	search := func(t string) bool { return t == fp.DestOpenSearch || t == fp.DestElasticsearch }
	if oldType != newType && (search(oldType) || search(newType)) {
		// "Switching between Amazon OpenSearch Service and other services
		// is not supported." (UpdateDestination's documentation). Eddy's
		// words.
		return d, eddy.Errorf(eddy.CodeInvalidArgument, "Changing the destination type to or from %s is not supported.", map[bool]string{true: oldType, false: newType}[search(oldType)])
	}
	base := map[string]any{}
	if oldType == newType {
		cur, err := toMap(d.config())
		if err != nil {
			return d, err
		}
		base = cur
	}
	patch, err := toMap(update)
	if err != nil {
		return d, err
	}
	for old, nw := range updateNames {
		if v, ok := patch[old]; ok {
			delete(patch, old)
			patch[nw] = v
		}
	}
	merge(base, patch)
	b, err := json.Marshal(base)
	if err != nil {
		return d, err
	}
	// Check the merged configuration as part of a CreateDeliveryStream.
	wrapped := append(append([]byte(`{"DeliveryStreamName":"x","`+createMember[newType]+`":`), b...), '}')
	var create fp.CreateDeliveryStreamInput
	if err := json.Unmarshal(wrapped, &create); err != nil {
		return d, fmt.Errorf("firehose: merged destination: %w", err)
	}
	if err := create.Validate(); err != nil {
		// Name the update's member in the paths of the model's
		// violations ('extendedS3DestinationUpdate.roleARN', not
		// 'extendedS3DestinationConfiguration.roleARN'): that is what
		// the caller sent.
		var e *eddy.Error
		if errors.As(err, &e) && e.Code == eddy.CodeValidation {
			from, to := lowerFirst(createMember[newType])+".", lowerFirst(updateMember[newType])+"."
			return d, &eddy.Error{Code: e.Code, Message: strings.ReplaceAll(e.Message, "'"+from, "'"+to)}
		}
		return d, err
	}
	nd := destinationOf(&create)
	nd.ID = d.ID
	return nd, nil
}

// createMember is the CreateDeliveryStream member of each destination type.
var createMember = map[string]string{
	fp.DestExtendedS3:    "ExtendedS3DestinationConfiguration",
	fp.DestS3:            "S3DestinationConfiguration",
	fp.DestRedshift:      "RedshiftDestinationConfiguration",
	fp.DestElasticsearch: "ElasticsearchDestinationConfiguration",
	fp.DestOpenSearch:    "AmazonopensearchserviceDestinationConfiguration",
	fp.DestHTTPEndpoint:  "HttpEndpointDestinationConfiguration",
	fp.DestIceberg:       "IcebergDestinationConfiguration",
}

// updateMember is the UpdateDestination member of each destination type.
var updateMember = map[string]string{
	fp.DestExtendedS3:    "ExtendedS3DestinationUpdate",
	fp.DestS3:            "S3DestinationUpdate",
	fp.DestRedshift:      "RedshiftDestinationUpdate",
	fp.DestElasticsearch: "ElasticsearchDestinationUpdate",
	fp.DestOpenSearch:    "AmazonopensearchserviceDestinationUpdate",
	fp.DestHTTPEndpoint:  "HttpEndpointDestinationUpdate",
	fp.DestIceberg:       "IcebergDestinationUpdate",
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// config returns the one configuration that is set.
func (d *Destination) config() any {
	switch d.Type() {
	case fp.DestExtendedS3:
		return d.ExtendedS3
	case fp.DestS3:
		return d.S3
	case fp.DestRedshift:
		return d.Redshift
	case fp.DestElasticsearch:
		return d.Elasticsearch
	case fp.DestOpenSearch:
		return d.OpenSearch
	case fp.DestHTTPEndpoint:
		return d.HTTPEndpoint
	case fp.DestIceberg:
		return d.Iceberg
	}
	return nil
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	return m, json.Unmarshal(b, &m)
}

// merge copies patch into base, merging nested objects.
func merge(base, patch map[string]any) {
	for k, v := range patch {
		if pm, ok := v.(map[string]any); ok {
			if bm, ok := base[k].(map[string]any); ok {
				merge(bm, pm)
				continue
			}
		}
		base[k] = v
	}
}
