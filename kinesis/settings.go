package kinesis

import (
	"sort"
	"time"

	"github.com/eddy-streams/eddy"
)

// Limits on stream settings, as Kinesis documents them.
const (
	minRetentionHours = 24
	maxRetentionHours = 8760
	maxTags           = 50
	minRecordKiB      = 1024
	maxRecordKiB      = 10240
)

// allMetrics is what "ALL" means to Enable/DisableEnhancedMonitoring.
var allMetrics = []string{
	"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
	"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
	"IteratorAgeMilliseconds",
}

// mutable returns the named stream, which must exist and not be deleting.
func (e *Engine) mutable(name string) (*stream, error) {
	s := e.lookupFresh(name)
	if s == nil || s.view.Load().meta.Status == StatusDeleting {
		return nil, e.notFound(name)
	}
	return s, nil
}

// requireActive refuses changes to a stream that is not ACTIVE.
func (e *Engine) requireActive(m *streamMeta) error {
	if m.Status != StatusActive {
		return eddy.Errorf(eddy.CodeResourceInUse,
			"Stream %s under account %s not ACTIVE, instead in state %s", m.Name, e.cfg.AccountID, m.Status)
	}
	return nil
}

// beginUpdate puts m in UPDATING for UpdateDelay (if any).
func (e *Engine) beginUpdate(m *streamMeta) {
	if d := e.cfg.UpdateDelay; d > 0 {
		m.Status, m.StatusUntil = StatusUpdating, e.now().Add(d).UnixNano()
	}
}

// change runs fn on an ACTIVE stream's metadata and starts an UPDATING
// transition when update is true.
func (e *Engine) change(name string, update bool, fn func(m *streamMeta) error) error {
	s, err := e.mutable(name)
	if err != nil {
		return err
	}
	err = s.update(func(m *streamMeta) error {
		if err := e.requireActive(m); err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
		if update {
			e.beginUpdate(m)
		}
		return nil
	})
	if err == nil && update {
		e.scheduleTransition(s)
	}
	return err
}

