package analyticsapi

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/eddy-streams/eddy/analytics"
	"github.com/eddy-streams/eddy/protocol/kda"
)

// recorder is a Runtime that records its calls. A call blocks until the
// test releases it (with the error the call returns) when gate is set.
type recorder struct {
	mu    sync.Mutex
	calls []string
	gate  chan error // nil: calls return nil at once
}

func (r *recorder) record(call string) error {
	r.mu.Lock()
	r.calls = append(r.calls, call)
	gate := r.gate
	r.mu.Unlock()
	if gate == nil {
		return nil
	}
	select {
	case err := <-gate:
		return err
	case <-time.After(10 * time.Second):
		return errors.New("recorder: not released")
	}
}

func (r *recorder) Start(_ context.Context, app analytics.ApplicationDetail, pos map[string]string) error {
	return r.record(fmt.Sprintf("start %s v%d %v", *app.ApplicationName, *app.ApplicationVersionId, pos))
}

func (r *recorder) Update(_ context.Context, app analytics.ApplicationDetail) error {
	return r.record(fmt.Sprintf("update %s v%d", *app.ApplicationName, *app.ApplicationVersionId))
}

func (r *recorder) Stop(_ context.Context, arn string) error { return r.record("stop " + arn) }

func (r *recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

func (r *recorder) setGate(g chan error) {
	r.mu.Lock()
	r.gate = g
	r.mu.Unlock()
}

func startApp(t *testing.T, s *server, name string, pos types.InputStartingPosition) error {
	t.Helper()
	_, err := s.kda.StartApplication(testCtx(t), &ka.StartApplicationInput{ApplicationName: aws.String(name),
		InputConfigurations: []types.InputConfiguration{{Id: aws.String("1.1"),
			InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: pos}}}})
	return err
}

// TestRuntimeStates drives an application through STARTING, RUNNING,
// UPDATING, STOPPING and DELETING with a Runtime whose calls the test
// holds and releases, failures included.
func TestRuntimeStates(t *testing.T) {
	rt := &recorder{}
	s := startServer(t, openStores(t), rt)
	ctx := testCtx(t)
	createStream(t, s, "ticks")
	if _, err := s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("app"),
		ApplicationCode: aws.String(code), Inputs: []types.Input{input("ticks", 1)}}); err != nil {
		t.Fatal(err)
	}
	gate := make(chan error)
	rt.setGate(gate)

	// A Start that fails: STARTING, then READY.
	if err := startApp(t, s, "app", types.InputStartingPositionNow); err != nil {
		t.Fatal(err)
	}
	if st := status(s, "app"); st != types.ApplicationStatusStarting {
		t.Fatalf("status while starting: %s", st)
	}
	_, err := s.kda.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1),
		ApplicationUpdate: &types.ApplicationUpdate{ApplicationCodeUpdate: aws.String(code)}})
	wantError(t, err, "ResourceInUseException", "Application app is in STARTING state; the operation is not allowed.")
	d := describe(t, s, "app")
	_, err = s.kda.DeleteApplication(ctx, &ka.DeleteApplicationInput{ApplicationName: aws.String("app"), CreateTimestamp: d.CreateTimestamp})
	wantError(t, err, "ResourceInUseException", "Application app is in STARTING state; the operation is not allowed.")
	gate <- errors.New("no capacity")
	waitFor(t, "READY after a failed start", func() bool { return status(s, "app") == types.ApplicationStatusReady })

	// A Start that succeeds.
	if err := startApp(t, s, "app", types.InputStartingPositionTrimHorizon); err != nil {
		t.Fatal(err)
	}
	gate <- nil
	waitFor(t, "RUNNING", func() bool { return status(s, "app") == types.ApplicationStatusRunning })

	// A change while RUNNING: UPDATING until Update returned.
	if _, err := s.kda.AddApplicationOutput(ctx, &ka.AddApplicationOutputInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1),
		Output: func() *types.Output { o := output("ticks"); return &o }()}); err != nil {
		t.Fatal(err)
	}
	if st := status(s, "app"); st != types.ApplicationStatusUpdating {
		t.Fatalf("status while updating: %s", st)
	}
	gate <- nil
	waitFor(t, "RUNNING after update", func() bool { return status(s, "app") == types.ApplicationStatusRunning })

	// Stop: STOPPING until Stop returned.
	if _, err := s.kda.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if st := status(s, "app"); st != types.ApplicationStatusStopping {
		t.Fatalf("status while stopping: %s", st)
	}
	gate <- nil
	waitFor(t, "READY after stop", func() bool { return status(s, "app") == types.ApplicationStatusReady })

	// Delete a running application: DELETING, then gone.
	if err := startApp(t, s, "app", types.InputStartingPositionLastStoppedPoint); err != nil {
		t.Fatal(err)
	}
	gate <- nil
	waitFor(t, "RUNNING again", func() bool { return status(s, "app") == types.ApplicationStatusRunning })
	if _, err := s.kda.DeleteApplication(ctx, &ka.DeleteApplicationInput{ApplicationName: aws.String("app"), CreateTimestamp: d.CreateTimestamp}); err != nil {
		t.Fatal(err)
	}
	if st := status(s, "app"); st != types.ApplicationStatusDeleting {
		t.Fatalf("status while deleting: %s", st)
	}
	gate <- nil
	waitFor(t, "deleted", func() bool {
		_, err := s.kda.DescribeApplication(ctx, &ka.DescribeApplicationInput{ApplicationName: aws.String("app")})
		c, _ := apiError(err)
		return c == "ResourceNotFoundException"
	})
	arn := appARN("app")
	want := []string{
		"start app v1 map[1.1:NOW]",
		"start app v1 map[1.1:TRIM_HORIZON]",
		"update app v2",
		"stop " + arn,
		"start app v2 map[1.1:LAST_STOPPED_POINT]",
		"stop " + arn,
	}
	if got := rt.Calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("runtime calls:\n%q\nwant\n%q", got, want)
	}
}

