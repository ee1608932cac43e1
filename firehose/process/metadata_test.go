package process

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMetadataExtraction(t *testing.T) {
	// The record and queries of Firehose's dynamic partitioning page.
	const record = `{"type":{"device":"mobile","event":"user_clicked_submit_button"},"customer_id":"1234567890","event_timestamp":1565382027,"region":"sample_region"}`
	tests := []struct {
		name    string
		query   string
		data    string
		want    map[string]string
		wantMsg string // failure message substring; "" for success
	}{
		{"documented example", `{customer_id:.customer_id,device:.type.device,year:.event_timestamp|strftime("%Y"),month:.event_timestamp|strftime("%m"),day:.event_timestamp|strftime("%d"),hour:.event_timestamp|strftime("%H")}`,
			record, map[string]string{"customer_id": "1234567890", "device": "mobile", "year": "2019", "month": "08", "day": "09", "hour": "20"}, ""},
		{"number key", `{ts:.event_timestamp}`, record, map[string]string{"ts": "1565382027"}, ""},
		{"float key", `{x:.x}`, `{"x":1.5}`, map[string]string{"x": "1.5"}, ""},
		{"jq 1.6 doubles", `{id:.id}`, `{"id":9007199254740993}`, map[string]string{"id": "9007199254740992"}, ""},
		{"bool key", `{b:.b}`, `{"b":true}`, map[string]string{"b": "true"}, ""},
		{"empty object", `{}`, record, map[string]string{}, ""},
		{"not json", `{id:.id}`, `id=1`, nil, MessageNonJSON},
		{"two json values", `{id:.id}`, `{"id":1}{"id":2}`, nil, MessageNonJSON},
		{"missing key is null", `{id:.missing}`, record, nil, "is null"},
		{"object value", `{t:.type}`, record, nil, "is object"},
		{"not an object", `.customer_id`, record, nil, "not an object"},
		{"no output", `empty`, record, nil, "no output"},
		{"runtime error", `{x:(.customer_id|tonumber|.+"a")}`, record, nil, "failed"},
		{"index a string", `{x:.customer_id.foo}`, record, nil, "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMetadataExtraction(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			m.clock = &instantClock{now: time.Unix(7, 0)}
			in := Record{RecordID: "r", Data: []byte(tt.data), PartitionKeysFromLambda: map[string]string{"l": "1"}}
			out, err := m.Process(context.Background(), []Record{in})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantMsg != "" {
				if len(out.Failed) != 1 || len(out.Records) != 0 {
					t.Fatalf("got %d records %d failed, want a failure", len(out.Records), len(out.Failed))
				}
				f := out.Failed[0]
				if f.ErrorCode != CodeMetadataExtractionFailed || f.OutputType != OutputMetadataExtractionFailed || !strings.Contains(f.ErrorMessage, tt.wantMsg) ||
					string(f.Record.Data) != tt.data || !f.AttemptEnding.Equal(time.Unix(7, 0)) {
					t.Fatalf("failure %+v, want message containing %q", f, tt.wantMsg)
				}
				return
			}
			if len(out.Records) != 1 || len(out.Failed) != 0 {
				t.Fatalf("got %d records %d failed (%+v)", len(out.Records), len(out.Failed), out.Failed)
			}
			r := out.Records[0]
			if !reflect.DeepEqual(r.PartitionKeysFromQuery, tt.want) || string(r.Data) != tt.data || r.PartitionKeysFromLambda["l"] != "1" {
				t.Fatalf("record %+v, want keys %v", r, tt.want)
			}
		})
	}
}

func TestMetadataExtractionEndlessQueryFailsRecord(t *testing.T) {
	m, err := NewMetadataExtraction(`def f: f; {x: f}`)
	if err != nil {
		t.Fatal(err)
	}
	m.timeout = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := m.Process(ctx, []Record{{Data: []byte(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failed) != 1 {
		t.Fatalf("an endless query did not fail its record: %+v", out)
	}
}

func TestMetadataExtractionContextEnds(t *testing.T) {
	m, _ := NewMetadataExtraction(`{a:.a}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Process(ctx, []Record{{Data: []byte(`{"a":"1"}`)}}); err == nil {
		t.Fatal("Process with an ended context returned no error")
	}
}
