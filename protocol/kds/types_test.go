package kds

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/protocol/awscbor"
)

func timeOf(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func TestTimestampMarshal(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{timeOf(1700000000123), "1700000000.123"},
		{timeOf(1700000000000), "1700000000"},
		{timeOf(1700000000100), "1700000000.100"},
		{timeOf(1700000000007), "1700000000.007"},
		{time.Unix(1700000000, 999999999), "1700000000.999"}, // toward the past
		{timeOf(-1500), "-1.500"},
		{timeOf(0), "0"},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), "253402300799"},
	} {
		b, err := json.Marshal(Timestamp(c.t))
		if err != nil || string(b) != c.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", c.t, b, err, c.want)
		}
		var back Timestamp
		if err := json.Unmarshal(b, &back); err != nil || !back.Time().Equal(c.t.Truncate(time.Millisecond)) {
			t.Errorf("Unmarshal(%s) = %v, %v", b, back.Time(), err)
		}
	}
}

func TestTimestampUnmarshal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"1700000000.123", timeOf(1700000000123)},
		{"1700000000", timeOf(1700000000000)},
		{"1.700000000123E9", timeOf(1700000000123)},
		{"1.700000000123e+9", timeOf(1700000000123)},
		{"17000000001230e-4", timeOf(1700000000123)},
		{"1700000000.1234567891", time.Unix(1700000000, 123456789).UTC()},
		{"1700000000.9999999996", time.Unix(1700000001, 0).UTC()},
		{"-1.5", timeOf(-1500)},
		{"0", time.Unix(0, 0).UTC()},
	} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(c.in), &ts); err != nil || !ts.Time().Equal(c.want) {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", c.in, ts.Time(), err, c.want)
		}
	}
	for _, in := range []string{`"2023-11-14T22:13:20Z"`, `true`, `{}`, `[]`, `1e41`, `1e-41`, `253402300800`, `-62135596801`, `1e30`} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(in), &ts); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", in, ts.Time())
		}
	}
	// null leaves the value alone, as encoding/json does.
	ts := Timestamp(timeOf(5000))
	if err := json.Unmarshal([]byte("null"), &ts); err != nil || !ts.Time().Equal(timeOf(5000)) {
		t.Errorf("Unmarshal(null) = %v, %v", ts.Time(), err)
	}
	var in GetShardIteratorInput
	if err := json.Unmarshal([]byte(`{"Timestamp":null}`), &in); err != nil || in.Timestamp != nil {
		t.Errorf("null member: %v, %v", in.Timestamp, err)
	}
}

// jsonEqual marshals v and compares it with want byte for byte.
func jsonEqual(t *testing.T, v any, want string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Fatalf("json:\n got %s\nwant %s", b, want)
	}
}

