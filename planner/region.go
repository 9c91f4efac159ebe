package planner

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Level is where a region sits in the administrative hierarchy.
type Level string

// Region levels, from the top.
const (
	LevelCity      Level = "city"
	LevelDistrict  Level = "district"  // 区/县
	LevelStreet    Level = "street"    // 街道/乡镇
	LevelCommunity Level = "community" // 社区/村
)

// rank orders levels from the top (0) down.
func (l Level) rank() int {
	switch l {
	case LevelCity:
		return 0
	case LevelDistrict:
		return 1
	case LevelStreet:
		return 2
	case LevelCommunity:
		return 3
	}
	return -1
}

// ParseLevel accepts a level code.
func ParseLevel(s string) (Level, error) {
	l := Level(s)
	if l.rank() < 0 {
		return "", fmt.Errorf("level %q: want district, street or community", s)
	}
	return l, nil
}

// AreaType tells urban areas, judged by a walking-time circle, from rural
// ones, judged by a distance circle.
type AreaType string

// Area types.
const (
	Urban AreaType = "urban"
	Rural AreaType = "rural"
)

// ResidentialAge tells new residential areas from old ones: floor-area norms
// per household differ between them.
type ResidentialAge string

// Residential ages.
const (
	NewResidential ResidentialAge = "new"
	OldResidential ResidentialAge = "old"
)

// Population counts people by the cohorts the standards use. Counts are
// float64 because demand is spread over points in fractions.
type Population struct {
	Residents  float64 // all residents (常住人口)
	Households float64 // family households (家庭户)
	Elders60   float64 // aged 60 and over
	Elders80   float64 // aged 80 and over
}

// Add returns the sum of p and q.
func (p Population) Add(q Population) Population {
	return Population{p.Residents + q.Residents, p.Households + q.Households, p.Elders60 + q.Elders60, p.Elders80 + q.Elders80}
}

// Scale returns p with every count multiplied by f.
func (p Population) Scale(f float64) Population {
	return Population{p.Residents * f, p.Households * f, p.Elders60 * f, p.Elders80 * f}
}

// Region is a district, street or community (or the whole city).
// Streets and districts carry the sums of their communities.
type Region struct {
	Code     string // 12-digit 统计用区划代码 where known
	Name     string
	Level    Level
	Parent   string       // parent's code; empty for the top
	Boundary orb.Geometry // Polygon or MultiPolygon in WGS84; a Point when no boundary is known
	AreaType AreaType
	Age      ResidentialAge
	Population
	// BoundarySource says where Boundary came from when it was not given
	// with the region: "derived" (cut from the built-up area by walking
	// distance from the community's point) or "osm" (an administrative
	// boundary of the OSM extract); "" or "given" when it was given.
	BoundarySource string
}
