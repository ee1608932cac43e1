package kinesis

import (
	"context"
	"encoding/json"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
)

// CreateChannel creates a channel from one ON_DEMAND stream to a general
// purpose S3 bucket or to S3 Tables: CREATING for CreateDelay, then ACTIVE
// (FAILED for S3 Tables, which Eddy does not deliver to; see channels.go).
// Its ARN is arn:aws:kinesis:<region>:<account>:channel/<name>.
//
// Beyond the model's constraints (protocol/kds) it refuses, with
// InvalidArgumentException: both or neither destination ("You must specify
// either S3DestinationConfiguration or S3TablesDestinationConfiguration,
// but not both"), more than one stream ("Currently, one stream is
// supported per channel"), a stream that is not ON_DEMAND ("only supported
// for data streams with the on-demand capacity mode"), a record format the
// destination does not take (RecordConfiguration: GSR_JSON only for S3
// Tables, STRING and BYTE_ARRAY only for S3, GSRSchemaARN required for
// JSON to S3 Tables), more than 50 tags. A second channel of the same
// destination type on a stream is LimitExceededException (one of each per
// stream, as at launch); a name in use is ResourceInUseException.
func (e *Engine) CreateChannel(ctx context.Context, in *kds.CreateChannelInput) (*kds.CreateChannelOutput, error) {
	s3, tables := in.S3DestinationConfiguration, in.S3TablesDestinationConfiguration
	if (s3 == nil) == (tables == nil) {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument,
			"You must specify either S3DestinationConfiguration or S3TablesDestinationConfiguration, but not both.")
	}
	if len(in.StreamConfigurationList) != 1 {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument,
			"StreamConfigurationList must contain exactly one stream: currently, one stream is supported per channel.")
	}
	sc := in.StreamConfigurationList[0]
	if err := checkRecordFormat(sc.RecordConfiguration, tables != nil); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTags {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "A channel cannot have more than %d tags.", maxTags)
	}
	streamName, err := e.resolveStream(nil, sc.StreamARN)
	if err != nil {
		return nil, err
	}
	name := str(in.ChannelName)

	e.ctl.Lock()
	defer e.ctl.Unlock()
	st := e.lookup(streamName)
	if st == nil {
		return nil, e.notFound(streamName)
	}
	m := st.view.Load().meta
	if err := e.requireActive(&m); err != nil {
		return nil, err
	}
	if m.Mode != ModeOnDemand {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument,
			"Stream %s under account %s is in %s capacity mode: channels are only supported for data streams with the on-demand capacity mode.",
			streamName, e.cfg.AccountID, m.Mode)
	}

	now := e.now().UnixNano()
	c := &channelMeta{
		Name: name, ID: e.channelID(name, now), Created: now, Active: now + int64(e.cfg.CreateDelay),
		Role: str(in.ServiceExecutionRoleARN), Stream: streamName, StreamCreated: m.Created,
		Record: *sc.RecordConfiguration, Encryption: in.EncryptionConfiguration, Tags: in.Tags,
	}
	if in.LoggingConfiguration != nil {
		c.Logging = *in.LoggingConfiguration
	} else {
		c.Logging = kds.ChannelLoggingConfiguration{CloudWatchLogs: &kds.CloudWatchLogs{Enabled: ptr(false)}}
	}
	if s3 != nil {
		d := &kds.S3DestinationDescription{
			DataFreshnessInSeconds: DefaultDataFreshness,
			StorageConfiguration:   *s3.StorageConfiguration,
		}
		if s3.DataFreshnessInSeconds != nil {
			d.DataFreshnessInSeconds = *s3.DataFreshnessInSeconds
		}
		// "If not specified, it defaults to the destination bucket with an
		// error prefix" (S3DestinationConfiguration); the prefix is left
		// to the delivery (kinesis/channels).
		if q := s3.DeadLetterQueueS3Configuration; q != nil {
			d.DeadLetterQueueS3Configuration = *q
		} else {
			d.DeadLetterQueueS3Configuration = kds.DeadLetterQueueS3Configuration{
				BucketARN:           s3.StorageConfiguration.BucketARN,
				ExpectedBucketOwner: s3.StorageConfiguration.ExpectedBucketOwner,
			}
		}
		c.S3 = d
	} else {
		d := &kds.S3TablesDestinationDescription{
			DataFreshnessInSeconds:         DefaultDataFreshness,
			DeadLetterQueueS3Configuration: *tables.DeadLetterQueueS3Configuration,
			S3TablesConfigurationList:      tables.S3TablesConfigurationList,
		}
		if tables.DataFreshnessInSeconds != nil {
			d.DataFreshnessInSeconds = *tables.DataFreshnessInSeconds
		}
		c.Tables = d
	}

	err = e.meta.Update(func(tx storage.MetaTx) error {
		old, err := e.loadChannel(tx, name)
		if err != nil {
			return err
		}
		if old != nil {
			return eddy.Errorf(eddy.CodeResourceInUse, "Channel %s under account %s already exists.", name, e.cfg.AccountID)
		}
		same := 0
		err = tx.Scan(tableChannels, "", "", func(key string, value []byte) (bool, error) {
			var o channelMeta
			if err := json.Unmarshal(value, &o); err != nil {
				return false, internalf("channel %s: %w", key, err)
			}
			if o.status(now) != "" && o.Stream == streamName && o.StreamCreated == m.Created && o.destinationType() == c.destinationType() {
				same++
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		if same >= maxChannelsPerDestination {
			return eddy.Errorf(eddy.CodeLimitExceeded,
				"Stream %s under account %s already has %d channel(s) of destination type %s, the most a stream may have.",
				streamName, e.cfg.AccountID, same, c.destinationType())
		}
		return putChannel(tx, c)
	})
	if err != nil {
		return nil, err
	}
	return &kds.CreateChannelOutput{ChannelDescription: e.channelOut(c)}, nil
}

// checkRecordFormat checks that the destination takes the record format
// (RecordConfiguration in the API reference; "Data delivery concepts").
func checkRecordFormat(rc *kds.RecordConfiguration, tables bool) error {
	f := *rc.RecordFormatType
	switch {
	case tables && (f == kds.RecordFormatTypeString || f == kds.RecordFormatTypeByteArray):
		return eddy.Errorf(eddy.CodeInvalidArgument,
			"RecordFormatType %s is supported only for general purpose Amazon S3 destinations.", f)
	case !tables && f == kds.RecordFormatTypeGSRJSON:
		return eddy.Errorf(eddy.CodeInvalidArgument,
			"RecordFormatType %s is supported only for streaming table (Amazon S3 Tables) destinations.", f)
	case tables && f == kds.RecordFormatTypeJSON && (rc.GSRSchemaARN == nil || *rc.GSRSchemaARN == ""):
		return eddy.Errorf(eddy.CodeInvalidArgument,
			"GSRSchemaARN is required when the channel destination is a streaming table and RecordFormatType is JSON.")
	}
	return nil
}

// DescribeChannel describes a channel by ARN.
func (e *Engine) DescribeChannel(ctx context.Context, in *kds.DescribeChannelInput) (*kds.DescribeChannelOutput, error) {
	c, err := e.lookupChannel(str(in.ChannelARN))
	if err != nil {
		return nil, err
	}
	return &kds.DescribeChannelOutput{ChannelDescription: e.channelOut(c)}, nil
}

// maxListChannels is ListChannels' page size: "The default value is 100. If
// you specify a value greater than 100, at most 100 results are returned"
// (the model's documentation of ListChannelsInput.MaxResults).
const maxListChannels = 100

// ListChannels pages through the region's channels in name order, up to
// MaxResults (at most and by default 100) per page, those of the streams of
// StreamFilter if given.
func (e *Engine) ListChannels(ctx context.Context, in *kds.ListChannelsInput) (*kds.ListChannelsOutput, error) {
	limit := maxListChannels
	if in.MaxResults != nil && *in.MaxResults > 0 && *in.MaxResults < maxListChannels {
		limit = int(*in.MaxResults)
	}
	after := ""
	if in.NextToken != nil {
		t, err := e.decodeToken(*in.NextToken, "ListChannels")
		if err != nil {
			return nil, err
		}
		after = t.After
	}
	cs, err := e.scanChannels()
	if err != nil {
		return nil, err
	}
	out := &kds.ListChannelsOutput{ChannelSummaries: []kds.ChannelSummary{}}
	last := ""
	for i := range cs {
		c := &cs[i]
		if c.Name <= after || !e.channelMatches(c, in.StreamFilter) {
			continue
		}
		if len(out.ChannelSummaries) == limit {
			out.NextToken = ptr(e.encodeToken(pageToken{Op: "ListChannels", After: last}))
			break
		}
		out.ChannelSummaries = append(out.ChannelSummaries, e.channelSummary(c))
		last = c.Name
	}
	return out, nil
}

// channelMatches reports whether c reads one of the filter's streams (at
// the incarnation created at StreamCreationTimestamp, when given).
func (e *Engine) channelMatches(c *channelMeta, filter []kds.StreamFilter) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		if str(f.StreamARN) != e.arn(c.Stream) {
			continue
		}
		if ts := f.StreamCreationTimestamp; ts != nil && time.Time(*ts).Unix() != time.Unix(0, c.StreamCreated).Unix() {
			continue
		}
		return true
	}
	return false
}

