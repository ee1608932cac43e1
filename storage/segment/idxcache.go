package segment

import (
	"container/list"
	"sync"
)

// idxCache bounds how many sealed segments keep their index in memory,
// across all logs of a store, so memory does not grow with the amount of data
// read. Evicting a segment drops its index; the next lookup reloads it from
// the index file.
type idxCache struct {
	max int
	mu  struct {
		sync.Mutex
		lru  list.List // of *segInfo, most recently used at front
		elem map[*segInfo]*list.Element
	}
}

func newIdxCache(max int) *idxCache {
	c := &idxCache{max: max}
	c.mu.elem = make(map[*segInfo]*list.Element)
	return c
}

// touch records that g's index is loaded and was just used, and evicts the
// least recently used indexes beyond the limit. It must not be called with
// g.idxMu held.
func (c *idxCache) touch(g *segInfo) {
	c.mu.Lock()
	if e, ok := c.mu.elem[g]; ok {
		c.mu.lru.MoveToFront(e)
		c.mu.Unlock()
		return
	}
	c.mu.elem[g] = c.mu.lru.PushFront(g)
	var evict []*segInfo
	for c.mu.lru.Len() > c.max {
		old := c.mu.lru.Remove(c.mu.lru.Back()).(*segInfo)
		delete(c.mu.elem, old)
		evict = append(evict, old)
	}
	c.mu.Unlock()
	for _, old := range evict {
		old.idxMu.Lock()
		old.idx = nil
		old.idxMu.Unlock()
	}
}

// drop forgets g (its segment was deleted).
func (c *idxCache) drop(g *segInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.mu.elem[g]; ok {
		c.mu.lru.Remove(e)
		delete(c.mu.elem, g)
	}
}

func (c *idxCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.lru.Len()
}
