package delivery

import (
	"context"
	"strings"
	"testing"
	"time"
)

// With a backup, every record read goes to it as read, dropped and
// transformed ones included, by the backup's own hints; the checkpoint
// waits for the backup as well as for the destination; a backup that
// fails holds the records back until it succeeds.
func TestSourceRecordBackup(t *testing.T) {
	e := newEnv(t)
	p := e.pipeline(Hints{Size: 1, Interval: time.Hour})
	backup := &recorder{}
	down := true
	backup.fail = func() bool { return down }
	p.Backup, p.BackupHints = backup, Hints{Size: 1 << 20, Interval: 10 * time.Minute}
	p.Transform = func(ctx context.Context, recs []Record) ([]Record, []Failed, error) {
		var out []Record
		var failed []Failed
		for _, r := range recs {
			switch d := string(r.Data); d {
			case "drop":
			case "bad":
				failed = append(failed, Failed{Record: r, ErrorCode: "Lambda.ProcessingFailedStatus"})
			default:
				r.Data = []byte(strings.ToUpper(d))
				out = append(out, r)
			}
		}
		return out, failed, nil
	}
	e.put(t, "a", "drop", "bad", "b") // positions 1..4
	step(t, p)
	if got := strings.Join(concat(e.dest.datas()), ","); got != "A,B" {
		t.Fatalf("delivered %q, want A,B", got)
	}
	if len(backup.buffers) != 0 {
		t.Fatalf("backup delivered before its interval: %v", backup.datas())
	}
	if cp := e.checkpoint(t); cp != "none" {
		t.Fatalf("checkpoint %s before the backup was written", cp)
	}
	// The backup's interval passes while it is down: the step fails and
	// the checkpoint stays.
	e.clock.Advance(10 * time.Minute)
	if err := p.Step(context.Background(), 0); err == nil {
		t.Fatal("step succeeded with the backup down")
	}
	if cp := e.checkpoint(t); cp != "none" {
		t.Fatalf("checkpoint %s with the backup down", cp)
	}
	// As Run does after an error: read again from the checkpoint.
	p.reset()
	down = false
	step(t, p)
	e.clock.Advance(10 * time.Minute)
	step(t, p)
	if got := strings.Join(concat(backup.datas()), ","); got != "a,drop,bad,b" {
		t.Fatalf("backup %q, want every source record as put", got)
	}
	if cp := e.checkpoint(t); cp != "4" {
		t.Fatalf("checkpoint %s, want 4", cp)
	}
}

func concat(b [][]string) []string {
	var out []string
	for _, x := range b {
		out = append(out, x...)
	}
	return out
}
