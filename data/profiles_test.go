package data

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/planner"
)

func TestBuiltinProfilesList(t *testing.T) {
	want := []string{"anhui", "chongqing", "cn-default", "strict"}
	if got := BuiltinProfiles(); !reflect.DeepEqual(got, want) {
		t.Fatalf("BuiltinProfiles() = %v, want %v", got, want)
	}
	if !isBuiltinName(DefaultProfile) {
		t.Errorf("DefaultProfile %q is not a built-in", DefaultProfile)
	}
}

func TestBuiltinsLoadAndValidate(t *testing.T) {
	for _, name := range BuiltinProfiles() {
		t.Run(name, func(t *testing.T) {
			p, err := BuiltinProfile(name)
			if err != nil {
				t.Fatalf("BuiltinProfile: %v", err)
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if p.Name != name || p.Title.ZH == "" || p.Title.EN == "" || p.Description.ZH == "" || p.Description.EN == "" {
				t.Errorf("name/title/description incomplete: %q %+v %+v", p.Name, p.Title, p.Description)
			}
			// Reports print source, clause and confidence; the built-ins
			// state all three for every figure except pure settings, which
			// may have no clause.
			for _, f := range p.Figures() {
				if f.Source == "" || f.Confidence == "" {
					t.Errorf("%s: source %q, confidence %q; the built-ins state both", f.Key, f.Source, f.Confidence)
				}
				if f.Clause == "" && f.Confidence != planner.ConfidenceSetting {
					t.Errorf("%s: a %s figure must quote or locate its clause", f.Key, f.Confidence)
				}
				// Verified means the document's own words are quoted.
				if f.Confidence == planner.ConfidenceVerified && !strings.Contains(f.Clause, "“") {
					t.Errorf("%s: verified, but its clause %q quotes no words of the document", f.Key, f.Clause)
				}
			}
		})
	}
}

// The figures of the planning standards' "profiles to ship" and their indicator table.
// cn-default is listed in full; the others list only what differs, and
// everything else must equal cn-default.
var standardsFigures = map[string]map[string]float64{
	"cn-default": {
		"area.land_per_resident_m2":            0.1,
		"area.floor_per_100_households_new_m2": 20,
		"area.floor_per_100_households_old_m2": 15,
		"area.household_size":                  2.62,
		"street_center.per_unit":               1,
		"street_center.min_floor_m2":           1500,
		"street_center.min_beds":               50,
		"community_station.per_unit":           1,
		"community_station.min_floor_m2":       200,
		"community_station.min_beds":           10,
		"day_care.min_floor_m2":                350,
		"day_care.max_floor_m2":                750,
		"service_circle.urban_minutes":         15,
		"service_circle.inner_band_minutes":    5,
		"service_circle.middle_band_minutes":   10,
		"service_circle.rural_m":               1000,
		"walking.speed_mps":                    0.9,
		"walking.steps_factor":                 2.0,
		"walking.max_snap_m":                   500,
		"beds.per_1000_elders":                 40,
		"beds.nursing_share":                   0.55,
		"coverage.day_care_community_share":    0.9,
		"center_stations.stations_per_center":  10,
		"center_stations.reach_m":              3000,
		"health_colocation.max_distance_m":     300,
		"priority.elder_80_weight":             1.0,
		"station_merge.overlap_share":          0.7,
		"accessibility.catchment_minutes":      15,
	},
	"chongqing": {
		"area.land_per_resident_m2": 0.2,
		"area.household_size":       2.45,
	},
	// 安徽省《城市居住区配套建设养老服务设施实施细则》 (2022): 30/20 m² per
	// 100 households, 350 m² per site.
	"anhui": {
		"area.floor_per_100_households_new_m2": 30,
		"area.floor_per_100_households_old_m2": 20,
		"community_station.min_floor_m2":       350,
	},
	"strict": {
		"walking.speed_mps":                    0.8,
		"area.floor_per_100_households_new_m2": 30,
		"area.floor_per_100_households_old_m2": 20,
		"area.land_per_resident_m2":            0.2,
		"priority.elder_80_weight":             1.5,
	},
}

func TestBuiltinFiguresMatchStandards(t *testing.T) {
	base := standardsFigures["cn-default"]
	for _, name := range BuiltinProfiles() {
		t.Run(name, func(t *testing.T) {
			p, err := BuiltinProfile(name)
			if err != nil {
				t.Fatal(err)
			}
			over, ok := standardsFigures[name]
			if !ok {
				t.Fatalf("no expected figures for built-in %q; add them to standardsFigures", name)
			}
			figs := p.Figures()
			if len(figs) != len(base) {
				t.Errorf("profile has %d figures, the table %d: keep them in step", len(figs), len(base))
			}
			for _, f := range figs {
				want, ok := over[f.Key]
				if !ok {
					want, ok = base[f.Key]
				}
				if !ok {
					t.Errorf("%s: no expected value in the table", f.Key)
					continue
				}
				if math.Abs(f.Value-want) > 1e-12 {
					t.Errorf("%s = %v, want %v", f.Key, f.Value, want)
				}
			}
		})
	}

	// The non-numeric settings of the planning standards.
	cn, _ := BuiltinProfile("cn-default")
	cq, _ := BuiltinProfile("chongqing")
	st, _ := BuiltinProfile("strict")
	if !reflect.DeepEqual(cn.Supply.Statuses, []planner.FacilityStatus{planner.Operating}) {
		t.Errorf("cn-default supply statuses = %v, want only operating", cn.Supply.Statuses)
	}
	if cn.CenterStations.Enabled || !cq.CenterStations.Enabled || st.CenterStations.Enabled {
		t.Errorf("中心带站 must be on in chongqing only (cn %v, cq %v, strict %v)",
			cn.CenterStations.Enabled, cq.CenterStations.Enabled, st.CenterStations.Enabled)
	}
	for _, p := range []*planner.StandardsProfile{cn, cq, st} {
		if p.Accessibility.Decay != planner.DecayNone {
			t.Errorf("%s: decay %q, want none", p.Name, p.Accessibility.Decay)
		}
		if !planner.HasType(p.CommunityStation.FacilityTypes, planner.RuralPoint) {
			t.Errorf("%s: a rural point must count as a village's station (一村一站(点))", p.Name)
		}
	}

	// The worked figures of the bureaus' letters, through the built-ins.
	worked := []struct {
		name      string
		got, want float64
	}{
		{"恩阳区 land, cn-default", cn.LandRequired(642513), 64251.3},
		{"恩阳区 land, chongqing", cq.LandRequired(642513), 128502.6},
		{"恩阳区 land, strict", st.LandRequired(642513), 128502.6},
		{"15-minute circle, cn-default", cn.UrbanCircleMetres(), 810},
		{"15-minute circle, strict", st.UrbanCircleMetres(), 720},
	}
	for _, w := range worked {
		if math.Abs(w.got-w.want) > 1e-6 {
			t.Errorf("%s = %v, want %v", w.name, w.got, w.want)
		}
	}
	if got := planner.BedsPer1000(2783, 130876); math.Round(got*100)/100 != 21.26 {
		t.Errorf("恩阳区 beds per 1000 elders = %.4f, want 21.26", got)
	}
}

// writeFile writes a profile file for a test and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// profileProblems returns the problems of a *ProfileError, failing the test
// for any other error.
func profileProblems(t *testing.T, err error) []ProfileProblem {
	t.Helper()
	var pe *ProfileError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ProfileError", err, err)
	}
	return pe.Problems
}

