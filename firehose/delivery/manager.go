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
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{jobs: jobs, build: build, poll: poll, log: log, running: map[string]*running{}, failing: map[string]string{}}
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
