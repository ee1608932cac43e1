package storage

import "sync"

// Follow hands a service the writes other processes commit to m (a
// Watcher; see Watch), so that it can bring what it holds in memory in
// line: keep selects the writes that matter and names the key to handle
// ("" drops the write); handle is called with each such key on a goroutine
// of Follow's, one call at a time, once for any number of writes made to
// it since its last call. handle may use m.
//
// On a store no other process writes (shared is false) Follow starts
// nothing. stop ends the calls; it waits for none in progress.
func Follow(m MetaStore, keep func(table, key string) string, handle func(key string)) (stop func(), shared bool) {
	var (
		mu   sync.Mutex
		keys = map[string]bool{}
		wake = make(chan struct{}, 1)
		done = make(chan struct{})
	)
	stopWatch, shared := Watch(m, func(table, key string) {
		k := keep(table, key)
		if k == "" {
			return
		}
		mu.Lock()
		keys[k] = true
		mu.Unlock()
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	if !shared {
		return func() {}, false
	}
	go func() {
		for {
			select {
			case <-done:
				return
			case <-wake:
			}
			mu.Lock()
			batch := keys
			keys = map[string]bool{}
			mu.Unlock()
			for k := range batch {
				select {
				case <-done:
					return
				default:
				}
				handle(k)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			stopWatch()
			close(done)
		})
	}, true
}
