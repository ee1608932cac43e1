package segment

import (
	"container/list"
	"sync"

	"github.com/eddy-streams/eddy/storage/vfs"
)

// fileCache keeps at most max files open across all shards. A file in use
// (refs > 0) is never closed; idle files are closed least recently used
// first once more than max are open.
type fileCache struct {
	fs  vfs.FS
	max int
	mu  struct {
		sync.Mutex
		files map[string]*cachedFile
		idle  list.List // of *cachedFile with refs == 0, most recent at front
	}
}

type cachedFile struct {
	path string
	f    vfs.File
	refs int
	elem *list.Element // in idle list when refs == 0
}

func newFileCache(fsys vfs.FS, max int) *fileCache {
	c := &fileCache{fs: fsys, max: max}
	c.mu.files = make(map[string]*cachedFile)
	return c
}

// acquire returns the open file at path, opening it for reading and writing
// if needed. The caller must release it.
func (c *fileCache) acquire(path string) (*cachedFile, error) {
	c.mu.Lock()
	if cf, ok := c.mu.files[path]; ok {
		if cf.refs == 0 {
			c.mu.idle.Remove(cf.elem)
			cf.elem = nil
		}
		cf.refs++
		c.mu.Unlock()
		return cf, nil
	}
	c.mu.Unlock()

	// Open outside the lock; another goroutine may race us to it.
	f, err := c.fs.OpenRW(path)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cf, ok := c.mu.files[path]; ok {
		f.Close()
		if cf.refs == 0 {
			c.mu.idle.Remove(cf.elem)
			cf.elem = nil
		}
		cf.refs++
		return cf, nil
	}
	cf := &cachedFile{path: path, f: f, refs: 1}
	c.mu.files[path] = cf
	c.evictLocked()
	return cf, nil
}

// release drops a reference taken by acquire.
func (c *fileCache) release(cf *cachedFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cf.refs--
	if cf.refs == 0 {
		if c.mu.files[cf.path] != cf {
			// Forgotten while in use: close now.
			cf.f.Close()
			return
		}
		cf.elem = c.mu.idle.PushFront(cf)
		c.evictLocked()
	}
}

func (c *fileCache) evictLocked() {
	for len(c.mu.files) > c.max && c.mu.idle.Len() > 0 {
		cf := c.mu.idle.Remove(c.mu.idle.Back()).(*cachedFile)
		cf.elem = nil
		delete(c.mu.files, cf.path)
		cf.f.Close()
	}
}

// forget closes path's file if it is idle, or arranges for it to be closed
// when released, so the path can be removed or replaced.
func (c *fileCache) forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cf, ok := c.mu.files[path]
	if !ok {
		return
	}
	delete(c.mu.files, path)
	if cf.refs == 0 {
		c.mu.idle.Remove(cf.elem)
		cf.elem = nil
		cf.f.Close()
	}
}

// open reports how many files are open.
func (c *fileCache) open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.mu.files)
}

// closeAll closes every idle file and forgets the rest.
func (c *fileCache) closeAll() {
	c.mu.Lock()
	paths := make([]string, 0, len(c.mu.files))
	for p := range c.mu.files {
		paths = append(paths, p)
	}
	c.mu.Unlock()
	for _, p := range paths {
		c.forget(p)
	}
}