func TestOutputJSON(t *testing.T) {
	jsonEqual(t, &PutRecordsOutput{
		FailedRecordCount: 1,
		Records: []PutRecordsResultEntry{
			{SequenceNumber: "49546986683135544286507457936321625675700192471156785154", ShardId: "shardId-000000000000"},
			{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000001."},
		},
	}, `{"FailedRecordCount":1,"Records":[{"SequenceNumber":"49546986683135544286507457936321625675700192471156785154","ShardId":"shardId-000000000000"},`+
		`{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000001."}]}`)
	jsonEqual(t, &PutRecordsOutput{Records: []PutRecordsResultEntry{}, EncryptionType: EncryptionTypeKMS},
		`{"FailedRecordCount":0,"Records":[],"EncryptionType":"KMS"}`)

	jsonEqual(t, &GetRecordsOutput{Records: []Record{}, NextShardIterator: ptr("AAAA")},
		`{"Records":[],"NextShardIterator":"AAAA","MillisBehindLatest":0}`)
	jsonEqual(t, &GetRecordsOutput{
		Records: []Record{
			{SequenceNumber: "1", ApproximateArrivalTimestamp: Timestamp(timeOf(1700000000123)), Data: []byte("hello"), PartitionKey: "pk"},
			{SequenceNumber: "2", Data: []byte{}},
		},
		MillisBehindLatest: 1500,
		ChildShards: []ChildShard{{ShardId: "shardId-000000000002", ParentShards: []string{"shardId-000000000000"},
			HashKeyRange: HashKeyRange{StartingHashKey: "0", EndingHashKey: hashKeyMax}}},
	}, `{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1700000000.123,"Data":"aGVsbG8=","PartitionKey":"pk"},`+
		`{"SequenceNumber":"2","Data":""}],"MillisBehindLatest":1500,`+
		`"ChildShards":[{"ShardId":"shardId-000000000002","ParentShards":["shardId-000000000000"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"`+hashKeyMax+`"}}]}`)

	jsonEqual(t, &DescribeStreamSummaryOutput{StreamDescriptionSummary: StreamDescriptionSummary{
		StreamName: "s", StreamARN: streamARN, StreamStatus: StreamStatusActive,
		StreamModeDetails:    &StreamModeDetails{StreamMode: ptr(StreamModeProvisioned)},
		RetentionPeriodHours: 24, StreamCreationTimestamp: Timestamp(timeOf(1700000000000)),
		EnhancedMonitoring: []EnhancedMetrics{{ShardLevelMetrics: []MetricsName{}}},
		EncryptionType:     EncryptionTypeNone, OpenShardCount: 2, ConsumerCount: ptr[int32](0),
	}}, `{"StreamDescriptionSummary":{"StreamName":"s","StreamARN":"`+streamARN+`","StreamStatus":"ACTIVE",`+
		`"StreamModeDetails":{"StreamMode":"PROVISIONED"},"RetentionPeriodHours":24,"StreamCreationTimestamp":1700000000,`+
		`"EnhancedMonitoring":[{"ShardLevelMetrics":[]}],"EncryptionType":"NONE","OpenShardCount":2,"ConsumerCount":0}}`)

	jsonEqual(t, &ListShardsOutput{Shards: []Shard{{ShardId: "shardId-000000000001", ParentShardId: ptr("shardId-000000000000"),
		HashKeyRange:        HashKeyRange{StartingHashKey: "0", EndingHashKey: "1"},
		SequenceNumberRange: SequenceNumberRange{StartingSequenceNumber: "5", EndingSequenceNumber: ptr("9")}}}},
		`{"Shards":[{"ShardId":"shardId-000000000001","ParentShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},`+
			`"SequenceNumberRange":{"StartingSequenceNumber":"5","EndingSequenceNumber":"9"}}]}`)
	jsonEqual(t, &ListShardsOutput{Shards: []Shard{}}, `{"Shards":[]}`)
	jsonEqual(t, &CreateStreamOutput{}, `{}`)
	jsonEqual(t, &ListTagsForStreamOutput{Tags: []Tag{{Key: "a", Value: ptr("")}}}, `{"Tags":[{"Key":"a","Value":""}],"HasMoreTags":false}`)
}

// TestInputJSON decodes requests as the SDKs write them (member names of
// the model, base64 blobs, epoch-second timestamps) and checks that absent
// members stay nil while present empty ones do not.
func TestInputJSON(t *testing.T) {
	op, ok := LookupOperation("PutRecords")
	if !ok {
		t.Fatal("PutRecords not found")
	}
	in := op.NewInput()
	body := `{"Records":[{"Data":"aGVsbG8=","PartitionKey":"pk"},{"Data":"","ExplicitHashKey":"0","PartitionKey":"b"}],"StreamARN":"` + streamARN + `"}`
	if err := json.Unmarshal([]byte(body), in); err != nil {
		t.Fatal(err)
	}
	got := in.(*PutRecordsInput)
	if err := got.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := &PutRecordsInput{StreamARN: ptr(streamARN), Records: []PutRecordsRequestEntry{
		{Data: []byte("hello"), PartitionKey: ptr("pk")},
		{Data: []byte{}, ExplicitHashKey: ptr("0"), PartitionKey: ptr("b")},
	}}
	if !reflect.DeepEqual(got, want) || got.Records[1].Data == nil || got.StreamName != nil {
		t.Fatalf("decoded %+v", got)
	}
	b, _ := json.Marshal(want)
	if string(b) != body {
		t.Fatalf("re-encoded %s", b)
	}

	var gsi GetShardIteratorInput
	if err := json.Unmarshal([]byte(`{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1.700000000123E9}`), &gsi); err != nil {
		t.Fatal(err)
	}
	if *gsi.ShardIteratorType != ShardIteratorTypeAtTimestamp || !gsi.Timestamp.Time().Equal(timeOf(1700000000123)) || gsi.StartingSequenceNumber != nil {
		t.Fatalf("decoded %+v", gsi)
	}
}

// TestCBOR checks that the same structs serve CBOR: blobs as byte strings
// and timestamps as tag 1.
func TestCBOR(t *testing.T) {
	out := &GetRecordsOutput{Records: []Record{{SequenceNumber: "1", ApproximateArrivalTimestamp: Timestamp(timeOf(1700000000123)), Data: []byte{0, 1, 2}, PartitionKey: "pk"}}}
	b, err := awscbor.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	v, err := awscbor.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	rec := v.(map[string]any)["Records"].([]any)[0].(map[string]any)
	if at, ok := rec["ApproximateArrivalTimestamp"].(time.Time); !ok || !at.Equal(timeOf(1700000000123)) {
		t.Fatalf("timestamp decoded as %#v", rec["ApproximateArrivalTimestamp"])
	}
	if d, ok := rec["Data"].([]byte); !ok || !bytes.Equal(d, []byte{0, 1, 2}) {
		t.Fatalf("data decoded as %#v", rec["Data"])
	}
	var back GetRecordsOutput
	if err := awscbor.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(&back, out) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}

	// Requests: an empty blob stays present, an absent one stays nil.
	in := &PutRecordsInput{StreamName: ptr("s"), Records: []PutRecordsRequestEntry{{Data: []byte{}, PartitionKey: ptr("k")}, {PartitionKey: ptr("k")}}}
	b, err = awscbor.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var inBack PutRecordsInput
	if err := awscbor.Unmarshal(b, &inBack); err != nil {
		t.Fatal(err)
	}
	if inBack.Records[0].Data == nil || inBack.Records[1].Data != nil || !reflect.DeepEqual(&inBack, in) {
		t.Fatalf("request round trip: %+v", inBack)
	}
	const want = "1 validation error detected: Value null at 'records.2.member.data' failed to satisfy constraint: Member must not be null"
	if err := inBack.Validate(); err == nil || err.Error() != "ValidationException: "+want {
		t.Fatalf("Validate: %v", err)
	}
}

