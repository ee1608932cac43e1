package lambdaapi

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const pythonHandler = `import os

count = 0

def handler(event, context):
    global count
    count += 1
    if event.get("fail"):
        raise ValueError("bad input: %s" % event["fail"])
    print("python saw", event)
    return {"echo": event, "count": count, "requestId": context.aws_request_id,
            "arn": context.invoked_function_arn, "remaining": context.get_remaining_time_in_millis(),
            "custom": os.environ.get("CUSTOM"), "name": context.function_name}
`

const nodeHandler = `let count = 0;
exports.handler = async (event, context) => {
  count++;
  if (event.fail) throw new TypeError('bad input: ' + event.fail);
  console.log('node saw', JSON.stringify(event));
  return { echo: event, count, requestId: context.awsRequestId, arn: context.invokedFunctionArn,
           remaining: context.getRemainingTimeInMillis(), custom: process.env.CUSTOM, name: context.functionName };
};
exports.callbackStyle = (event, context, callback) => { callback(null, { cb: event.x }); };
`

func TestInvokeInterpretedRuntimes(t *testing.T) {
	tests := []struct {
		name, runtime, interp, file, source, errType string
	}{
		{"python", "python3.12", "python3", "app.py", pythonHandler, "ValueError"},
		{"node", "nodejs20.x", "node", "app.js", nodeHandler, "TypeError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := exec.LookPath(tc.interp); err != nil {
				t.Skipf("%s not installed", tc.interp)
			}
			e := start(t)
			ctx := ctxT(t)
			in := createInput("fn", tc.runtime, "app.handler", zipFiles(t, map[string][]byte{tc.file: []byte(tc.source)}))
			in.Environment = &types.Environment{Variables: map[string]string{"CUSTOM": tc.name}}
			if _, err := e.client.CreateFunction(ctx, in); err != nil {
				t.Fatal(err)
			}
			out, m := invokeJSON(t, e, "fn", `{"k":"v"}`, func(in *sdk.InvokeInput) { in.LogType = types.LogTypeTail })
			if out.FunctionError != nil || m["echo"].(map[string]any)["k"] != "v" || m["count"] != 1.0 || m["custom"] != tc.name ||
				m["name"] != "fn" || m["arn"] != "arn:aws:lambda:us-east-1:000000000000:function:fn" || m["requestId"] == "" {
				t.Fatalf("Invoke: %v %v", aws.ToString(out.FunctionError), m)
			}
			if rem := m["remaining"].(float64); rem <= 0 || rem > 3000 {
				t.Errorf("remaining %v ms, want in (0, 3000]", rem)
			}
			if !strings.Contains(decodeTail(t, out), tc.name+" saw") {
				t.Errorf("log tail %q lacks the handler's print", decodeTail(t, out))
			}
			_, m = invokeJSON(t, e, "fn", `{}`)
			if m["count"] != 2.0 {
				t.Errorf("second call count %v: instance not reused", m["count"])
			}
			out, m = invokeJSON(t, e, "fn", `{"fail":"x"}`)
			if aws.ToString(out.FunctionError) != "Unhandled" || m["errorType"] != tc.errType || m["errorMessage"] != "bad input: x" {
				t.Errorf("function error: %v %v", aws.ToString(out.FunctionError), m)
			}

			// A handler that does not exist fails the init.
			if _, err := e.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("fn"), Handler: aws.String("app.missing")}); err != nil {
				t.Fatal(err)
			}
			out, m = invokeJSON(t, e, "fn", `{}`)
			if aws.ToString(out.FunctionError) != "Unhandled" || m["errorType"] != "Runtime.HandlerNotFound" {
				t.Errorf("missing handler: %v %v", aws.ToString(out.FunctionError), m)
			}
			if tc.name == "node" {
				if _, err := e.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("fn"), Handler: aws.String("app.callbackStyle")}); err != nil {
					t.Fatal(err)
				}
				_, m = invokeJSON(t, e, "fn", `{"x":7}`)
				if m["cb"] != 7.0 {
					t.Errorf("callback handler: %v", m)
				}
			}
		})
	}
}
