package analytics

import (
	"context"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kda"
)

// The configuration changes. Each needs CurrentApplicationVersionId to be
// the current version and makes a new one ("Any configuration update,
// including adding a streaming source using this operation, results in a
// new version of the application", AddApplicationInput's documentation).
// Resources the change names are checked before anything changes; a
// failed check changes nothing.

// UpdateApplication applies ApplicationUpdate: code, inputs, outputs,
// reference data sources and logging options, by id. An id the
// application does not have is ResourceNotFoundException (Eddy's choice
// and words: the model lists it among UpdateApplication's errors).
func (s *Service) UpdateApplication(ctx context.Context, region string, in *kda.UpdateApplicationInput) (*kda.UpdateApplicationOutput, error) {
	region = s.region(region)
	name := kda.Deref(in.ApplicationName)
	u := in.ApplicationUpdate
	if err := s.validateCode(u.ApplicationCodeUpdate); err != nil {
		return nil, err
	}
	for _, iu := range u.InputUpdates {
		if x := iu.KinesisStreamsInputUpdate; x != nil && x.ResourceARNUpdate != nil {
			if err := s.checkResource(ctx, *x.ResourceARNUpdate, kindStream); err != nil {
				return nil, err
			}
		}
		if x := iu.KinesisFirehoseInputUpdate; x != nil && x.ResourceARNUpdate != nil {
			if err := s.checkResource(ctx, *x.ResourceARNUpdate, kindDeliveryStream); err != nil {
				return nil, err
			}
		}
		if x := iu.InputProcessingConfigurationUpdate; x != nil && x.InputLambdaProcessorUpdate.ResourceARNUpdate != nil {
			if err := s.checkResource(ctx, *x.InputLambdaProcessorUpdate.ResourceARNUpdate, kindFunction); err != nil {
				return nil, err
			}
		}
	}
	for _, ou := range u.OutputUpdates {
		for _, c := range []struct {
			u    *kda.ResourceRoleUpdate
			kind string
		}{{ou.KinesisStreamsOutputUpdate, kindStream}, {ou.KinesisFirehoseOutputUpdate, kindDeliveryStream}, {ou.LambdaOutputUpdate, kindFunction}} {
			if c.u != nil && c.u.ResourceARNUpdate != nil {
				if err := s.checkResource(ctx, *c.u.ResourceARNUpdate, c.kind); err != nil {
					return nil, err
				}
			}
		}
	}
	err := s.change(region, name, in.CurrentApplicationVersionId, func(r *record) error {
		if u.ApplicationCodeUpdate != nil {
			r.Code = u.ApplicationCodeUpdate
		}
		for _, iu := range u.InputUpdates {
			if err := applyInputUpdate(r, &iu); err != nil {
				return err
			}
		}
		for _, ou := range u.OutputUpdates {
			if err := applyOutputUpdate(r, &ou); err != nil {
				return err
			}
		}
		for _, ru := range u.ReferenceDataSourceUpdates {
			if err := applyReferenceUpdate(r, &ru); err != nil {
				return err
			}
		}
		for _, lu := range u.CloudWatchLoggingOptionUpdates {
			i := findLogging(r, kda.Deref(lu.CloudWatchLoggingOptionId))
			if i < 0 {
				return missingID(name, "CloudWatch logging option", kda.Deref(lu.CloudWatchLoggingOptionId))
			}
			set(&r.Logging[i].LogStreamARN, lu.LogStreamARNUpdate)
			set(&r.Logging[i].RoleARN, lu.RoleARNUpdate)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kda.UpdateApplicationOutput{}, nil
}

func missingID(app, what, id string) error {
	return eddy.Errorf(eddy.CodeResourceNotFound, "Application %s has no %s with id %s.", app, what, id)
}

func set[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

func applyInputUpdate(r *record, iu *kda.InputUpdate) error {
	i := findInput(r, kda.Deref(iu.InputId))
	if i < 0 {
		return missingID(r.Name, "input", kda.Deref(iu.InputId))
	}
	d := &r.Inputs[i]
	set(&d.NamePrefix, iu.NamePrefixUpdate)
	if x := iu.KinesisStreamsInputUpdate; x != nil {
		if d.KinesisStreamsInputDescription == nil {
			if x.ResourceARNUpdate == nil || x.RoleARNUpdate == nil {
				return invalidArgument("Input %s: a new KinesisStreamsInput needs ResourceARNUpdate and RoleARNUpdate.", kda.Deref(iu.InputId))
			}
			d.KinesisStreamsInputDescription = &kda.ResourceRoleDescription{}
			d.KinesisFirehoseInputDescription = nil
		}
		set(&d.KinesisStreamsInputDescription.ResourceARN, x.ResourceARNUpdate)
		set(&d.KinesisStreamsInputDescription.RoleARN, x.RoleARNUpdate)
	}
	if x := iu.KinesisFirehoseInputUpdate; x != nil {
		if d.KinesisFirehoseInputDescription == nil {
			if x.ResourceARNUpdate == nil || x.RoleARNUpdate == nil {
				return invalidArgument("Input %s: a new KinesisFirehoseInput needs ResourceARNUpdate and RoleARNUpdate.", kda.Deref(iu.InputId))
			}
			d.KinesisFirehoseInputDescription = &kda.ResourceRoleDescription{}
			d.KinesisStreamsInputDescription = nil
		}
		set(&d.KinesisFirehoseInputDescription.ResourceARN, x.ResourceARNUpdate)
		set(&d.KinesisFirehoseInputDescription.RoleARN, x.RoleARNUpdate)
	}
	if x := iu.InputProcessingConfigurationUpdate; x != nil {
		lu := x.InputLambdaProcessorUpdate
		if d.InputProcessingConfigurationDescription == nil {
			if lu.ResourceARNUpdate == nil || lu.RoleARNUpdate == nil {
				return invalidArgument("Input %s has no InputProcessingConfiguration to update.", kda.Deref(iu.InputId))
			}
			d.InputProcessingConfigurationDescription = &kda.InputProcessingConfigurationDescription{InputLambdaProcessorDescription: &kda.InputLambdaProcessorDescription{}}
		}
		l := d.InputProcessingConfigurationDescription.InputLambdaProcessorDescription
		set(&l.ResourceARN, lu.ResourceARNUpdate)
		set(&l.RoleARN, lu.RoleARNUpdate)
	}
	if x := iu.InputSchemaUpdate; x != nil {
		sc := *d.InputSchema
		set(&sc.RecordFormat, x.RecordFormatUpdate)
		set(&sc.RecordEncoding, x.RecordEncodingUpdate)
		if x.RecordColumnUpdates != nil {
			sc.RecordColumns = x.RecordColumnUpdates
		}
		if err := checkSchema(&sc); err != nil {
			return err
		}
		d.InputSchema = &sc
	}
	if x := iu.InputParallelismUpdate; x != nil && x.CountUpdate != nil {
		d.InputParallelism = &kda.InputParallelism{Count: x.CountUpdate}
	}
	d.InAppStreamNames = inAppStreams(kda.Deref(d.NamePrefix), *d.InputParallelism.Count)
	return nil
}

// checkSchema runs the request checks of a schema made of updates.
func checkSchema(sc *kda.SourceSchema) error {
	in := kda.AddApplicationInputInput{ApplicationName: kda.String("x"), CurrentApplicationVersionId: kda.Int64(1),
		Input: &kda.Input{NamePrefix: kda.String("x"), KinesisStreamsInput: &kda.ResourceRole{
			ResourceARN: kda.String("arn:x"), RoleARN: kda.String("arn:aws:iam::000000000000:role/x")}, InputSchema: sc}}
	return in.Validate()
}

func applyOutputUpdate(r *record, ou *kda.OutputUpdate) error {
	id := kda.Deref(ou.OutputId)
	i := -1
	for j, o := range r.Outputs {
		if kda.Deref(o.OutputId) == id {
			i = j
		}
	}
	if i < 0 {
		return missingID(r.Name, "output", id)
	}
	d := &r.Outputs[i]
	set(&d.Name, ou.NameUpdate)
	set(&d.DestinationSchema, ou.DestinationSchemaUpdate)
	dest := func(cur **kda.ResourceRoleDescription, u *kda.ResourceRoleUpdate, what string) error {
		if u == nil {
			return nil
		}
		if *cur == nil {
			if u.ResourceARNUpdate == nil || u.RoleARNUpdate == nil {
				return invalidArgument("Output %s: a new %s needs ResourceARNUpdate and RoleARNUpdate.", id, what)
			}
			d.KinesisStreamsOutputDescription, d.KinesisFirehoseOutputDescription, d.LambdaOutputDescription = nil, nil, nil
			*cur = &kda.ResourceRoleDescription{}
		}
		set(&(*cur).ResourceARN, u.ResourceARNUpdate)
		set(&(*cur).RoleARN, u.RoleARNUpdate)
		return nil
	}
	if err := dest(&d.KinesisStreamsOutputDescription, ou.KinesisStreamsOutputUpdate, "KinesisStreamsOutput"); err != nil {
		return err
	}
	if err := dest(&d.KinesisFirehoseOutputDescription, ou.KinesisFirehoseOutputUpdate, "KinesisFirehoseOutput"); err != nil {
		return err
	}
	return dest(&d.LambdaOutputDescription, ou.LambdaOutputUpdate, "LambdaOutput")
}

func applyReferenceUpdate(r *record, ru *kda.ReferenceDataSourceUpdate) error {
	id := kda.Deref(ru.ReferenceId)
	i := -1
	for j, x := range r.References {
		if kda.Deref(x.ReferenceId) == id {
			i = j
		}
	}
	if i < 0 {
		return missingID(r.Name, "reference data source", id)
	}
	d := &r.References[i]
	set(&d.TableName, ru.TableNameUpdate)
	if x := ru.S3ReferenceDataSourceUpdate; x != nil {
		s3 := *d.S3ReferenceDataSourceDescription
		set(&s3.BucketARN, x.BucketARNUpdate)
		set(&s3.FileKey, x.FileKeyUpdate)
		set(&s3.ReferenceRoleARN, x.ReferenceRoleARNUpdate)
		d.S3ReferenceDataSourceDescription = &s3
	}
	if ru.ReferenceSchemaUpdate != nil {
		if err := checkSchema(ru.ReferenceSchemaUpdate); err != nil {
			return err
		}
		d.ReferenceSchema = ru.ReferenceSchemaUpdate
	}
	return nil
}

func findLogging(r *record, id string) int {
	for i, l := range r.Logging {
		if kda.Deref(l.CloudWatchLoggingOptionId) == id {
			return i
		}
	}
	return -1
}

// AddApplicationInput adds the application's streaming source; it has at
// most one.
func (s *Service) AddApplicationInput(ctx context.Context, region string, in *kda.AddApplicationInputInput) (*kda.AddApplicationInputOutput, error) {
	if err := s.checkInput(ctx, in.Input); err != nil {
		return nil, err
	}
	name := kda.Deref(in.ApplicationName)
	err := s.change(s.region(region), name, in.CurrentApplicationVersionId, func(r *record) error {
		if len(r.Inputs) >= maxInputs {
			return invalidArgument("Application %s already has an input; an application reads a single streaming source.", name)
		}
		r.Inputs = append(r.Inputs, inputDescription(r.nextID(), in.Input))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kda.AddApplicationInputOutput{}, nil
}

// AddApplicationOutput adds a destination; at most three.
func (s *Service) AddApplicationOutput(ctx context.Context, region string, in *kda.AddApplicationOutputInput) (*kda.AddApplicationOutputOutput, error) {
	if err := s.checkOutput(ctx, in.Output); err != nil {
		return nil, err
	}
	name := kda.Deref(in.ApplicationName)
	err := s.change(s.region(region), name, in.CurrentApplicationVersionId, func(r *record) error {
		if len(r.Outputs) >= maxOutputs {
			return invalidArgument("Application %s already has %d outputs, the most it can have.", name, maxOutputs)
		}
		r.Outputs = append(r.Outputs, outputDescription(r.nextID(), in.Output))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kda.AddApplicationOutputOutput{}, nil
}

// AddApplicationReferenceDataSource adds the reference table; at most
// one. The object is not read here: the Runtime loads it when the
// application starts or is updated.
func (s *Service) AddApplicationReferenceDataSource(_ context.Context, region string, in *kda.AddApplicationReferenceDataSourceInput) (*kda.AddApplicationReferenceDataSourceOutput, error) {
	name := kda.Deref(in.ApplicationName)
	src := in.ReferenceDataSource
	err := s.change(s.region(region), name, in.CurrentApplicationVersionId, func(r *record) error {
		if len(r.References) >= maxReferences {
			return invalidArgument("Application %s already has a reference data source; an application uses at most one.", name)
		}
		r.References = append(r.References, kda.ReferenceDataSourceDescription{ReferenceId: r.nextID(), TableName: src.TableName,
			S3ReferenceDataSourceDescription: src.S3ReferenceDataSource, ReferenceSchema: src.ReferenceSchema})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kda.AddApplicationReferenceDataSourceOutput{}, nil
}

// AddApplicationInputProcessingConfiguration sets an input's Lambda
// preprocessor; an input with one already is InvalidArgumentException.
func (s *Service) AddApplicationInputProcessingConfiguration(ctx context.Context, region string, in *kda.AddApplicationInputProcessingConfigurationInput) (*kda.AddApplicationInputProcessingConfigurationOutput, error) {
	if err := s.checkResource(ctx, kda.Deref(in.InputProcessingConfiguration.InputLambdaProcessor.ResourceARN), kindFunction); err != nil {
		return nil, err
	}
	name, id := kda.Deref(in.ApplicationName), kda.Deref(in.InputId)
	err := s.change(s.region(region), name, in.CurrentApplicationVersionId, func(r *record) error {
		i := findInput(r, id)
		if i < 0 {
			return missingID(name, "input", id)
		}
		if r.Inputs[i].InputProcessingConfigurationDescription != nil {
			return invalidArgument("Input %s of application %s already has an InputProcessingConfiguration.", id, name)
		}
		r.Inputs[i].InputProcessingConfigurationDescription = processingDescription(in.InputProcessingConfiguration)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kda.AddApplicationInputProcessingConfigurationOutput{}, nil
}

// AddApplicationCloudWatchLoggingOption records a log stream. Eddy does
// not write to CloudWatch Logs: the option is kept and described only.
func (s *Service) AddApplicationCloudWatchLoggingOption(_ context.Context, region string, in *kda.AddApplicationCloudWatchLoggingOptionInput) (*kda.AddApplicationCloudWatchLoggingOptionOutput, error) {
	name := kda.Deref(in.ApplicationName)
	o := in.CloudWatchLoggingOption
	err := s.change(s.region(region), name, in.CurrentApplicationVersionId, func(r *record) error {
		for _, l := range r.Logging {
			if kda.Deref(l.LogStreamARN) == kda.Deref(o.LogStreamARN) {
				return invalidArgument("Application %s already logs to %s.", name, kda.Deref(o.LogStreamARN))
			}
		}
		r.Logging = append(r.Logging, kda.CloudWatchLoggingOptionDescription{CloudWatchLoggingOptionId: r.nextID(),
			LogStreamARN: o.LogStreamARN, RoleARN: o.RoleARN})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kda.AddApplicationCloudWatchLoggingOptionOutput{}, nil
}

// DeleteApplicationOutput removes an output by id.
func (s *Service) DeleteApplicationOutput(_ context.Context, region string, in *kda.DeleteApplicationOutputInput) (*kda.DeleteApplicationOutputOutput, error) {
	name, id := kda.Deref(in.ApplicationName), kda.Deref(in.OutputId)
	err := s.change(s.region(region), name, in.CurrentApplicationVersionId, func(r *record) error {
		for i, o := range r.Outputs {
			if kda.Deref(o.OutputId) == id {
				r.Outputs = append(r.Outputs[:i], r.Outputs[i+1:]...)
				return nil
			}
		}
		return missingID(name, "output", id)
	})
	if err != nil {
		return nil, err
	}
	return &kda.DeleteApplicationOutputOutput{}, nil
}

// DeleteApplicationReferenceDataSource removes a reference data source by
// id.
func (s *Service) DeleteApplicationReferenceDataSource(_ context.Context, region string, in *kda.DeleteApplicationReferenceDataSourceInput) (*kda.DeleteApplicationReferenceDataSourceOutput, error) {
	name, id := kda.Deref(in.ApplicationName), kda.Deref(in.ReferenceId)
	err := s.change(s.region(region), name, in.CurrentApplicationVersionId, func(r *record) error {
		for i, x := range r.References {
			if kda.Deref(x.ReferenceId) == id {
				r.References = append(r.References[:i], r.References[i+1:]...)
				return nil
			}
		}
		return missingID(name, "reference data source", id)
	})
	if err != nil {
		return nil, err
	}
	return &kda.DeleteApplicationReferenceDataSourceOutput{}, nil
}

// DeleteApplicationInputProcessingConfiguration removes an input's
// preprocessor.
func (s *Service) DeleteApplicationInputProcessingConfiguration(_ context.Context, region string, in *kda.DeleteApplicationInputProcessingConfigurationInput) (*kda.DeleteApplicationInputProcessingConfigurationOutput, error) {
	name, id := kda.Deref(in.ApplicationName), kda.Deref(in.InputId)
	err := s.change(s.region(region), name, in.CurrentApplicationVersionId, func(r *record) error {
		i := findInput(r, id)
		if i < 0 {
			return missingID(name, "input", id)
		}
		if r.Inputs[i].InputProcessingConfigurationDescription == nil {
			return invalidArgument("Input %s of application %s has no InputProcessingConfiguration.", id, name)
		}
		r.Inputs[i].InputProcessingConfigurationDescription = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kda.DeleteApplicationInputProcessingConfigurationOutput{}, nil
}

// DeleteApplicationCloudWatchLoggingOption removes a logging option by id.
func (s *Service) DeleteApplicationCloudWatchLoggingOption(_ context.Context, region string, in *kda.DeleteApplicationCloudWatchLoggingOptionInput) (*kda.DeleteApplicationCloudWatchLoggingOptionOutput, error) {
	name, id := kda.Deref(in.ApplicationName), kda.Deref(in.CloudWatchLoggingOptionId)
	err := s.change(s.region(region), name, in.CurrentApplicationVersionId, func(r *record) error {
		i := findLogging(r, id)
		if i < 0 {
			return missingID(name, "CloudWatch logging option", id)
		}
		r.Logging = append(r.Logging[:i], r.Logging[i+1:]...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kda.DeleteApplicationCloudWatchLoggingOptionOutput{}, nil
}
