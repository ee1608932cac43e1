package kinesis

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
)

// Channels deliver a stream's records to a general purpose S3 bucket or to
// S3 Tables (CreateChannel, DescribeChannel, ListChannels, UpdateChannel,
// DeleteChannel). The engine keeps their configuration and lifecycle in its
// MetaStore table "channels" (so "kinesis/<region>/channels" under
// Regions), one JSON document per channel name; the delivery itself runs
// outside the engine (package kinesis/channels), which lists the channels
// to deliver with ChannelDeliveries.
//
// A channel is CREATING for CreateDelay, then ACTIVE; an update makes it
// UPDATING for UpdateDelay; a deleted one is DELETING for DeleteDelay, then
// gone. As for consumers, statuses are computed from the clock when read.
// Channels to S3 Tables are delivered too (as Apache Iceberg tables in a
// local warehouse: kinesis/channels).
//
// Sources: the Kinesis API reference (CreateChannel: "only supported for
// data streams with the on-demand capacity mode", exactly one of the two
// destinations; ChannelDescription: the ARN pattern
// arn:aws.*:kinesis:.*:\d{12}:channel/\S+) and the Kinesis developer guide
// ("Data delivery concepts": data freshness 300-900 s, default 300; no
// backfill). No recording of the service's error messages for channels was
// found: the messages below are Eddy's.

const (
	tableChannels = "channels"

	// maxChannelsPerDestination is how many channels of one destination
	// type a stream may have: "One S3 channel and one S3 Tables channel
	// per stream at launch" (AWS agent toolkit, general purpose delivery to
	// Amazon S3).
	maxChannelsPerDestination = 1

	// DefaultDataFreshness is DataFreshnessInSeconds when CreateChannel
	// gives none ("The default value is 300 seconds").
	DefaultDataFreshness = 300
)

// channelMeta is a channel as stored.
type channelMeta struct {
	Name    string `json:"name"`
	ID      string `json:"id"`
	Created int64  `json:"created"`         // Unix ns
	Active  int64  `json:"active"`          // Unix ns when CREATING ends
	Until   int64  `json:"until,omitempty"` // Unix ns when UPDATING ends
	Deleted int64  `json:"deleted,omitempty"`
	Gone    int64  `json:"gone,omitempty"` // Unix ns when DELETING ends
	// Version counts the configuration's changes: the delivery restarts
	// with the new configuration when it changes.
	Version int `json:"version"`

	Role          string                              `json:"role"`
	Stream        string                              `json:"stream"`
	StreamCreated int64                               `json:"streamCreated"`
	Record        kds.RecordConfiguration             `json:"record"`
	S3            *kds.S3DestinationDescription       `json:"s3,omitempty"`
	Tables        *kds.S3TablesDestinationDescription `json:"tables,omitempty"`
	Encryption    *kds.ChannelEncryptionConfiguration `json:"encryption,omitempty"`
	Logging       kds.ChannelLoggingConfiguration     `json:"logging"`
	Tags          map[string]string                   `json:"tags,omitempty"`
}

// status is the channel's status at now, or "" once it is gone.
func (c *channelMeta) status(now int64) kds.ChannelStatus {
	switch {
	case c.Deleted != 0 && now >= c.Gone:
		return ""
	case c.Deleted != 0:
		return kds.ChannelStatusDeleting
	case now < c.Active:
		return kds.ChannelStatusCreating
	case now < c.Until:
		return kds.ChannelStatusUpdating
	}
	return kds.ChannelStatusActive
}

// reason is the ChannelStatusReason: none, since no channel fails.
func (c *channelMeta) reason(now int64) *string { return nil }

func (c *channelMeta) destinationType() kds.ChannelDestinationType {
	if c.Tables != nil {
		return kds.ChannelDestinationTypeS3Tables
	}
	return kds.ChannelDestinationTypeS3
}

