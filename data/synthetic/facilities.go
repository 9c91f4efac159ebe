package synthetic

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	care "github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
)

// The demo city's facilities follow the hierarchy of the bureaus' letters, one centre
// per street and one station per community, with the gaps the bureaus'
// letters describe: streets without a centre or with a small one (恩民政函〔2021〕3号:
// 600 m² and 13 beds for three communities), communities without a station
// and neighbouring stations that could merge (渝北民〔2025〕68号), idle facilities
// (资民函〔2020〕61号: 35 of 201 idle), and fewer beds than the norm of 40 per 1000
// elders (恩民政函〔2021〕3号: 21).

// statusMix holds the shares of a facility type's facilities that are
// idle, under construction and planned; the rest operate.
type statusMix struct{ idle, building, planned float64 }

// operatorMix holds the chances of each operator model, in the order of
// care.OperatorModels: 公建公营, 公建民营, 民建公助, 民办, 委托运营.
type operatorMix [5]float64

func (m operatorMix) draw(r *rand.Rand) care.OperatorModel {
	return care.OperatorModels()[pick(r, m[:])]
}

// facilitySpec is how often a facility type is found and how it is drawn.
type facilitySpec struct {
	share     float64 // of the units (streets, communities, villages) that have one
	status    statusMix
	operator  operatorMix
	floor     [2]float64 // m², when sized by range
	beds      [2]float64
	undersize float64 // share below the type's minimum size
}

// specOf is the constant table of facility specs. The letters give the
// orders of magnitude: 渝北民〔2025〕68号's 渝北区 has 22 street and town centres,
// 158 community stations, 101 rural points and 59 canteens, 143 of its 178
// centres, stations and points run by professional operators (中心带站);
// 渝民函〔2020〕245号 puts Chongqing's community coverage at 62 % in 2019; 资民函〔2020〕61号
// has 35 of 201 day-care centres (17 %) idle. Canteens and day care are
// kept rarer than in 渝北区 so that stations dominate, as in most cities.
func specOf(t care.FacilityType) facilitySpec {
	switch t {
	case care.StreetCenter:
		return facilitySpec{share: 0.88,
			status:   statusMix{0.05, 0.06, 0.03},
			operator: operatorMix{0.2, 0.35, 0.1, 0.05, 0.3},
			floor:    [2]float64{1500, 2400}, beds: [2]float64{50, 86}, undersize: 0.18}
	case care.CommunityStation:
		return facilitySpec{share: 0.80,
			status:   statusMix{0.16, 0.025, 0.015},
			operator: operatorMix{0.15, 0.3, 0.1, 0.05, 0.4},
			floor:    [2]float64{200, 750}, beds: [2]float64{10, 20}, undersize: 0.12}
	case care.DayCare:
		return facilitySpec{share: 0.06,
			status:   statusMix{0.15, 0, 0},
			operator: operatorMix{0.2, 0.3, 0.2, 0.2, 0.1},
			floor:    [2]float64{350, 750}, beds: [2]float64{10, 31}, undersize: 0.15}
	case care.Canteen:
		return facilitySpec{share: 0.12,
			status:   statusMix{0.1, 0, 0},
			operator: operatorMix{0.1, 0.3, 0, 0.2, 0.4},
			floor:    [2]float64{60, 300}}
	case care.RuralPoint:
		return facilitySpec{share: 0.7,
			status:   statusMix{0.17, 0.03, 0},
			operator: operatorMix{0.6, 0.2, 0, 0, 0.2},
			floor:    [2]float64{60, 300}, beds: [2]float64{0, 9}}
	case care.Institution:
		return facilitySpec{
			operator: operatorMix{0.35, 0.25, 0.1, 0.3, 0},
			floor:    [2]float64{30, 50}, beds: [2]float64{100, 500}} // floor is m² per bed
	case care.Health:
		return facilitySpec{share: 0.6}
	}
	return facilitySpec{}
}

