package segment

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/vfs"
)

// Store is a collection of shard logs in one directory. It implements
// storage.Logs.
type Store struct {
	cfg Config
	// noPrealloc is set once the filesystem refused to preallocate.
	noPrealloc atomic.Bool
	dir        string // holds one directory per log
	fs         vfs.FS
	files      *fileCache
	idxs       *idxCache
	log        *slog.Logger
	closed     atomic.Bool
	tmpSeq     atomic.Uint64

	mu struct {
		sync.Mutex
		logs  map[string]*shardLog
		dirty map[*shardLog]struct{} // SyncInterval: logs with unsynced writes
	}
	stop chan struct{}
	wg   sync.WaitGroup
	// fsync is the store-wide group commit (Config.SyncFS), or nil.
	fsync *fsSyncer
}

var _ storage.Logs = (*Store)(nil)

// tmpPrefix starts the names of directories being created. '@' cannot occur
// in a log id, so these never collide with a log.
const tmpPrefix = "@new-"

// Open opens (creating if needed) the store in dir. Logs are loaded lazily
// when first used, so opening is fast whatever the number of logs.
func Open(dir string, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.FS.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("segment: create %s: %w", dir, err)
	}
	names, err := cfg.FS.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("segment: read %s: %w", dir, err)
	}
	s := &Store{
		cfg:   cfg,
		dir:   dir,
		fs:    cfg.FS,
		files: newFileCache(cfg.FS, cfg.MaxOpenFiles),
		idxs:  newIdxCache(cfg.MaxCachedIndexes),
		log:   cfg.Logger.With("component", "segment"),
		stop:  make(chan struct{}),
	}
	s.mu.logs = make(map[string]*shardLog)
	s.mu.dirty = make(map[*shardLog]struct{})
	// Half-created logs from a crash are removed.
	for _, n := range names {
		if strings.HasPrefix(n, tmpPrefix) {
			if err := s.fs.RemoveAll(filepath.Join(dir, n)); err != nil {
				return nil, fmt.Errorf("segment: remove %s: %w", n, err)
			}
		}
	}
	if cfg.Sync == SyncInterval {
		s.wg.Add(1)
		go s.syncLoop()
	}
	if fsy, ok := cfg.FS.(vfs.FSSyncer); ok && cfg.SyncFS && cfg.Sync == SyncAlways {
		// Probe: where the platform lacks syncfs, keep fdatasync per log.
		d, err := cfg.FS.OpenDir(dir)
		if err != nil {
			return nil, fmt.Errorf("segment: open %s: %w", dir, err)
		}
		err = fsy.SyncFS(d)
		d.Close()
		switch {
		case err == nil:
			s.fsync = newFSSyncer(fsy)
		case errors.Is(err, errors.ErrUnsupported):
		default:
			return nil, fmt.Errorf("segment: syncfs %s: %w", dir, err)
		}
	}
	return s, nil
}

// dirName maps a log id to its directory name: '/' (allowed in ids, not in
// file names) becomes '~', which ids cannot contain.
func dirName(id string) string { return strings.ReplaceAll(id, "/", "~") }

func idFromDir(name string) string { return strings.ReplaceAll(name, "~", "/") }

