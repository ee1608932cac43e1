package engine

import (
	"strings"

	"github.com/eddy-streams/eddy"
)

// resolveStream returns the stream name an operation addresses: every
// stream-addressed operation takes StreamName or StreamARN (or both, which
// must agree). A nil or empty value counts as absent.
func (e *Engine) resolveStream(name, arn *string) (string, error) {
	var n, a string
	if name != nil {
		n = *name
	}
	if arn != nil {
		a = *arn
	}
	switch {
	case n == "" && a == "":
		return "", eddy.Errorf(eddy.CodeInvalidArgument, "Either StreamName or StreamARN should be provided.")
	case a == "":
		return n, nil
	}
	fromARN, ok := e.streamNameFromARN(a)
	if !ok {
		return "", eddy.Errorf(eddy.CodeInvalidArgument, "StreamARN %s is not a valid stream ARN.", a)
	}
	if n != "" && n != fromARN {
		return "", eddy.Errorf(eddy.CodeInvalidArgument,
			"StreamName %s and StreamARN %s do not refer to the same stream.", n, a)
	}
	return fromARN, nil
}

// streamNameFromARN parses arn:aws:kinesis:<region>:<account>:stream/<name>.
// An ARN of another region or account names a stream that is not here:
// it parses, and the lookup then fails with ResourceNotFoundException,
// as AWS answers for a stream it cannot see.
func (e *Engine) streamNameFromARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" {
		return "", false
	}
	name, ok := strings.CutPrefix(parts[5], "stream/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", false
	}
	if parts[3] != e.cfg.Region || parts[4] != e.cfg.AccountID {
		// Make the name unresolvable here without inventing a message.
		return "\x00" + name, true
	}
	return name, true
}
