package kda

import (
	"strings"

	"github.com/eddy-streams/eddy"
)

// inputs holds one zero value of every operation's input, by operation
// name: the transport's list and the validator's set of shapes.
var inputs = map[string]any{
	"AddApplicationCloudWatchLoggingOption":         &AddApplicationCloudWatchLoggingOptionInput{},
	"AddApplicationInput":                           &AddApplicationInputInput{},
	"AddApplicationInputProcessingConfiguration":    &AddApplicationInputProcessingConfigurationInput{},
	"AddApplicationOutput":                          &AddApplicationOutputInput{},
	"AddApplicationReferenceDataSource":             &AddApplicationReferenceDataSourceInput{},
	"CreateApplication":                             &CreateApplicationInput{},
	"DeleteApplication":                             &DeleteApplicationInput{},
	"DeleteApplicationCloudWatchLoggingOption":      &DeleteApplicationCloudWatchLoggingOptionInput{},
	"DeleteApplicationInputProcessingConfiguration": &DeleteApplicationInputProcessingConfigurationInput{},
	"DeleteApplicationOutput":                       &DeleteApplicationOutputInput{},
	"DeleteApplicationReferenceDataSource":          &DeleteApplicationReferenceDataSourceInput{},
	"DescribeApplication":                           &DescribeApplicationInput{},
	"DiscoverInputSchema":                           &DiscoverInputSchemaInput{},
	"ListApplications":                              &ListApplicationsInput{},
	"ListTagsForResource":                           &ListTagsForResourceInput{},
	"StartApplication":                              &StartApplicationInput{},
	"StopApplication":                               &StopApplicationInput{},
	"TagResource":                                   &TagResourceInput{},
	"UntagResource":                                 &UntagResourceInput{},
	"UpdateApplication":                             &UpdateApplicationInput{},
}

// invalidArgument returns an InvalidArgumentException with msg.
func invalidArgument(msg string) error {
	return &eddy.Error{Code: eddy.CodeInvalidArgument, Message: msg}
}

// Validate methods: the model's constraints, then the checks a request
// can fail on its own, answered with InvalidArgumentException. No
// recording of AWS's words for those was found; the messages are Eddy's.

func (in *CreateApplicationInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	for i := range in.Inputs {
		if err := in.Inputs[i].check(); err != nil {
			return err
		}
	}
	for i := range in.Outputs {
		if err := in.Outputs[i].check(); err != nil {
			return err
		}
	}
	return nil
}

// check is what an Input must hold beyond the model: exactly one
// streaming source ("Either KinesisStreamsInput or KinesisFirehoseInput
// is required", the model's documentation of both members) and a schema
// whose format fits its mapping parameters.
func (in *Input) check() error {
	if (in.KinesisStreamsInput == nil) == (in.KinesisFirehoseInput == nil) {
		return invalidArgument("Either KinesisStreamsInput or KinesisFirehoseInput is required, not both.")
	}
	return in.InputSchema.check()
}

// check verifies that JSON columns have a Mapping ("This element is
// required if the RecordFormatType is JSON", RecordColumn's documentation)
// and that the mapping parameters match the format.
func (s *SourceSchema) check() error {
	if s == nil || s.RecordFormat == nil {
		return nil
	}
	mp := s.RecordFormat.MappingParameters
	switch s.RecordFormat.RecordFormatType {
	case FormatJSON:
		if mp != nil && mp.CSVMappingParameters != nil {
			return invalidArgument("CSVMappingParameters cannot be used with RecordFormatType JSON.")
		}
		for _, c := range s.RecordColumns {
			if c.Mapping == nil || *c.Mapping == "" {
				return invalidArgument("RecordColumn " + Deref(c.Name) + " needs a Mapping for RecordFormatType JSON.")
			}
		}
	case FormatCSV:
		if mp != nil && mp.JSONMappingParameters != nil {
			return invalidArgument("JSONMappingParameters cannot be used with RecordFormatType CSV.")
		}
	}
	return nil
}

// check is what an Output must hold beyond the model: exactly one
// destination.
func (o *Output) check() error {
	n := 0
	for _, set := range []bool{o.KinesisStreamsOutput != nil, o.KinesisFirehoseOutput != nil, o.LambdaOutput != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return invalidArgument("Exactly one of KinesisStreamsOutput, KinesisFirehoseOutput and LambdaOutput is required.")
	}
	return nil
}

