package delivery

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Job is one pipeline the manager should run: ID names it (a delivery
// stream's ARN), Version changes whenever its configuration does (the
// pipeline is then restarted from its checkpoint with the new one).
type Job struct {
	ID      string
	Version string
}

// Jobs lists the pipelines that should run now.
type Jobs func() ([]Job, error)

// Build makes the pipeline of a job; Release (if not nil) is called once
// the pipeline stopped.
type Build func(j Job) (p *Pipeline, release func(), err error)

// Exclusive runs fn while this node leads job across the nodes sharing the
// store (cluster.Cluster.Run): fn's context is cancelled when the lead is
// lost, and fn may be called again when it is regained.
type Exclusive func(ctx context.Context, job string, fn func(ctx context.Context))

// Manager runs a pipeline per job, starting, restarting and stopping them
// as the list of jobs changes.
type Manager struct {
	jobs   Jobs
	build  Build
	poll   time.Duration
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// exclusive, if set, runs each pipeline under the lead of the job
	// prefix+id; a pipeline is built afresh (from its checkpoint) each
	// time the lead is taken.
	exclusive Exclusive
	prefix    string
	failMu    sync.Mutex
	failed    map[string]string // job id -> the last build error logged, for exclusive pipelines

	mu      sync.Mutex
	running map[string]*running
	failing map[string]string // job id -> the error its last build gave (logged once)
}

type running struct {
	version string
	cancel  context.CancelFunc
	done    chan struct{}
}

// NewManager starts a manager that looks at jobs every poll; Close stops
// it and every pipeline.
func NewManager(jobs Jobs, build Build, poll time.Duration, log *slog.Logger) *Manager {
	return NewExclusiveManager(jobs, build, poll, log, nil, "")
}

// NewExclusiveManager is NewManager whose pipelines run once across the
// nodes sharing the store: each under exclusive, as the job prefix+id (a
// nil exclusive runs them here).
func NewExclusiveManager(jobs Jobs, build Build, poll time.Duration, log *slog.Logger, exclusive Exclusive, prefix string) *Manager {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{jobs: jobs, build: build, poll: poll, log: log, running: map[string]*running{}, failing: map[string]string{},
		exclusive: exclusive, prefix: prefix, failed: map[string]string{}}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.wg.Add(1)
	go m.loop()
	return m
}

// Close stops every pipeline and waits for them.
func (m *Manager) Close() error {
	m.cancel()
	m.wg.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, r := range m.running {
		r.cancel()
		<-r.done
		delete(m.running, id)
	}
	return nil
}

// Wake makes the manager look at the jobs now (after a create, update or
// delete) rather than at the next poll.
func (m *Manager) Wake() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx.Err() == nil {
		m.reconcileLocked()
	}
}

func (m *Manager) loop() {
	defer m.wg.Done()
	t := time.NewTicker(m.poll)
	defer t.Stop()
	for {
		m.mu.Lock()
		m.reconcileLocked()
		m.mu.Unlock()
		select {
		case <-m.ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *Manager) reconcileLocked() {
	jobs, err := m.jobs()
	if err != nil {
		m.log.Warn("list delivery jobs", "err", err)
		return
	}
	want := map[string]Job{}
	for _, j := range jobs {
		want[j.ID] = j
	}
	for id := range m.failing {
		if _, ok := want[id]; !ok {
			delete(m.failing, id)
		}
	}
	for id, r := range m.running {
		if j, ok := want[id]; ok && j.Version == r.version {
			continue
		}
		r.cancel()
		<-r.done
		delete(m.running, id)
	}
	for id, j := range want {
		if m.running[id] != nil {
			continue
		}
		if m.exclusive != nil {
			m.startExclusiveLocked(id, j)
			continue
		}
		p, release, err := m.build(j)
		if err != nil {
			// Tried again at every poll; said once per new error.
			if m.failing[id] != err.Error() {
				m.failing[id] = err.Error()
				m.log.Warn("cannot deliver", "id", id, "err", err)
			}
			continue
		}
		delete(m.failing, id)
		ctx, cancel := context.WithCancel(m.ctx)
		r := &running{version: j.Version, cancel: cancel, done: make(chan struct{})}
		m.running[id] = r
		go func() {
			defer close(r.done)
			if release != nil {
				defer release()
			}
			p.Run(ctx)
		}()
	}
}

// startExclusiveLocked runs job j's pipeline whenever this node leads it:
// built at each lead from its checkpoint, as another node may have
// delivered meanwhile.
func (m *Manager) startExclusiveLocked(id string, j Job) {
	ctx, cancel := context.WithCancel(m.ctx)
	r := &running{version: j.Version, cancel: cancel, done: make(chan struct{})}
	m.running[id] = r
	go func() {
		defer close(r.done)
		m.exclusive(ctx, m.prefix+id, func(ctx context.Context) {
			p, release, err := m.build(j)
			m.failMu.Lock()
			if err == nil {
				delete(m.failed, id)
			} else if m.failed[id] != err.Error() {
				m.failed[id] = err.Error()
				m.log.Warn("cannot deliver", "id", id, "err", err)
			}
			m.failMu.Unlock()
			if err != nil {
				sleep(ctx, m.poll) // tried again at the next lead
				return
			}
			if release != nil {
				defer release()
			}
			p.Run(ctx)
		})
	}()
}
