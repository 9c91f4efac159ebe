package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/xuri/excelize/v2"
)

func TestReportXLSXAndHTML(t *testing.T) {
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "r.xlsx")
	if _, err := run(t, "report", "--demo", "tiny", "--out", xlsx); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatalf("report.xlsx: %v", err)
	}
	if got := f.GetSheetList(); !slices.Equal(got, []string{"汇总", "街道", "社区", "设施", "缺口"}) {
		t.Fatalf("sheets %q", got)
	}
	f.Close()

	b, err := data.DemoBundle(context.Background(), "tiny", 1)
	if err != nil {
		t.Fatal(err)
	}
	var street planner.Region
	for _, r := range b.City.Regions {
		if r.Level == planner.LevelStreet {
			street = r
			break
		}
	}
	html := filepath.Join(dir, "street.html")
	if _, err := run(t, "report", "--demo", "tiny", "--region", street.Code, "--lang", "en", "--out", html); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("Elder-care coverage-gap report")) || !bytes.Contains(raw, []byte(street.Name)) || !bytes.Contains(raw, []byte(`<svg class="map"`)) {
		t.Fatal("the street's English HTML report lacks its title, the street or a map")
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--region", "999"}, `"999"`},
		{[]string{"--lang", "fr"}, "fr"},
		{[]string{"--format", "docx"}, "xlsx, html, pdf"},
		{[]string{"--scenario", "s-nope", "--db", filepath.Join(dir, "none.db")}, "no scenario database"},
	} {
		_, err := run(t, append([]string{"report", "--demo", "tiny", "--out", filepath.Join(dir, "x.json")}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("report %v: err %v, want one with %q", tc.args, err, tc.want)
		}
	}
}

func TestReportOfASavedScenario(t *testing.T) {
	ctx := context.Background()
	b, err := data.DemoBundle(ctx, "tiny", 1)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "scenarios.db")
	store, err := data.OpenScenarioStore(ctx, db, b.City.Name)
	if err != nil {
		t.Fatal(err)
	}
	loc := b.City.Demand[len(b.City.Demand)/2].Location
	sc, err := store.Create(ctx, "测试方案", &planner.Scenario{Added: []planner.Facility{
		{ID: "P-cli", Name: "拟建测试站", Type: planner.CommunityStation, Status: planner.Proposed, Location: loc, FloorArea: 250, Beds: 10},
	}})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()

	out := filepath.Join(t.TempDir(), "plan.xlsx")
	if _, err := run(t, "report", "--demo", "tiny", "--scenario", sc.ID, "--db", db, "--format", "xlsx", "--out", out); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("方案")
	if err != nil || len(rows) != 2 || rows[1][0] != "P-cli" {
		t.Fatalf("方案 sheet %q (%v)", rows, err)
	}
	all, _ := f.GetRows("汇总")
	text := ""
	for _, r := range all {
		text += strings.Join(r, " ") + "\n"
	}
	if !strings.Contains(text, "测试方案 ("+sc.ID) {
		t.Fatalf("汇总 does not name the scenario:\n%s", text)
	}
	if _, err := run(t, "report", "--demo", "tiny", "--scenario", "s-other", "--db", db, "--out", out); err == nil || !strings.Contains(err.Error(), "s-other") {
		t.Fatalf("unknown scenario: %v", err)
	}
}
