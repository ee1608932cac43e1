package analytics

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/storage"
)

// Limits of one application, from the developer guide: "Your Amazon
// Kinesis Data Analytics application can receive input from a single
// streaming source and, optionally, use one reference data source"
// (Configuring Application Input), and outputs to "up to three
// destinations" (CreateApplication's documentation). Beyond them the
// answer is InvalidArgumentException: CreateApplication documents
// LimitExceededException for the number of applications only, and
// AddApplicationOutput does not list it. The answers' words are Eddy's.
const (
	maxInputs     = 1
	maxReferences = 1
	maxOutputs    = 3
)

// now is the service's clock at millisecond precision, the precision of
// the timestamps the SDKs send back (DeleteApplication's CreateTimestamp).
func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Millisecond) }

// inputDescription makes the description of a new input with id.
func inputDescription(id *string, in *kda.Input) kda.InputDescription {
	n := int32(1)
	if in.InputParallelism != nil && in.InputParallelism.Count != nil {
		n = *in.InputParallelism.Count
	}
	d := kda.InputDescription{
		InputId:          id,
		NamePrefix:       in.NamePrefix,
		InAppStreamNames: inAppStreams(kda.Deref(in.NamePrefix), n),
		InputSchema:      in.InputSchema,
		InputParallelism: &kda.InputParallelism{Count: kda.Int32(n)},
	}
	if in.KinesisStreamsInput != nil {
		d.KinesisStreamsInputDescription = &kda.ResourceRoleDescription{ResourceARN: in.KinesisStreamsInput.ResourceARN, RoleARN: in.KinesisStreamsInput.RoleARN}
	}
	if in.KinesisFirehoseInput != nil {
		d.KinesisFirehoseInputDescription = &kda.ResourceRoleDescription{ResourceARN: in.KinesisFirehoseInput.ResourceARN, RoleARN: in.KinesisFirehoseInput.RoleARN}
	}
	if p := in.InputProcessingConfiguration; p != nil {
		d.InputProcessingConfigurationDescription = processingDescription(p)
	}
	return d
}

func processingDescription(p *kda.InputProcessingConfiguration) *kda.InputProcessingConfigurationDescription {
	return &kda.InputProcessingConfigurationDescription{InputLambdaProcessorDescription: &kda.InputLambdaProcessorDescription{
		ResourceARN: p.InputLambdaProcessor.ResourceARN, RoleARN: p.InputLambdaProcessor.RoleARN}}
}

// inAppStreams returns the names of the n in-application streams of an
// input with prefix: "Amazon Kinesis Analytics then creates one or more
// (as per the InputParallelism count you specified) in-application streams
// with names "MyInApplicationStream_001," "MyInApplicationStream_002," and
// so on." (the model's documentation of Input.NamePrefix).
func inAppStreams(prefix string, n int32) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s_%03d", prefix, i+1)
	}
	return out
}

func outputDescription(id *string, o *kda.Output) kda.OutputDescription {
	d := kda.OutputDescription{OutputId: id, Name: o.Name, DestinationSchema: o.DestinationSchema}
	rr := func(r *kda.ResourceRole) *kda.ResourceRoleDescription {
		if r == nil {
			return nil
		}
		return &kda.ResourceRoleDescription{ResourceARN: r.ResourceARN, RoleARN: r.RoleARN}
	}
	d.KinesisStreamsOutputDescription = rr(o.KinesisStreamsOutput)
	d.KinesisFirehoseOutputDescription = rr(o.KinesisFirehoseOutput)
	d.LambdaOutputDescription = rr(o.LambdaOutput)
	return d
}

