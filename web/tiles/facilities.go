package tiles

import (
	"strings"
	"sync"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/carecircle/carecircle/planner"
)

// facilityInfo is what the facilities and service_areas tiles show of a
// facility beyond its own fields, from planner's FacilityResult.
type facilityInfo struct {
	supply    bool
	flags     string
	community string
	elders15  int64
}

// maxFacilityInfos bounds the facilityInfo cache like maxServiceAreas.
const maxFacilityInfos = 50_000

// facilityInfos caches facilityInfo by the facility's value. Every field
// of it depends on the facility alone (its status, type, size, place and
// community) and the model, never on the other facilities of the
// scenario: supply and the flags idle, not_open, undersized,
// no_health_nearby and detached_walkway are judged on the facility, elders_15min on its
// catchment, its community on its code or place. So one computation
// serves every scenario holding the same facility, and a changed facility
// is a different key. (FacilityResult also works out the elders its
// circle leaves unserved, which does depend on the others; it is not
// shown.) A z10 tile of the city demo holds 1,300 facilities, and
// FacilityResult costs ~9 µs each.
type facilityInfos struct {
	mu sync.Mutex
	m  map[planner.Facility]facilityInfo
}

// info returns facility i's facilityInfo, computing it the first time.
func (fi *facilityInfos) info(e *planner.Evaluation, i int) facilityInfo {
	fac := e.Facilities[i]
	fi.mu.Lock()
	in, ok := fi.m[fac]
	fi.mu.Unlock()
	if ok {
		return in
	}
	r := e.FacilityResult(i)
	flags := make([]string, len(r.Flags))
	for j, fl := range r.Flags {
		flags[j] = string(fl)
	}
	in = facilityInfo{supply: r.Supply, flags: strings.Join(flags, ","), community: r.Community, elders15: whole(r.Elders15)}
	fi.mu.Lock()
	if fi.m == nil || len(fi.m) >= maxFacilityInfos {
		fi.m = map[planner.Facility]facilityInfo{}
	}
	fi.m[fac] = in
	fi.mu.Unlock()
	return in
}

// facilities builds the facilities tile: one MVT layer "facilities" of
// points. A city has thousands of facilities, not millions, so they are
// scanned rather than indexed: the scenario's list changes with every
// edit, and 5,400 bound checks take microseconds.
func (s *Server) facilities(f *frame, e *planner.Evaluation) mvt.Layers {
	if int(f.tile.Z) < facilitiesMinZoom {
		return nil
	}
	var feats []*geojson.Feature
	for i := range e.Facilities {
		fac := &e.Facilities[i]
		w := toWorld(fac.Location)
		if !f.query.Contains(w) {
			continue
		}
		in := s.facilityInfo.info(e, i)
		props := geojson.Properties{
			"id":            fac.ID,
			"name":          fac.Name,
			"type":          string(fac.Type),
			"status":        string(fac.Status),
			"floor_area_m2": round(fac.FloorArea, 1),
			"beds":          whole(fac.Beds),
			"supply":        in.supply,
			"proposed":      fac.Status == planner.Proposed,
			"flags":         in.flags,
			"elders_15min":  in.elders15,
		}
		if in.community != "" {
			props["community_code"] = in.community
		}
		feats = append(feats, &geojson.Feature{Type: "Feature", Geometry: f.pt(w), Properties: props})
	}
	if len(feats) == 0 {
		return nil
	}
	return mvt.Layers{newLayer("facilities", feats)}
}