func TestLoadProfileErrors(t *testing.T) {
	const header = "name: mine\ntitle: {zh: 我的, en: Mine}\nbase: cn-default\n"
	tests := []struct {
		name    string
		content string
		field   string // the dotted key the error must name
		line    int    // the line it must name
		inMsg   string // a phrase the message must contain
	}{
		{"unknown top-level key", header + "wlaking:\n  speed_mps: {value: 1, source: x}\n", "wlaking", 4, `unknown key "wlaking" at the top level`},
		{"unknown nested key", header + "walking:\n  spead_mps:\n    value: 1\n    source: x\n", "walking.spead_mps", 5, "known keys there: speed_mps, steps_factor"},
		{"unknown figure key", header + "walking:\n  speed_mps:\n    value: 1\n    sorce: x\n", "walking.speed_mps.sorce", 7, "known keys there: value, source, clause, confidence"},
		{"negative value", header + "area:\n  land_per_resident_m2:\n    value: -0.1\n    source: x\n", "area.land_per_resident_m2", 6, "must be > 0"},
		{"zero speed", header + "walking:\n  speed_mps: {value: 0, source: x}\n", "walking.speed_mps", 5, "must be > 0"},
		{"share above one", header + "beds:\n  nursing_share:\n    value: 55\n    source: x\n", "beds.nursing_share", 6, "must be ≤ 1"},
		{"text for a number", header + "walking:\n  speed_mps:\n    value: fast\n    source: x\n", "walking.speed_mps.value", 6, `want a number, got "fast"`},
		{"bare number for a figure", header + "walking:\n  speed_mps: 0.8\n", "walking.speed_mps", 5, "want a figure mapping"},
		{"changed value without source", header + "walking:\n  speed_mps:\n    value: 0.8\n", "walking.speed_mps.source", 5, "must name its source"},
		{"unknown status", header + "supply:\n  statuses: [operating, 运营]\n  source: x\n", "supply.statuses[1]", 5, `unknown facility status "运营"`},
		{"unknown type", header + "coverage:\n  facility_types: [community_station, hospital]\n", "coverage.facility_types[1]", 5, `unknown facility type "hospital"`},
		{"bands out of order", header + "service_circle:\n  inner_band_minutes: {value: 12, source: x}\n", "service_circle", 4, "bands must nest"},
		{"unknown decay", header + "accessibility:\n  decay: exponential\n", "accessibility.decay", 5, "want none, linear or gaussian"},
		{"bool as text", header + "center_stations:\n  enabled: maybe\n", "center_stations.enabled", 5, "want true or false"},
		{"syntax", header + "walking:\n  speed_mps: [1\n", "", 0, "YAML syntax"},
		{"two documents", header + "---\nname: other\n", "", 0, "one YAML document"},
		{"base missing own name", "base: cn-default\ntitle: {zh: 我的, en: Mine}\n", "name", 0, "must give its own name"},
		{"base name reused", "base: cn-default\nname: cn-default\ntitle: {zh: 我的, en: Mine}\n", "name", 2, "base's name"},
		{"base missing own title", "base: cn-default\nname: mine\n", "title", 0, "must give its own title"},
		{"unknown base", "base: shanghai\nname: mine\ntitle: {zh: 我的, en: Mine}\n", "base", 1, `unknown base profile "shanghai"`},
		{"no base, nothing else", "name: lonely\ntitle: {zh: 孤, en: Lonely}\n", "walking.speed_mps", 0, "must be > 0"},
		{"empty file", "", "", 0, "empty"},
		{"not a mapping", "- a\n- b\n", "", 1, "must be a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := writeFile(t, dir, "mine.yaml", tt.content)
			_, err := LoadProfile(file)
			if err == nil {
				t.Fatal("LoadProfile succeeded, want an error")
			}
			if !strings.Contains(err.Error(), file) {
				t.Errorf("error does not name the file %s: %v", file, err)
			}
			if !strings.Contains(err.Error(), tt.inMsg) {
				t.Errorf("error lacks %q: %v", tt.inMsg, err)
			}
			if tt.field == "" && tt.line == 0 {
				return
			}
			for _, p := range profileProblems(t, err) {
				if p.Field == tt.field && (tt.line == 0 || p.Line == tt.line) {
					if tt.field != "" && !strings.Contains(err.Error(), tt.field+":") {
						t.Errorf("message does not name field %s: %v", tt.field, err)
					}
					return
				}
			}
			t.Errorf("no problem names field %q at line %d: %v", tt.field, tt.line, err)
		})
	}
}

