package objectkey

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		msg  string // "" means valid; otherwise a substring of the message
	}{
		{"empty", Config{}, ""},
		{"plain prefix", Config{Prefix: "logs/"}, ""},
		{"doc example 3", Config{
			Prefix:            "myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}",
			ErrorOutputPrefix: "myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}",
		}, ""},
		{"expressions without ErrorOutputPrefix", Config{Prefix: "!{timestamp:yyyy/MM/dd}"},
			"ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"},
		{"error-output-type in Prefix", Config{Prefix: "a/!{firehose:error-output-type}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"Prefix cannot contain !{firehose:error-output-type}"},
		{"ErrorOutputPrefix expressions without error-output-type", Config{Prefix: "a/", ErrorOutputPrefix: "e/!{timestamp:yyyy}/"},
			"must include at least one instance"},
		{"plain ErrorOutputPrefix", Config{Prefix: "a/", ErrorOutputPrefix: "errors/"}, ""},
		{"unknown namespace", Config{Prefix: "a/!{foo:bar}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			`unknown namespace "foo"`},
		{"unknown firehose value", Config{Prefix: "a/!{firehose:uuid}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"error-output-type and random-string"},
		{"unclosed", Config{Prefix: "a/!{timestamp:yyyy", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"is not closed"},
		{"no value", Config{Prefix: "a/!{timestamp}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"not of the form !{namespace:value}"},
		{"bad pattern letter", Config{Prefix: "a/!{timestamp:yyyy-ww}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			`pattern letter 'w' is not supported`},
		{"too many letters", Config{Prefix: "a/!{timestamp:ddd}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"too many pattern letters: ddd"},
		{"unclosed quote", Config{Prefix: "a/!{timestamp:'year=yyyy}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"not closed"},
		{"literal only", Config{Prefix: "a/!{timestamp:'x'}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"formats no date or time field"},
		{"optional section", Config{Prefix: "a/!{timestamp:yyyy[MM]}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"reserved"},
		{"partition key without dynamic partitioning", Config{Prefix: "c=!{partitionKeyFromQuery:c}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}", MetadataExtraction: true},
			"when dynamic partitioning is not enabled"},
		{"partition key in ErrorOutputPrefix", Config{Prefix: "c=!{partitionKeyFromQuery:c}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}/!{partitionKeyFromQuery:c}", DynamicPartitioningEnabled: true, MetadataExtraction: true},
			"You cannot use partitionKeyFromLambda and partitionKeyFromQuery namespaces when creating ErrorOutputPrefix expressions."},
		{"query key without MetadataExtraction", Config{Prefix: "c=!{partitionKeyFromQuery:c}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}", DynamicPartitioningEnabled: true},
			"MetadataExtraction processor should be present when S3 Prefix has partitionKeyFromQuery namespace"},
		{"lambda key without Lambda", Config{Prefix: "c=!{partitionKeyFromLambda:c}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}", DynamicPartitioningEnabled: true},
			"Lambda should be present when S3 Prefix contains keys from partitionKeyFromLambda namespace"},
		{"dynamic partitioning without keys", Config{Prefix: "static/", DynamicPartitioningEnabled: true},
			"must contain at least one partitionKeyFromQuery or partitionKeyFromLambda"},
		{"dynamic partitioning", Config{Prefix: "c=!{partitionKeyFromQuery:c}/d=!{partitionKeyFromLambda:d}/!{timestamp:yyyy}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}/", DynamicPartitioningEnabled: true, MetadataExtraction: true, Lambda: true}, ""},
		{"time zone", Config{CustomTimeZone: "Asia/Tokyo"}, ""},
		{"bad time zone", Config{CustomTimeZone: "Mars/Olympus"}, `CustomTimeZone "Mars/Olympus"`},
		{"Local is not a zone", Config{CustomTimeZone: "Local"}, `CustomTimeZone "Local"`},
		{"bad compression", Config{CompressionFormat: "BZIP2"}, `CompressionFormat "BZIP2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var e *eddy.Error
			if !errors.As(err, &e) || e.Code != eddy.CodeInvalidArgument {
				t.Fatalf("Validate = %v, want an InvalidArgumentException", err)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("message %q does not contain %q", e.Message, tt.msg)
			}
		})
	}
}

// zeros is a random source that always reads zero bytes, so that UUIDs
// and random strings are predictable.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestKeys(t *testing.T) {
	at := time.Date(2018, 7, 6, 23, 30, 5, 123456789, time.UTC)
	const zeroUUID = "00000000-0000-4000-8000-000000000000"
	in := Input{DeliveryStreamName: "my-stream", DeliveryStreamVersion: 3, Time: at, Rand: zeros{},
		PartitionKeysFromQuery:  map[string]string{"customer_id": "1234567890", "device": "mobile"},
		PartitionKeysFromLambda: map[string]string{"year": "2019"},
	}
	tests := []struct {
		name            string
		c               Config
		key, errKey     string
		errorOutputType string
	}{
		{"default layout", Config{},
			"2018/07/06/23/my-stream-3-2018-07-06-23-30-05-" + zeroUUID,
			"processing-failed/2018/07/06/23/my-stream-3-2018-07-06-23-30-05-" + zeroUUID, ErrorOutputProcessingFailed},
		{"plain prefix gets the time appended", Config{Prefix: "myFirehosePrefix/"},
			"myFirehosePrefix/2018/07/06/23/my-stream-3-2018-07-06-23-30-05-" + zeroUUID,
			"myFirehosePrefix/format-conversion-failed/2018/07/06/23/my-stream-3-2018-07-06-23-30-05-" + zeroUUID, ErrorOutputFormatConversionFailed},
		{"doc example 4", Config{
			Prefix:            "myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
			ErrorOutputPrefix: "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}",
		},
			"myPrefix/year=2018/month=07/day=06/hour=23/my-stream-3-2018-07-06-23-30-05-" + zeroUUID,
			"myErrorPrefix/year=2018/month=07/day=06/hour=23/processing-failedmy-stream-3-2018-07-06-23-30-05-" + zeroUUID, ErrorOutputProcessingFailed},
		{"doc example 3 with random string", Config{
			Prefix:            "myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}",
			ErrorOutputPrefix: "myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}",
		},
			"myFirehose/DeliveredYear=2018/anyMonth/rand=00000000-00my-stream-3-2018-07-06-23-30-05-" + zeroUUID,
			"myFirehoseFailures/processing-failed/2018/anyMonth/06my-stream-3-2018-07-06-23-30-05-" + zeroUUID, ErrorOutputProcessingFailed},
		{"quoted dashes and hive style", Config{
			Prefix:            "dt=!{timestamp:yyyy'-'MM'-'dd}/h=!{timestamp:HH}/",
			ErrorOutputPrefix: "failed/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/",
			CompressionFormat: "GZIP",
		},
			"dt=2018-07-06/h=23/my-stream-3-2018-07-06-23-30-05-" + zeroUUID + ".gz",
			"failed/processing-failed/dt=2018-07-06/my-stream-3-2018-07-06-23-30-05-" + zeroUUID + ".gz", ErrorOutputProcessingFailed},
		{"dynamic partitioning appends no time", Config{
			Prefix:                     "customer_id=!{partitionKeyFromQuery:customer_id}/device=!{partitionKeyFromQuery:device}/year=!{partitionKeyFromLambda:year}/",
			ErrorOutputPrefix:          "errors/!{firehose:error-output-type}/",
			DynamicPartitioningEnabled: true, MetadataExtraction: true, Lambda: true,
			CompressionFormat: "Snappy", FileExtension: ".json.snappy",
		},
			"customer_id=1234567890/device=mobile/year=2019/my-stream-3-2018-07-06-23-30-05-" + zeroUUID + ".json.snappy",
			"errors/processing-failed/my-stream-3-2018-07-06-23-30-05-" + zeroUUID + ".json.snappy", ErrorOutputProcessingFailed},
		{"time zone applies to prefix and suffix", Config{CustomTimeZone: "Asia/Tokyo", CompressionFormat: "ZIP"},
			"2018/07/07/08/my-stream-3-2018-07-07-08-30-05-" + zeroUUID + ".zip",
			"processing-failed/2018/07/07/08/my-stream-3-2018-07-07-08-30-05-" + zeroUUID + ".zip", ErrorOutputProcessingFailed},
		{"all pattern letters", Config{
			Prefix:            "!{timestamp:y/yy/yyy/yyyyy/u/M/MMM/MMMM/L/d/D/DDD/H/h/hh/k/a/m/s/S/SSS/SSSSSSSSS/E/EEEE/'it''s'/''}/",
			ErrorOutputPrefix: "e/!{firehose:error-output-type}/",
		},
			"2018/18/2018/02018/2018/7/Jul/July/7/6/187/187/23/11/11/23/PM/30/5/1/123/123456789/Fri/Friday/it's/'/my-stream-3-2018-07-06-23-30-05-" + zeroUUID,
			"e/splunk-failed/my-stream-3-2018-07-06-23-30-05-" + zeroUUID, ErrorOutputSplunkFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(tt.c)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			key, err := l.Key(in)
			if err != nil {
				t.Fatalf("Key: %v", err)
			}
			if key != tt.key {
				t.Errorf("Key\n got %s\nwant %s", key, tt.key)
			}
			errKey, err := l.ErrorKey(in, tt.errorOutputType)
			if err != nil {
				t.Fatalf("ErrorKey: %v", err)
			}
			if errKey != tt.errKey {
				t.Errorf("ErrorKey\n got %s\nwant %s", errKey, tt.errKey)
			}
		})
	}
}

func TestHourAroundMidnight(t *testing.T) {
	l, err := New(Config{Prefix: "!{timestamp:h a k}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Prefix(Input{Time: time.Date(2020, 1, 1, 0, 5, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if p != "12 AM 24/" {
		t.Fatalf("Prefix = %q, want %q", p, "12 AM 24/")
	}
}

func TestRandomParts(t *testing.T) {
	l, err := New(Config{Prefix: "!{firehose:random-string}/!{firehose:random-string}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"})
	if err != nil {
		t.Fatal(err)
	}
	in := Input{DeliveryStreamName: "s", DeliveryStreamVersion: 1, Time: time.Unix(0, 0)}
	key, err := l.Key(in)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{2})/([0-9a-f]{8}-[0-9a-f]{2})/1970/01/01/00/s-1-1970-01-01-00-00-00-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	m := re.FindStringSubmatch(key)
	if m == nil {
		t.Fatalf("key %q does not have the expected form", key)
	}
	if m[1] == m[2] {
		t.Errorf("two random-string expressions evaluated to the same %q", m[1])
	}
	key2, _ := l.Key(in)
	if key2 == key {
		t.Errorf("two keys are equal: %q", key)
	}
}

func TestMissingPartitionKey(t *testing.T) {
	l, err := New(Config{Prefix: "c=!{partitionKeyFromQuery:c}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}/",
		DynamicPartitioningEnabled: true, MetadataExtraction: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Key(Input{PartitionKeysFromQuery: map[string]string{"other": "x"}, Rand: zeros{}})
	if !errors.Is(err, ErrMissingPartitionKey) {
		t.Fatalf("Key = %v, want ErrMissingPartitionKey", err)
	}
	if _, err := l.ErrorKey(Input{Rand: zeros{}}, ErrorOutputProcessingFailed); err != nil {
		t.Fatalf("ErrorKey: %v", err)
	}
}

func TestPrefixTooLong(t *testing.T) {
	l, err := New(Config{Prefix: "k=!{partitionKeyFromLambda:k}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}/",
		DynamicPartitioningEnabled: true, Lambda: true})
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Rand: zeros{}, PartitionKeysFromLambda: map[string]string{"k": strings.Repeat("é", 509)}}
	if _, err := l.Prefix(in); err != nil {
		t.Fatalf("a 512-character prefix: %v", err)
	}
	in.PartitionKeysFromLambda["k"] += "x"
	if _, err := l.Prefix(in); !errors.Is(err, ErrPrefixTooLong) {
		t.Fatalf("a 513-character prefix: %v, want ErrPrefixTooLong", err)
	}
}