// Create implements storage.Logs.
func (s *Store) Create(id string, base uint64) (storage.ShardLog, error) {
	if s.closed.Load() {
		return nil, storage.ErrClosed
	}
	if !storage.ValidID(id) {
		return nil, fmt.Errorf("segment: invalid log id %q", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	final := filepath.Join(s.dir, dirName(id))
	if _, ok := s.mu.logs[id]; ok {
		return nil, storage.ErrExists
	}
	if _, err := s.fs.Stat(final); err == nil {
		return nil, storage.ErrExists
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	// Build the log in a temporary directory and rename it into place, so a
	// crash never leaves a half-made log under a real id.
	tmp := filepath.Join(s.dir, tmpPrefix+strconv.FormatUint(s.tmpSeq.Add(1), 10)+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := s.fs.MkdirAll(tmp); err != nil {
		return nil, err
	}
	if err := createSegmentFile(s.fs, filepath.Join(tmp, segmentName(base, segExt)), base); err != nil {
		s.fs.RemoveAll(tmp)
		return nil, fmt.Errorf("segment: create log %s: %w", id, err)
	}
	if err := vfs.SyncDir(s.fs, tmp); err != nil {
		s.fs.RemoveAll(tmp)
		return nil, fmt.Errorf("segment: create log %s: %w", id, err)
	}
	if err := s.fs.Rename(tmp, final); err != nil {
		s.fs.RemoveAll(tmp)
		return nil, fmt.Errorf("segment: create log %s: %w", id, err)
	}
	if err := vfs.SyncDir(s.fs, s.dir); err != nil {
		return nil, fmt.Errorf("segment: create log %s: %w", id, err)
	}
	l := newShardLog(s, id, final)
	s.mu.logs[id] = l
	return l, nil
}

// createSegmentFile creates a segment file holding only its header, synced,
// and its empty index file. The caller syncs the directory.
func createSegmentFile(fsys vfs.FS, path string, base uint64) error {
	idx, err := fsys.Create(strings.TrimSuffix(path, segExt) + idxExt)
	if err != nil {
		return err
	}
	if err := idx.Close(); err != nil {
		return err
	}
	f, err := fsys.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(encodeSegmentHeader(base)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Open implements storage.Logs.
func (s *Store) Open(id string) (storage.ShardLog, error) {
	if s.closed.Load() {
		return nil, storage.ErrClosed
	}
	if !storage.ValidID(id) {
		return nil, storage.ErrNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.mu.logs[id]; ok {
		return l, nil
	}
	dir := filepath.Join(s.dir, dirName(id))
	st, err := s.fs.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, storage.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", storage.ErrCorrupt, dir)
	}
	l := newShardLog(s, id, dir)
	s.mu.logs[id] = l
	return l, nil
}

// List implements storage.Logs.
func (s *Store) List() ([]string, error) {
	if s.closed.Load() {
		return nil, storage.ErrClosed
	}
	// Hold the lock so a concurrent Create's rename is either seen whole or
	// not at all.
	s.mu.Lock()
	defer s.mu.Unlock()
	names, err := s.fs.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(names))
	for _, n := range names {
		if strings.HasPrefix(n, tmpPrefix) {
			continue
		}
		ids = append(ids, idFromDir(n))
	}
	sort.Strings(ids)
	return ids, nil
}

// Close implements storage.Logs: it syncs every log with unsynced data and
// closes all files.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return storage.ErrClosed
	}
	close(s.stop)
	s.wg.Wait()
	s.mu.Lock()
	logs := make([]*shardLog, 0, len(s.mu.logs))
	for _, l := range s.mu.logs {
		logs = append(logs, l)
	}
	s.mu.Unlock()
	var first error
	for _, l := range logs {
		if err := l.close(); err != nil && first == nil {
			first = err
		}
	}
	s.files.closeAll()
	return first
}

// OpenFiles reports how many file descriptors the store holds open.
func (s *Store) OpenFiles() int { return s.files.open() }

// forgetLog drops a deleted log from the store's table.
func (s *Store) forgetLog(l *shardLog) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.logs[l.id] == l {
		delete(s.mu.logs, l.id)
	}
	delete(s.mu.dirty, l)
}

func (s *Store) markDirty(l *shardLog) {
	s.mu.Lock()
	s.mu.dirty[l] = struct{}{}
	s.mu.Unlock()
}

// syncLoop fsyncs logs with unsynced writes every SyncInterval.
func (s *Store) syncLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		dirty := make([]*shardLog, 0, len(s.mu.dirty))
		for l := range s.mu.dirty {
			dirty = append(dirty, l)
		}
		clear(s.mu.dirty)
		s.mu.Unlock()
		for _, l := range dirty {
			if err := l.syncNow(); err != nil {
				s.log.Error("periodic sync failed", "log", l.id, "err", err)
				s.markDirty(l)
			}
		}
	}
}