func TestBaseOverride(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "hill-city.yaml", `# A hill city: slower elders, steps dearer, 中心带站 on.
base: cn-default
name: hill-city
title: {zh: 山城, en: Hill city}
walking:
  steps_factor:
    value: 3
    source: "山城市民政局 test letter"
    clause: "台阶按三倍计时"
center_stations:
  enabled: true
supply:
  statuses: [operating, idle]
  source: "test: idle centres reopen within the year"
`)
	p, err := LoadProfile(file)
	if err != nil {
		t.Fatalf("LoadProfile: %v", err)
	}
	cn, _ := BuiltinProfile("cn-default")

	if p.Name != "hill-city" || p.Base != "cn-default" || p.Title.EN != "Hill city" {
		t.Errorf("name/base/title = %q/%q/%+v", p.Name, p.Base, p.Title)
	}
	if p.Description != (planner.Text{}) && p.Description != cn.Description {
		t.Errorf("description = %+v, want the base's", p.Description)
	}
	want := planner.Figure{Value: 3, Source: "山城市民政局 test letter", Clause: "台阶按三倍计时"}
	if p.Walking.StepsFactor != want {
		t.Errorf("steps_factor = %+v, want %+v (replaced whole, no base confidence)", p.Walking.StepsFactor, want)
	}
	if !p.CenterStations.Enabled || p.CenterStations.StationsPerCenter != cn.CenterStations.StationsPerCenter {
		t.Errorf("center_stations = %+v; want enabled with the base's figures", p.CenterStations)
	}
	if !p.CountsAsSupply(planner.Idle) || p.Supply.Clause != "" {
		t.Errorf("supply = %+v; want operating+idle with the file's source and no base clause", p.Supply)
	}
	// Everything the file does not mention is the base's.
	pf, cf := p.Figures(), cn.Figures()
	for i := range pf {
		if pf[i].Key == "walking.steps_factor" {
			continue
		}
		if *pf[i].Figure != *cf[i].Figure {
			t.Errorf("%s = %+v, want the base's %+v", pf[i].Key, *pf[i].Figure, *cf[i].Figure)
		}
	}
	if !reflect.DeepEqual(p.Beds.FacilityTypes, cn.Beds.FacilityTypes) {
		t.Errorf("beds.facility_types = %v, want the base's", p.Beds.FacilityTypes)
	}
	// The base is untouched (each load is a fresh copy).
	p.Beds.FacilityTypes[0] = planner.Health
	again, _ := BuiltinProfile("cn-default")
	if again.Beds.FacilityTypes[0] == planner.Health {
		t.Error("editing a derived profile changed the built-in")
	}

	// A base given as a path, relative to the including file; and a chain.
	writeFile(t, dir, "hill-strict.yaml", "base: hill-city.yaml\nname: hill-strict\ntitle: {zh: 山城严格, en: Hill city strict}\npriority:\n  elder_80_weight: {value: 2, source: test}\n")
	p2, err := Profile(filepath.Join(dir, "hill-strict.yaml"))
	if err != nil {
		t.Fatalf("Profile(path with a path base): %v", err)
	}
	if p2.Walking.StepsFactor.Value != 3 || p2.Priority.Elder80Weight.Value != 2 || p2.Base != "hill-city.yaml" {
		t.Errorf("chained profile: steps %v, 80+ weight %v, base %q", p2.Walking.StepsFactor.Value, p2.Priority.Elder80Weight.Value, p2.Base)
	}

	// A cycle is an error, not a hang.
	writeFile(t, dir, "a.yaml", "base: b.yaml\nname: a\ntitle: {zh: a, en: a}\n")
	writeFile(t, dir, "b.yaml", "base: a.yaml\nname: b\ntitle: {zh: b, en: b}\n")
	if _, err := LoadProfile(filepath.Join(dir, "a.yaml")); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("base cycle: got %v, want an error naming the cycle", err)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, name := range BuiltinProfiles() {
		t.Run(name, func(t *testing.T) {
			p, err := BuiltinProfile(name)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteProfile(&buf, p); err != nil {
				t.Fatal(err)
			}
			back, err := ParseProfile(buf.Bytes(), "round trip of "+name, "")
			if err != nil {
				t.Fatalf("reading back: %v\n%s", err, buf.String())
			}
			if !reflect.DeepEqual(p, back) {
				t.Errorf("round trip changed the profile:\nbefore %+v\nafter  %+v", p, back)
			}
		})
	}
}

