package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The server process's CPU time and memory, from /proc (Linux). The load
// generator shares the machine with the server, so wall-clock throughput
// depends on how the two split the cores; the server's own CPU seconds per
// record do not.

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// proc reads a process's figures; pid 0 means no process to watch, and
// every method returns zero values.
type proc struct{ pid int }

// cpu is the process's user plus system CPU time so far.
func (p proc) cpu() (time.Duration, error) {
	if p.pid == 0 {
		return 0, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU takes utime and stime (fields 14 and 15) from the contents
// of /proc/<pid>/stat. The command name (field 2) is in parentheses and may
// hold spaces, so fields are counted from the last ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat: no ')' in %q", b)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3, state
	if len(f) < 13 {
		return 0, fmt.Errorf("stat: %d fields after the name", len(f))
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("stat: utime %q stime %q", f[11], f[12])
	}
	return time.Duration(u+s) * time.Second / clockTicks, nil
}

// memory returns VmRSS and VmHWM (peak RSS since the process started) in
// bytes.
func (p proc) memory() (rss, hwm int64, err error) {
	if p.pid == 0 {
		return 0, 0, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		return 0, 0, err
	}
	return parseStatusKB(b, "VmRSS:") * 1024, parseStatusKB(b, "VmHWM:") * 1024, nil
}

// parseStatusKB returns the value in kB of a /proc/<pid>/status line such
// as "VmHWM:\t  12345 kB", or 0 when it is missing.
func parseStatusKB(b []byte, key string) int64 {
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// alive reports whether the process exists and is not a zombie.
func (p proc) alive() bool {
	if p.pid == 0 {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// selfCPU is this process's own user plus system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter measures the server's and the load generator's CPU over one
// phase.
type cpuMeter struct {
	p            proc
	server, self time.Duration
	err          error
}

func startCPU(p proc) *cpuMeter {
	m := &cpuMeter{p: p, self: selfCPU()}
	m.server, m.err = p.cpu()
	return m
}

// stop returns the server's and the load generator's CPU seconds since
// startCPU; server is -1 when unknown (no pid, or /proc unreadable).
func (m *cpuMeter) stop() (server, self float64) {
	self = (selfCPU() - m.self).Seconds()
	if m.p.pid == 0 || m.err != nil {
		return -1, self
	}
	now, err := m.p.cpu()
	if err != nil {
		return -1, self
	}
	return (now - m.server).Seconds(), self
}
