// Package lambda is Eddy's Lambda service: functions (configuration and
// code, kept in the MetaStore table "lambda/functions" and, for code, in
// content-addressed zip files under the data directory) and their
// invocation in local processes that speak the Lambda Runtime API.
//
// Each function instance is one process, started with the environment
// Lambda gives its runtimes (AWS_LAMBDA_FUNCTION_NAME, _HANDLER,
// LAMBDA_TASK_ROOT, AWS_REGION, credentials and AWS_ENDPOINT_URL pointing
// back at Eddy, ...) by a Launcher: the runtimeapi package, which serves
// each instance its Runtime API on a loopback listener of its own and adds
// AWS_LAMBDA_RUNTIME_API (this package serves no HTTP). provided.*
// runtimes run the zip's bootstrap; python3.x and nodejs*.x run the handler
// through the small runtime clients embedded from runtimes/ (standard
// library only), in the locally installed python3 and node.
//
// Instances are reused while warm and started on demand up to the
// function's reserved concurrency (TooManyRequestsException beyond it) or
// Config.MaxInstances. An invocation that outlives the function's timeout
// kills its instance; an instance that exits is replaced on the next
// invocation. Other services invoke functions in process through Invoke
// (see Invoker), never through HTTP.
package lambda