// CreateApplication creates a READY application, version 1.
func (s *Service) CreateApplication(ctx context.Context, region string, in *kda.CreateApplicationInput) (*kda.CreateApplicationOutput, error) {
	region = s.region(region)
	name := kda.Deref(in.ApplicationName)
	if len(in.Inputs) > maxInputs {
		return nil, invalidArgument("An application can have at most %d input.", maxInputs)
	}
	if len(in.Outputs) > maxOutputs {
		return nil, invalidArgument("An application can have at most %d outputs.", maxOutputs)
	}
	if err := checkTags(nil, in.Tags); err != nil {
		return nil, err
	}
	if err := s.validateCode(in.ApplicationCode); err != nil {
		return nil, err
	}
	for i := range in.Inputs {
		if err := s.checkInput(ctx, &in.Inputs[i]); err != nil {
			return nil, err
		}
	}
	for i := range in.Outputs {
		if err := s.checkOutput(ctx, &in.Outputs[i]); err != nil {
			return nil, err
		}
	}
	r := &record{Region: region, Name: name, Description: in.ApplicationDescription, Created: s.now(),
		Version: 1, Status: kda.StatusReady, Code: in.ApplicationCode}
	for i := range in.Inputs {
		r.Inputs = append(r.Inputs, inputDescription(r.nextID(), &in.Inputs[i]))
	}
	for i := range in.Outputs {
		r.Outputs = append(r.Outputs, outputDescription(r.nextID(), &in.Outputs[i]))
	}
	for _, o := range in.CloudWatchLoggingOptions {
		r.Logging = append(r.Logging, kda.CloudWatchLoggingOptionDescription{CloudWatchLoggingOptionId: r.nextID(),
			LogStreamARN: o.LogStreamARN, RoleARN: o.RoleARN})
	}
	r.Tags, _ = mergeTags(nil, in.Tags)
	err := s.meta.Update(func(tx storage.MetaTx) error {
		if _, err := s.get(tx, region, name); err == nil {
			// Eddy's words: no recording of AWS's was found.
			return eddy.Errorf(eddy.CodeResourceInUse, "Application %s already exists.", name)
		}
		n := 0
		if err := scan(tx, region, func(*record) error { n++; return nil }); err != nil {
			return err
		}
		if n >= s.cfg.MaxApplications {
			return eddy.Errorf(eddy.CodeLimitExceeded, "You can create up to %d applications in a region.", s.cfg.MaxApplications)
		}
		return put(tx, r)
	})
	if err != nil {
		return nil, err
	}
	sum := s.summary(r)
	return &kda.CreateApplicationOutput{ApplicationSummary: &sum}, nil
}

// DescribeApplication returns an application's configuration and state.
func (s *Service) DescribeApplication(_ context.Context, region string, in *kda.DescribeApplicationInput) (*kda.DescribeApplicationOutput, error) {
	r, err := s.load(s.region(region), kda.Deref(in.ApplicationName))
	if err != nil {
		return nil, err
	}
	return &kda.DescribeApplicationOutput{ApplicationDetail: s.detail(r)}, nil
}

