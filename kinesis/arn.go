package kinesis

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
		// No source for this wording was found (see protocol/kds
		// validate.go, msgNoStream).
		return "", eddy.Errorf(eddy.CodeInvalidArgument, "Either StreamName or StreamARN should be provided.")
	case a == "":
		return n, nil
	}
	fromARN, here, ok := e.streamNameFromARN(a)
	if !ok {
		return "", eddy.Errorf(eddy.CodeInvalidArgument, "StreamARN %s is not a valid stream ARN.", a)
	}
	if !here {
		// Another region's or account's stream: not one this server has.
		return "", e.notFound(fromARN)
	}
	if n != "" && n != fromARN {
		return "", eddy.Errorf(eddy.CodeInvalidArgument,
			"StreamName %s and StreamARN %s do not refer to the same stream.", n, a)
	}
	return fromARN, nil
}

// streamNameFromARN parses arn:aws:kinesis:<region>:<account>:stream/<name>;
// here reports whether region and account are this server's.
func (e *Engine) streamNameFromARN(arn string) (name string, here, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" {
		return "", false, false
	}
	name, ok = strings.CutPrefix(parts[5], "stream/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", false, false
	}
	return name, parts[3] == e.cfg.Region && parts[4] == e.cfg.AccountID, true
}

// existingView resolves StreamName or StreamARN to the current view of an
// existing stream, or ResourceNotFoundException.
func (e *Engine) existingView(name, arn *string) (*streamView, error) {
	n, err := e.resolveStream(name, arn)
	if err != nil {
		return nil, err
	}
	s := e.lookupFresh(n)
	if s == nil {
		return nil, e.notFound(n)
	}
	return s.view.Load(), nil
}
