package planner

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Gap is one shortfall against the standard: where, what, by how much,
// and the clause and source it breaks. Gaps are ranked by the elders they
// affect, so the first rows of a report are where action helps most.
type Gap struct {
	Rank       int     `json:"rank"`
	Region     string  `json:"region"`
	RegionName string  `json:"region_name"`
	Level      Level   `json:"level"`
	Facility   string  `json:"facility,omitempty"`
	Indicator  string  `json:"indicator"`
	Value      float64 `json:"value"`
	Standard   float64 `json:"standard"`
	Shortfall  float64 `json:"shortfall"`
	Unit       string  `json:"unit"`
	// EldersAffected is the elders 60+ the gap falls on: those not covered,
	// those of a community or street lacking its facility, or the elders
	// of the region in proportion to an area or bed shortfall.
	EldersAffected float64 `json:"elders_affected"`
	Message        Text    `json:"message"`
	FigureKey      string  `json:"figure"`
	Clause         string  `json:"clause"`
	Source         string  `json:"source"`
}

// gaps lists every shortfall of the summary and the facility findings.
func (e *Evaluation) gaps(s *Summary, fr []FacilityResult) []Gap {
	m, p := e.m, e.m.Profile
	rs := m.City.Regions
	var out []Gap
	// add files a gap against region ri, or the whole city when ri < 0.
	add := func(ri int, fig *Figure, key string, g Gap) {
		if ri >= 0 {
			r := &rs[ri]
			g.Region, g.RegionName, g.Level = r.Code, r.Name, r.Level
		} else {
			g.RegionName, g.Level = m.City.Name, LevelCity
		}
		g.FigureKey, g.Clause, g.Source = key, fig.Clause, fig.Source
		out = append(out, g)
	}
	for i := range rs {
		r, in := &rs[i], s.Region(i)
		switch r.Level {
		case LevelCommunity:
			if in.EldersUncovered > 0.5 {
				fig, key := &p.ServiceCircle.UrbanMinutes, "service_circle.urban_minutes"
				circle := fmt.Sprintf("%g分钟步行", fig.Value)
				circleEN := fmt.Sprintf("%g-minute walk", fig.Value)
				if r.AreaType == Rural {
					fig, key = &p.ServiceCircle.RuralMetres, "service_circle.rural_m"
					circle = fmt.Sprintf("步行%g米", fig.Value)
					circleEN = fmt.Sprintf("%g m walk", fig.Value)
					// Steps count as longer than they are: say so, since
					// they can be what puts a hillside village outside.
					if k := p.Walking.StepsFactor.Value; k > 1 {
						circle += fmt.Sprintf("（台阶按%g倍距离计）", k)
						circleEN += fmt.Sprintf(" (steps count %g times their length)", k)
					}
				}
				// Why, where the network says: homes off it, or on walkways
				// not connected to the main network.
				var whyZH, whyEN string
				if n := in.EldersUnsnapped; n > 0.5 {
					whyZH += fmt.Sprintf("；其中%.0f名住处距任何步行道超过%g米", n, p.Walking.MaxSnapMetres.Value)
					whyEN += fmt.Sprintf("; %.0f of them live more than %g m from any walkway", n, p.Walking.MaxSnapMetres.Value)
				}
				if n := in.detachedUncovered; n > 0.5 {
					whyZH += fmt.Sprintf("；其中%.0f名住在与主路网不连通的步行路段旁，主路网上的设施步行不可达", n)
					whyEN += fmt.Sprintf("; %.0f of them live on a walkway piece not connected to the main network, which no facility on it reaches", n)
				}
				// Floored, so a community with elders left out never reads 100%.
				shown := math.Floor(1000*in.Coverage15) / 10
				add(i, fig, key, Gap{Indicator: "coverage_15min", Value: in.Coverage15, Standard: 1, Shortfall: in.EldersUncovered, Unit: "elders",
					EldersAffected: in.EldersUncovered,
					Message: Text{
						ZH: fmt.Sprintf("%s有%.0f名60岁以上老人在%s范围内没有养老服务设施（覆盖率%.1f%%）%s", r.Name, in.EldersUncovered, circle, shown, whyZH),
						EN: fmt.Sprintf("%s: %.0f elders 60+ have no elder-care service within a %s (coverage %.1f%%)%s", r.Name, in.EldersUncovered, circleEN, shown, whyEN)}})
			}
			if need := p.CommunityStation.PerUnit.Value; in.Stations < need {
				add(i, &p.CommunityStation.PerUnit, "community_station.per_unit", Gap{Indicator: "community_stations", Value: in.Stations, Standard: need, Shortfall: need - in.Stations, Unit: "facilities",
					EldersAffected: in.Elders60,
					Message: Text{
						ZH: fmt.Sprintf("%s没有运营中的社区养老服务站（标准：每社区%g个）", r.Name, need),
						EN: fmt.Sprintf("%s has no operating community station (standard: %g per community)", r.Name, need)}})
			}
			if in.FloorGap > 0.5 {
				fig := p.FloorPer100Households(r.Age)
				key := "area.floor_per_100_households_new_m2"
				if r.Age == OldResidential {
					key = "area.floor_per_100_households_old_m2"
				}
				add(i, &fig, key, Gap{Indicator: "floor_provided_m2", Value: in.FloorProvided, Standard: in.FloorRequired, Shortfall: in.FloorGap, Unit: "m2",
					EldersAffected: in.Elders60 * ratioOf(in.FloorGap, in.FloorRequired),
					Message: Text{
						ZH: fmt.Sprintf("%s社区养老服务设施建筑面积%.0f平方米，按每百户%g平方米应有%.0f平方米，缺%.0f平方米", r.Name, in.FloorProvided, fig.Value, in.FloorRequired, in.FloorGap),
						EN: fmt.Sprintf("%s has %.0f m² of community elder-care floor; %g m² per 100 households requires %.0f m², %.0f m² short", r.Name, in.FloorProvided, fig.Value, in.FloorRequired, in.FloorGap)}})
			}
		case LevelStreet:
			if need := p.StreetCenter.PerUnit.Value; in.Centres < need {
				add(i, &p.StreetCenter.PerUnit, "street_center.per_unit", Gap{Indicator: "street_centers", Value: in.Centres, Standard: need, Shortfall: need - in.Centres, Unit: "facilities",
					EldersAffected: in.Elders60,
					Message: Text{
						ZH: fmt.Sprintf("%s没有运营中的街道养老服务中心（标准：每街道%g个）", r.Name, need),
						EN: fmt.Sprintf("%s has no operating street centre (standard: %g per street)", r.Name, need)}})
			}
		case LevelDistrict:
			e.districtGaps(i, m.City.Regions[i].Name, in, add)
		}
	}
	if !slices.ContainsFunc(rs, func(r Region) bool { return r.Level == LevelDistrict }) {
		// A city without districts is judged on district norms as a whole.
		e.districtGaps(-1, m.City.Name, &s.City, add)
	}
	e.facilityGaps(fr, func(fi int, fig *Figure, key string, g Gap) {
		add(int(e.comm[fi]), fig, key, g)
	})
	slices.SortStableFunc(out, func(a, b Gap) int {
		if c := cmp.Compare(b.EldersAffected, a.EldersAffected); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Region, b.Region); c != 0 {
			return c
		}
		return cmp.Compare(a.Indicator, b.Indicator)
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// districtGaps judges the norms set for whole districts: land per
// resident, beds per 1000 elders, nursing share, day-care coverage.
func (e *Evaluation) districtGaps(i int, name string, in *Indicators, add func(int, *Figure, string, Gap)) {
	p := e.m.Profile
	if in.LandGap > 0.5 {
		add(i, &p.Area.LandPerResident, "area.land_per_resident_m2", Gap{Indicator: "land_provided_m2", Value: in.LandProvided, Standard: in.LandRequired, Shortfall: in.LandGap, Unit: "m2",
			EldersAffected: in.Elders60 * ratioOf(in.LandGap, in.LandRequired),
			Message: Text{
				ZH: fmt.Sprintf("%s养老服务设施用地%.0f平方米，按人均%g平方米应有%.0f平方米，缺%.0f平方米", name, in.LandProvided, p.Area.LandPerResident.Value, in.LandRequired, in.LandGap),
				EN: fmt.Sprintf("%s has %.0f m² of elder-care land; %g m² per resident requires %.0f m², %.0f m² short", name, in.LandProvided, p.Area.LandPerResident.Value, in.LandRequired, in.LandGap)}})
	}
	if in.BedsGap > 0.5 {
		add(i, &p.Beds.Per1000Elders, "beds.per_1000_elders", Gap{Indicator: "beds_per_1000_elders", Value: in.BedsPer1000, Standard: p.Beds.Per1000Elders.Value, Shortfall: in.BedsGap, Unit: "beds",
			EldersAffected: in.BedsGap * 1000 / p.Beds.Per1000Elders.Value,
			Message: Text{
				ZH: fmt.Sprintf("%s每千名老年人养老床位%.1f张，低于%g张的标准，缺%.0f张", name, in.BedsPer1000, p.Beds.Per1000Elders.Value, in.BedsGap),
				EN: fmt.Sprintf("%s has %.1f beds per 1000 elders, below the standard of %g: %.0f beds short", name, in.BedsPer1000, p.Beds.Per1000Elders.Value, in.BedsGap)}})
	}
	if in.nursingBase > 0 && in.NursingShare < p.Beds.NursingShare.Value {
		short := p.Beds.NursingShare.Value*in.nursingBase - in.NursingBeds
		add(i, &p.Beds.NursingShare, "beds.nursing_share", Gap{Indicator: "nursing_bed_share", Value: in.NursingShare, Standard: p.Beds.NursingShare.Value, Shortfall: short, Unit: "beds",
			EldersAffected: short * 1000 / p.Beds.Per1000Elders.Value,
			Message: Text{
				ZH: fmt.Sprintf("%s护理型床位占比%.0f%%，低于%.0f%%，缺%.0f张", name, 100*in.NursingShare, 100*p.Beds.NursingShare.Value, short),
				EN: fmt.Sprintf("%s: nursing beds are %.0f%% of beds, below %.0f%%: %.0f short", name, 100*in.NursingShare, 100*p.Beds.NursingShare.Value, short)}})
	}
	if in.Communities > 0 && in.DayCareShare < p.Coverage.DayCareCommunityShare.Value {
		short := p.Coverage.DayCareCommunityShare.Value*in.Communities - in.WithDayCare
		add(i, &p.Coverage.DayCareCommunityShare, "coverage.day_care_community_share", Gap{Indicator: "day_care_community_share", Value: in.DayCareShare, Standard: p.Coverage.DayCareCommunityShare.Value, Shortfall: short, Unit: "communities",
			EldersAffected: in.Elders60 * ratioOf(short, in.Communities),
			Message: Text{
				ZH: fmt.Sprintf("%s日间照料设施覆盖%.0f%%的社区，低于%.0f%%", name, 100*in.DayCareShare, 100*p.Coverage.DayCareCommunityShare.Value),
				EN: fmt.Sprintf("%s: day care in %.0f%% of communities, below %.0f%%", name, 100*in.DayCareShare, 100*p.Coverage.DayCareCommunityShare.Value)}})
	}
}

// facilityGaps lists the facility findings that are shortfalls against
// the standard: idle, undersized, no centre, no health facility nearby.
func (e *Evaluation) facilityGaps(fr []FacilityResult, add func(int, *Figure, string, Gap)) {
	p := e.m.Profile
	for i := range fr {
		f, r := &e.Facilities[i], &fr[i]
		for _, flag := range r.Flags {
			switch flag {
			case FlagIdle:
				fig := Figure{Value: 1, Source: p.Supply.Source, Clause: p.Supply.Clause}
				add(i, &fig, "supply.statuses", Gap{Facility: f.ID, Indicator: "facilities_idle", Value: 1, Standard: 0, Shortfall: 1, Unit: "facilities",
					EldersAffected: r.EldersUnserved,
					Message: Text{
						ZH: fmt.Sprintf("%s处于闲置状态；恢复运营可新覆盖%.0f名老人（服务圈内共%.0f名）", f.Name, r.EldersUnserved, r.Elders15),
						EN: fmt.Sprintf("%s is idle; reopening it would newly cover %.0f elders (%.0f live within its circle)", f.Name, r.EldersUnserved, r.Elders15)}})
			case FlagUndersized:
				_, short := p.undersized(f)
				norm, key := &p.CommunityStation, "community_station"
				if HasType(p.StreetCenter.FacilityTypes, f.Type) {
					norm, key = &p.StreetCenter, "street_center"
				}
				fig, figKey := &norm.MinFloor, key+".min_floor_m2"
				value, standard := f.FloorArea, norm.MinFloor.Value
				floorShort, bedsShort := f.FloorArea < norm.MinFloor.Value, f.Beds < norm.MinBeds.Value
				if !floorShort {
					fig, figKey = &norm.MinBeds, key+".min_beds"
					value, standard = f.Beds, norm.MinBeds.Value
				}
				add(i, fig, figKey, Gap{Facility: f.ID, Indicator: "facilities_undersized", Value: value, Standard: standard, Shortfall: short, Unit: "share",
					EldersAffected: r.Elders15 * short,
					Message:        undersizedMessage(f, norm, floorShort, bedsShort)})
			case FlagNoCenter:
				add(i, &p.CenterStations.StationsPerCenter, "center_stations.stations_per_center", Gap{Facility: f.ID, Indicator: "stations_without_center", Value: 0, Standard: 1, Shortfall: 1, Unit: "facilities",
					EldersAffected: r.Elders15,
					Message: Text{
						ZH: fmt.Sprintf("%s在%.0f米内没有可带站的街道养老服务中心（中心带站）", f.Name, p.CenterStations.ReachMetres.Value),
						EN: fmt.Sprintf("%s has no street centre within %.0f m to run it (中心带站)", f.Name, p.CenterStations.ReachMetres.Value)}})
			case FlagNoHealthNearby:
				// The walk to the nearest health facility in metres, the
				// standard's unit; -1 when none is within reach at all.
				walked := -1.0
				if r.HealthMinutes >= 0 {
					walked = math.Round(r.HealthMinutes * 60 * p.Walking.SpeedMPS.Value)
				}
				add(i, &p.HealthColocation.MaxDistanceMetres, "health_colocation.max_distance_m", Gap{Facility: f.ID, Indicator: "no_health_nearby", Value: walked, Standard: p.HealthColocation.MaxDistanceMetres.Value, Shortfall: 1, Unit: "facilities",
					EldersAffected: r.Elders15,
					Message: Text{
						ZH: fmt.Sprintf("%s步行%.0f米内没有社区卫生服务机构（医养结合）", f.Name, p.HealthColocation.MaxDistanceMetres.Value),
						EN: fmt.Sprintf("%s has no community health facility within %.0f m walk (医养结合)", f.Name, p.HealthColocation.MaxDistanceMetres.Value)}})
			}
		}
	}
}

// undersizedMessage names only what a facility lacks: its floor area, its
// beds or both, so it never reads "床位10张，低于10张". What falls short is
// shown rounded down, so 9.6 beds read 9, not a 10 that meets the minimum.
func undersizedMessage(f *Facility, norm *UnitNorm, floorShort, bedsShort bool) Text {
	var zh, en []string
	floor, beds := math.Floor(f.FloorArea), math.Floor(f.Beds)
	if floorShort {
		zh = append(zh, fmt.Sprintf("建筑面积%.0f平方米，低于%.0f平方米", floor, norm.MinFloor.Value))
		en = append(en, fmt.Sprintf("%.0f m² of floor, below the minimum of %.0f m²", floor, norm.MinFloor.Value))
	}
	if bedsShort {
		zh = append(zh, fmt.Sprintf("床位%.0f张，低于%.0f张", beds, norm.MinBeds.Value))
		en = append(en, fmt.Sprintf("%.0f beds, below the minimum of %.0f", beds, norm.MinBeds.Value))
	}
	return Text{ZH: f.Name + strings.Join(zh, "；") + "的标准", EN: f.Name + " has " + strings.Join(en, " and ")}
}
