package web

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/carecircle/carecircle/web/tiles"
)

const MiB, GiB = 1 << 20, 1 << 30

func TestCacheBounds(t *testing.T) {
	for _, tc := range []struct {
		name                string
		live, eval, tiles   int64
		wantEval, wantTiles int64
	}{
		// The city demo: a quarter and an eighth of 800 MiB.
		{"city", 800 * MiB, 0, 0, 200 * MiB, 100 * MiB},
		// A tiny city: the floors.
		{"tiny", 20 * MiB, 0, 0, 32 * MiB, 16 * MiB},
		// A municipality: the ceilings.
		{"municipality", 6 * GiB, 0, 0, DefaultEvaluationBytes, tiles.DefaultCacheBytes},
		// Bounds asked for are kept.
		{"asked", 800 * MiB, 64 * MiB, 1 * GiB, 64 * MiB, 1 * GiB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ti := CacheBounds(tc.live, tc.eval, tc.tiles)
			if e != tc.wantEval || ti != tc.wantTiles {
				t.Errorf("CacheBounds(%d MiB, %d, %d) = %d, %d MiB; want %d, %d MiB",
					tc.live>>20, tc.eval, tc.tiles, e>>20, ti>>20, tc.wantEval>>20, tc.wantTiles>>20)
			}
		})
	}
}

func TestPlanMemory(t *testing.T) {
	for _, tc := range []struct {
		name                       string
		held, machine, eval, tiles int64
		wantHeadroom, wantLimit    int64
		wantOptimiser              int64
	}{
		// The city demo: held + caches + half of held; a run may use as
		// much again as is held.
		{"city", 800 * MiB, 24 * GiB, 200 * MiB, 100 * MiB, 400 * MiB, 1500 * MiB, 800 * MiB},
		// A tiny city: the headroom's floor.
		{"tiny", 20 * MiB, 24 * GiB, 32 * MiB, 16 * MiB, 64 * MiB, 132 * MiB, 20 * MiB},
		// A small machine caps the limit at 3/4 of it, with nothing to
		// raise it by.
		{"small machine", 800 * MiB, 1 * GiB, 200 * MiB, 100 * MiB, 400 * MiB, 768 * MiB, 0},
		// Raised at most to 3/4 of the machine.
		{"tight machine", 800 * MiB, 2 * GiB, 200 * MiB, 100 * MiB, 400 * MiB, 1500 * MiB, 36 * MiB},
		// An unknown machine: no cap.
		{"unknown machine", 800 * MiB, 0, 200 * MiB, 100 * MiB, 400 * MiB, 1500 * MiB, 800 * MiB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := PlanMemory(tc.held, tc.machine, tc.eval, tc.tiles)
			want := MemoryPlan{Held: tc.held, Evaluations: tc.eval, Tiles: tc.tiles, Headroom: tc.wantHeadroom, Limit: tc.wantLimit, Optimiser: tc.wantOptimiser}
			if p != want {
				t.Errorf("PlanMemory(%d MiB, %d MiB, %d, %d) = %+v; want %+v", tc.held>>20, tc.machine>>20, tc.eval, tc.tiles, p, want)
			}
		})
	}
}

// TestLiveHeapSeesWhatIsHeld checks the measure the plan starts from
// against a known allocation: 256 MiB kept alive, then let go, shows in
// the live heap. Other tests of the package may allocate or free meanwhile
// (servers closing in the background), hence the large allocation and the
// tolerance.
func TestLiveHeapSeesWhatIsHeld(t *testing.T) {
	const size = 256 << 20
	held := make([]byte, size)
	for i := range held {
		held[i] = 1
	}
	with := LiveHeap()
	runtime.KeepAlive(held)
	held = nil
	without := LiveHeap()
	if d := with - without; d < size*3/4 || d > size*5/4 {
		t.Errorf("live heap %d MiB holding 256 MiB, %d MiB after letting it go: a difference of %d MiB", with>>20, without>>20, d>>20)
	}
}

// TestRaiseMemoryLimit: an optimiser run's raise is added to the limit
// and taken back; with no limit it does nothing.
func TestRaiseMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })

	debug.SetMemoryLimit(math.MaxInt64)
	raiseMemoryLimit(100 * MiB)()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("no limit: raised to %d", got)
	}
	debug.SetMemoryLimit(1 * GiB)
	restore := raiseMemoryLimit(100 * MiB)
	if got := debug.SetMemoryLimit(-1); got != 1*GiB+100*MiB {
		t.Errorf("raised limit %d MiB, want %d", got>>20, (1*GiB+100*MiB)>>20)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != 1*GiB {
		t.Errorf("restored limit %d MiB, want 1024", got>>20)
	}
}
