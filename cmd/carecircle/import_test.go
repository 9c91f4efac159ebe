package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/data/sharedtest"
)

// TestImportPortoAlegreThenReport runs the command lines a bureau would:
// import central Porto Alegre from a community table of points (Chinese
// headers, 12-digit codes), the healthcare cells as stations and the real
// population grid as it is, then report on the bundle. The report lists
// every facility placed, the import report the one far from any walkway.
func TestImportPortoAlegreThenReport(t *testing.T) {
	pbf := sharedtest.Path(t, "poa", "porto_alegre.osm.pbf")
	gridPath := sharedtest.Path(t, "poa", "porto_alegre_hexgrid.csv")
	f, err := os.Open(gridPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	comm := [][]string{{"社区代码", "社区名称", "所属街道", "常住人口", "60岁以上人口", "经度", "纬度"}}
	fac := [][]string{{"编号", "名称", "类型", "状态", "经度", "纬度"}}
	for i, r := range rows[1:] {
		pop, _ := strconv.ParseFloat(r[3], 64)
		if pop > 0 && i%60 == 0 {
			n := len(comm)
			comm = append(comm, []string{fmt.Sprintf("431490%03d%03d", 1+n%2, n), fmt.Sprintf("社区%d", n), fmt.Sprintf("街道%d", 1+n%2),
				strconv.Itoa(int(pop) * 5), strconv.Itoa(int(pop)), r[1], r[2]})
		}
		if h, _ := strconv.Atoi(r[6]); h > 0 {
			fac = append(fac, []string{r[0], "养老服务站 " + r[0], "社区养老服务站", "运营中", r[1], r[2]})
		}
	}
	write := func(name string, rows [][]string) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		w.WriteAll(rows)
		f.Close()
		return p
	}
	c, fa := write("C.csv", comm), write("F.csv", fac)
	out := filepath.Join(dir, "poa")
	msg, err := run(t, "import", "--osm", pbf, "--communities", c, "--facilities", fa, "--population", gridPath, "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(msg))
	if !strings.Contains(msg, "116 facilities") {
		t.Errorf("import says %q, want 116 facilities placed", msg)
	}
	rep, _ := os.ReadFile(filepath.Join(out, "import-report.csv"))
	if !strings.Contains(string(rep), "far_from_walkway") {
		t.Errorf("import report lacks the facility far from any walkway:\n%s", rep)
	}
	jsonOut := filepath.Join(dir, "r.json")
	if _, err := run(t, "report", "--city", out, "--out", jsonOut); err != nil {
		t.Fatal(err)
	}
	var r struct {
		City struct {
			Indicators map[string]float64 `json:"indicators"`
		} `json:"city"`
		Facilities []struct {
			ID string `json:"id"`
		} `json:"facilities"`
	}
	raw, _ := os.ReadFile(jsonOut)
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	t.Logf("coverage_15min %.4f, elders_60 %.0f", r.City.Indicators["coverage_15min"], r.City.Indicators["elders_60"])
	if len(r.Facilities) != 116 {
		t.Errorf("the report lists %d facilities, want all 116 placed", len(r.Facilities))
	}
	if r.City.Indicators["elders_60"] <= 0 {
		t.Error("the report counts no elders")
	}
	if _, err := run(t, "import", "--osm", pbf, "--communities", c, "--out", out); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("overwriting a bundle: %v", err)
	}
	htmlOut := filepath.Join(dir, "r.html")
	if _, err := run(t, "report", "--city", out, "--out", htmlOut); err != nil {
		t.Fatal(err)
	}
	if h, _ := os.ReadFile(htmlOut); !strings.Contains(string(h), "推算") {
		t.Error("the HTML report does not say the community boundaries are derived")
	}
}