func (e *Engine) setRetention(name string, hours int, increase bool) error {
	if hours < minRetentionHours {
		return eddy.Errorf(eddy.CodeInvalidArgument,
			"Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetentionHours, hours)
	}
	if hours > maxRetentionHours {
		return eddy.Errorf(eddy.CodeInvalidArgument,
			"Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", maxRetentionHours, hours)
	}
	return e.change(name, false, func(m *streamMeta) error {
		switch {
		case increase && hours < m.RetentionHours:
			return eddy.Errorf(eddy.CodeInvalidArgument,
				"Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.",
				hours, name, m.RetentionHours)
		case !increase && hours > m.RetentionHours:
			return eddy.Errorf(eddy.CodeInvalidArgument,
				"Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.",
				hours, name, m.RetentionHours)
		}
		m.RetentionHours = hours
		return nil
	})
}

// addTags adds or overwrites a stream's tags (AddTagsToStream, and
// TagResource on a stream). The stream must exist; then the tags'
// characters are checked (checkTagChars), then the count. A stream over
// maxTags is InvalidArgumentException worded as Kinesis worded it when the
// limit was 10 (mhart/kinesalite test/addTagsToStream.js, "should add and
// remove tags keys"), with today's limit.
func (e *Engine) addTags(name string, tags map[string]string) error {
	s, err := e.mutable(name)
	if err != nil {
		return err
	}
	if err := e.checkTagChars("add tags to", name, tagStrings(tags)); err != nil {
		return err
	}
	return s.update(func(m *streamMeta) error {
		n := len(m.Tags)
		for k := range tags {
			if _, ok := m.Tags[k]; !ok {
				n++
			}
		}
		if n > maxTags {
			return eddy.Errorf(eddy.CodeInvalidArgument,
				"Failed to add tags to stream %s under account %s because a given stream cannot have more than %d tags associated with it.", name, e.cfg.AccountID, maxTags)
		}
		if m.Tags == nil {
			m.Tags = map[string]string{}
		}
		for k, v := range tags {
			m.Tags[k] = v
		}
		return nil
	})
}

// removeTags removes tags from a stream; missing keys are ignored. The
// stream must exist, then the keys' characters are checked.
func (e *Engine) removeTags(name string, keys []string) error {
	s, err := e.mutable(name)
	if err != nil {
		return err
	}
	if err := e.checkTagChars("remove tags from", name, keys); err != nil {
		return err
	}
	return s.update(func(m *streamMeta) error {
		for _, k := range keys {
			delete(m.Tags, k)
		}
		return nil
	})
}

// tagPage returns tags sorted by key after exclusiveStart, at most limit
// (all if limit <= 0), and whether more follow.
func (e *Engine) tagPage(name, exclusiveStart string, limit int) ([][2]string, bool, error) {
	s := e.lookupFresh(name)
	if s == nil {
		return nil, false, e.notFound(name)
	}
	tags := s.view.Load().meta.Tags
	keys := make([]string, 0, len(tags))
	for k := range tags {
		if k > exclusiveStart {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	more := false
	if limit > 0 && len(keys) > limit {
		keys, more = keys[:limit], true
	}
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, tags[k]}
	}
	return out, more, nil
}

func (e *Engine) setEncryption(name, typ, keyID string) error {
	q := quotaStartEncryption
	if typ == EncryptionNone {
		q = quotaStopEncryption
	}
	return e.change(name, true, func(m *streamMeta) error {
		if err := e.chargeQuota(m, q); err != nil {
			return err
		}
		m.Encryption, m.KeyID = typ, keyID
		if typ == EncryptionNone {
			m.KeyID = ""
		}
		return nil
	})
}

// setMetrics enables (or disables) shard-level metrics and returns the set
// before and after.
func (e *Engine) setMetrics(name string, metrics []string, enable bool) (before, after []string, err error) {
	want := map[string]bool{}
	for _, x := range metrics {
		if x == "ALL" {
			for _, y := range allMetrics {
				want[y] = true
			}
			continue
		}
		want[x] = true
	}
	err = e.change(name, false, func(m *streamMeta) error {
		before = append([]string(nil), m.Metrics...)
		cur := map[string]bool{}
		for _, x := range m.Metrics {
			cur[x] = true
		}
		for x := range want {
			cur[x] = enable
		}
		m.Metrics = m.Metrics[:0]
		for _, x := range allMetrics {
			if cur[x] {
				m.Metrics = append(m.Metrics, x)
			}
		}
		after = append([]string(nil), m.Metrics...)
		return nil
	})
	return before, after, err
}

func (e *Engine) setMode(name, mode string) error {
	if s := e.lookup(name); s != nil && mode == ModeOnDemand && s.view.Load().meta.Mode != ModeOnDemand {
		if err := e.checkOnDemandQuota(); err != nil {
			return err
		}
	}
	return e.change(name, true, func(m *streamMeta) error {
		if m.Mode == mode {
			// No recording of Kinesis's answer to UpdateStreamMode to the
			// stream's own mode was found: the code and wording are Eddy's.
			return eddy.Errorf(eddy.CodeInvalidArgument,
				"Stream %s under account %s is already in %s mode.", name, e.cfg.AccountID, mode)
		}
		if err := e.chargeQuota(m, quotaStreamMode); err != nil {
			return err
		}
		m.Mode = mode
		return nil
	})
}

func (e *Engine) setMaxRecordSize(name string, kib int) error {
	if kib < minRecordKiB || kib > maxRecordKiB {
		return eddy.Errorf(eddy.CodeValidation,
			"1 validation error detected: Value '%d' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value between %d and %d", kib, minRecordKiB, maxRecordKiB)
	}
	return e.change(name, true, func(m *streamMeta) error {
		m.MaxRecordKiB = kib
		return nil
	})
}

func (e *Engine) setWarmThroughput(name string, mibps int) error {
	return e.change(name, true, func(m *streamMeta) error {
		m.WarmMiBps = mibps
		return nil
	})
}

func (e *Engine) setPolicy(name, policy string) error {
	s, err := e.mutable(name)
	if err != nil {
		return err
	}
	return s.update(func(m *streamMeta) error {
		m.Policy = policy
		return nil
	})
}

// streamCreated returns a stream's creation time.
func (v *streamView) created() time.Time { return time.Unix(0, v.meta.Created) }
