package analytics

import (
	"context"
	"errors"
	"strings"

	"github.com/eddy-streams/eddy"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// Kinds of resources an application names.
const (
	kindStream         = "kinesis"  // arn:aws:kinesis:<region>:<account>:stream/<name>
	kindDeliveryStream = "firehose" // arn:aws:firehose:<region>:<account>:deliverystream/<name>
	kindFunction       = "lambda"   // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
)

// arnParts are the parts of an ARN the service uses.
type arnParts struct {
	service, region, account, name string
}

// parseARN splits arn as kind's ARNs are written; ok is false if arn is not
// one.
func parseARN(arn, kind string) (arnParts, bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != kind {
		return arnParts{}, false
	}
	p := arnParts{service: f[2], region: f[3], account: f[4]}
	switch kind {
	case kindStream:
		p.name, _ = strings.CutPrefix(f[5], "stream/")
		return p, strings.HasPrefix(f[5], "stream/") && p.name != ""
	case kindDeliveryStream:
		p.name, _ = strings.CutPrefix(f[5], "deliverystream/")
		return p, strings.HasPrefix(f[5], "deliverystream/") && p.name != ""
	case kindFunction:
		rest, ok := strings.CutPrefix(f[5], "function:")
		p.name, _, _ = strings.Cut(rest, ":") // the qualifier is not checked
		return p, ok && p.name != ""
	}
	return arnParts{}, false
}

var kindWords = map[string]string{
	kindStream:         "Kinesis stream",
	kindDeliveryStream: "Firehose delivery stream",
	kindFunction:       "Lambda function",
}

// checkResource verifies that arn names an existing resource of kind, in
// this account. A malformed ARN, one of another kind, of another account
// or of a resource that does not exist is InvalidArgumentException:
// CreateApplication and the Add operations list no ResourceNotFoundException
// for their inputs and outputs (service-2.json); the words are Eddy's.
// Kinds whose service is not configured are not checked.
func (s *Service) checkResource(ctx context.Context, arn, kind string) error {
	p, ok := parseARN(arn, kind)
	if !ok {
		return invalidArgument("%s is not the ARN of a %s.", arn, kindWords[kind])
	}
	missing := invalidArgument("%s %s does not exist.", kindWords[kind], arn)
	if p.account != s.cfg.AccountID {
		return missing
	}
	var err error
	switch kind {
	case kindStream:
		if s.cfg.Kinesis == nil {
			return nil
		}
		var k Kinesis
		if k, err = s.cfg.Kinesis(p.region); err == nil {
			_, err = k.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: kda.String(p.name)})
		}
	case kindDeliveryStream:
		if s.cfg.Firehose == nil {
			return nil
		}
		_, err = s.cfg.Firehose.DescribeDeliveryStream(p.region, &fp.DescribeDeliveryStreamInput{DeliveryStreamName: kda.String(p.name)})
	case kindFunction:
		if s.cfg.Functions == nil {
			return nil
		}
		_, err = s.cfg.Functions.GetFunctionConfiguration(p.region, p.name)
	}
	var e *eddy.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e) && e.Code != eddy.CodeInternalFailure:
		// Not found, or a region Eddy does not serve.
		return missing
	}
	return err
}

// checkInput verifies the resources an input names.
func (s *Service) checkInput(ctx context.Context, in *kda.Input) error {
	if in.KinesisStreamsInput != nil {
		if err := s.checkResource(ctx, kda.Deref(in.KinesisStreamsInput.ResourceARN), kindStream); err != nil {
			return err
		}
	}
	if in.KinesisFirehoseInput != nil {
		if err := s.checkResource(ctx, kda.Deref(in.KinesisFirehoseInput.ResourceARN), kindDeliveryStream); err != nil {
			return err
		}
	}
	if p := in.InputProcessingConfiguration; p != nil {
		return s.checkResource(ctx, kda.Deref(p.InputLambdaProcessor.ResourceARN), kindFunction)
	}
	return nil
}

// checkOutput verifies the resource an output names.
func (s *Service) checkOutput(ctx context.Context, o *kda.Output) error {
	switch {
	case o.KinesisStreamsOutput != nil:
		return s.checkResource(ctx, kda.Deref(o.KinesisStreamsOutput.ResourceARN), kindStream)
	case o.KinesisFirehoseOutput != nil:
		return s.checkResource(ctx, kda.Deref(o.KinesisFirehoseOutput.ResourceARN), kindDeliveryStream)
	case o.LambdaOutput != nil:
		return s.checkResource(ctx, kda.Deref(o.LambdaOutput.ResourceARN), kindFunction)
	}
	return nil
}
