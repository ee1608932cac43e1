// Command destfn is a function built with aws-lambda-go, run by Eddy as a
// provided.al2023 bootstrap in the on-failure destination tests. It
// appends each event it is given (an on-failure invocation record), as one
// JSON line, to the file named by $OUT.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, ev json.RawMessage) error {
	f, err := os.OpenFile(os.Getenv("OUT"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	var line []byte
	line = append(line, ev...)
	_, err = f.Write(append(line, '\n'))
	return err
}

func main() { lambda.Start(handle) }