func TestOperations(t *testing.T) {
	ops := Operations()
	if !slices.IsSortedFunc(ops, func(a, b Operation) int { return strings.Compare(a.Name, b.Name) }) {
		t.Fatal("operations are not sorted")
	}
	for i, op := range ops {
		if i > 0 && ops[i-1].Name == op.Name {
			t.Errorf("%s listed twice", op.Name)
		}
		if got, ok := LookupOperation(op.Name); !ok || got.Name != op.Name {
			t.Errorf("LookupOperation(%q) = %v, %v", op.Name, got.Name, ok)
		}
		if n := reflect.TypeOf(op.NewInput()).Elem().Name(); n != op.Name+"Input" {
			t.Errorf("%s: input type %s", op.Name, n)
		}
		n := reflect.TypeOf(op.NewOutput()).Elem().Name()
		if n != op.Name+"Output" && !(n == "EnhancedMonitoringOutput" && strings.HasSuffix(op.Name, "EnhancedMonitoring")) {
			t.Errorf("%s: output type %s", op.Name, n)
		}
	}
	if _, ok := LookupOperation("Kinesis_20131202.PutRecords"); ok {
		t.Error("LookupOperation accepted a prefixed name")
	}
}

// sdkOperations pairs every operation with the SDK's schemas of its input
// and output (nil output: the model's Unit).
var sdkOperations = map[string][2]*smithy.Schema{
	"AddTagsToStream":                        {schemas.AddTagsToStreamInput, nil},
	"CreateChannel":                          {schemas.CreateChannelInput, schemas.CreateChannelOutput},
	"CreateStream":                           {schemas.CreateStreamInput, nil},
	"DecreaseStreamRetentionPeriod":          {schemas.DecreaseStreamRetentionPeriodInput, nil},
	"DeleteChannel":                          {schemas.DeleteChannelInput, nil},
	"DeleteResourcePolicy":                   {schemas.DeleteResourcePolicyInput, nil},
	"DeleteStream":                           {schemas.DeleteStreamInput, nil},
	"DeregisterStreamConsumer":               {schemas.DeregisterStreamConsumerInput, nil},
	"DescribeAccountSettings":                {schemas.DescribeAccountSettingsInput, schemas.DescribeAccountSettingsOutput},
	"DescribeChannel":                        {schemas.DescribeChannelInput, schemas.DescribeChannelOutput},
	"DescribeLimits":                         {schemas.DescribeLimitsInput, schemas.DescribeLimitsOutput},
	"DescribeStream":                         {schemas.DescribeStreamInput, schemas.DescribeStreamOutput},
	"DescribeStreamConsumer":                 {schemas.DescribeStreamConsumerInput, schemas.DescribeStreamConsumerOutput},
	"DescribeStreamSummary":                  {schemas.DescribeStreamSummaryInput, schemas.DescribeStreamSummaryOutput},
	"DisableEnhancedMonitoring":              {schemas.DisableEnhancedMonitoringInput, schemas.EnhancedMonitoringOutput},
	"EnableEnhancedMonitoring":               {schemas.EnableEnhancedMonitoringInput, schemas.EnhancedMonitoringOutput},
	"GetRecords":                             {schemas.GetRecordsInput, schemas.GetRecordsOutput},
	"GetResourcePolicy":                      {schemas.GetResourcePolicyInput, schemas.GetResourcePolicyOutput},
	"GetShardIterator":                       {schemas.GetShardIteratorInput, schemas.GetShardIteratorOutput},
	"IncreaseStreamRetentionPeriod":          {schemas.IncreaseStreamRetentionPeriodInput, nil},
	"ListChannels":                           {schemas.ListChannelsInput, schemas.ListChannelsOutput},
	"ListShards":                             {schemas.ListShardsInput, schemas.ListShardsOutput},
	"ListStreamConsumers":                    {schemas.ListStreamConsumersInput, schemas.ListStreamConsumersOutput},
	"ListStreams":                            {schemas.ListStreamsInput, schemas.ListStreamsOutput},
	"ListTagsForResource":                    {schemas.ListTagsForResourceInput, schemas.ListTagsForResourceOutput},
	"ListTagsForStream":                      {schemas.ListTagsForStreamInput, schemas.ListTagsForStreamOutput},
	"MergeShards":                            {schemas.MergeShardsInput, nil},
	"PutRecord":                              {schemas.PutRecordInput, schemas.PutRecordOutput},
	"PutRecords":                             {schemas.PutRecordsInput, schemas.PutRecordsOutput},
	"PutResourcePolicy":                      {schemas.PutResourcePolicyInput, nil},
	"RegisterStreamConsumer":                 {schemas.RegisterStreamConsumerInput, schemas.RegisterStreamConsumerOutput},
	"RemoveTagsFromStream":                   {schemas.RemoveTagsFromStreamInput, nil},
	"SplitShard":                             {schemas.SplitShardInput, nil},
	"StartStreamEncryption":                  {schemas.StartStreamEncryptionInput, nil},
	"StopStreamEncryption":                   {schemas.StopStreamEncryptionInput, nil},
	"SubscribeToShard":                       {schemas.SubscribeToShardInput, schemas.SubscribeToShardOutput},
	"TagResource":                            {schemas.TagResourceInput, nil},
	"UntagResource":                          {schemas.UntagResourceInput, nil},
	"UpdateAccountSettings":                  {schemas.UpdateAccountSettingsInput, schemas.UpdateAccountSettingsOutput},
	"UpdateChannel":                          {schemas.UpdateChannelInput, schemas.UpdateChannelOutput},
	"UpdateMaxRecordSize":                    {schemas.UpdateMaxRecordSizeInput, nil},
	"UpdateShardCount":                       {schemas.UpdateShardCountInput, schemas.UpdateShardCountOutput},
	"UpdateStreamMode":                       {schemas.UpdateStreamModeInput, nil},
	"UpdateStreamRecordDistributionStrategy": {schemas.UpdateStreamRecordDistributionStrategyInput, nil},
	"UpdateStreamWarmThroughput":             {schemas.UpdateStreamWarmThroughputInput, schemas.UpdateStreamWarmThroughputOutput},
}

