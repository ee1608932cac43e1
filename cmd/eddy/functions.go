package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/lambda"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// bootstrapFunction is a function the config file declares: a webhook
// function (webhook: URL) or a function whose code is a local directory
// (directory: /abs/path, with runtime and handler). It is created at
// start-up unless a function of that name exists in its region; an
// existing one is left as it is.
type bootstrapFunction struct {
	Name      string `yaml:"name"`
	Region    string `yaml:"region"`    // default: --region
	Webhook   string `yaml:"webhook"`   // an http or https URL
	Directory string `yaml:"directory"` // an absolute directory on this host
	Runtime   string `yaml:"runtime"`   // with directory
	Handler   string `yaml:"handler"`   // with directory (not for provided.*)
	Timeout   int    `yaml:"timeout"`   // seconds, 1 to 900; default 3
}

// webhookRuntime and webhookHandler are what a config-file webhook
// function reports as its Runtime and Handler: it runs no code.
const (
	webhookRuntime = "provided.al2023"
	webhookHandler = "webhook"
)

// createInput is the CreateFunction call that makes f.
func (f *bootstrapFunction) createInput() (*lp.CreateFunctionInput, error) {
	if (f.Webhook == "") == (f.Directory == "") {
		return nil, fmt.Errorf("config file: function %q: give one of webhook or directory", f.Name)
	}
	in := &lp.CreateFunctionInput{
		FunctionName: f.Name,
		Role:         "arn:aws:iam::000000000000:role/eddy-config-file",
		Runtime:      f.Runtime,
		Handler:      f.Handler,
	}
	if f.Timeout != 0 {
		t := int32(f.Timeout)
		in.Timeout = &t
	}
	if f.Webhook != "" {
		in.Runtime, in.Handler = webhookRuntime, webhookHandler
		in.Tags = map[string]string{lambda.WebhookTag: f.Webhook}
	}
	// The API's own checks (name, runtime, handler, timeout); a webhook
	// has no code, which Validate would refuse, so it is checked as a
	// directory whose existence CreateFunction never looks at.
	in.Code = &lp.FunctionCode{S3Bucket: lp.LocalCodeBucket, S3Key: f.Directory}
	err := in.Validate()
	if f.Webhook != "" {
		in.Code = &lp.FunctionCode{}
	}
	if err != nil {
		return nil, fmt.Errorf("config file: function %q: %w", f.Name, err)
	}
	return in, nil
}

// bootstrapFunctions creates the functions the config file declares that
// do not exist yet.
func bootstrapFunctions(svc *lambda.Service, defaultRegion string, fns []bootstrapFunction, logger *slog.Logger) error {
	for i := range fns {
		f := &fns[i]
		region := f.Region
		if region == "" {
			region = defaultRegion
		}
		in, err := f.createInput()
		if err != nil {
			return err
		}
		_, err = svc.CreateFunction(region, in)
		var ee *eddy.Error
		if errors.As(err, &ee) && ee.Code == lp.CodeResourceConflict {
			logger.Info("bootstrap function exists", "function", f.Name, "region", region)
			continue
		}
		if err != nil {
			return fmt.Errorf("config file: create function %q: %w", f.Name, err)
		}
	}
	return nil
}
