package lambda

import (
	"time"

	"context"
	"errors"
	"sync"

	"github.com/eddy-streams/eddy"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// pool holds one function's instances: the idle (warm) ones and the count
// of invocations running.
type pool struct {
	mu struct {
		sync.Mutex
		idle    []*instance
		all     map[*instance]bool // every started instance not yet stopped
		busy    int
		freed   chan struct{} // closed and replaced when busy drops
		stopped bool
	}
}

func newPool() *pool {
	p := &pool{}
	p.mu.freed = make(chan struct{})
	p.mu.all = map[*instance]bool{}
	return p
}

// track records a started instance, so shutdown can stop it; it reports
// false (and stops i) if the pool is already shut down.
func (p *pool) track(i *instance) bool {
	p.mu.Lock()
	stopped := p.mu.stopped
	if !stopped {
		p.mu.all[i] = true
	}
	p.mu.Unlock()
	if stopped {
		i.Stop()
	}
	return !stopped
}

// pool returns the function's pool, creating it.
func (s *Service) pool(region, name string) (*pool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil, errors.New("lambda service closed")
	}
	p := s.mu.pools[key(region, name)]
	if p == nil {
		p = newPool()
		s.mu.pools[key(region, name)] = p
	}
	return p, nil
}

// retire stops the function's idle instances (its code or configuration
// changed); busy ones are stopped when their invocation ends, as their
// revision no longer matches.
func (s *Service) retire(region, name string) {
	s.mu.Lock()
	p := s.mu.pools[key(region, name)]
	s.mu.Unlock()
	if p == nil {
		return
	}
	p.mu.Lock()
	idle := p.mu.idle
	p.mu.idle = nil
	for _, i := range idle {
		delete(p.mu.all, i)
	}
	p.mu.Unlock()
	for _, i := range idle {
		i.Stop()
	}
}

// acquire takes one of limit concurrent slots. When all are taken it
// answers TooManyRequestsException if throttle, else waits for one.
func (p *pool) acquire(ctx context.Context, limit int, throttle bool) error {
	for {
		p.mu.Lock()
		if p.mu.stopped {
			p.mu.Unlock()
			return errors.New("function deleted")
		}
		if p.mu.busy < limit {
			p.mu.busy++
			p.mu.Unlock()
			return nil
		}
		freed := p.mu.freed
		p.mu.Unlock()
		if throttle {
			// Lambda's answer when the reserved concurrency is in use:
			// "Rate Exceeded." with Reason
			// ReservedFunctionConcurrentInvocationLimitExceeded (the
			// Reason enum in aws-sdk-go-v2 service/lambda
			// types/enums.go ThrottleReason; the message as Lambda's users
			// report it).
			return &eddy.Error{Code: lp.CodeTooManyRequests, Message: "Rate Exceeded.", Members: []eddy.Member{
				{Name: "Reason", Value: "ReservedFunctionConcurrentInvocationLimitExceeded"},
			}}
		}
		select {
		case <-freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// takeIdle returns a warm instance of revision, stopping stale ones.
func (p *pool) takeIdle(revision string) *instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.mu.idle) > 0 {
		n := len(p.mu.idle) - 1
		i := p.mu.idle[n]
		p.mu.idle = p.mu.idle[:n]
		if i.revision == revision && i.Alive() && i.fresh(time.Now()) {
			return i
		}
		delete(p.mu.all, i)
		go i.Stop()
	}
	return nil
}

// release frees a slot. i, if not nil, is kept warm if keep, else stopped.
func (p *pool) release(i *instance, keep bool) {
	p.mu.Lock()
	p.mu.busy--
	close(p.mu.freed)
	p.mu.freed = make(chan struct{})
	if i != nil && keep && !p.mu.stopped {
		p.mu.idle = append(p.mu.idle, i)
		i = nil
	}
	if i != nil {
		delete(p.mu.all, i)
	}
	p.mu.Unlock()
	if i != nil {
		i.Stop()
	}
}

// shutdown stops the idle instances and refuses new invocations.
func (p *pool) shutdown() {
	p.mu.Lock()
	p.mu.stopped = true
	p.mu.idle = nil
	close(p.mu.freed) // waiters in acquire see stopped
	p.mu.freed = make(chan struct{})
	all := p.mu.all
	p.mu.all = map[*instance]bool{}
	p.mu.Unlock()
	for i := range all {
		i.Stop()
	}
}
