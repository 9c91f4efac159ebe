package synthetic

import (
	"context"
	"errors"
	"fmt"
	"strings"

	// The planner package is imported as care: this package has a type
	// named planner (the local-street planner of organic.go and ways.go).
	care "github.com/carecircle/carecircle/planner"
)

// DemoParams describes a demo city: the walking network to generate and
// the administrative and population figures to build on it. The figures
// are targets; a seed moves them a little, as real cities differ.
type DemoParams struct {
	// Network is the synthetic walking network.
	Network Params

	// Label is the city's Chinese name, e.g. 示范区; Kind says in English
	// what it is, e.g. "district". City.Name is "Label (synthetic Kind,
	// seed N)".
	Label, Kind string

	// Residents is the number of residents (常住人口) to aim at; the seed
	// moves the total by up to ±3 %.
	Residents float64

	// Communities is the number of communities (社区) and villages (村) to
	// aim at. Neighbourhoods of the network are split or merged to reach it;
	// see GenerateDemo.
	Communities int

	// CommunitiesPerStreet is the mean number of communities of a street
	// (街道) or town (镇).
	CommunitiesPerStreet float64

	// Districts is the number of districts (区).
	Districts int
}

// DemoPreset returns the demo city of a named size; the networks are those
// of Preset:
//
//   - "tiny": about 40,000 residents in 10 communities and 2 streets; for
//     unit tests, built in tens of milliseconds.
//   - "district": about 600,000 residents in about 80 communities and 11
//     streets on 23 km², like Chongqing's 渝中区 (588,717 residents in
//     2020).
//   - "city": about 10 million residents in about 5,000 communities, 300
//     streets and 25 districts on 1,300 km², with some 5,000 elder-care
//     facilities.
//   - "municipality": about 32 million residents in about 11,000 communities
//     and villages, 1,000 streets and towns and 38 districts and counties,
//     like 重庆市 (32.05 million residents in 2020, 38 区县), with some
//     15,000 facilities. See Preset for its network and cost.
//
// An unknown name is an error that lists the known ones.
func DemoPreset(name string) (DemoParams, error) {
	net, err := Preset(name)
	if err != nil {
		return DemoParams{}, err
	}
	d := DemoParams{Network: net, Kind: name}
	switch name {
	case "tiny":
		d.Label, d.Residents, d.Communities, d.CommunitiesPerStreet, d.Districts = "示范街区", 40_000, 10, 5, 1
	case "district":
		d.Label, d.Residents, d.Communities, d.CommunitiesPerStreet, d.Districts = "示范区", 600_000, 80, 7.5, 1
	case "city":
		d.Label, d.Residents, d.Communities, d.CommunitiesPerStreet, d.Districts = "示范市", 10_000_000, 5_000, 16, 25
	case "municipality":
		d.Label, d.Residents, d.Communities, d.CommunitiesPerStreet, d.Districts = "示范直辖市", 32_000_000, 11_000, 11, 38
	default:
		return DemoParams{}, fmt.Errorf("synthetic: unknown demo preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
	}
	return d, nil
}

// maxDistricts keeps district codes within 500101..500199.
const maxDistricts = 99

// Validate reports every field that is out of range.
func (d DemoParams) Validate() error {
	var errs []error
	if err := d.Network.Validate(); err != nil {
		errs = append(errs, err)
	}
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(d.Residents >= 1 && d.Residents <= 1e9, "Residents %g is not in [1, 1e9]", d.Residents)
	check(d.Communities >= 1, "Communities %d is below 1", d.Communities)
	check(d.CommunitiesPerStreet >= 1, "CommunitiesPerStreet %g is below 1", d.CommunitiesPerStreet)
	check(d.Districts >= 1 && d.Districts <= maxDistricts, "Districts %d is not in [1, %d]", d.Districts, maxDistricts)
	if len(errs) > 0 {
		return fmt.Errorf("synthetic: invalid demo params %q: %w", d.Kind, errors.Join(errs...))
	}
	return nil
}

// Demo builds the demo city of a preset (see DemoPreset) from seed: the
// planner's city (network, regions with their populations, demand points,
// elder-care and health facilities) and the generated network's layout
// (river, hills, centres, neighbourhoods) for base maps. The same preset
// and seed always give the same city.
func Demo(ctx context.Context, preset string, seed uint64) (*care.City, *City, error) {
	d, err := DemoPreset(preset)
	if err != nil {
		return nil, nil, err
	}
	return GenerateDemo(ctx, d, seed)
}

// GenerateDemo builds a demo city from d and seed; see Demo. It returns
// ctx's error if ctx is cancelled while it runs.
//
// # Regions
//
// Communities are made from the network's neighbourhoods (the cells of its
// main-road lattice). A park has no residents and joins a neighbour on its
// bank. Rural neighbourhoods that touch within a 2×2 square of the lattice
// form one village (村). An urban neighbourhood becomes one community (社区)
// or is cut into up to six, so that the city has about d.Communities: cuts
// run across the long axis of its street nodes and leave parts with equal
// numbers of them. A community's boundary is the union of its parts, in one
// piece.
//
// Streets (街道, or 镇 where most residents live in villages) and
// districts divide the lattice by recursive bisection, weighted by
// communities (about d.CommunitiesPerStreet per street), with any piece
// bisection leaves apart moved to the group it borders most. A street
// never straddles the river; with more than one district, a district does
// not either. Regions are listed districts first, then streets, then
// communities, each in lattice order, with 统计用区划代码-like codes (see
// makeRegions) and generated place names.
//
// # People
//
// Residents follow density × area (see residentWeight), scaled to
// d.Residents. Communities near the centres are old residential areas with
// more elders (25–30 % aged 60+, 2.25–2.5 persons per household), those
// farther out new ones (15–18 %, 2.4–2.7), villages old and aged; the
// city's shares land near the 2020 census for Chongqing: 21.9 % aged 60+,
// 14.3 % of them 80+, 2.45 persons per household. Each community's people
// are spread over demand points, one per H3 res-10 cell holding its street
// nodes (see placeDemand).
//
// # Facilities
//
// Most streets have an elder-care centre, most urban communities a
// station, some a day-care centre or a canteen, most villages a rural
// point; each district has care homes; health centres and stations stand
// in every street and most communities. Every facility stands a few
// metres off a street node of its community, on land. The gaps of the
// bureaus' letters are drawn as quotas: streets without a centre,
// communities without a station or with two close together, idle, unbuilt
// and undersized facilities, stations far from health care, and fewer
// beds than 40 per 1000 elders (see placeFacilities).
func GenerateDemo(ctx context.Context, d DemoParams, seed uint64) (*care.City, *City, error) {
	if err := d.Validate(); err != nil {
		return nil, nil, err
	}
	net, err := Generate(ctx, d.Network, seed)
	if err != nil {
		return nil, nil, err
	}
	b := newDemoBuild(d, net, seed)
	steps := []func(context.Context) error{
		b.formBlocks,
		b.formCommunities,
		b.formHierarchy,
		b.populate,
		b.makeRegions,
		b.placeDemand,
		b.placeFacilities,
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if err := step(ctx); err != nil {
			return nil, nil, err
		}
	}
	city := &care.City{
		Name:       fmt.Sprintf("%s (synthetic %s, seed %d)", d.Label, d.Kind, seed),
		Network:    net.Graph,
		Regions:    b.regions,
		Facilities: b.facilities,
		Health:     b.health,
		Demand:     b.demand,
	}
	return city, net, nil
}

// Stream tags of the demo layer, well apart from the network's (rand.go)
// so that either can add streams without shifting the other.
const (
	streamParks     uint64 = 101 + iota // which neighbour a park joins
	streamPeople                        // a community's population draws
	streamNames                         // place names
	streamTotal                         // the city's total population
	streamCommunity                     // a community's facilities
	streamStreet                        // a street's centre and health centre
	streamDistrict                      // a district's institutions
	streamQuota                         // which units have a facility, statuses, undersizing
)

// demoBuild is the state of one demo city being built. The steps of
// GenerateDemo fill it in order.
type demoBuild struct {
	d    DemoParams
	seed uint64
	net  *City
	lat  lattice

	blocks      []block
	communities []community // in region order once formHierarchy has run
	streets     []street
	districts   []district

	regions    []care.Region
	demand     []care.DemandPoint
	facilities []care.Facility
	health     []care.Facility
	facHome    []int // community index of each facility, for the final order
	healthHome []int
}

func newDemoBuild(d DemoParams, net *City, seed uint64) *demoBuild {
	return &demoBuild{d: d, seed: seed, net: net, lat: newLattice(net.Neighbourhoods)}
}