// TestRestart reopens the service over the same stores: applications keep
// their configuration, version, tags and state, and Resume starts the
// running ones again from LAST_STOPPED_POINT.
func TestRestart(t *testing.T) {
	st := openStores(t)
	rt := &recorder{}
	s := startServer(t, st, rt)
	ctx := testCtx(t)
	createStream(t, s, "ticks")
	for _, name := range []string{"idle", "busy"} {
		if _, err := s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String(name), ApplicationCode: aws.String(code),
			Inputs: []types.Input{input("ticks", 1)}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String(name)}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.kda.AddApplicationCloudWatchLoggingOption(ctx, &ka.AddApplicationCloudWatchLoggingOptionInput{ApplicationName: aws.String("idle"),
		CurrentApplicationVersionId: aws.Int64(1), CloudWatchLoggingOption: &types.CloudWatchLoggingOption{
			LogStreamARN: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s"), RoleARN: aws.String(role)}}); err != nil {
		t.Fatal(err)
	}
	if err := startApp(t, s, "busy", types.InputStartingPositionNow); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "busy RUNNING", func() bool { return status(s, "busy") == types.ApplicationStatusRunning })
	before := describe(t, s, "idle")
	s.stop()

	rt2 := &recorder{}
	s2 := startServer(t, st, rt2)
	after := describe(t, s2, "idle")
	if !reflect.DeepEqual(before, after) {
		t.Errorf("idle after restart:\n%+v\nbefore:\n%+v", after, before)
	}
	if aws.ToInt64(after.ApplicationVersionId) != 2 || len(after.CloudWatchLoggingOptionDescriptions) != 1 {
		t.Errorf("idle: version %d, logging %+v", aws.ToInt64(after.ApplicationVersionId), after.CloudWatchLoggingOptionDescriptions)
	}
	tags, err := s2.kda.ListTagsForResource(ctx, &ka.ListTagsForResourceInput{ResourceARN: aws.String(appARN("busy"))})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "busy" {
		t.Errorf("tags after restart: %+v %v", tags, err)
	}
	if st := status(s2, "busy"); st != types.ApplicationStatusRunning {
		t.Errorf("busy after restart: %s", st)
	}
	if err := s2.apps.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "resumed", func() bool { return len(rt2.Calls()) == 1 })
	if got := rt2.Calls(); got[0] != "start busy v1 map[1.1:"+kda.PositionLastStoppedPoint+"]" {
		t.Errorf("resume calls: %q", got)
	}
}

