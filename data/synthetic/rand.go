package synthetic

import "math/rand/v2"

// Stream tags keep the random streams of different parts of the city apart.
// Every part draws from its own PCG stream keyed by (seed, tag, index), so
// changing how one part is drawn cannot shift the others, and neighbourhoods
// can be planned in any order, or in parallel, with the same result.
const (
	streamLayout    uint64 = iota + 1 // river, hills, centres, lattice
	streamClass                       // a neighbourhood's density and layout
	streamPlan                        // a neighbourhood's local streets
	streamSide                        // a main-road side's nodes
	streamJunction                    // a main-road junction's crossings
	streamRiverside                   // a riverside promenade
)

// splitmix is SplitMix64's finaliser: it spreads nearby indexes over the
// whole 64-bit range so that PCG streams for cells 1 and 2 are unrelated.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newStream returns the generator for part index of kind tag.
func newStream(seed, tag, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, splitmix(splitmix(tag)^index)))
}

// uniform draws from [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 {
	return lo + r.Float64()*(hi-lo)
}

// between draws from the range [v[0], v[1]).
func between(r *rand.Rand, v [2]float64) float64 {
	return uniform(r, v[0], v[1])
}
