package dynamo

import "github.com/eddy-streams/eddy/storage"

// Dropped tables and indexes leave their buckets listed in "purge"; a
// background pass deletes their keys, purgeChunk per transaction so that
// item writes are not held up, and removes the entry when the bucket is
// empty. Nothing reads a dropped bucket (its table or index has a new id
// if re-created), so the pass may take its time; it resumes at Open after
// a restart.

const purgeChunk = 1000

// startPurge runs a purge pass in the background unless one is running.
func (e *Engine) startPurge() {
	e.bg.Lock()
	defer e.bg.Unlock()
	if e.bg.closing || e.bg.purging {
		return
	}
	e.bg.purging = true
	e.bg.wg.Add(1)
	go func() {
		defer e.bg.wg.Done()
		for {
			more, err := e.purgeOnce()
			if err != nil {
				e.log.Error("purging dropped buckets", "err", err)
			}
			e.bg.Lock()
			if !more || err != nil || e.bg.closing {
				e.bg.purging = false
				e.bg.Unlock()
				return
			}
			e.bg.Unlock()
		}
	}()
}

// purgeOnce deletes up to purgeChunk keys of the first listed bucket and
// reports whether any bucket is left.
func (e *Engine) purgeOnce() (more bool, err error) {
	err = e.meta.Update(func(tx storage.MetaTx) error {
		var bucket string
		if err := tx.Scan(bucketPurge, "", "", func(k string, _ []byte) (bool, error) {
			bucket = k
			return false, nil
		}); err != nil {
			return err
		}
		if bucket == "" {
			more = false
			return nil
		}
		more = true
		var keys []string
		if err := tx.Scan(bucket, "", "", func(k string, _ []byte) (bool, error) {
			keys = append(keys, k)
			return len(keys) < purgeChunk, nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(bucket, k); err != nil {
				return err
			}
		}
		if len(keys) < purgeChunk {
			return tx.Delete(bucketPurge, bucket)
		}
		return nil
	})
	return more, err
}