// ListApplications lists applications in name order after
// ExclusiveStartApplicationName, at most Limit (default and maximum 50,
// the model's ListApplicationsInputLimit).
func (s *Service) ListApplications(_ context.Context, region string, in *kda.ListApplicationsInput) (*kda.ListApplicationsOutput, error) {
	region = s.region(region)
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	start := kda.Deref(in.ExclusiveStartApplicationName)
	var all []kda.ApplicationSummary
	err := s.meta.View(func(tx storage.MetaTx) error {
		return scan(tx, region, func(r *record) error {
			if r.Name > start {
				all = append(all, s.summary(r))
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return *all[i].ApplicationName < *all[j].ApplicationName })
	more := len(all) > limit
	if more {
		all = all[:limit]
	}
	if all == nil {
		all = []kda.ApplicationSummary{}
	}
	return &kda.ListApplicationsOutput{ApplicationSummaries: all, HasMoreApplications: kda.Bool(more)}, nil
}

// DeleteApplication deletes an application; "Amazon Kinesis Analytics
// halts application execution and deletes the application" (its
// documentation): a RUNNING one is DELETING until the Runtime stopped it.
// CreateTimestamp must be the application's: another is
// ResourceNotFoundException (the application created then is not there;
// AWS's code for it is not documented, the choice is Eddy's).
func (s *Service) DeleteApplication(_ context.Context, region string, in *kda.DeleteApplicationInput) (*kda.DeleteApplicationOutput, error) {
	region = s.region(region)
	name := kda.Deref(in.ApplicationName)
	var stop *record
	err := s.meta.Update(func(tx storage.MetaTx) error {
		r, err := s.get(tx, region, name)
		if err != nil {
			return err
		}
		// Whole seconds match too: the AWS CLI v2 (2.9.19, its botocore)
		// sends a JSON-protocol timestamp as an integer of seconds, so the
		// CreateTimestamp that describe-application printed comes back
		// without its milliseconds (interop/cli/analytics.sh).
		given := in.CreateTimestamp.Time().UTC().Truncate(time.Millisecond)
		if !r.Created.Equal(given) && (given.Nanosecond() != 0 || !r.Created.Truncate(time.Second).Equal(given)) {
			return eddy.Errorf(eddy.CodeResourceNotFound, "Application %s with CreateTimestamp %s is not found.",
				name, in.CreateTimestamp.Time().UTC().Format(time.RFC3339Nano))
		}
		switch r.Status {
		case kda.StatusReady:
			return tx.Delete(tableApps, key(region, name))
		case kda.StatusRunning:
			if s.cfg.Runtime == nil {
				return tx.Delete(tableApps, key(region, name))
			}
			r.Status = kda.StatusDeleting
			stop = r
			return put(tx, r)
		}
		return inUse(name, r.Status)
	})
	if err != nil {
		return nil, err
	}
	if stop != nil {
		s.background(stop, kda.StatusDeleting, "", func(ctx context.Context, d *ApplicationDetail) error {
			return s.cfg.Runtime.Stop(ctx, *d.ApplicationARN)
		})
	}
	return &kda.DeleteApplicationOutput{}, nil
}

// StartApplication starts a READY application: STARTING until
// Runtime.Start returned, then RUNNING (READY again if it failed). Every
// InputConfiguration must name an input of the application;
// TRIM_HORIZON "is not available for an Amazon Kinesis Firehose delivery
// stream" (the model's documentation of InputStartingPosition). An
// application without an input cannot start
// (InvalidApplicationConfigurationException). The words are Eddy's.
func (s *Service) StartApplication(_ context.Context, region string, in *kda.StartApplicationInput) (*kda.StartApplicationOutput, error) {
	region = s.region(region)
	name := kda.Deref(in.ApplicationName)
	pos := map[string]string{}
	r, err := s.update(region, name, func(r *record) error {
		if r.Status != kda.StatusReady {
			return inUse(name, r.Status)
		}
		if len(r.Inputs) == 0 {
			return eddy.Errorf(eddy.CodeInvalidApplicationConfiguration, "Application %s has no input to start.", name)
		}
		for _, c := range in.InputConfigurations {
			id := kda.Deref(c.Id)
			i := findInput(r, id)
			if i < 0 {
				return invalidArgument("Application %s has no input with id %s.", name, id)
			}
			p := c.InputStartingPositionConfiguration.InputStartingPosition
			if p == "" {
				p = kda.PositionNow
			}
			if p == kda.PositionTrimHorizon && r.Inputs[i].KinesisFirehoseInputDescription != nil {
				return invalidArgument("TRIM_HORIZON is not available for a Firehose delivery stream input (input %s).", id)
			}
			pos[id] = p
			r.Inputs[i].InputStartingPositionConfiguration = &kda.InputStartingPositionConfiguration{InputStartingPosition: p}
		}
		for _, inp := range r.Inputs {
			if _, ok := pos[kda.Deref(inp.InputId)]; !ok {
				return invalidArgument("Application %s: no InputConfiguration for input %s.", name, kda.Deref(inp.InputId))
			}
		}
		r.Status = kda.StatusStarting
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.background(r, kda.StatusStarting, kda.StatusRunning, func(ctx context.Context, d *ApplicationDetail) error {
		return s.cfg.Runtime.Start(ctx, *d, pos)
	})
	return &kda.StartApplicationOutput{}, nil
}

func findInput(r *record, id string) int {
	for i, in := range r.Inputs {
		if kda.Deref(in.InputId) == id {
			return i
		}
	}
	return -1
}

// StopApplication stops a RUNNING application: STOPPING until
// Runtime.Stop returned, then READY. "You can stop an application only if
// it is in the running state" (the developer guide's StopApplication);
// another state is ResourceInUseException.
func (s *Service) StopApplication(_ context.Context, region string, in *kda.StopApplicationInput) (*kda.StopApplicationOutput, error) {
	region = s.region(region)
	name := kda.Deref(in.ApplicationName)
	r, err := s.update(region, name, func(r *record) error {
		if r.Status != kda.StatusRunning {
			return inUse(name, r.Status)
		}
		r.Status = kda.StatusStopping
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.background(r, kda.StatusStopping, kda.StatusReady, func(ctx context.Context, d *ApplicationDetail) error {
		return s.cfg.Runtime.Stop(ctx, *d.ApplicationARN)
	})
	return &kda.StopApplicationOutput{}, nil
}

// change applies a change of configuration to the application name:
// allowed in READY and RUNNING, with the current version (else
// ConcurrentModificationException); it increments the version. A RUNNING
// application is UPDATING until Runtime.Update returned.
func (s *Service) change(region, name string, version *int64, fn func(r *record) error) error {
	r, err := s.update(region, name, func(r *record) error {
		if r.Status != kda.StatusReady && r.Status != kda.StatusRunning {
			return inUse(name, r.Status)
		}
		if version != nil && *version != r.Version {
			return staleVersion(name, *version, r.Version)
		}
		if err := fn(r); err != nil {
			return err
		}
		r.Version++
		r.Updated = s.now()
		if r.Status == kda.StatusRunning && s.cfg.Runtime != nil {
			r.Status = kda.StatusUpdating
		}
		return nil
	})
	if err != nil {
		return err
	}
	if r.Status == kda.StatusUpdating {
		s.background(r, kda.StatusUpdating, kda.StatusRunning, func(ctx context.Context, d *ApplicationDetail) error {
			return s.cfg.Runtime.Update(ctx, *d)
		})
	}
	return nil
}
