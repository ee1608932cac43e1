# Eddy's runtime client for python3.x functions: the Lambda Runtime API
# loop (standard library only). It imports the handler "module.function"
# from LAMBDA_TASK_ROOT, then for each invocation calls
# handler(event, context) and posts the result or the error.
import importlib
import json
import os
import sys
import time
import traceback
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def post(path, body, headers=None):
    req = urllib.request.Request(API + path, data=body, method="POST", headers=headers or {})
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as resp:
        resp.read()


def error_body(exc, error_type=None):
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__))[1:],
    }


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load_handler():
    spec = os.environ.get("_HANDLER", "")
    module_name, _, func_name = spec.rpartition(".")
    if not module_name or not func_name:
        raise ValueError("Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec)
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as exc:
        exc.lambda_type = "Runtime.ImportModuleError"
        raise
    handler = getattr(module, func_name, None)
    if handler is None:
        err = AttributeError("Handler '%s' missing on module '%s'" % (func_name, module_name))
        err.lambda_type = "Runtime.HandlerNotFound"
        raise err
    return handler


def main():
    try:
        handler = load_handler()
    except Exception as exc:
        kind = getattr(exc, "lambda_type", "Runtime.ImportModuleError")
        body = error_body(exc, kind)
        body["errorMessage"] = "Unable to import module '%s': %s" % (os.environ.get("_HANDLER", ""), exc) if kind == "Runtime.ImportModuleError" else str(exc)
        print("[ERROR] %s: %s" % (kind, body["errorMessage"]), file=sys.stderr)
        post("/init/error", json.dumps(body).encode(), {"Lambda-Runtime-Function-Error-Type": kind})
        sys.exit(1)
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as resp:
            headers = {k: v for k, v in resp.headers.items()}
            event_bytes = resp.read()
        ctx = Context(headers)
        rid = ctx.aws_request_id
        try:
            event = json.loads(event_bytes) if event_bytes else None
            result = handler(event, ctx)
            body = json.dumps(result).encode()
        except Exception as exc:
            err = error_body(exc)
            err["requestId"] = rid
            print("[ERROR] %s: %s" % (err["errorType"], err["errorMessage"]), file=sys.stderr)
            post("/invocation/%s/error" % rid, json.dumps(err).encode(),
                 {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
            continue
        post("/invocation/%s/response" % rid, body)


if __name__ == "__main__":
    main()