// TestSDKOperations requires an operation here for every operation method
// of the SDK client: a method func (c *Client) Xxx(context.Context,
// *XxxInput, ...func(*Options)) (*XxxOutput, error).
func TestSDKOperations(t *testing.T) {
	ctxType := reflect.TypeFor[context.Context]()
	ct := reflect.TypeFor[*kinesis.Client]()
	var names []string
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		mt := m.Type // receiver first
		if mt.NumIn() != 4 || mt.In(1) != ctxType || mt.In(2).Kind() != reflect.Pointer || mt.In(2).Elem().Name() != m.Name+"Input" {
			continue
		}
		names = append(names, m.Name)
		if _, ok := LookupOperation(m.Name); !ok {
			t.Errorf("SDK operation %s has no kds operation", m.Name)
		}
		if _, ok := sdkOperations[m.Name]; !ok {
			t.Errorf("SDK operation %s is missing from sdkOperations", m.Name)
		}
	}
	if len(names) < 40 {
		t.Fatalf("found only %d SDK operations: %v", len(names), names)
	}
	for _, op := range Operations() {
		if !slices.Contains(names, op.Name) {
			t.Errorf("kds operation %s is not in the SDK", op.Name)
		}
	}
}

// TestShapesMatchModel walks the SDK's schema of every input and output
// alongside the kds type: every model member must have a field with its
// exact name and a matching kind, and no field may be extra.
func TestShapesMatchModel(t *testing.T) {
	for _, op := range Operations() {
		s, ok := sdkOperations[op.Name]
		if !ok {
			t.Errorf("%s: no schema", op.Name)
			continue
		}
		in := reflect.TypeOf(op.NewInput()).Elem()
		matchStruct(t, op.Name+"Input", s[0], in, true)
		out := reflect.TypeOf(op.NewOutput()).Elem()
		switch {
		case op.Name == "SubscribeToShard":
			// The output's only member is the event stream; its event is
			// checked below.
			if out.NumField() != 0 {
				t.Errorf("SubscribeToShardOutput has fields")
			}
		case s[1] == nil:
			if out.NumField() != 0 {
				t.Errorf("%sOutput: the model's output is Unit, the type has fields", op.Name)
			}
		default:
			matchStruct(t, op.Name+"Output", s[1], out, false)
		}
	}
	matchStruct(t, "SubscribeToShardEvent", schemas.SubscribeToShardEvent, reflect.TypeFor[SubscribeToShardEvent](), false)
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// matchStruct compares a structure schema with a Go struct type. In an
// input every field must be a pointer, slice or map, so that absence is
// visible.
func matchStruct(t *testing.T, path string, s *smithy.Schema, typ reflect.Type, input bool) {
	t.Helper()
	if typ.Kind() != reflect.Struct {
		t.Errorf("%s: %v is not a struct", path, typ)
		return
	}
	fields := map[string]reflect.StructField{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue // not on the wire (e.g. GetRecordsOutput's release hook)
		}
		fields[jsonName(f)] = f
		if f.Name != jsonName(f) {
			t.Errorf("%s.%s: JSON name %q differs from the field name", path, f.Name, jsonName(f))
		}
	}
	for name, m := range s.Members() {
		f, ok := fields[name]
		if !ok {
			t.Errorf("%s: no field for member %s", path, name)
			continue
		}
		delete(fields, name)
		ft := f.Type
		if input {
			switch ft.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map:
			default:
				t.Errorf("%s.%s: %v in an input cannot tell absent from zero", path, name, ft)
			}
		}
		matchMember(t, path+"."+name, m, ft, input)
	}
	for name := range fields {
		t.Errorf("%s: field %s is not in the model", path, name)
	}
}