// channelARN is arn:aws:kinesis:<region>:<account>:channel/<name>, the form
// of the model's ChannelARN pattern.
func (e *Engine) channelARN(name string) string {
	return fmt.Sprintf("arn:aws:kinesis:%s:%s:channel/%s", e.cfg.Region, e.cfg.AccountID, name)
}

// channelNameFromARN parses a channel ARN; here reports whether region and
// account are this engine's.
func (e *Engine) channelNameFromARN(arn string) (name string, here bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" {
		return "", false
	}
	name, ok := strings.CutPrefix(parts[5], "channel/")
	if !ok || name == "" {
		return "", false
	}
	return name, parts[3] == e.cfg.Region && parts[4] == e.cfg.AccountID
}

// channelID is the channel's unique identifier: derived from the engine's
// secret, the name and the creation time, so it differs between
// incarnations of a name and is reproducible in golden files. It has the
// form of a UUID (36 characters; the model allows 1 to 64).
func (e *Engine) channelID(name string, created int64) string {
	m := hmac.New(sha256.New, e.secret)
	fmt.Fprintf(m, "channel\x00%s\x00%d", name, created)
	h := hex.EncodeToString(m.Sum(nil)[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (e *Engine) channelNotFound(arn string) error {
	return eddy.Errorf(eddy.CodeResourceNotFound, "Channel %s under account %s not found.", arn, e.cfg.AccountID)
}

// loadChannel reads a channel by name; nil if none or gone.
func (e *Engine) loadChannel(tx storage.MetaTx, name string) (*channelMeta, error) {
	b, err := tx.Get(tableChannels, name)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internalf("channel %s: %w", name, err)
	}
	var c channelMeta
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, internalf("channel %s: %w", name, err)
	}
	if c.status(e.now().UnixNano()) == "" {
		return nil, nil
	}
	return &c, nil
}

func putChannel(tx storage.MetaTx, c *channelMeta) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return tx.Put(tableChannels, c.Name, b)
}

// scanChannels returns the channels not gone, in name order.
func (e *Engine) scanChannels() ([]channelMeta, error) {
	now := e.now().UnixNano()
	var out []channelMeta
	err := e.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(tableChannels, "", "", func(key string, value []byte) (bool, error) {
			var c channelMeta
			if err := json.Unmarshal(value, &c); err != nil {
				return false, fmt.Errorf("channel %s: %w", key, err)
			}
			if c.status(now) != "" {
				out = append(out, c)
			}
			return true, nil
		})
	})
	if err != nil {
		return nil, internalf("list channels: %w", err)
	}
	return out, nil
}

