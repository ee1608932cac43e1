package compress

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/eddy-streams/eddy"
)

// payloads are the inputs every format is checked with: empty, small,
// several blocks of compressible JSON lines, and incompressible bytes
// across block boundaries.
func payloads() map[string][]byte {
	var lines bytes.Buffer
	for i := 0; lines.Len() < 700<<10; i++ {
		fmt.Fprintf(&lines, `{"id":%d,"name":"record %d","ok":true}`+"\n", i, i%97)
	}
	r := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 300<<10+17)
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	return map[string][]byte{
		"empty": {},
		"small": []byte(`{"a":1}` + "\n"),
		"lines": lines.Bytes(),
		"noise": noise,
	}
}

// compress writes data through the format's writer in uneven pieces.
func compress(t *testing.T, c Config, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, c)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	for rest, n := data, 1; len(rest) > 0; n = n*3 + 1 {
		if n > len(rest) {
			n = len(rest)
		}
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatalf("Write: %v", err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	whole, err := Compress(c, data)
	if err != nil {
		t.Fatalf("Compress: %v", err)
	}
	if c.CompressionFormat != ZIP && !bytes.Equal(whole, out.Bytes()) { // ZIP entries carry random names
		t.Fatalf("Compress and NewWriter disagree (%d and %d bytes)", len(whole), out.Len())
	}
	return out.Bytes()
}

func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed", name)
	}
	return p
}

func TestUncompressed(t *testing.T) {
	for name, data := range payloads() {
		for _, f := range []string{"", Uncompressed} {
			if got := compress(t, Config{CompressionFormat: f}, data); !bytes.Equal(got, data) {
				t.Errorf("%s %q: bytes changed", name, f)
			}
		}
	}
}