// TestWrongState: while an application is STARTING every operation that
// changes it answers ResourceInUseException and changes nothing.
func TestWrongState(t *testing.T) {
	rt := &recorder{}
	s := startServer(t, openStores(t), rt)
	ctx := testCtx(t)
	createStream(t, s, "ticks")
	if _, err := s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("app"),
		ApplicationCode: aws.String(code), Inputs: []types.Input{input("ticks", 1)}, Outputs: []types.Output{output("ticks")}}); err != nil {
		t.Fatal(err)
	}
	gate := make(chan error)
	rt.setGate(gate)
	if err := startApp(t, s, "app", types.InputStartingPositionNow); err != nil {
		t.Fatal(err)
	}
	name, v := aws.String("app"), aws.Int64(1)
	out := output("ticks")
	in := input("ticks", 1)
	ref := &types.ReferenceDataSource{TableName: aws.String("T"), ReferenceSchema: schema(),
		S3ReferenceDataSource: &types.S3ReferenceDataSource{BucketARN: aws.String("arn:aws:s3:::ref"), FileKey: aws.String("k"), ReferenceRoleARN: aws.String(role)}}
	ipc := &types.InputProcessingConfiguration{InputLambdaProcessor: &types.InputLambdaProcessor{
		ResourceARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f"), RoleARN: aws.String(role)}}
	cw := &types.CloudWatchLoggingOption{LogStreamARN: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s"), RoleARN: aws.String(role)}
	created := describe(t, s, "app").CreateTimestamp
	for what, call := range map[string]func() error{
		"UpdateApplication": func() error {
			_, err := s.kda.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: name, CurrentApplicationVersionId: v,
				ApplicationUpdate: &types.ApplicationUpdate{ApplicationCodeUpdate: aws.String(code)}})
			return err
		},
		"AddApplicationInput": func() error {
			_, err := s.kda.AddApplicationInput(ctx, &ka.AddApplicationInputInput{ApplicationName: name, CurrentApplicationVersionId: v, Input: &in})
			return err
		},
		"AddApplicationOutput": func() error {
			_, err := s.kda.AddApplicationOutput(ctx, &ka.AddApplicationOutputInput{ApplicationName: name, CurrentApplicationVersionId: v, Output: &out})
			return err
		},
		"AddApplicationReferenceDataSource": func() error {
			_, err := s.kda.AddApplicationReferenceDataSource(ctx, &ka.AddApplicationReferenceDataSourceInput{ApplicationName: name, CurrentApplicationVersionId: v, ReferenceDataSource: ref})
			return err
		},
		"AddApplicationInputProcessingConfiguration": func() error {
			_, err := s.kda.AddApplicationInputProcessingConfiguration(ctx, &ka.AddApplicationInputProcessingConfigurationInput{ApplicationName: name,
				CurrentApplicationVersionId: v, InputId: aws.String("1.1"), InputProcessingConfiguration: ipc})
			return err
		},
		"AddApplicationCloudWatchLoggingOption": func() error {
			_, err := s.kda.AddApplicationCloudWatchLoggingOption(ctx, &ka.AddApplicationCloudWatchLoggingOptionInput{ApplicationName: name,
				CurrentApplicationVersionId: v, CloudWatchLoggingOption: cw})
			return err
		},
		"DeleteApplicationOutput": func() error {
			_, err := s.kda.DeleteApplicationOutput(ctx, &ka.DeleteApplicationOutputInput{ApplicationName: name, CurrentApplicationVersionId: v, OutputId: aws.String("2.1")})
			return err
		},
		"DeleteApplicationReferenceDataSource": func() error {
			_, err := s.kda.DeleteApplicationReferenceDataSource(ctx, &ka.DeleteApplicationReferenceDataSourceInput{ApplicationName: name, CurrentApplicationVersionId: v, ReferenceId: aws.String("3.1")})
			return err
		},
		"DeleteApplicationInputProcessingConfiguration": func() error {
			_, err := s.kda.DeleteApplicationInputProcessingConfiguration(ctx, &ka.DeleteApplicationInputProcessingConfigurationInput{ApplicationName: name, CurrentApplicationVersionId: v, InputId: aws.String("1.1")})
			return err
		},
		"DeleteApplicationCloudWatchLoggingOption": func() error {
			_, err := s.kda.DeleteApplicationCloudWatchLoggingOption(ctx, &ka.DeleteApplicationCloudWatchLoggingOptionInput{ApplicationName: name, CurrentApplicationVersionId: v, CloudWatchLoggingOptionId: aws.String("4.1")})
			return err
		},
		"StartApplication": func() error { return startApp(t, s, "app", types.InputStartingPositionNow) },
		"StopApplication": func() error {
			_, err := s.kda.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: name})
			return err
		},
		"DeleteApplication": func() error {
			_, err := s.kda.DeleteApplication(ctx, &ka.DeleteApplicationInput{ApplicationName: name, CreateTimestamp: created})
			return err
		},
	} {
		t.Run(what, func(t *testing.T) {
			wantError(t, call(), "ResourceInUseException", "Application app is in STARTING state; the operation is not allowed.")
		})
	}
	d := describe(t, s, "app")
	if d.ApplicationStatus != types.ApplicationStatusStarting || aws.ToInt64(d.ApplicationVersionId) != 1 || len(d.OutputDescriptions) != 1 ||
		len(d.ReferenceDataSourceDescriptions) != 0 || len(d.CloudWatchLoggingOptionDescriptions) != 0 {
		t.Errorf("changed while STARTING: %s v%d", d.ApplicationStatus, aws.ToInt64(d.ApplicationVersionId))
	}
	gate <- nil
	waitFor(t, "RUNNING", func() bool { return status(s, "app") == types.ApplicationStatusRunning })
}
