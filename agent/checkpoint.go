package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// checkpoint is what the checkpoint file keeps of one file of one flow: its
// identity, a fingerprint of its head, and the offset after the last record
// acknowledged in file order.
type checkpoint struct {
	Flow    string `json:"flow"`
	Path    string `json:"path"` // the name the file had when last seen; informative
	Dev     uint64 `json:"dev"`
	Ino     uint64 `json:"ino"`
	HeadLen int64  `json:"headLen"`
	Head    string `json:"head"` // hex SHA-256 of the first HeadLen bytes
	Offset  int64  `json:"offset"`
	// Seen is when a flow last followed the file (Unix seconds); the
	// checkpoint is dropped checkpointTimeToLiveDays after it.
	Seen int64 `json:"seen"`
}

func (c checkpoint) key() string { return c.Flow + "|" + fileID{c.Dev, c.Ino}.String() }

// checkpointStore is the checkpoint file: loaded at start, written whole
// (temporary file, fsync, rename, fsync of the directory) so that a crash
// leaves either the old or the new content.
type checkpointStore struct {
	path    string
	mu      sync.Mutex
	all     map[string]checkpoint
	changed bool // since the last save
}

func openCheckpoints(path string) (*checkpointStore, error) {
	s := &checkpointStore{path: path, all: map[string]checkpoint{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte("SQLite format 3\x00")) {
		return nil, fmt.Errorf("agent: checkpoint file %s is the Kinesis Agent's SQLite database; eddy agent keeps its checkpoints in its own format: set checkpointFile to another path (initialPosition then chooses where the files are read from)", path)
	}
	var list []checkpoint
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("agent: checkpoint file %s: %v", path, err)
	}
	now := time.Now().Unix()
	for _, c := range list {
		if c.Seen == 0 {
			c.Seen = now
		}
		s.all[c.key()] = c
	}
	return s, nil
}

func (s *checkpointStore) get(flow string, id fileID) (checkpoint, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.all[flow+"|"+id.String()]
	return c, ok
}

// hasFlow reports whether any file of the flow has a checkpoint.
func (s *checkpointStore) hasFlow(flow string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.all {
		if c.Flow == flow {
			return true
		}
	}
	return false
}

func (s *checkpointStore) set(c checkpoint) {
	s.mu.Lock()
	s.all[c.key()] = c
	s.changed = true
	s.mu.Unlock()
}

func (s *checkpointStore) remove(flow string, id fileID) {
	s.mu.Lock()
	delete(s.all, flow+"|"+id.String())
	s.changed = true
	s.mu.Unlock()
}

// expire drops the checkpoints not seen since before now-ttl: files no
// flow has followed for that long (renamed away and deleted while the
// agent was stopped, or of a flow removed from the configuration).
func (s *checkpointStore) expire(now time.Time, ttl time.Duration) {
	limit := now.Add(-ttl).Unix()
	s.mu.Lock()
	for k, c := range s.all {
		if c.Seen < limit {
			delete(s.all, k)
			s.changed = true
		}
	}
	s.mu.Unlock()
}

// save writes the checkpoints atomically, if they changed since the last
// save.
func (s *checkpointStore) save() error {
	s.mu.Lock()
	if !s.changed {
		s.mu.Unlock()
		return nil
	}
	list := make([]checkpoint, 0, len(s.all))
	for _, c := range s.all {
		list = append(list, c)
	}
	s.changed = false
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].key() < list[j].key() })
	b, err := json.MarshalIndent(list, "", " ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, filepath.Base(s.path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		s.mu.Lock()
		s.changed = true // try again next time
		s.mu.Unlock()
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
