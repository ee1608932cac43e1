package lambda

import (
	"strings"
	"testing"
)

func TestParseSourceARN(t *testing.T) {
	const stream = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	cases := []struct {
		name, arn        string
		ok, consumer     bool
		region, streamOf string
	}{
		{"stream", stream, true, false, "us-east-1", stream},
		{"consumer", stream + "/consumer/app:1733335200", true, true, "us-east-1", stream},
		{"consumer other region", "arn:aws:kinesis:eu-west-1:000000000000:stream/s/consumer/a.b-c_d:1", true, true, "eu-west-1", "arn:aws:kinesis:eu-west-1:000000000000:stream/s"},
		{"consumer without creation time", stream + "/consumer/app", false, false, "", ""},
		{"consumer with empty creation time", stream + "/consumer/app:", false, false, "", ""},
		{"consumer creation time not a number", stream + "/consumer/app:soon", false, false, "", ""},
		{"consumer without name", stream + "/consumer/:1733335200", false, false, "", ""},
		{"consumer name with a slash", stream + "/consumer/a/b:1", false, false, "", ""},
		{"consumer name over 128", stream + "/consumer/" + strings.Repeat("a", 129) + ":1", false, false, "", ""},
		{"consumer of no stream", "arn:aws:kinesis:us-east-1:000000000000:stream//consumer/app:1", false, false, "", ""},
		{"not kinesis", "arn:aws:sqs:us-east-1:000000000000:q", false, false, "", ""},
		{"dynamodb stream", "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000", false, false, "", ""},
		{"short account", "arn:aws:kinesis:us-east-1:0:stream/orders/consumer/app:1", false, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			region, streamARN, consumer, ok := ParseSourceARN(c.arn)
			if ok != c.ok || consumer != c.consumer || region != c.region || streamARN != c.streamOf {
				t.Fatalf("ParseSourceARN(%q) = %q, %q, %v, %v", c.arn, region, streamARN, consumer, ok)
			}
			in := &CreateEventSourceMappingInput{EventSourceArn: c.arn, StartingPosition: StartingPositionLatest}
			in.FunctionName = "fn"
			if err := in.Validate(); (err == nil) != c.ok {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}
