package lambda

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Each function's log: one file per function under the data directory,
//
//	DATADIR/logs/functions/REGION/NAME.log
//
// (DATADIR is Config.DataDir; eddy serve gives <data-dir>/lambda). It
// gathers the stdout and stderr of all the function's instances and
// Eddy's START, END and REPORT lines, each line prefixed with the time
// Eddy recorded it (RFC 3339, milliseconds, UTC) and a space. An
// instance's output is recorded when each of its invocations ends, so a
// line appears when the invocation that printed it (or the next one, for
// lines printed between invocations) is over, and its time is that
// moment. When the file passes FunctionLogMaxBytes it becomes NAME.log.1
// (replacing the previous one) and a new NAME.log begins: a function's
// logs take at most twice that. DeleteFunction leaves the files.
//
// "eddy logs FUNCTION" reads (and follows) these files.

// FunctionLogMaxBytes is the size at which a function's log is rotated.
const FunctionLogMaxBytes = 8 << 20

// FunctionLogTimeFormat is the time prefix of each line of a function's
// log.
const FunctionLogTimeFormat = "2006-01-02T15:04:05.000Z"

// FunctionLogPath is the log of region's function name under dataDir (a
// lambda Config.DataDir).
func FunctionLogPath(dataDir, region, name string) string {
	return filepath.Join(dataDir, "logs", "functions", region, name+".log")
}

// appendFunctionLog records out, the output of one of the function's
// instances, in its log.
func (s *Service) appendFunctionLog(region, name string, out []byte) {
	if len(out) == 0 {
		return
	}
	stamp := s.cfg.Clock.Now().UTC().Format(FunctionLogTimeFormat) + " "
	var b bytes.Buffer
	for len(out) > 0 {
		line := out
		if i := bytes.IndexByte(out, '\n'); i >= 0 {
			line, out = out[:i+1], out[i+1:]
		} else {
			out = nil
		}
		b.WriteString(stamp)
		b.Write(line)
		if line[len(line)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	path := FunctionLogPath(s.dataDir, region, name)
	s.funcLogMu.Lock()
	defer s.funcLogMu.Unlock()
	if err := writeFunctionLog(path, b.Bytes()); err != nil {
		s.log.Warn("function log", "function", name, "err", err)
	}
}

func writeFunctionLog(path string, b []byte) error {
	if st, err := os.Stat(path); err == nil && st.Size()+int64(len(b)) > FunctionLogMaxBytes && st.Size() > 0 {
		if err := os.Rename(path, path+".1"); err != nil {
			return fmt.Errorf("rotate: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
