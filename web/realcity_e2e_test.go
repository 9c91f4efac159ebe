package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/data/sharedtest"
	"github.com/carecircle/carecircle/geo/osm"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/web"
)

// TestBrowserRealCity imports Monaco from its OpenStreetMap extract and a
// table of four community points (as `carecircle import` does), serves it
// on 127.0.0.1 and runs web/e2e/realcity.mjs in headless chromium: the map
// credits OpenStreetMap, draws the real street names at zoom 16, and asks
// nothing of any other host. It skips like TestBrowserEndToEnd, and when
// the shared data is absent.
func TestBrowserRealCity(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("browser test skipped: node is not installed (.ci/run installs it with chromium)")
	}
	if _, err := os.Stat(chromiumPath()); err != nil {
		t.Skipf("browser test skipped: no chromium at %s", chromiumPath())
	}
	if _, err := os.Stat(filepath.Join("e2e", "node_modules", "playwright-core", "package.json")); err != nil {
		t.Skip("browser test skipped: web/e2e/node_modules/playwright-core is missing (run `npm ci` in web/e2e)")
	}
	pbf := sharedtest.Path(t, "osm", "monaco.osm.pbf")
	ctx := context.Background()
	dir := t.TempDir()

	// Four communities at buildings spread west to east, as a bureau's
	// table of community points would place them.
	ex, err := osm.Load(ctx, pbf, osm.Options{Buildings: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Buildings) < 100 {
		t.Fatalf("%d buildings in %s", len(ex.Buildings), pbf)
	}
	sort.Slice(ex.Buildings, func(i, j int) bool {
		return ex.Buildings[i].Footprint.Bound().Center()[0] < ex.Buildings[j].Footprint.Bound().Center()[0]
	})
	comm := filepath.Join(dir, "communities.csv")
	rows := [][]string{{"社区代码", "社区名称", "所属街道", "所属区县", "常住人口", "60岁以上人口", "80岁以上人口", "经度", "纬度"}}
	for i := range 4 {
		c := ex.Buildings[(2*i+1)*len(ex.Buildings)/8].Footprint.Bound().Center()
		rows = append(rows, []string{fmt.Sprintf("492000001%03d", i+1), fmt.Sprintf("Quartier %d", i+1), "Secteur 1", "Monaco",
			"9000", "2700", "450", strconv.FormatFloat(c[0], 'f', 7, 64), strconv.FormatFloat(c[1], 'f', 7, 64)})
	}
	f, err := os.Create(comm)
	if err != nil {
		t.Fatal(err)
	}
	if err := csv.NewWriter(f).WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	f.Close()

	start := time.Now()
	res, err := data.Import(ctx, data.ImportOptions{OSM: pbf, Communities: comm, CRS: crs.WGS84, Out: filepath.Join(dir, "monaco"), Name: "Monaco"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := res.Bundle
	if len(b.Basemap.Roads) == 0 {
		t.Fatal("the imported city has no named roads")
	}
	m, err := planner.NewModel(ctx, b.City, b.Profile, b.Index)
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.OpenScenarioStore(ctx, filepath.Join(dir, "scenarios.db"), b.City.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := web.New(web.Config{Bundle: b, Model: m, Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	t.Logf("Monaco imported and served at %s in %s: %d named roads, %d buildings", ts.URL, time.Since(start).Round(time.Millisecond), len(b.Basemap.Roads), len(b.Basemap.Buildings))

	artefacts, err := filepath.Abs(filepath.Join("e2e", "artefacts"))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, node, "realcity.mjs", ts.URL+"/", artefacts)
	cmd.Dir = "e2e"
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromiumPath())
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	t.Logf("node realcity.mjs output:\n%s", out)
	if err != nil {
		t.Fatalf("real-city browser test failed (%v); screenshots in %s", err, artefacts)
	}
}
