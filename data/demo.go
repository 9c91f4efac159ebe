package data

import (
	"context"
	"fmt"

	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/data/synthetic"
	"github.com/carecircle/carecircle/geo/osm"
	"github.com/paulmach/orb"
)

// DemoProfile is the standards profile of the demo cities: they are laid
// out like Chongqing's core, so they are judged by Chongqing's figures.
const DemoProfile = "chongqing"

// DemoBundle generates a synthetic demo city (preset tiny, district or
// city) as an in-memory bundle: the same city `carecircle gen` writes to a
// folder.
func DemoBundle(ctx context.Context, preset string, seed uint64) (*Bundle, error) {
	city, layout, err := synthetic.Demo(ctx, preset, seed)
	if err != nil {
		return nil, err
	}
	p, err := BuiltinProfile(DemoProfile)
	if err != nil {
		return nil, err
	}
	b := &Bundle{
		Config:  Config{Name: city.Name, CRS: crs.WGS84, Profile: DemoProfile},
		City:    city,
		Profile: p,
	}
	if len(layout.River) > 0 {
		b.Basemap.Water = []orb.Polygon{layout.River}
	}
	if len(layout.RiverLine) > 0 {
		b.Basemap.Waterways = []orb.LineString{layout.RiverLine}
	}
	for _, r := range layout.Roads {
		b.Basemap.Roads = append(b.Basemap.Roads, osm.Road{Name: r.Name, Highway: "primary", Lines: []orb.LineString{r.Line}})
	}
	return b, nil
}

// CitySource says which city a command works on: a bundle folder, or a
// demo preset when Dir is empty.
type CitySource struct {
	Dir  string
	Demo string // preset, used when Dir is empty
	Seed uint64
}

// String names the source for logs and reports.
func (s CitySource) String() string {
	if s.Dir != "" {
		return s.Dir
	}
	return fmt.Sprintf("demo %s seed %d", s.Demo, s.Seed)
}
