package planner

import "fmt"

// regionIndex finds regions by code and walks the hierarchy.
type regionIndex struct {
	byCode   map[string]int32
	parent   []int32   // -1 at the top
	children [][]int32 // direct children
	roots    []int32   // regions with no parent
}

// indexRegions checks that codes are unique, parents resolve to the level
// above, and parents come before children.
func indexRegions(rs []Region) (regionIndex, error) {
	ix := regionIndex{byCode: make(map[string]int32, len(rs)), parent: make([]int32, len(rs)), children: make([][]int32, len(rs))}
	for i, r := range rs {
		if r.Code == "" {
			return ix, fmt.Errorf("region %d (%s): no code", i, r.Name)
		}
		if r.Level.rank() < 0 {
			return ix, fmt.Errorf("region %s (%s): level %q: want district, street or community", r.Code, r.Name, r.Level)
		}
		if _, dup := ix.byCode[r.Code]; dup {
			return ix, fmt.Errorf("region %s (%s): code used twice", r.Code, r.Name)
		}
		ix.byCode[r.Code] = int32(i)
		ix.parent[i] = -1
		if r.Parent == "" {
			ix.roots = append(ix.roots, int32(i))
			continue
		}
		p, ok := ix.byCode[r.Parent]
		if !ok {
			return ix, fmt.Errorf("region %s (%s): parent %q is not a region listed before it", r.Code, r.Name, r.Parent)
		}
		if rs[p].Level.rank() >= r.Level.rank() {
			return ix, fmt.Errorf("region %s (%s): parent %s is a %s, not above a %s", r.Code, r.Name, r.Parent, rs[p].Level, r.Level)
		}
		ix.parent[i] = p
		ix.children[p] = append(ix.children[p], int32(i))
	}
	return ix, nil
}

// ancestor returns the ancestor of region i at level l, or -1.
func (ix *regionIndex) ancestor(rs []Region, i int32, l Level) int32 {
	for ; i >= 0; i = ix.parent[i] {
		if rs[i].Level == l {
			return i
		}
	}
	return -1
}
