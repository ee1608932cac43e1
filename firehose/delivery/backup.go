package delivery

import (
	"context"
	"time"

	"github.com/eddy-streams/eddy/firehose"
)

// Source record backup (ExtendedS3's S3BackupMode Enabled). Firehose "can
// back up all untransformed records to your S3 bucket concurrently while
// delivering transformed records to the destination" (Firehose developer
// guide, "Back up source records"), to the S3BackupConfiguration: its own
// bucket, prefix, buffering hints and compression ("Configure backup
// settings"). In the pipeline every record read goes, as read (before any
// processor or format conversion), into one backup buffer with
// BackupHints, delivered by Backup; a record's position is committed only
// once both its outputs and its backup copy are delivered, so a restart
// backs up again what was not yet backed up (at least once, as delivery).

// addBackup puts the source records recs, read positions p.order[base:],
// into the backup buffer (copying their data into the pipeline's chunks);
// each counts as one more undelivered output of its position.
func (p *Pipeline) addBackup(recs []Record, base int, now time.Time) {
	if p.Backup == nil {
		return
	}
	if p.backup == nil {
		p.backup = &Buffer{Opened: now}
	}
	for i, r := range recs {
		r.Keys = nil
		r.Data = p.chunks.copy(p.backup, r.Data)
		p.backup.Records = append(p.backup.Records, r)
		p.backup.Bytes += len(r.Data)
		p.order[base+i].left++
	}
}

// backupDue reports whether the backup buffer reached a hint at now.
func (p *Pipeline) backupDue(now time.Time) bool {
	b := p.backup
	return b != nil && (b.Bytes >= p.BackupHints.Size || !now.Before(b.Opened.Add(p.BackupHints.Interval)))
}

// flushBackup delivers the backup buffer, if any, and commits what that
// completes.
func (p *Pipeline) flushBackup(ctx context.Context) error {
	b := p.backup
	if b == nil {
		return nil
	}
	b.Closed = p.Clock.Now()
	if err := p.Backup.Deliver(ctx, b); err != nil {
		return err
	}
	p.backup = nil
	return p.done(b)
}

// sourceBackup builds the source record backup of an ExtendedS3 stream
// with S3BackupMode Enabled: an S3 writer of its S3BackupConfiguration and
// that configuration's buffering hints. nil without one.
func (r *Runner) sourceBackup(ds firehose.DeliveryStream, deps Deps) (*S3, Hints, error) {
	c := ds.Destination.ExtendedS3
	if c == nil || c.S3BackupMode != "Enabled" {
		return nil, Hints{}, nil
	}
	bc := orEmpty(c.S3BackupConfiguration)
	s, err := r.newS3(ds, plainOptions(bc), deps)
	if err != nil {
		return nil, Hints{}, err
	}
	// The delivery metrics count the destination's writes only.
	s.Attempted = nil
	return s, s3Hints(bc.BufferingHints), nil
}