// Chances that shape the gaps between facilities.
const (
	pSecondStation = 0.05 // a community has a second station close to the first (渝北民〔2025〕68号)
	pWithHealth    = 0.35 // a station stands next to its community's health station (医养结合)
	pCentreHealth  = 0.5  // a street's health centre stands next to its elder-care centre
	pVillageClinic = 0.75 // a village has a 村卫生室
	pExtraHome     = 0.4  // a district builds or plans one more institution (恩民政函〔2021〕3号)
)

// A district's beds per 1000 elders 60+ are drawn from this range: below
// the norm of 40, near the 21 of 恩民政函〔2021〕3号.
const (
	minBedsPer1000 = 22
	maxBedsPer1000 = 30
)

// placeFacilities builds the elder-care and health facilities. Which units
// have a facility, and which facilities are idle, being built, planned or
// undersized, are drawn as quotas of each type's shares (see quota), so
// that even a district of ten streets has its gaps. Then each district
// gets its institutions, sized so that its operating beds reach a drawn
// figure per 1000 elders. Last, facilities are put in region order and
// numbered.
func (b *demoBuild) placeFacilities(ctx context.Context) error {
	var urban, villages []int
	for ci := range b.communities {
		if b.communities[ci].village {
			villages = append(villages, ci)
		} else {
			urban = append(urban, ci)
		}
	}
	q := func(tag uint64, units []int, share float64) map[int]bool {
		picked := map[int]bool{}
		for k, ok := range quota(newStream(b.seed, streamQuota, tag), len(units), share) {
			if ok {
				picked[units[k]] = true
			}
		}
		return picked
	}
	streets := make([]int, len(b.streets))
	for si := range streets {
		streets[si] = si
	}
	has := map[care.FacilityType]map[int]bool{
		care.StreetCenter:     q(0, streets, specOf(care.StreetCenter).share),
		care.CommunityStation: q(1, urban, specOf(care.CommunityStation).share),
		care.DayCare:          q(2, urban, specOf(care.DayCare).share),
		care.Canteen:          q(3, urban, specOf(care.Canteen).share),
		care.RuralPoint:       q(4, villages, specOf(care.RuralPoint).share),
		care.Health:           q(5, urban, specOf(care.Health).share),
	}
	clinics := q(6, villages, pVillageClinic)
	second := q(7, urban, pSecondStation)

	for si := range b.streets {
		if si%64 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b.streetFacilities(si, has[care.StreetCenter][si])
		for _, ci := range b.streets[si].comms {
			r := newStream(b.seed, streamCommunity, uint64(ci))
			if b.communities[ci].village {
				b.villageFacilities(ci, r, has[care.RuralPoint][ci], clinics[ci])
			} else {
				b.communityFacilities(ci, r, has, second[ci])
			}
		}
	}
	b.drawStatuses()
	for di := range b.districts {
		b.institutions(di)
	}
	b.number()
	return nil
}

// quota picks exactly round(share·n) of n units at random, and at least
// one (or one less than n) when n ≥ 5, so that a share of 12 % of ten
// streets is one or two streets, never none by chance.
func quota(r *rand.Rand, n int, share float64) []bool {
	m := int(math.Round(share * float64(n)))
	if n >= 5 && share > 0 && share < 1 {
		m = max(1, min(n-1, m))
	}
	picked := make([]bool, n)
	for _, k := range r.Perm(n)[:m] {
		picked[k] = true
	}
	return picked
}

// addFacility appends f, which stands in community ci, to the elder-care
// list, or to the health list for a health facility. number gives ids.
func (b *demoBuild) addFacility(f care.Facility, ci int) {
	if f.Type == care.Health {
		b.health = append(b.health, f)
		b.healthHome = append(b.healthHome, ci)
		return
	}
	b.facilities = append(b.facilities, f)
	b.facHome = append(b.facHome, ci)
}