// UpdateChannel changes an ACTIVE channel's data freshness (of the
// destination it has) and logging: the channel is UPDATING for
// UpdateDelay, and its delivery restarts with the new configuration. A
// channel in another state is ResourceInUseException; a destination the
// channel does not have is InvalidArgumentException.
func (e *Engine) UpdateChannel(ctx context.Context, in *kds.UpdateChannelInput) (*kds.UpdateChannelOutput, error) {
	arn := str(in.ChannelARN)
	c, err := e.updateChannel(arn, func(c *channelMeta) error {
		now := e.now().UnixNano()
		if st := c.status(now); st != kds.ChannelStatusActive {
			return eddy.Errorf(eddy.CodeResourceInUse,
				"Channel %s under account %s not ACTIVE, instead in state %s", c.Name, e.cfg.AccountID, st)
		}
		if u := in.S3DestinationConfiguration; u != nil {
			if c.S3 == nil {
				return eddy.Errorf(eddy.CodeInvalidArgument,
					"Channel %s does not deliver to a general purpose Amazon S3 bucket: S3DestinationConfiguration cannot be updated.", c.Name)
			}
			c.S3.DataFreshnessInSeconds = *u.DataFreshnessInSeconds
		}
		if u := in.S3TablesDestinationConfiguration; u != nil {
			if c.Tables == nil {
				return eddy.Errorf(eddy.CodeInvalidArgument,
					"Channel %s does not deliver to Amazon S3 Tables: S3TablesDestinationConfiguration cannot be updated.", c.Name)
			}
			c.Tables.DataFreshnessInSeconds = *u.DataFreshnessInSeconds
		}
		if u := in.LoggingConfiguration; u != nil {
			l := u.CloudWatchLogs
			c.Logging = kds.ChannelLoggingConfiguration{CloudWatchLogs: &kds.CloudWatchLogs{
				Enabled: l.Enabled, LogGroupName: l.LogGroupName, LogStreamName: l.LogStreamName,
			}}
		}
		c.Version++
		c.Until = now + int64(e.cfg.UpdateDelay)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kds.UpdateChannelOutput{ChannelDescription: e.channelOut(c)}, nil
}

// DeleteChannel starts deleting a channel: DELETING for DeleteDelay, then
// gone (its delivery stops at once). Deleting a channel already DELETING
// is ResourceInUseException.
func (e *Engine) DeleteChannel(ctx context.Context, in *kds.DeleteChannelInput) (*kds.DeleteChannelOutput, error) {
	_, err := e.updateChannel(str(in.ChannelARN), func(c *channelMeta) error {
		now := e.now().UnixNano()
		if c.Deleted != 0 {
			return eddy.Errorf(eddy.CodeResourceInUse,
				"Channel %s under account %s not ACTIVE, instead in state %s", c.Name, e.cfg.AccountID, kds.ChannelStatusDeleting)
		}
		c.Deleted, c.Gone = now, now+int64(e.cfg.DeleteDelay)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kds.DeleteChannelOutput{}, nil
}