// lookupChannel resolves a ChannelARN to the channel.
func (e *Engine) lookupChannel(arn string) (*channelMeta, error) {
	name, here := e.channelNameFromARN(arn)
	if !here {
		return nil, e.channelNotFound(arn)
	}
	var c *channelMeta
	err := e.meta.View(func(tx storage.MetaTx) error {
		var err error
		c, err = e.loadChannel(tx, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, e.channelNotFound(arn)
	}
	return c, nil
}

// updateChannel applies fn to a live channel under the control-plane lock.
func (e *Engine) updateChannel(arn string, fn func(c *channelMeta) error) (*channelMeta, error) {
	name, here := e.channelNameFromARN(arn)
	if !here {
		return nil, e.channelNotFound(arn)
	}
	e.ctl.Lock()
	defer e.ctl.Unlock()
	var c *channelMeta
	err := e.meta.Update(func(tx storage.MetaTx) error {
		var err error
		if c, err = e.loadChannel(tx, name); err != nil {
			return err
		}
		if c == nil {
			return e.channelNotFound(arn)
		}
		if err := fn(c); err != nil {
			return err
		}
		return putChannel(tx, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// channelOut is the ChannelDescription of c.
func (e *Engine) channelOut(c *channelMeta) kds.ChannelDescription {
	now := e.now().UnixNano()
	return kds.ChannelDescription{
		ChannelName:              c.Name,
		ChannelARN:               e.channelARN(c.Name),
		ChannelId:                c.ID,
		ChannelStatus:            c.status(now),
		ChannelStatusReason:      c.reason(now),
		ChannelCreationTimestamp: timestamp(c.Created),
		ServiceExecutionRoleARN:  c.Role,
		StreamConfigurationList: []kds.ChannelStreamDescription{{
			StreamARN:               e.arn(c.Stream),
			StreamCreationTimestamp: timestamp(c.StreamCreated),
			RecordConfiguration:     c.Record,
		}},
		S3DestinationConfiguration:       c.S3,
		S3TablesDestinationConfiguration: c.Tables,
		EncryptionConfiguration:          c.Encryption,
		LoggingConfiguration:             c.Logging,
	}
}

// channelSummary is the ChannelSummary of c.
func (e *Engine) channelSummary(c *channelMeta) kds.ChannelSummary {
	now := e.now().UnixNano()
	return kds.ChannelSummary{
		ChannelName:              c.Name,
		ChannelARN:               e.channelARN(c.Name),
		ChannelId:                c.ID,
		ChannelStatus:            c.status(now),
		ChannelStatusReason:      c.reason(now),
		ChannelCreationTimestamp: timestamp(c.Created),
		ChannelDestinationType:   c.destinationType(),
		Streams: []kds.ChannelStreamIdentifier{{
			StreamARN:               e.arn(c.Stream),
			StreamCreationTimestamp: timestamp(c.StreamCreated),
		}},
	}
}

// ChannelDelivery is what the delivery of a channel to S3 needs.
type ChannelDelivery struct {
	// ARN names the channel; Name and ID fill its object keys.
	ARN, Name, ID string
	// Version changes whenever the channel's configuration does.
	Version string
	// StreamARN and StreamName are the source stream's.
	StreamARN, StreamName string
	// Start is when the channel became ACTIVE: records that arrived
	// before it are not delivered ("No backfill": Kinesis developer guide,
	// "Data delivery concepts").
	Start        time.Time
	RecordFormat kds.RecordFormatType
	// S3 is the destination of a channel to a general purpose bucket;
	// Tables (nil otherwise) that of a channel to S3 Tables.
	S3     kds.S3DestinationDescription
	Tables *kds.S3TablesDestinationDescription
}

// ChannelDeliveries lists the channels whose records should be delivered
// now: those (to a general purpose S3 bucket or to S3 Tables) that are
// ACTIVE or UPDATING and
// whose stream still exists (the incarnation they were created on), in
// name order.
func (e *Engine) ChannelDeliveries() ([]ChannelDelivery, error) {
	cs, err := e.scanChannels()
	if err != nil {
		return nil, err
	}
	now := e.now().UnixNano()
	var out []ChannelDelivery
	for i := range cs {
		c := &cs[i]
		st := c.status(now)
		if c.S3 == nil && c.Tables == nil || (st != kds.ChannelStatusActive && st != kds.ChannelStatusUpdating) {
			continue
		}
		// The stream it was created on, not a later one of the same name.
		if s := e.lookup(c.Stream); s == nil || s.view.Load().meta.Created != c.StreamCreated {
			continue
		}
		var format kds.RecordFormatType
		if c.Record.RecordFormatType != nil {
			format = *c.Record.RecordFormatType
		}
		out = append(out, ChannelDelivery{
			ARN: e.channelARN(c.Name), Name: c.Name, ID: c.ID,
			Version:   c.ID + "." + strconv.Itoa(c.Version),
			StreamARN: e.arn(c.Stream), StreamName: c.Stream,
			Start:        time.Unix(0, c.Active),
			RecordFormat: format,
		})
		if c.S3 != nil {
			out[len(out)-1].S3 = *c.S3
		} else {
			t := *c.Tables
			out[len(out)-1].Tables = &t
		}
	}
	return out, nil
}