// site returns where a facility of community c stands: a door 3 to 20 m
// off a street node of c (anchor, or a random one when anchor < 0), inside
// c and thus on land. It returns the node too, so that a neighbour can be
// placed next to it; ok is false when c has no street node inside it.
func (b *demoBuild) site(c *community, r *rand.Rand, anchor int32) (orb.Point, int32, bool) {
	pts := b.net.Graph.Points
	for try := 0; try < 20 && len(c.homes) > 0; try++ {
		a := anchor
		if a < 0 || try > 0 {
			a = c.homes[r.IntN(len(c.homes))]
		}
		p := pts[a]
		if !geometryContains(c.boundary, p) {
			continue
		}
		ang, d := 2*math.Pi*r.Float64(), uniform(r, 3, 20)
		q := b.net.frame.lonLat(b.net.frame.metres(p).add(pt{d * math.Cos(ang), d * math.Sin(ang)}))
		if geometryContains(c.boundary, q) {
			return q, a, true
		}
		return p, a, true
	}
	return orb.Point{}, -1, false
}

// nodeNear returns a street node of c between lo and hi metres from node a,
// or -1.
func (b *demoBuild) nodeNear(c *community, r *rand.Rand, a int32, lo, hi float64) int32 {
	pts := b.net.Graph.Points
	at := b.net.frame.metres(pts[a])
	var cand []int32
	for _, n := range c.homes {
		if d := b.net.frame.metres(pts[n]).dist(at); d >= lo && d <= hi {
			cand = append(cand, n)
		}
	}
	if len(cand) == 0 {
		return -1
	}
	return cand[r.IntN(len(cand))]
}

// streetFacilities builds street si's elder-care centre, if it has one, in
// one of its communities picked by residents, and its community health
// centre (a 卫生院 in a town), half the time next to the elder-care centre.
func (b *demoBuild) streetFacilities(si int, hasCentre bool) {
	s := &b.streets[si]
	r := newStream(b.seed, streamStreet, uint64(si))
	weights := make([]float64, len(s.comms))
	for k, ci := range s.comms {
		weights[k] = b.communities[ci].pop.Residents + 1
	}
	sp := specOf(care.StreetCenter)
	anchor, anchorComm := int32(-1), -1
	if hasCentre {
		ci := s.comms[pick(r, weights)]
		c := &b.communities[ci]
		if loc, a, ok := b.site(c, r, -1); ok {
			anchor, anchorComm = a, ci
			f := care.Facility{Name: s.name + "养老服务中心", Type: care.StreetCenter, Status: care.Operating,
				Operator: sp.operator.draw(r), Location: loc, Community: c.code,
				FloorArea: roundTo(between(r, sp.floor), 10), Beds: math.Floor(between(r, sp.beds))}
			if r.Float64() < 0.6 {
				f.LandArea = roundTo(f.FloorArea/uniform(r, 1.2, 2.0), 10)
			}
			f.NursingBeds = math.Floor(f.Beds * uniform(r, 0, 0.3))
			b.addFacility(f, ci)
		}
	}
	ci := s.comms[pick(r, weights)]
	if anchor >= 0 && r.Float64() < pCentreHealth {
		ci = anchorComm
	} else {
		anchor = -1
	}
	c := &b.communities[ci]
	if loc, _, ok := b.site(c, r, anchor); ok {
		name := s.name + "社区卫生服务中心"
		if s.town {
			name = s.name + "卫生院"
		}
		b.addFacility(care.Facility{Name: name, Type: care.Health, Status: care.Operating, Operator: care.PublicRun,
			Location: loc, FloorArea: roundTo(uniform(r, 1500, 4000), 10), Community: c.code}, ci)
	}
}

