package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/storage"
)

// tableApps holds one record per application, keyed "<region>/<name>".
const tableApps = "analytics/applications"

// record is an application as stored.
type record struct {
	Region      string    `json:"region"`
	Name        string    `json:"name"`
	Description *string   `json:"description,omitempty"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated,omitzero"`
	Version     int64     `json:"version"`
	Status      string    `json:"status"`
	Code        *string   `json:"code,omitempty"`

	Inputs     []kda.InputDescription                   `json:"inputs,omitempty"`
	Outputs    []kda.OutputDescription                  `json:"outputs,omitempty"`
	References []kda.ReferenceDataSourceDescription     `json:"references,omitempty"`
	Logging    []kda.CloudWatchLoggingOptionDescription `json:"logging,omitempty"`
	Tags       []kda.Tag                                `json:"tags,omitempty"`
	// Seq numbers the ids of inputs, outputs, reference data sources and
	// logging options: each new one is "<Seq>.1" (see nextID).
	Seq int `json:"seq"`
}

// Service is the Kinesis Analytics service over one MetaStore. It is safe
// for concurrent use.
type Service struct {
	cfg  Config
	meta storage.MetaStore

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// stopFollow stops taking up applications other nodes run (takeUp).
	stopFollow func()
}

// New returns the service over meta (owned by the caller, closed after
// Close) and settles the applications a stopped service left between
// states (see the package doc). It starts nothing: Resume does.
func New(cfg Config, meta storage.MetaStore) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{cfg: cfg.withDefaults(), meta: meta, ctx: ctx, cancel: cancel}
	err := meta.Update(func(tx storage.MetaTx) error {
		return scan(tx, "", func(r *record) error {
			switch r.Status {
			case kda.StatusStopping:
				r.Status = kda.StatusReady
			case kda.StatusUpdating:
				r.Status = kda.StatusRunning
			case kda.StatusDeleting:
				return tx.Delete(tableApps, key(r.Region, r.Name))
			default:
				return nil
			}
			return put(tx, r)
		})
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("analytics: settle applications: %w", err)
	}
	s.stopFollow, _ = storage.Follow(meta, func(table, key string) string {
		if table == tableApps {
			return key
		}
		return ""
	}, s.takeUp)
	return s, nil
}

// Candidate is implemented by a Runtime that runs each application on
// one node of a cluster behind a lease (analytics/runner with Exclusive):
// Started reports whether this node has started the application, and so
// is a candidate for its lease.
type Candidate interface {
	Started(arn string) bool
}

// takeUp makes this node a candidate for an application another node
// started or resumed (on a store other nodes share): once it is RUNNING,
// it is started here too, from LAST_STOPPED_POINT, and the Runtime runs it
// wherever the lease is, so it moves here if its node dies.
func (s *Service) takeUp(k string) {
	c, ok := s.cfg.Runtime.(Candidate)
	if !ok {
		return
	}
	region, name, _ := strings.Cut(k, "/")
	var r *record
	err := s.meta.View(func(tx storage.MetaTx) error {
		var err error
		r, err = s.get(tx, region, name)
		return err
	})
	if err != nil || r.Status != kda.StatusRunning {
		return // gone, or not (yet) RUNNING: the node starting it has it
	}
	d := s.detail(r)
	if c.Started(*d.ApplicationARN) {
		return
	}
	pos := map[string]string{}
	for _, in := range r.Inputs {
		pos[kda.Deref(in.InputId)] = kda.PositionLastStoppedPoint
	}
	if err := s.cfg.Runtime.Start(s.ctx, *d, pos); err != nil {
		s.cfg.Logger.Warn("analytics: taking up an application another node runs", "application", *d.ApplicationARN, "err", err)
	}
}

