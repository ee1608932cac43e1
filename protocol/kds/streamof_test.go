package kds

import "testing"

func TestStreamOf(t *testing.T) {
	s := func(v string) *string { return &v }
	const arn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"StreamName", &PutRecordsInput{StreamName: s("orders")}, "orders"},
		{"StreamName wins over StreamARN", &PutRecordInput{StreamName: s("a"), StreamARN: s(arn)}, "a"},
		{"StreamARN", &GetRecordsInput{StreamARN: s(arn)}, "orders"},
		{"consumer ARN", &SubscribeToShardInput{ConsumerARN: s(arn + "/consumer/c:1700000000")}, "orders"},
		{"StreamARN before ConsumerARN", &DescribeStreamConsumerInput{StreamARN: s(arn), ConsumerARN: s("arn:aws:kinesis:us-east-1:1:stream/x/consumer/c:1")}, "orders"},
		{"ResourceARN", &TagResourceInput{ResourceARN: s(arn)}, "orders"},
		{"no stream member", &ListStreamsInput{}, ""},
		{"absent", &GetRecordsInput{}, ""},
		{"not an ARN", &GetRecordsInput{StreamARN: s("orders")}, ""},
		{"another service's ARN", &GetRecordsInput{StreamARN: s("arn:aws:s3:::bucket/stream/x")}, ""},
		{"not a pointer", PutRecordsInput{StreamName: s("orders")}, ""},
		{"nil", (*PutRecordsInput)(nil), ""},
		{"not a struct", s("orders"), ""},
	}
	for _, tt := range tests {
		if got := StreamOf(tt.in); got != tt.want {
			t.Errorf("%s: StreamOf = %q, want %q", tt.name, got, tt.want)
		}
	}
	// Every operation's input is accepted.
	for _, op := range Operations() {
		_ = StreamOf(op.NewInput())
	}
}