// villageFacilities builds a village's rural mutual-aid point and clinic
// (村卫生室), as the quotas say.
func (b *demoBuild) villageFacilities(ci int, r *rand.Rand, hasPoint, hasClinic bool) {
	c := &b.communities[ci]
	if hasClinic {
		if loc, _, ok := b.site(c, r, -1); ok {
			b.addFacility(care.Facility{Name: c.name + "卫生室", Type: care.Health, Status: care.Operating,
				Operator: care.PublicRun, Location: loc, FloorArea: roundTo(uniform(r, 40, 120), 5), Community: c.code}, ci)
		}
	}
	if !hasPoint {
		return
	}
	sp := specOf(care.RuralPoint)
	if loc, _, ok := b.site(c, r, -1); ok {
		name := c.name + "农村互助养老点"
		if r.Float64() < 0.3 {
			name = c.name + "农村幸福院"
		}
		b.addFacility(care.Facility{Name: name, Type: care.RuralPoint, Status: care.Operating, Operator: sp.operator.draw(r),
			Location: loc, FloorArea: roundTo(between(r, sp.floor), 5), Beds: math.Floor(between(r, sp.beds)), Community: c.code}, ci)
	}
}

// communityFacilities builds an urban community's health station, its
// elder-care station (some next to the health station, 医养结合), a
// second station close to the first in a few, a day-care centre and a
// canteen, as the quotas in has and second say.
func (b *demoBuild) communityFacilities(ci int, r *rand.Rand, has map[care.FacilityType]map[int]bool, second bool) {
	c := &b.communities[ci]
	healthAnchor := int32(-1)
	if has[care.Health][ci] {
		if loc, a, ok := b.site(c, r, -1); ok {
			healthAnchor = a
			b.addFacility(care.Facility{Name: c.name + "卫生服务站", Type: care.Health, Status: care.Operating,
				Operator: care.PublicRun, Location: loc, FloorArea: roundTo(uniform(r, 150, 400), 10), Community: c.code}, ci)
		}
	}
	if has[care.CommunityStation][ci] {
		anchor := int32(-1)
		if healthAnchor >= 0 && r.Float64() < pWithHealth {
			anchor = healthAnchor
		}
		if loc, a, ok := b.site(c, r, anchor); ok {
			b.addFacility(b.station(c, r, c.name+"养老服务站", loc), ci)
			if second {
				if n := b.nodeNear(c, r, a, 80, 250); n >= 0 {
					if loc, _, ok := b.site(c, r, n); ok {
						b.addFacility(b.station(c, r, c.name+"第二养老服务站", loc), ci)
					}
				}
			}
		}
	}
	if has[care.DayCare][ci] {
		sp := specOf(care.DayCare)
		if loc, _, ok := b.site(c, r, -1); ok {
			b.addFacility(care.Facility{Name: c.stem + "日间照料中心", Type: care.DayCare, Status: care.Operating, Operator: sp.operator.draw(r),
				Location: loc, FloorArea: roundTo(between(r, sp.floor), 10), Beds: math.Floor(between(r, sp.beds)), Community: c.code}, ci)
		}
	}
	if has[care.Canteen][ci] {
		sp := specOf(care.Canteen)
		if loc, _, ok := b.site(c, r, -1); ok {
			name := c.name + "老年食堂"
			if r.Float64() < 0.3 {
				name = c.stem + "长者食堂"
			}
			b.addFacility(care.Facility{Name: name, Type: care.Canteen, Status: care.Operating, Operator: sp.operator.draw(r),
				Location: loc, FloorArea: roundTo(between(r, sp.floor), 5), Community: c.code}, ci)
		}
	}
}

// station draws a community station. Its floor area meets the community's
// per-household norm (15 m² per 100 households in old areas, 20 in new)
// give or take, but a station is rarely built below the standard's 200 m²
// or above 750 m²: small communities get 200–350 m². Beds are about one
// per 30 m², 10 to 20.
func (b *demoBuild) station(c *community, r *rand.Rand, name string, loc orb.Point) care.Facility {
	sp := specOf(care.CommunityStation)
	norm := 20.0
	if c.old {
		norm = 15
	}
	floor := c.pop.Households * norm / 100 * uniform(r, 0.7, 1.5)
	if floor < sp.floor[0] {
		floor = uniform(r, sp.floor[0], 350)
	}
	floor = roundTo(min(floor, sp.floor[1]), 10)
	return care.Facility{Name: name, Type: care.CommunityStation, Status: care.Operating, Operator: sp.operator.draw(r),
		Location: loc, Community: c.code, FloorArea: floor,
		Beds: clamp(math.Round(floor/30+uniform(r, -2, 2)), sp.beds[0], sp.beds[1])}
}