// Resume starts again, with LAST_STOPPED_POINT for every input, the
// applications that were RUNNING or STARTING when the service stopped.
// Without a Runtime, STARTING ones become RUNNING.
func (s *Service) Resume(ctx context.Context) error {
	var apps []*record
	err := s.meta.View(func(tx storage.MetaTx) error {
		return scan(tx, "", func(r *record) error {
			if r.Status == kda.StatusRunning || r.Status == kda.StatusStarting {
				apps = append(apps, r)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, r := range apps {
		pos := map[string]string{}
		for _, in := range r.Inputs {
			pos[kda.Deref(in.InputId)] = kda.PositionLastStoppedPoint
		}
		if r.Status == kda.StatusRunning {
			// Resumed as STARTING would be: RUNNING it stays unless
			// Start fails.
			s.background(r, kda.StatusRunning, kda.StatusRunning, func(ctx context.Context, d *ApplicationDetail) error {
				return s.cfg.Runtime.Start(ctx, *d, pos)
			})
			continue
		}
		s.background(r, kda.StatusStarting, kda.StatusRunning, func(ctx context.Context, d *ApplicationDetail) error {
			return s.cfg.Runtime.Start(ctx, *d, pos)
		})
	}
	return nil
}

// Close stops the service's background work (waiting for the Runtime
// calls under way). It does not stop running applications: a service
// opened over the same store resumes them.
func (s *Service) Close() error {
	s.stopFollow()
	s.cancel()
	s.wg.Wait()
	return nil
}

func key(region, name string) string { return region + "/" + name }

func (s *Service) region(r string) string {
	if r == "" {
		return s.cfg.Region
	}
	return r
}

// ARN returns the ARN of the application name in region.
func (s *Service) ARN(region, name string) string {
	return "arn:aws:kinesisanalytics:" + region + ":" + s.cfg.AccountID + ":application/" + name
}

// Words of the service's answers. No recording of Kinesis Analytics's own
// messages was found for any of them: they are Eddy's.

func notFound(name string) error {
	return eddy.Errorf(eddy.CodeResourceNotFound, "Application %s is not found.", name)
}

func inUse(name, status string) error {
	return eddy.Errorf(eddy.CodeResourceInUse, "Application %s is in %s state; the operation is not allowed.", name, status)
}

func staleVersion(name string, given, current int64) error {
	return eddy.Errorf(eddy.CodeConcurrentModification,
		"Application %s: CurrentApplicationVersionId %d is not the current version %d.", name, given, current)
}

func invalidArgument(format string, args ...any) error {
	return eddy.Errorf(eddy.CodeInvalidArgument, format, args...)
}

// get reads the application name of region in tx.
func (s *Service) get(tx storage.MetaTx, region, name string) (*record, error) {
	b, err := tx.Get(tableApps, key(region, name))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, notFound(name)
	}
	if err != nil {
		return nil, err
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("analytics: decode %s: %w", key(region, name), err)
	}
	return &r, nil
}

func put(tx storage.MetaTx, r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Put(tableApps, key(r.Region, r.Name), b)
}

// load reads one application.
func (s *Service) load(region, name string) (*record, error) {
	var r *record
	err := s.meta.View(func(tx storage.MetaTx) error {
		var err error
		r, err = s.get(tx, region, name)
		return err
	})
	return r, err
}

// update runs fn on the application name of region in a read-write
// transaction and stores what fn leaves in it; an error from fn changes
// nothing.
func (s *Service) update(region, name string, fn func(r *record) error) (*record, error) {
	var out *record
	err := s.meta.Update(func(tx storage.MetaTx) error {
		r, err := s.get(tx, region, name)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		out = r
		return put(tx, r)
	})
	return out, err
}

// scan calls fn for every application of region ("" for all), in key
// order.
func scan(tx storage.MetaTx, region string, fn func(r *record) error) error {
	prefix := ""
	if region != "" {
		prefix = region + "/"
	}
	return tx.Scan(tableApps, prefix, "", func(k string, v []byte) (bool, error) {
		var r record
		if err := json.Unmarshal(v, &r); err != nil {
			return false, fmt.Errorf("analytics: decode %s: %w", k, err)
		}
		return true, fn(&r)
	})
}

// background runs call (a Runtime call) for the application r, now in
// state from, in a goroutine, then moves it to to if call succeeded, or
// to READY if it failed (calling Runtime.Stop first when the application
// may be running), unless the application changed state or was deleted
// and created again meanwhile. Without a Runtime the move is made at
// once.
func (s *Service) background(r *record, from, to string, call func(ctx context.Context, d *ApplicationDetail) error) {
	if s.cfg.Runtime == nil {
		s.settle(r.Region, r.Name, r.Created, from, to)
		return
	}
	d := s.detail(r)
	arn := *d.ApplicationARN
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := call(s.ctx, d)
		next := to
		if err != nil {
			if s.ctx.Err() != nil {
				return // the service closes: the state is settled when it opens again
			}
			s.cfg.Logger.Warn("analytics: runtime failed", "application", arn, "state", from, "err", err)
			if from != kda.StatusStarting {
				if err := s.cfg.Runtime.Stop(s.ctx, arn); err != nil {
					s.cfg.Logger.Warn("analytics: runtime stop failed", "application", arn, "err", err)
				}
			}
			next = kda.StatusReady
			if from == kda.StatusDeleting {
				next = "" // deleted all the same
			}
		}
		s.settle(r.Region, r.Name, r.Created, from, next)
	}()
}

// settle moves the application name (the one created at created) from
// state from to state to; to "" deletes it.
func (s *Service) settle(region, name string, created time.Time, from, to string) {
	err := s.meta.Update(func(tx storage.MetaTx) error {
		r, err := s.get(tx, region, name)
		if err != nil || !r.Created.Equal(created) || r.Status != from {
			return nil // gone, replaced or moved on: nothing to settle
		}
		if to == "" {
			return tx.Delete(tableApps, key(region, name))
		}
		r.Status = to
		return put(tx, r)
	})
	if err != nil {
		s.cfg.Logger.Error("analytics: settle application state", "application", key(region, name), "err", err)
	}
}

// detail returns r as DescribeApplication shows it.
func (s *Service) detail(r *record) *ApplicationDetail {
	d := &ApplicationDetail{
		ApplicationName:                     kda.String(r.Name),
		ApplicationDescription:              r.Description,
		ApplicationARN:                      kda.String(s.ARN(r.Region, r.Name)),
		ApplicationStatus:                   r.Status,
		CreateTimestamp:                     kda.NewTimestamp(r.Created),
		InputDescriptions:                   r.Inputs,
		OutputDescriptions:                  r.Outputs,
		ReferenceDataSourceDescriptions:     r.References,
		CloudWatchLoggingOptionDescriptions: r.Logging,
		ApplicationCode:                     r.Code,
		ApplicationVersionId:                kda.Int64(r.Version),
	}
	if !r.Updated.IsZero() {
		d.LastUpdateTimestamp = kda.NewTimestamp(r.Updated)
	}
	return d
}

func (s *Service) summary(r *record) kda.ApplicationSummary {
	return kda.ApplicationSummary{
		ApplicationName:   kda.String(r.Name),
		ApplicationARN:    kda.String(s.ARN(r.Region, r.Name)),
		ApplicationStatus: r.Status,
	}
}

// nextID returns a new id for an input, output, reference data source or
// logging option of r. Kinesis Analytics's ids look like "1.1", "2.1"
// (DescribeApplication examples in its documentation); how it counts is
// not documented: Eddy numbers them in one sequence per application.
func (r *record) nextID() *string {
	r.Seq++
	return kda.String(fmt.Sprintf("%d.1", r.Seq))
}