func TestProfilePicks(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "local.yaml", "base: chongqing\nname: local\ntitle: {zh: 本地, en: Local}\n")
	tests := []struct {
		arg, want string
	}{
		{"cn-default", "cn-default"},
		{"chongqing", "chongqing"},
		{"strict", "strict"},
		{file, "local"},
	}
	for _, tt := range tests {
		p, err := Profile(tt.arg)
		if err != nil || p.Name != tt.want {
			t.Errorf("Profile(%q) = %v, %v; want %q", tt.arg, p, err, tt.want)
		}
	}
	for _, bad := range []string{"shanghai", filepath.Join(dir, "missing.yaml"), "../cn-default"} {
		if _, err := Profile(bad); err == nil {
			t.Errorf("Profile(%q) succeeded, want an error", bad)
		}
	}
	if _, err := BuiltinProfile("profiles/cn-default"); err == nil {
		t.Error("BuiltinProfile accepted a path")
	}
}

// docs/standards-profiles.md must describe every key a profile file can hold, so
// that the documentation cannot fall behind the code.
func TestDocsCoverEveryKey(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "standards-profiles.md"))
	if err != nil {
		t.Fatalf("reading docs/standards-profiles.md: %v", err)
	}
	p, _ := BuiltinProfile(DefaultProfile)
	var keys []string
	for _, f := range p.Figures() {
		keys = append(keys, f.Key)
	}
	for _, section := range knownKeys("") {
		keys = append(keys, section)
		for _, k := range knownKeys(section) {
			keys = append(keys, section+"."+k)
		}
	}
	for _, k := range keys {
		short := k[strings.LastIndex(k, ".")+1:]
		if !bytes.Contains(doc, []byte("`"+short+"`")) && !bytes.Contains(doc, []byte("`"+k+"`")) {
			t.Errorf("docs/standards-profiles.md does not mention `%s`", k)
		}
	}
}

// A bureau pastes the built-ins' citations into its letters: they cite
// documents (《title》 and number or date), never CareCircle's own notes.
func TestBuiltinCitationsNameDocuments(t *testing.T) {
	banned := regexp.MustCompile(`(?i)seed|para[p]hrase|standards[.]md|shared/`)
	for _, name := range BuiltinProfiles() {
		src, err := builtinProfiles.ReadFile("profiles/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if m := banned.FindString(string(src)); m != "" {
			t.Errorf("%s.yaml says %q; cite the document instead", name, m)
		}
		p, err := BuiltinProfile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Figures() {
			if f.Confidence == planner.ConfidenceVerified && !strings.Contains(f.Source, "《") {
				t.Errorf("%s %s: source %q names no document title in 《》", name, f.Key, f.Source)
			}
		}
	}
	// The per-100-household default is not traced to a document.
	cn, _ := BuiltinProfile("cn-default")
	for _, f := range cn.Figures() {
		if strings.HasPrefix(f.Key, "area.floor_per_100_households") && f.Confidence != planner.ConfidenceUnverified {
			t.Errorf("cn-default %s is %s; no document is quoted for it, so it is unverified", f.Key, f.Confidence)
		}
	}
}