func matchMember(t *testing.T, path string, m *smithy.Schema, ft reflect.Type, input bool) {
	t.Helper()
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	kindOK := func(k reflect.Kind) {
		if ft.Kind() != k {
			t.Errorf("%s: %v, model says %v", path, ft, k)
		}
	}
	switch m.Type() {
	case smithy.ShapeTypeStructure:
		matchStruct(t, path, m, ft, input)
	case smithy.ShapeTypeList:
		if ft.Kind() != reflect.Slice {
			t.Errorf("%s: %v is not a slice", path, ft)
			return
		}
		matchMember(t, path+"[]", m.ListMember(), ft.Elem(), input)
	case smithy.ShapeTypeMap:
		if ft.Kind() != reflect.Map || ft.Key().Kind() != reflect.String {
			t.Errorf("%s: %v is not a map with string keys", path, ft)
			return
		}
		matchMember(t, path+"{}", m.MapValue(), ft.Elem(), input)
	case smithy.ShapeTypeBlob:
		if ft != reflect.TypeFor[[]byte]() {
			t.Errorf("%s: %v is not []byte", path, ft)
		}
	case smithy.ShapeTypeTimestamp:
		if ft != reflect.TypeFor[Timestamp]() {
			t.Errorf("%s: %v is not Timestamp", path, ft)
		}
	case smithy.ShapeTypeString, smithy.ShapeTypeEnum:
		kindOK(reflect.String)
	case smithy.ShapeTypeInteger:
		kindOK(reflect.Int32)
	case smithy.ShapeTypeLong:
		kindOK(reflect.Int64)
	case smithy.ShapeTypeBoolean:
		kindOK(reflect.Bool)
	default:
		t.Errorf("%s: unexpected shape type %v", path, m.Type())
	}
}

