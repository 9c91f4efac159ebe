package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// memoryFlags are serve's memory settings: a soft limit for the Go heap
// (debug.SetMemoryLimit, the GOMEMLIMIT setting) and the bound on built
// scenario evaluations.
type memoryFlags struct {
	limit     string
	evalCache string
}

func (f *memoryFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.limit, "memory-limit", "auto",
		"soft memory limit of the process, e.g. 6GiB or 800MiB; 'auto': $GOMEMLIMIT when set, else 3/4 of the machine's memory; 'off': none")
	cmd.Flags().StringVar(&f.evalCache, "evaluation-cache", "512MiB",
		"memory for built scenario evaluations; the least recently used are dropped and rebuilt from the store when asked for again")
}

// apply sets the memory limit and returns the evaluation cache's bound.
func (f *memoryFlags) apply() (evalBytes int64, err error) {
	evalBytes, err = parseBytes(f.evalCache)
	if err != nil || evalBytes <= 0 {
		return 0, fmt.Errorf("--evaluation-cache %q: want a size such as 512MiB", f.evalCache)
	}
	switch strings.ToLower(strings.TrimSpace(f.limit)) {
	case "off":
		debug.SetMemoryLimit(math.MaxInt64)
		return evalBytes, nil
	case "auto", "":
		if os.Getenv("GOMEMLIMIT") != "" {
			slog.Info("memory limit from GOMEMLIMIT", "bytes", debug.SetMemoryLimit(-1))
			return evalBytes, nil
		}
		total := physicalMemory()
		if total <= 0 {
			return evalBytes, nil // unknown: leave the runtime's default (none)
		}
		debug.SetMemoryLimit(total / 4 * 3)
		slog.Info("memory limit", "bytes", total/4*3, "of", total)
		return evalBytes, nil
	}
	n, err := parseBytes(f.limit)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("--memory-limit %q: want a size such as 6GiB, 'auto' or 'off'", f.limit)
	}
	debug.SetMemoryLimit(n)
	slog.Info("memory limit", "bytes", n)
	return evalBytes, nil
}

// parseBytes reads a size: a number of bytes, or with a unit B, KiB, MiB,
// GiB, TiB (or K, M, G, T, KB, MB, GB, TB, taken as powers of 1024).
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.ToUpper(strings.TrimSpace(s[i:]))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit (KiB, MiB, GiB)", s)
	}
	shift := map[string]uint{"": 0, "B": 0, "K": 10, "KB": 10, "KIB": 10, "M": 20, "MB": 20, "MIB": 20, "G": 30, "GB": 30, "GIB": 30, "T": 40, "TB": 40, "TIB": 40}
	sh, ok := shift[unit]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q; want KiB, MiB, GiB or TiB", s, unit)
	}
	b := v * float64(uint64(1)<<sh)
	if b >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return int64(b), nil
}

// physicalMemory is the machine's memory in bytes from /proc/meminfo, or
// 0 where there is none.
func physicalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