func (in *DescribeApplicationInput) Validate() error { return validate(in) }
func (in *ListApplicationsInput) Validate() error    { return validate(in) }
func (in *DeleteApplicationInput) Validate() error   { return validate(in) }
func (in *StopApplicationInput) Validate() error     { return validate(in) }

func (in *StartApplicationInput) Validate() error { return validate(in) }

func (in *UpdateApplicationInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	for _, u := range in.ApplicationUpdate.InputUpdates {
		if u.KinesisStreamsInputUpdate != nil && u.KinesisFirehoseInputUpdate != nil {
			return invalidArgument("Either KinesisStreamsInputUpdate or KinesisFirehoseInputUpdate can be given, not both.")
		}
	}
	return nil
}

func (in *AddApplicationInputInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	return in.Input.check()
}

func (in *AddApplicationOutputInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	return in.Output.check()
}

func (in *AddApplicationReferenceDataSourceInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	if in.ReferenceDataSource.S3ReferenceDataSource == nil {
		return invalidArgument("S3ReferenceDataSource is required.")
	}
	return in.ReferenceDataSource.ReferenceSchema.check()
}

func (in *AddApplicationInputProcessingConfigurationInput) Validate() error { return validate(in) }
func (in *AddApplicationCloudWatchLoggingOptionInput) Validate() error      { return validate(in) }
func (in *DeleteApplicationOutputInput) Validate() error                    { return validate(in) }
func (in *DeleteApplicationReferenceDataSourceInput) Validate() error       { return validate(in) }
func (in *DeleteApplicationInputProcessingConfigurationInput) Validate() error {
	return validate(in)
}
func (in *DeleteApplicationCloudWatchLoggingOptionInput) Validate() error { return validate(in) }

func (in *DiscoverInputSchemaInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	if in.ResourceARN == nil && in.S3Configuration == nil {
		return invalidArgument("Either ResourceARN or S3Configuration is required.")
	}
	if in.ResourceARN != nil && in.RoleARN == nil {
		return invalidArgument("RoleARN is required with ResourceARN.")
	}
	return nil
}

func (in *TagResourceInput) Validate() error         { return validate(in) }
func (in *UntagResourceInput) Validate() error       { return validate(in) }
func (in *ListTagsForResourceInput) Validate() error { return validate(in) }

// Operations returns the names of the operations, for the transport and
// tests.
func Operations() []string {
	out := make([]string, 0, len(inputs))
	for name := range inputs {
		out = append(out, name)
	}
	return out
}

// ApplicationOf returns the application name an input addresses, or "",
// for the request log and authorization: ApplicationName, or the name in a
// tagging operation's ResourceARN.
func ApplicationOf(in any) string {
	switch x := in.(type) {
	case interface{ appName() *string }:
		return Deref(x.appName())
	case *TagResourceInput:
		return nameOfARN(Deref(x.ResourceARN))
	case *UntagResourceInput:
		return nameOfARN(Deref(x.ResourceARN))
	case *ListTagsForResourceInput:
		return nameOfARN(Deref(x.ResourceARN))
	}
	return ""
}

func nameOfARN(arn string) string {
	_, name, _ := strings.Cut(arn, ":application/")
	return name
}

func (in *CreateApplicationInput) appName() *string   { return in.ApplicationName }
func (in *DescribeApplicationInput) appName() *string { return in.ApplicationName }
func (in *DeleteApplicationInput) appName() *string   { return in.ApplicationName }
func (in *StartApplicationInput) appName() *string    { return in.ApplicationName }
func (in *StopApplicationInput) appName() *string     { return in.ApplicationName }
func (in *UpdateApplicationInput) appName() *string   { return in.ApplicationName }
func (in *AddApplicationInputInput) appName() *string { return in.ApplicationName }
func (in *AddApplicationOutputInput) appName() *string {
	return in.ApplicationName
}
func (in *AddApplicationReferenceDataSourceInput) appName() *string { return in.ApplicationName }
func (in *AddApplicationInputProcessingConfigurationInput) appName() *string {
	return in.ApplicationName
}
func (in *AddApplicationCloudWatchLoggingOptionInput) appName() *string { return in.ApplicationName }
func (in *DeleteApplicationOutputInput) appName() *string               { return in.ApplicationName }
func (in *DeleteApplicationReferenceDataSourceInput) appName() *string  { return in.ApplicationName }
func (in *DeleteApplicationInputProcessingConfigurationInput) appName() *string {
	return in.ApplicationName
}
func (in *DeleteApplicationCloudWatchLoggingOptionInput) appName() *string {
	return in.ApplicationName
}
