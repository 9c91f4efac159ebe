package web

import (
	"runtime"
	"testing"

	"github.com/carecircle/carecircle/web/tiles"
)

func TestPlanMemory(t *testing.T) {
	const MiB, GiB = 1 << 20, 1 << 30
	for _, tc := range []struct {
		name                        string
		live, machine, eval, tiles  int64
		wantEval, wantTiles, wantHR int64
		wantLimit                   int64
	}{
		// The city demo: caches a quarter and an eighth of 800 MiB,
		// headroom half of it.
		{"city", 800 * MiB, 24 * GiB, 0, 0, 200 * MiB, 100 * MiB, 400 * MiB, 1500 * MiB},
		// A tiny city: the floors.
		{"tiny", 20 * MiB, 24 * GiB, 0, 0, 32 * MiB, 16 * MiB, 64 * MiB, 132 * MiB},
		// A municipality: the caches at their ceilings, the headroom not.
		{"municipality", 6 * GiB, 64 * GiB, 0, 0, DefaultEvaluationBytes, tiles.DefaultCacheBytes, 3 * GiB, 9*GiB + 768*MiB},
		// Bounds asked for are kept.
		{"asked", 800 * MiB, 24 * GiB, 64 * MiB, 1 * GiB, 64 * MiB, 1 * GiB, 400 * MiB, 2288 * MiB},
		// A small machine caps the limit at 3/4 of it.
		{"small machine", 800 * MiB, 1 * GiB, 0, 0, 200 * MiB, 100 * MiB, 400 * MiB, 768 * MiB},
		// An unknown machine: no cap.
		{"unknown machine", 800 * MiB, 0, 0, 0, 200 * MiB, 100 * MiB, 400 * MiB, 1500 * MiB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := PlanMemory(tc.live, tc.machine, tc.eval, tc.tiles)
			if p.Live != tc.live || p.Evaluations != tc.wantEval || p.Tiles != tc.wantTiles || p.Headroom != tc.wantHR || p.Limit != tc.wantLimit {
				t.Errorf("PlanMemory(%d MiB, %d MiB, %d, %d) = %+v; want evaluations %d MiB, tiles %d MiB, headroom %d MiB, limit %d MiB",
					tc.live>>20, tc.machine>>20, tc.eval, tc.tiles, p, tc.wantEval>>20, tc.wantTiles>>20, tc.wantHR>>20, tc.wantLimit>>20)
			}
		})
	}
}

// TestLiveHeapSeesWhatIsHeld checks the measure the plan starts from
// against a known allocation: 64 MiB kept alive shows in the live heap.
func TestLiveHeapSeesWhatIsHeld(t *testing.T) {
	before := LiveHeap()
	held := make([]byte, 64<<20)
	for i := range held {
		held[i] = 1
	}
	after := LiveHeap()
	if d := after - before; d < 60<<20 || d > 80<<20 {
		t.Errorf("live heap grew by %d MiB holding 64 MiB", d>>20)
	}
	runtime.KeepAlive(held)
}
