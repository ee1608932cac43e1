package lambda

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// Function code in the shared store.
//
// A function's zip is kept on the node under DataDir/code/<sha256>.zip.
// With Config.Code set (eddy serve gives its shard logs, so with
// --backend jetstream every node of a cluster shares them) the zip is
// also kept in the store, as the log
//
//	lambda-code/<sha256 hex>   records of codeChunk bytes, in order; sealed when whole
//
// and a node that has no copy of a function's zip fetches it from there
// (checking its SHA-256) before it unzips it. So a function created
// through one node runs through any other.

// codeChunk is the size of a code log's records (the last is shorter).
const codeChunk = 1 << 20

// codeChunksPerAppend is how many records one Append carries.
const codeChunksPerAppend = 4

// codeSealWait is how long shareCode waits for another writer of the
// same zip to finish before it takes the log as abandoned.
var codeSealWait = 30 * time.Second

func codeLogID(hexSum string) string { return "lambda-code/" + hexSum }

// shareCode keeps zipBytes, whose SHA-256 is hexSum, in Config.Code
// unless it is there already. It does nothing without Config.Code.
func (s *Service) shareCode(hexSum string, zipBytes []byte) error {
	logs := s.cfg.Code
	if logs == nil {
		return nil
	}
	id := codeLogID(hexSum)
	for attempt := 0; ; attempt++ {
		l, err := logs.Create(id, 0)
		if errors.Is(err, storage.ErrExists) {
			if l, err = logs.Open(id); errors.Is(err, storage.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return fmt.Errorf("store code: %w", err)
			}
			sealed, err := waitSealed(l, codeSealWait)
			if err != nil && !errors.Is(err, storage.ErrDeleted) {
				return fmt.Errorf("store code: %w", err)
			}
			if sealed {
				return nil // the same bytes, kept whole before
			}
			if attempt > 0 {
				return fmt.Errorf("store code: log %s stays unfinished", id)
			}
			// Its writer stopped before sealing it: written again.
			if err := l.Delete(); err != nil && !errors.Is(err, storage.ErrDeleted) {
				return fmt.Errorf("store code: %w", err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("store code: %w", err)
		}
		if err := writeCode(l, zipBytes); err != nil {
			l.Delete()
			return fmt.Errorf("store code: %w", err)
		}
		return nil
	}
}

// writeCode appends b to the empty log l in records of codeChunk bytes
// and seals it.
func writeCode(l storage.ShardLog, b []byte) error {
	now := time.Now()
	var recs []storage.Record
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		_, err := l.Append(recs)
		recs = recs[:0]
		return err
	}
	for off := 0; off < len(b) || off == 0; off += codeChunk {
		end := min(off+codeChunk, len(b))
		recs = append(recs, storage.Record{Arrival: now, PartitionKey: "code", Data: b[off:end]})
		if len(recs) == codeChunksPerAppend {
			if err := flush(); err != nil {
				return err
			}
		}
		if end == len(b) {
			break
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return l.Seal()
}

// waitSealed waits until l is sealed (true) or for at most d (false).
func waitSealed(l storage.ShardLog, d time.Duration) (bool, error) {
	deadline := time.Now().Add(d)
	for {
		b, err := l.Bounds()
		if err != nil {
			return false, err
		}
		if b.Sealed || time.Now().After(deadline) {
			return b.Sealed, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fetchCode writes the zip whose SHA-256 is hexSum to path, from
// Config.Code. It fails if the store does not hold it whole.
func (s *Service) fetchCode(hexSum, path string) error {
	logs := s.cfg.Code
	if logs == nil {
		return fmt.Errorf("code %s is not on this node", hexSum)
	}
	l, err := logs.Open(codeLogID(hexSum))
	if err != nil {
		return fmt.Errorf("code %s: %w", hexSum, err)
	}
	b, err := l.Bounds()
	if err != nil {
		return fmt.Errorf("code %s: %w", hexSum, err)
	}
	if !b.Sealed {
		return fmt.Errorf("code %s is still being stored", hexSum)
	}
	var buf bytes.Buffer
	for pos := b.Oldest; pos < b.Next; {
		recs, err := l.Read(pos, 64, 16<<20)
		if err != nil {
			return fmt.Errorf("code %s: %w", hexSum, err)
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			buf.Write(r.Data)
		}
		pos = recs[len(recs)-1].Seq + 1
	}
	sum := sha256.Sum256(buf.Bytes())
	if hex.EncodeToString(sum[:]) != hexSum {
		return fmt.Errorf("code %s: the store holds %d bytes of another digest", hexSum, buf.Len())
	}
	tmp := path + ".tmp-" + newRevision()
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("code %s: %w", hexSum, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("code %s: %w", hexSum, err)
	}
	return nil
}

// codeFile is codePath, fetching the zip from the store when this node
// has no copy of it.
func (s *Service) codeFile(hexSum string) (string, error) {
	path := filepath.Join(s.codeDir, hexSum+".zip")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := s.fetchCode(hexSum, path); err != nil {
		return "", err
	}
	return path, nil
}
