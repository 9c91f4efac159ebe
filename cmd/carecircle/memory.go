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

	"github.com/carecircle/carecircle/web"
	"github.com/spf13/cobra"
)

// memoryFlags are serve's memory settings: a soft limit for the Go heap
// (debug.SetMemoryLimit, the GOMEMLIMIT setting) and the bounds on built
// scenario evaluations and tiles.
type memoryFlags struct {
	limit     string
	evalCache string
	tileCache string

	auto                 bool  // the limit is set once the city is loaded (settle)
	evalBytes, tileBytes int64 // asked for; 0: sized to the city
}

func (f *memoryFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.limit, "memory-limit", "auto",
		"soft memory limit of the process, e.g. 6GiB or 800MiB; 'auto': $GOMEMLIMIT when set, else once the city is loaded what the server holds + the two caches + half of what it holds again, at most 3/4 of the machine's memory; 'off': none")
	cmd.Flags().StringVar(&f.evalCache, "evaluation-cache", "auto",
		"memory for built scenario evaluations, e.g. 512MiB; the least recently used are dropped and rebuilt from the store when asked for again; 'auto': a quarter of the judged city's live heap, 32 MiB to 512 MiB")
	cmd.Flags().StringVar(&f.tileCache, "tile-cache", "auto",
		"memory for built map tiles, e.g. 256MiB; 'auto': an eighth of the judged city's live heap, 16 MiB to 256 MiB")
}

// apply reads the flags and sets what is known before the city is
// loaded: a limit given as a size or 'off', $GOMEMLIMIT, or for 'auto'
// 3/4 of the machine while the city is built (settle lowers it once the
// server is built).
func (f *memoryFlags) apply() error {
	var err error
	if f.evalBytes, err = cacheBytes(f.evalCache); err != nil {
		return fmt.Errorf("--evaluation-cache %q: want a size such as 512MiB or 'auto'", f.evalCache)
	}
	if f.tileBytes, err = cacheBytes(f.tileCache); err != nil {
		return fmt.Errorf("--tile-cache %q: want a size such as 256MiB or 'auto'", f.tileCache)
	}
	switch strings.ToLower(strings.TrimSpace(f.limit)) {
	case "off":
		debug.SetMemoryLimit(math.MaxInt64)
		return nil
	case "auto", "":
		if os.Getenv("GOMEMLIMIT") != "" {
			slog.Info("memory limit from GOMEMLIMIT", "bytes", debug.SetMemoryLimit(-1))
			return nil
		}
		f.auto = true
		if total := physicalMemory(); total > 0 {
			debug.SetMemoryLimit(total / 4 * 3)
		}
		return nil
	}
	n, err := parseBytes(f.limit)
	if err != nil || n <= 0 {
		return fmt.Errorf("--memory-limit %q: want a size such as 6GiB, 'auto' or 'off'", f.limit)
	}
	debug.SetMemoryLimit(n)
	slog.Info("memory limit", "bytes", n)
	return nil
}

// sizeCaches sizes the caches to the city now loaded and judged (its
// live heap measured after a collection; web.CacheBounds) and fills in
// cfg's bounds.
func (f *memoryFlags) sizeCaches(cfg *web.Config) {
	cfg.EvaluationBytes, cfg.TileCacheBytes = web.CacheBounds(web.LiveHeap(), f.evalBytes, f.tileBytes)
}

// settle, once the server is built, sets an automatic limit to what it
// holds plus the caches' bounds and headroom (web.PlanMemory), and logs
// the plan.
func (f *memoryFlags) settle(cfg web.Config) web.MemoryPlan {
	p := web.PlanMemory(web.LiveHeap(), physicalMemory(), cfg.EvaluationBytes, cfg.TileCacheBytes)
	if f.auto {
		debug.SetMemoryLimit(p.Limit)
	}
	slog.Info("memory plan", "held", p.Held, "evaluation_cache", p.Evaluations, "tile_cache", p.Tiles, "optimiser_raise", p.Optimiser,
		"limit", debug.SetMemoryLimit(-1), "limit_sized_to_city", f.auto)
	return p
}

// cacheBytes reads a cache bound: a size, or 'auto' (0: sized to the city).
func cacheBytes(s string) (int64, error) {
	if t := strings.ToLower(strings.TrimSpace(s)); t == "auto" || t == "" {
		return 0, nil
	}
	n, err := parseBytes(s)
	if err == nil && n <= 0 {
		err = fmt.Errorf("size %q: want more than 0", s)
	}
	return n, err
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