// sdkServer is a fake Kinesis endpoint for the real SDK client: it records
// each request and answers with the JSON of a kds output.
type sdkServer struct {
	mu       sync.Mutex
	target   string
	body     []byte
	response any
}

func (s *sdkServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.target, s.body = r.Header.Get("X-Amz-Target"), body
	resp := s.response
	s.mu.Unlock()
	b, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
	_, _ = w.Write(b)
}

func (s *sdkServer) request(t *testing.T, op string, in Input) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.target != TargetPrefix+"."+op {
		t.Fatalf("X-Amz-Target %q", s.target)
	}
	if err := json.Unmarshal(s.body, in); err != nil {
		t.Fatalf("decode %s: %v", s.body, err)
	}
	if err := in.Validate(); err != nil {
		t.Fatalf("Validate %s: %v", s.body, err)
	}
}

func newSDKClient(t *testing.T, srv *sdkServer) *kinesis.Client {
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(hs.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// TestSDKRoundTrip sends requests with the real Go SDK, decodes them into
// kds inputs, and answers with kds outputs that the SDK must decode.
func TestSDKRoundTrip(t *testing.T) {
	srv := &sdkServer{}
	client := newSDKClient(t, srv)
	ctx := context.Background()

	srv.response = &PutRecordsOutput{FailedRecordCount: 1, Records: []PutRecordsResultEntry{
		{SequenceNumber: "49546986683135544286507457936321625675700192471156785154", ShardId: "shardId-000000000000"},
		{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded"},
	}, EncryptionType: EncryptionTypeNone}
	pr, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{
		StreamARN: aws.String(streamARN),
		Records: []types.PutRecordsRequestEntry{
			{Data: []byte("hello"), PartitionKey: aws.String("pk")},
			{Data: []byte{}, PartitionKey: aws.String("b"), ExplicitHashKey: aws.String(hashKeyMax)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var prIn PutRecordsInput
	srv.request(t, "PutRecords", &prIn)
	if *prIn.StreamARN != streamARN || prIn.StreamName != nil || len(prIn.Records) != 2 ||
		string(prIn.Records[0].Data) != "hello" || *prIn.Records[0].PartitionKey != "pk" || prIn.Records[0].ExplicitHashKey != nil ||
		*prIn.Records[1].ExplicitHashKey != hashKeyMax {
		t.Fatalf("PutRecords request %+v", prIn)
	}
	if aws.ToInt32(pr.FailedRecordCount) != 1 || len(pr.Records) != 2 || aws.ToString(pr.Records[0].ShardId) != "shardId-000000000000" ||
		aws.ToString(pr.Records[1].ErrorCode) != "ProvisionedThroughputExceededException" || pr.EncryptionType != types.EncryptionTypeNone {
		t.Fatalf("PutRecords response %+v", pr)
	}

	srv.response = &GetShardIteratorOutput{ShardIterator: "AAAAiterator"}
	gsi, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(timeOf(1700000000123)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var gsiIn GetShardIteratorInput
	srv.request(t, "GetShardIterator", &gsiIn)
	if !gsiIn.Timestamp.Time().Equal(timeOf(1700000000123)) || *gsiIn.ShardIteratorType != ShardIteratorTypeAtTimestamp {
		t.Fatalf("GetShardIterator request %+v", gsiIn)
	}
	if aws.ToString(gsi.ShardIterator) != "AAAAiterator" {
		t.Fatalf("GetShardIterator response %+v", gsi)
	}

	srv.response = &GetRecordsOutput{Records: []Record{
		{SequenceNumber: "1", ApproximateArrivalTimestamp: Timestamp(timeOf(1700000000123)), Data: []byte{0, 255}, PartitionKey: "pk", EncryptionType: EncryptionTypeNone},
		{SequenceNumber: "2", ApproximateArrivalTimestamp: Timestamp(timeOf(1700000001000)), Data: []byte{}, PartitionKey: "pk"},
	}, NextShardIterator: ptr("next"), MillisBehindLatest: 42}
	gr, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAiterator"), Limit: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	var grIn GetRecordsInput
	srv.request(t, "GetRecords", &grIn)
	if *grIn.ShardIterator != "AAAAiterator" || *grIn.Limit != 10 {
		t.Fatalf("GetRecords request %+v", grIn)
	}
	if len(gr.Records) != 2 || !aws.ToTime(gr.Records[0].ApproximateArrivalTimestamp).Equal(timeOf(1700000000123)) ||
		!bytes.Equal(gr.Records[0].Data, []byte{0, 255}) || !aws.ToTime(gr.Records[1].ApproximateArrivalTimestamp).Equal(timeOf(1700000001000)) ||
		aws.ToInt64(gr.MillisBehindLatest) != 42 || aws.ToString(gr.NextShardIterator) != "next" {
		t.Fatalf("GetRecords response %+v", gr)
	}

	srv.response = &DescribeStreamSummaryOutput{StreamDescriptionSummary: StreamDescriptionSummary{
		StreamName: "s", StreamARN: streamARN, StreamStatus: StreamStatusActive,
		StreamModeDetails:    &StreamModeDetails{StreamMode: ptr(StreamModeOnDemand)},
		RetentionPeriodHours: 24, StreamCreationTimestamp: Timestamp(timeOf(1700000000500)),
		EnhancedMonitoring: []EnhancedMetrics{{ShardLevelMetrics: []MetricsName{MetricsNameAll}}},
		EncryptionType:     EncryptionTypeNone, OpenShardCount: 4, ConsumerCount: ptr[int32](1),
		MaxRecordSizeInKiB: ptr[int32](1024), RecordDistributionStrategy: RecordDistributionStrategyUserPartitionKey,
	}}
	ds, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(streamARN)})
	if err != nil {
		t.Fatal(err)
	}
	var dsIn DescribeStreamSummaryInput
	srv.request(t, "DescribeStreamSummary", &dsIn)
	sum := ds.StreamDescriptionSummary
	if sum.StreamModeDetails.StreamMode != types.StreamModeOnDemand || !aws.ToTime(sum.StreamCreationTimestamp).Equal(timeOf(1700000000500)) ||
		aws.ToInt32(sum.OpenShardCount) != 4 || sum.EnhancedMonitoring[0].ShardLevelMetrics[0] != types.MetricsNameAll ||
		sum.RecordDistributionStrategy != types.RecordDistributionStrategyUserPartitionKey {
		t.Fatalf("DescribeStreamSummary response %+v", sum)
	}

	srv.response = &ListShardsOutput{Shards: []Shard{}}
	if _, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"),
		ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(timeOf(1699999999999))}}); err != nil {
		t.Fatal(err)
	}
	var lsIn ListShardsInput
	srv.request(t, "ListShards", &lsIn)
	if *lsIn.ShardFilter.Type != ShardFilterTypeFromTimestamp || !lsIn.ShardFilter.Timestamp.Time().Equal(timeOf(1699999999999)) {
		t.Fatalf("ListShards request %+v", lsIn.ShardFilter)
	}
}
