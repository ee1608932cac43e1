package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/internal/version"
	"github.com/eddy-streams/eddy/metrics"
)

// registerProcessMetrics adds the process's health to reg: memory,
// goroutines, CPU time, and the bytes under the data directory ("" when in
// memory).
func registerProcessMetrics(reg *metrics.Registry, dataDir string) {
	reg.Collect("eddy_build_info", "The running build; always 1.", "gauge", func(emit func(float64, ...string)) {
		emit(1, "version", version.Version, "go", runtime.Version())
	})
	reg.GaugeFunc("go_goroutines", "Goroutines.", func() float64 { return float64(runtime.NumGoroutine()) })
	reg.GaugeFunc("process_resident_memory_bytes", "Resident memory (Linux: /proc/self/statm).", residentBytes)
	reg.Collect("process_cpu_seconds_total", "User and system CPU time of the process (Linux: /proc/self/stat).", "counter",
		func(emit func(float64, ...string)) {
			if s, ok := cpuSeconds(); ok {
				emit(s)
			}
		})
	if dataDir != "" {
		du := &diskUsage{dir: dataDir}
		reg.GaugeFunc("eddy_disk_bytes", "Bytes of the files under the data directory (measured at most every 10 s).", du.bytes)
	}
}

func residentBytes() float64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize())
}

// cpuSeconds reads utime+stime from /proc/self/stat (in clock ticks, which
// are 1/100 s on Linux).
func cpuSeconds() (float64, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return (ut + st) / 100, true
}

// diskUsage sums file sizes under dir, at most every 10 s.
type diskUsage struct {
	dir string
	mu  sync.Mutex
	at  time.Time
	val float64
}

func (d *diskUsage) bytes() float64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if time.Since(d.at) < 10*time.Second {
		return d.val
	}
	var total int64
	filepath.WalkDir(d.dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			if info, err := e.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil // files come and go while we walk
	})
	d.val, d.at = float64(total), time.Now()
	return d.val
}