// drawStatuses sets, type by type, which facilities are idle, being built
// or planned, and which are undersized, as quotas of the type's shares.
func (b *demoBuild) drawStatuses() {
	for ti, t := range []care.FacilityType{care.StreetCenter, care.CommunityStation, care.DayCare, care.Canteen, care.RuralPoint} {
		var of []int
		for i := range b.facilities {
			if b.facilities[i].Type == t {
				of = append(of, i)
			}
		}
		sp := specOf(t)
		r := newStream(b.seed, streamQuota, 100+uint64(ti))
		// Consecutive slices of one permutation, so that the statuses
		// do not overlap.
		perm := r.Perm(len(of))
		next := 0
		for _, st := range []struct {
			status care.FacilityStatus
			share  float64
		}{{care.Idle, sp.status.idle}, {care.UnderConstruction, sp.status.building}, {care.Planned, sp.status.planned}} {
			m := int(math.Round(st.share * float64(len(of))))
			if st.status == care.Idle && len(of) >= 5 && st.share > 0 {
				m = max(m, 1)
			}
			for ; m > 0 && next < len(perm); m-- {
				b.facilities[of[perm[next]]].Status = st.status
				next++
			}
		}
		for k, small := range quota(r, len(of), sp.undersize) {
			if small {
				undersize(&b.facilities[of[k]], r)
			}
		}
	}
}

// undersize makes f smaller than its type's minimum (第269号建议答复: 1500 m² and
// 50 beds for a centre, 200 m² and 10 beds for a station): a centre like
// 恩民政函〔2021〕3号's, 600 m² with 13 beds; a station short of floor, beds or both;
// a day-care centre below 350 m².
func undersize(f *care.Facility, r *rand.Rand) {
	switch f.Type {
	case care.StreetCenter:
		f.FloorArea, f.Beds = roundTo(uniform(r, 450, 1400), 10), float64(10+r.IntN(36))
		f.LandArea = roundTo(min(f.LandArea, f.FloorArea), 10)
		f.NursingBeds = min(f.NursingBeds, math.Floor(f.Beds*0.3))
	case care.CommunityStation:
		switch r.IntN(3) {
		case 0:
			f.FloorArea = roundTo(uniform(r, 80, 195), 5)
		case 1:
			f.Beds = float64(r.IntN(10))
		default:
			f.FloorArea, f.Beds = roundTo(uniform(r, 80, 195), 5), float64(r.IntN(10))
		}
	case care.DayCare:
		f.FloorArea = roundTo(uniform(r, 150, 340), 10)
	}
}