func TestGzipWithGzipTool(t *testing.T) {
	gz := tool(t, "gzip")
	dir := t.TempDir()
	for name, data := range payloads() {
		path := filepath.Join(dir, name+".gz")
		if err := os.WriteFile(path, compress(t, Config{CompressionFormat: GZIP}, data), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(gz, "-dc", path).Output()
		if err != nil {
			t.Fatalf("%s: gzip -dc: %v", name, err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s: gzip -dc gave %d bytes, want %d", name, len(out), len(data))
		}
	}
}

func TestZipWithUnzipTool(t *testing.T) {
	unzip := tool(t, "unzip")
	dir := t.TempDir()
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for name, data := range payloads() {
		for _, entry := range []string{"", "records.json"} {
			path := filepath.Join(dir, name+entry+".zip")
			if err := os.WriteFile(path, compress(t, Config{CompressionFormat: ZIP, ZipEntryName: entry}, data), 0o600); err != nil {
				t.Fatal(err)
			}
			list, err := exec.Command(unzip, "-Z1", path).Output()
			if err != nil {
				t.Fatalf("%s: unzip -Z1: %v", name, err)
			}
			names := strings.Fields(string(list))
			if len(names) != 1 {
				t.Fatalf("%s: entries %q, want one", name, names)
			}
			if entry == "" && !uuidRE.MatchString(names[0]) {
				t.Errorf("%s: entry %q is not a UUID", name, names[0])
			}
			if entry != "" && names[0] != entry {
				t.Errorf("%s: entry %q, want %q", name, names[0], entry)
			}
			out, err := exec.Command(unzip, "-p", path).Output()
			if err != nil {
				t.Fatalf("%s: unzip -p: %v", name, err)
			}
			if !bytes.Equal(out, data) {
				t.Errorf("%s: unzip -p gave %d bytes, want %d", name, len(out), len(data))
			}
		}
	}
}

// readSnappyJava decodes snappy-java's stream format as SnappyCodec.java
// and SnappyInputStream.java describe it: a 16-byte header (magic, version,
// compatible version), then [int32 BE compressed length][Snappy block]...
func readSnappyJava(t *testing.T, b []byte) []byte {
	t.Helper()
	magic := []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}
	if len(b) < 16 || !bytes.Equal(b[:8], magic) {
		t.Fatalf("no snappy-java magic header: % x", b[:min(len(b), 16)])
	}
	if v, cv := binary.BigEndian.Uint32(b[8:]), binary.BigEndian.Uint32(b[12:]); v != 1 || cv != 1 {
		t.Fatalf("version %d, compatible version %d, want 1 and 1", v, cv)
	}
	var out []byte
	for b = b[16:]; len(b) > 0; {
		if len(b) < 4 {
			t.Fatalf("truncated block length")
		}
		n := int(binary.BigEndian.Uint32(b))
		if n > len(b)-4 {
			t.Fatalf("block of %d bytes, %d left", n, len(b)-4)
		}
		block, err := s2.Decode(nil, b[4:4+n])
		if err != nil {
			t.Fatalf("snappy block: %v", err)
		}
		if len(block) > 32<<10 {
			t.Fatalf("block of %d bytes, snappy-java's blocks hold at most 32 KiB", len(block))
		}
		out = append(out, block...)
		b = b[4+n:]
	}
	return out
}

// readHadoopSnappy decodes Hadoop's block format as
// BlockDecompressorStream.java reads it: [int32 BE uncompressed length]
// then [int32 BE compressed length][Snappy block] chunks until the block's
// uncompressed length is reached.
func readHadoopSnappy(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for len(b) > 0 {
		if len(b) < 4 {
			t.Fatalf("truncated block header")
		}
		want := int(binary.BigEndian.Uint32(b))
		b = b[4:]
		if want > 256<<10 {
			t.Fatalf("block of %d bytes overflows Hadoop's 256 KiB buffer", want)
		}
		got := 0
		for got < want {
			if len(b) < 4 {
				t.Fatalf("truncated chunk length")
			}
			n := int(binary.BigEndian.Uint32(b))
			if n > len(b)-4 {
				t.Fatalf("chunk of %d bytes, %d left", n, len(b)-4)
			}
			chunk, err := s2.Decode(nil, b[4:4+n])
			if err != nil {
				t.Fatalf("snappy chunk: %v", err)
			}
			out = append(out, chunk...)
			got += len(chunk)
			b = b[4+n:]
		}
		if got != want {
			t.Fatalf("block decoded to %d bytes, header said %d", got, want)
		}
	}
	return out
}

func TestSnappyJava(t *testing.T) {
	for name, data := range payloads() {
		got := readSnappyJava(t, compress(t, Config{CompressionFormat: Snappy}, data))
		if !bytes.Equal(got, data) {
			t.Errorf("%s: decoded %d bytes, want %d", name, len(got), len(data))
		}
	}
}

func TestHadoopSnappy(t *testing.T) {
	for name, data := range payloads() {
		enc := compress(t, Config{CompressionFormat: HadoopSnappy}, data)
		if len(data) == 0 && len(enc) != 0 {
			t.Errorf("empty input gave %d bytes", len(enc))
		}
		got := readHadoopSnappy(t, enc)
		if !bytes.Equal(got, data) {
			t.Errorf("%s: decoded %d bytes, want %d", name, len(got), len(data))
		}
	}
}

func TestSnappyFramed(t *testing.T) {
	for name, data := range payloads() {
		var buf bytes.Buffer
		w := NewSnappyFramed(&buf)
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if len(data) > 0 && !bytes.HasPrefix(buf.Bytes(), []byte("\xff\x06\x00\x00sNaPpY")) {
			t.Fatalf("%s: no stream identifier: % x", name, buf.Bytes()[:min(buf.Len(), 10)])
		}
		got, err := io.ReadAll(s2.NewReader(&buf))
		if err != nil {
			t.Fatalf("%s: read: %v", name, err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s: decoded %d bytes, want %d", name, len(got), len(data))
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	_, err := NewWriter(io.Discard, Config{CompressionFormat: "gzip"})
	var e *eddy.Error
	if !errors.As(err, &e) || e.Code != eddy.CodeInvalidArgument {
		t.Fatalf("NewWriter(gzip) = %v, want InvalidArgumentException", err)
	}
	if Valid("gzip") || !Valid("HADOOP_SNAPPY") || !Valid("") {
		t.Error("Valid disagrees with the format list")
	}
}

func TestWriteAfterClose(t *testing.T) {
	for _, f := range []string{Snappy, HadoopSnappy} {
		w, _ := NewWriter(io.Discard, Config{CompressionFormat: f})
		w.Close()
		if _, err := w.Write([]byte("x")); err == nil {
			t.Errorf("%s: Write after Close succeeded", f)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorsPropagate(t *testing.T) {
	for _, f := range []string{GZIP, ZIP, Snappy, HadoopSnappy} {
		w, err := NewWriter(failingWriter{}, Config{CompressionFormat: f})
		if err != nil {
			t.Fatal(err)
		}
		_, werr := w.Write(bytes.Repeat([]byte("abc"), 200<<10))
		cerr := w.Close()
		if werr == nil && cerr == nil {
			t.Errorf("%s: a failing destination went unnoticed", f)
		}
	}
}

func TestContentEncoding(t *testing.T) {
	want := map[string]string{"": "", Uncompressed: "", GZIP: "gzip", ZIP: "zip", Snappy: "snappy-java", HadoopSnappy: "hadoop-snappy"}
	for f, enc := range want {
		if got := ContentEncoding(f); got != enc {
			t.Errorf("ContentEncoding(%q) = %q, want %q", f, got, enc)
		}
	}
}

func BenchmarkCompress(b *testing.B) {
	data := payloads()["lines"]
	for _, f := range []string{GZIP, ZIP, Snappy, HadoopSnappy} {
		b.Run(f, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Compress(Config{CompressionFormat: f}, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWriteSizesDoNotChangeOutput: the delivery pipeline writes a buffer
// record by record; every format must give the same object as one Write
// of the whole buffer (the blocks are the format's, not the caller's).
func TestWriteSizesDoNotChangeOutput(t *testing.T) {
	var data []byte
	for i := range 3000 {
		data = fmt.Appendf(data, `{"n":%d,"pad":"%s"}`+"\n", i, strings.Repeat("z", i%300))
	}
	for _, f := range []string{Uncompressed, GZIP, ZIP, Snappy, HadoopSnappy} {
		c := Config{CompressionFormat: f, ZipEntryName: "e", ModTime: time.Unix(1700000000, 0)}
		whole, err := Compress(c, data)
		if err != nil {
			t.Fatal(err)
		}
		var pieces bytes.Buffer
		w, err := NewWriter(&pieces, c)
		if err != nil {
			t.Fatal(err)
		}
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+len(rest)%977)
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole, pieces.Bytes()) {
			t.Errorf("%s: %d bytes written whole, %d written in pieces, not the same", f, len(whole), pieces.Len())
		}
	}
}
