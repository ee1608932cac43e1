// Package runtimeapi runs Lambda function instances: one process each,
// talking to its own implementation of the Lambda Runtime API
// (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) on a loopback
// listener of its own (127.0.0.1:0). The API has no notion of which
// instance calls it, so one address per instance is how the server tells
// them apart; the public port never serves it.
//
// The lambda package decides what to run (argv, environment, code
// directory) and when; this package starts the process, hands it
// invocations, enforces their deadlines (killing the process group), and
// keeps the log tail of the invocation in progress:
//
//	i, initFailure, err := runtimeapi.Start(lambda.InstanceSpec{Argv: argv, Dir: dir, Env: env, ...})
//	res, reusable := i.Run(ctx, &lambda.Invocation{ID: id, Payload: event, Deadline: d, ...})
//	i.Stop()
//
// Launcher is the lambda.Launcher cmd/eddy gives the lambda service. The
// package is kept out of lambda so that a service's behaviour serves no
// HTTP itself (repo_test.go's dependency rules); it depends on lambda's
// interface, not the other way round.
package runtimeapi
