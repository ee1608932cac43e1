package objectkey

import (
	"errors"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
)

// FuzzLayout checks that any Prefix / ErrorOutputPrefix either fails
// validation with an InvalidArgumentException or yields keys, without
// panicking.
func FuzzLayout(f *testing.F) {
	f.Add("myPrefix/year=!{timestamp:yyyy}/", "err/!{firehose:error-output-type}/", true)
	f.Add("!{timestamp:'q''t'yyyy-MM-dd HH:mm:ss.SSS EEEE a}", "!{firehose:error-output-type}", false)
	f.Add("k=!{partitionKeyFromQuery:k}/!{firehose:random-string}", "e/!{firehose:error-output-type}", true)
	f.Add("!{", "", false)
	f.Add("!{timestamp:'}", "x", false)
	f.Fuzz(func(t *testing.T, prefix, errPrefix string, dynamic bool) {
		l, err := New(Config{Prefix: prefix, ErrorOutputPrefix: errPrefix, DynamicPartitioningEnabled: dynamic,
			MetadataExtraction: true, Lambda: true})
		if err != nil {
			var e *eddy.Error
			if !errors.As(err, &e) || e.Code != eddy.CodeInvalidArgument {
				t.Fatalf("New: %v is not an InvalidArgumentException", err)
			}
			return
		}
		in := Input{DeliveryStreamName: "s", DeliveryStreamVersion: 1, Time: time.Unix(1e9, 0), Rand: zeros{},
			PartitionKeysFromQuery: map[string]string{"k": "v"}, PartitionKeysFromLambda: map[string]string{"k": "v"}}
		for _, err := range []error{
			func() error { _, err := l.Key(in); return err }(),
			func() error { _, err := l.ErrorKey(in, ErrorOutputProcessingFailed); return err }(),
		} {
			if err != nil && !errors.Is(err, ErrMissingPartitionKey) && !errors.Is(err, ErrPrefixTooLong) {
				t.Fatalf("key: %v", err)
			}
		}
	})
}
