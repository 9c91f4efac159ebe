package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/data/crs"
	"github.com/carecircle/carecircle/data/sharedtest"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/web"
)

// TestBrowserRealCity imports the real cities shipped as examples (the
// OSM extracts of ../shared/data with the bureau-style tables of
// examples/, as examples/import.sh does): Monaco, its people spread over
// its real buildings, and central Porto Alegre with its real population
// grid and 117 healthcare cells as stations, and a Chinese-named piece of
// Nantong. Each is served on 127.0.0.1 and web/e2e/realcity.mjs runs in
// headless chromium: the map credits OpenStreetMap, draws the real street
// names at zoom 16 (in Nantong, whose extract names no road, Chinese
// community and facility names), and asks nothing of any other host. It skips like TestBrowserEndToEnd, and when the
// shared data is absent.
func TestBrowserRealCity(t *testing.T) {
	node := needBrowser(t)
	for _, city := range []struct {
		dir, name, osm, population string
		mode                       string // of realcity.mjs
	}{
		{dir: "monaco", name: "Monaco", osm: "osm/monaco.osm.pbf", mode: "streets"},
		{dir: "porto-alegre", name: "Porto Alegre", osm: "poa/porto_alegre.osm.pbf", population: "poa/porto_alegre_hexgrid.csv", mode: "streets"},
		// The Nantong extract names no road: its Chinese names on the
		// map are the communities' and the facility's.
		{dir: "nantong", name: "海门区", osm: "osm/nantong.osm", mode: "chinese-places"},
	} {
		t.Run(city.dir, func(t *testing.T) {
			tables := filepath.Join("..", "examples", city.dir)
			opt := data.ImportOptions{Name: city.name, CRS: crs.WGS84, Out: filepath.Join(t.TempDir(), city.dir),
				OSM:         sharedtest.Path(t, strings.Split(city.osm, "/")...),
				Communities: filepath.Join(tables, "社区.csv"), Facilities: filepath.Join(tables, "设施.csv")}
			if city.population != "" {
				opt.Population = sharedtest.Path(t, strings.Split(city.population, "/")...)
			}
			browseImportedCity(t, node, opt, city.mode)
		})
	}
}

// browseImportedCity imports opt, serves the bundle on 127.0.0.1 and runs
// realcity.mjs in mode on it; screenshots go to e2e/artefacts/<city
// folder>.
func browseImportedCity(t *testing.T, node string, opt data.ImportOptions, mode string) {
	ctx := context.Background()
	start := time.Now()
	res, err := data.Import(ctx, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := res.Bundle
	if len(b.Basemap.Roads) == 0 && mode == "streets" {
		t.Fatal("the imported city has no named roads")
	}
	m, err := planner.NewModel(ctx, b.City, b.Profile, b.Index)
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.OpenScenarioStore(ctx, filepath.Join(t.TempDir(), "scenarios.db"), b.City.Name)
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
	t.Logf("%s imported and served at %s in %s: %d named roads, %d buildings, %d facilities", b.City.Name, ts.URL, time.Since(start).Round(time.Millisecond),
		len(b.Basemap.Roads), len(b.Basemap.Buildings), len(b.City.Facilities))

	artefacts, err := filepath.Abs(filepath.Join("e2e", "artefacts", filepath.Base(opt.Out)))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, node, "realcity.mjs", ts.URL+"/", artefacts, mode)
	cmd.Dir = "e2e"
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromiumPath())
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	t.Logf("node realcity.mjs output:\n%s", out)
	if err != nil {
		t.Fatalf("real-city browser test failed (%v); screenshots in %s", err, artefacts)
	}
}
