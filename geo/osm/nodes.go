package osm

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
)

// nodeLoc is one node location: 24 bytes, against about 100 for a map entry,
// which matters once a city extract has millions of nodes.
type nodeLoc struct {
	id int64
	p  orb.Point
}

// nodeStore holds node locations in a slice sorted by id. Extracts list
// nodes in id order, so appending keeps it sorted and finish has nothing to
// do; any other order is sorted once in finish.
type nodeStore struct {
	locs     []nodeLoc
	unsorted bool
	// sample holds the id of every sampleStep-th location. A lookup first
	// searches it, which fits in cache, and then one short stretch of locs:
	// a plain binary search over millions of locations misses the cache at
	// almost every step and was a third of the build time.
	sample []int64
}

const sampleStep = 32

// add records the location of node id. Points outside WGS84 range (or NaN)
// are not recorded, so references to them count as missing.
func (s *nodeStore) add(id int64, lon, lat float64) {
	if !validLocation(lon, lat) {
		return
	}
	if n := len(s.locs); n > 0 && id <= s.locs[n-1].id {
		s.unsorted = true
	}
	s.locs = append(s.locs, nodeLoc{id, orb.Point{lon, lat}})
}

// finish sorts the store if needed and builds the lookup sample. When a
// node id appears twice (only history files do that) the one added last is
// kept.
func (s *nodeStore) finish() {
	if s.unsorted {
		slices.SortStableFunc(s.locs, func(a, b nodeLoc) int { return cmp.Compare(a.id, b.id) })
		out := s.locs[:0]
		for i, l := range s.locs {
			if i+1 < len(s.locs) && s.locs[i+1].id == l.id {
				continue
			}
			out = append(out, l)
		}
		s.locs = out
		s.unsorted = false
	}
	s.sample = make([]int64, 0, len(s.locs)/sampleStep+1)
	for i := 0; i < len(s.locs); i += sampleStep {
		s.sample = append(s.sample, s.locs[i].id)
	}
}

// find returns the location of node id; finish must have been called.
func (s *nodeStore) find(id int64) (orb.Point, bool) {
	// k is the first sample above id, so id can only be in stretch k-1.
	lo, hi := 0, len(s.sample)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.sample[m] > id {
			hi = m
		} else {
			lo = m + 1
		}
	}
	k := lo
	if k == 0 {
		return orb.Point{}, false
	}
	start := (k - 1) * sampleStep
	stretch := s.locs[start:min(start+sampleStep, len(s.locs))]
	i, ok := slices.BinarySearchFunc(stretch, id, func(l nodeLoc, id int64) int { return cmp.Compare(l.id, id) })
	if !ok {
		return orb.Point{}, false
	}
	return stretch[i].p, true
}

func (s *nodeStore) len() int { return len(s.locs) }

// validLocation is false for NaN too, as every comparison with NaN is.
func validLocation(lon, lat float64) bool {
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}
