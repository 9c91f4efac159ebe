package osm

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/osm"
)

// This file assembles the outlines of boundary and multipolygon relations
// from their member ways, for LoadFeatures.

// MaxRelations bounds the area relations kept.
const MaxRelations = 100_000

// relationOutline is an area relation as read: its naming tags and its
// member ways.
type relationOutline struct {
	id   int64
	tags map[string]string
	ways []relationMember
}

type relationMember struct {
	id    int64
	inner bool
}

// isArea reports relations worth assembling: administrative boundaries
// and named places.
func isArea(tags osm.Tags) bool {
	return tags.Find("boundary") == "administrative" || (tags.Find("place") != "" && tags.Find("name") != "")
}

func (fc *featureCollector) addRelation(r *osm.Relation) {
	if len(fc.rels) >= MaxRelations {
		return
	}
	ro := relationOutline{id: int64(r.ID), tags: keptTags(r.Tags)}
	for _, m := range r.Members {
		if m.Type == osm.TypeWay && m.Role != "subarea" && m.Role != "admin_centre" && m.Role != "label" {
			ro.ways = append(ro.ways, relationMember{id: m.Ref, inner: m.Role == "inner"})
		}
	}
	if len(ro.ways) > 0 {
		fc.rels = append(fc.rels, ro)
	}
}

// assemble joins a relation's member ways end to end into closed rings,
// outer rings counter-clockwise with the inner rings they hold. It
// returns nil when a member way is missing, a node has no location or a
// ring does not close: a relation cut by the extract's edge.
func (fc *featureCollector) assemble(r relationOutline) orb.MultiPolygon {
	var outer, inner [][]int64
	for _, m := range r.ways {
		refs, ok := fc.memberRefs[m.id]
		if !ok || len(refs) < 2 {
			return nil
		}
		if m.inner {
			inner = append(inner, refs)
		} else {
			outer = append(outer, refs)
		}
	}
	outs, ok1 := fc.rings(outer)
	ins, ok2 := fc.rings(inner)
	if !ok1 || !ok2 || len(outs) == 0 {
		return nil
	}
	mp := make(orb.MultiPolygon, len(outs))
	for i, o := range outs {
		if o.Orientation() == orb.CW {
			o.Reverse()
		}
		mp[i] = orb.Polygon{o}
	}
	for _, in := range ins {
		if in.Orientation() == orb.CCW {
			in.Reverse()
		}
		for i := range mp {
			if planar.RingContains(mp[i][0], in[0]) {
				mp[i] = append(mp[i], in)
				break
			}
		}
	}
	return mp
}

// rings joins ways sharing end nodes into closed rings.
func (fc *featureCollector) rings(ways [][]int64) ([]orb.Ring, bool) {
	used := make([]bool, len(ways))
	var out []orb.Ring
	for i := range ways {
		if used[i] {
			continue
		}
		used[i] = true
		chain := append([]int64(nil), ways[i]...)
		for chain[0] != chain[len(chain)-1] {
			end := chain[len(chain)-1]
			found := false
			for j := range ways {
				if used[j] {
					continue
				}
				w := ways[j]
				switch end {
				case w[0]:
					chain = append(chain, w[1:]...)
				case w[len(w)-1]:
					for k := len(w) - 2; k >= 0; k-- {
						chain = append(chain, w[k])
					}
				default:
					continue
				}
				used[j], found = true, true
				break
			}
			if !found {
				return nil, false
			}
		}
		if len(chain) < 4 {
			return nil, false
		}
		ring := make(orb.Ring, len(chain))
		for k, id := range chain {
			p, ok := fc.nodes.find(id)
			if !ok {
				return nil, false
			}
			ring[k] = p
		}
		out = append(out, ring)
	}
	return out, true
}

// ringMean is the mean of a ring's distinct corners.
func ringMean(r orb.Ring) orb.Point {
	var c orb.Point
	n := len(r) - 1
	for _, p := range r[:n] {
		c[0] += p[0]
		c[1] += p[1]
	}
	return orb.Point{c[0] / float64(n), c[1] / float64(n)}
}
