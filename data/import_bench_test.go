package data

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/carecircle/carecircle/data/sharedtest"
	"github.com/carecircle/carecircle/planner"
)

// BenchmarkImportPortoAlegre imports central Porto Alegre from community
// points, the real grid and the healthcare cells (see
// TestImportPortoAlegre), loading the bundle back included.
func BenchmarkImportPortoAlegre(b *testing.B) {
	pbf := sharedtest.Path(b, "poa", "porto_alegre.osm.pbf")
	cells := poaReadGrid(b, sharedtest.Path(b, "poa", "porto_alegre_hexgrid.csv"))
	dir := b.TempDir()
	comm, fac, grid := poaImportTables(b, dir, cells)
	for i := 0; b.Loop(); i++ {
		_, err := Import(context.Background(), ImportOptions{OSM: pbf, Communities: comm, Facilities: fac, Population: grid, CRS: "wgs84",
			Out: filepath.Join(dir, "out"), Name: "Porto Alegre"}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// syntheticAsTables writes a demo city back as the tables a bureau has:
// its network and buildings as OSM, a community table of points only
// (codes, names, streets, districts, head counts) and the facility list.
func syntheticAsTables(b *testing.B, preset, dir string) ImportOptions {
	bundle, err := DemoBundle(context.Background(), preset, 1)
	if err != nil {
		b.Fatal(err)
	}
	if err := WriteBundle(filepath.Join(dir, "gen"), bundle); err != nil {
		b.Fatal(err)
	}
	c := bundle.City
	parent := map[string]string{}
	for _, r := range c.Regions {
		parent[r.Code] = r.Parent
	}
	rows := [][]string{{"社区代码", "社区名称", "街道代码", "区县代码", "常住人口", "户数", "60岁以上人口", "80岁以上人口", "经度", "纬度"}}
	for _, r := range c.Regions {
		if r.Level != planner.LevelCommunity {
			continue
		}
		p := planner.InteriorPoint(r.Boundary)
		rows = append(rows, []string{r.Code, r.Name, r.Parent, parent[r.Parent], ftoa(r.Residents), ftoa(r.Households), ftoa(r.Elders60), ftoa(r.Elders80), ftoa(p[0]), ftoa(p[1])})
	}
	opt := ImportOptions{OSM: filepath.Join(dir, "gen", NetworkFile), Communities: filepath.Join(dir, "communities.csv"),
		Facilities: filepath.Join(dir, "gen", FacilitiesFile), CRS: "wgs84", Out: filepath.Join(dir, "out"), Name: c.Name}
	writeTestCSV(b, opt.Communities, rows)
	return opt
}

// BenchmarkImportSynthetic imports a demo city written back as tables.
func BenchmarkImportSynthetic(b *testing.B) {
	for _, preset := range []string{"district", "city"} {
		b.Run(preset, func(b *testing.B) {
			opt := syntheticAsTables(b, preset, b.TempDir())
			for b.Loop() {
				res, err := Import(context.Background(), opt, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(res.Bundle.Stats.Regions[planner.LevelCommunity]), "communities")
			}
		})
	}
}