// institutions builds district di's care homes. Their beds make up the
// difference between the beds of the district's operating facilities and
// a drawn beds-per-1000-elders figure; a district that already has that
// many still has one small home. Some districts also have one more being
// built or planned, which does not count as supply (恩民政函〔2021〕3号).
func (b *demoBuild) institutions(di int) {
	d := &b.districts[di]
	r := newStream(b.seed, streamDistrict, uint64(di))
	sp := specOf(care.Institution)
	var elders, beds float64
	var comms []int
	for _, si := range d.streets {
		for _, ci := range b.streets[si].comms {
			elders += b.communities[ci].pop.Elders60
			comms = append(comms, ci)
		}
	}
	for i := range b.facilities {
		if f := &b.facilities[i]; f.Status == care.Operating && b.streets[b.communities[b.facHome[i]].street].district == di {
			beds += f.Beds
		}
	}
	need := uniform(r, minBedsPer1000, maxBedsPer1000)*elders/1000 - beds
	n := max(1, int(math.Round(need/280)))
	size := make([]float64, n)
	var sum float64
	for k := range size {
		size[k] = uniform(r, 0.6, 1.4)
		sum += size[k]
	}
	// Homes at the edge of town, where land is cheaper.
	weights := make([]float64, len(comms))
	for k, ci := range comms {
		weights[k] = 1.2 - b.communities[ci].urbanity
	}
	extra := r.Float64() < pExtraHome
	for k := range n + btoi(extra) {
		ci := comms[pick(r, weights)]
		c := &b.communities[ci]
		loc, _, ok := b.site(c, r, -1)
		if !ok {
			continue
		}
		f := care.Facility{Type: care.Institution, Status: care.Operating, Operator: sp.operator.draw(r), Location: loc, Community: c.code}
		switch {
		case k == n: // the extra one
			f.Status = [...]care.FacilityStatus{care.UnderConstruction, care.Planned}[r.IntN(2)]
			f.Beds = float64(150 + 10*r.IntN(16))
		case need <= 0:
			f.Beds = float64(60 + 10*r.IntN(5))
		default:
			f.Beds = clamp(math.Round(need*size[k]/sum/10)*10, 60, sp.beds[1])
		}
		f.FloorArea = roundTo(f.Beds*between(r, sp.floor), 10)
		f.LandArea = roundTo(f.FloorArea/uniform(r, 0.9, 1.8), 10)
		f.NursingBeds = math.Floor(f.Beds * uniform(r, 0.35, 0.7))
		f.Name = b.institutionName(d, c, k, f.Operator, r)
		b.addFacility(f, ci)
	}
}

// institutionName names a care home: the district's welfare home first;
// public homes in towns are 敬老院; private ones have gentler names.
func (b *demoBuild) institutionName(d *district, c *community, k int, op care.OperatorModel, r *rand.Rand) string {
	switch {
	case k == 0 && op == care.PublicRun:
		return d.name + "社会福利院"
	case op == care.PublicRun && b.streets[c.street].town:
		return b.streets[c.street].name + "敬老院"
	case op == care.PublicRun || op == care.PublicBuiltPrivateRun:
		return c.stem + [...]string{"养老院", "老年养护院", "颐养中心"}[r.IntN(3)]
	default:
		return c.stem + [...]string{"康养院", "老年公寓", "护理院", "颐养院"}[r.IntN(4)]
	}
}

// number puts the facilities in region order (by community, then type in
// hierarchy order) and gives them ids, F000001 for elder care and H000001
// for health. A name already taken (two homes in one town) gets a branch
// number: 二部, 三部, ...
func (b *demoBuild) number() {
	rank := map[care.FacilityType]int{}
	for k, t := range care.FacilityTypes() {
		rank[t] = k
	}
	names := map[string]int{}
	sortAndNumber := func(fs []care.Facility, home []int, prefix string) {
		idx := make([]int, len(fs))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(x, y int) int {
			return cmp.Or(cmp.Compare(home[x], home[y]), cmp.Compare(rank[fs[x].Type], rank[fs[y].Type]))
		})
		sorted := make([]care.Facility, len(fs))
		for k, i := range idx {
			f := fs[i]
			f.ID = fmt.Sprintf("%s%06d", prefix, k+1)
			if n := names[f.Name]; n > 0 {
				f.Name += branchNumber(n + 1)
			}
			names[fs[i].Name]++
			sorted[k] = f
		}
		copy(fs, sorted)
	}
	sortAndNumber(b.facilities, b.facHome, "F")
	sortAndNumber(b.health, b.healthHome, "H")
}

// branchNumber names the n-th branch of a facility: 二部 for n = 2.
func branchNumber(n int) string {
	if n <= 10 {
		return string([]rune("一二三四五六七八九十")[n-1]) + "部"
	}
	return strconv.Itoa(n) + "部"
}

// roundTo rounds x to a multiple of step, as floor areas are reported.
func roundTo(x, step float64) float64 { return math.Round(x/step) * step }
