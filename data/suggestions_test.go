package data

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/planner/siting"
)

func TestWriteSuggestions(t *testing.T) {
	r := &siting.OptimizeResult{Problem: siting.ProblemMaxCoverage, Objective: "weighted_elders",
		Sites: []siting.SuggestedSite{
			{ID: "B-1", Name: "原粮站", Lon: 106.551234, Lat: 29.561234, Type: planner.CommunityStation, FloorArea: 350, Community: "500103001001", GainElders: 812.5, CoverageAfter: 0.91},
			{ID: "node-42", Lon: 106.56, Lat: 29.57, Type: planner.StreetCenter, FloorArea: 1500, Community: "500103001002", GainElders: 120, CoverageAfter: 0.93},
		},
		TotalGain: 932.5, CoverageBefore: 0.89, CoverageAfter: 0.93, Bound: 1000, BoundGap: 0.0675}

	var js bytes.Buffer
	if err := WriteSuggestions(&js, "json", r); err != nil {
		t.Fatal(err)
	}
	var back siting.OptimizeResult
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Sites) != 2 || back.Sites[1].ID != "node-42" {
		t.Fatalf("json: %v %s", err, js.String())
	}

	var gj bytes.Buffer
	if err := WriteSuggestions(&gj, "geojson", r); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]any
		}
		TotalGain float64 `json:"total_gain_elders"`
	}
	if err := json.Unmarshal(gj.Bytes(), &fc); err != nil || len(fc.Features) != 2 || fc.TotalGain != 932.5 ||
		fc.Features[0].Properties["order"] != 1.0 || fc.Features[0].Geometry.Coordinates[0] != 106.551234 {
		t.Fatalf("geojson: %v %s", err, gj.String())
	}

	var km bytes.Buffer
	if err := WriteSuggestions(&km, "kml", r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Document struct {
			Placemarks []struct {
				Name        string `xml:"name"`
				Description string `xml:"description"`
				Coordinates string `xml:"Point>coordinates"`
				Data        []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value"`
				} `xml:"ExtendedData>Data"`
			} `xml:"Placemark"`
		}
	}
	if err := xml.Unmarshal(km.Bytes(), &doc); err != nil {
		t.Fatalf("kml is not XML: %v\n%s", err, km.String())
	}
	pm := doc.Document.Placemarks
	if len(pm) != 2 {
		t.Fatalf("%d placemarks, want 2:\n%s", len(pm), km.String())
	}
	for i, s := range r.Sites {
		var lon, lat float64
		if _, err := fmt.Sscanf(strings.TrimSpace(pm[i].Coordinates), "%g,%g", &lon, &lat); err != nil || lon != s.Lon || lat != s.Lat {
			t.Errorf("placemark %d at %q, want %v,%v", i+1, pm[i].Coordinates, s.Lon, s.Lat)
		}
		if !strings.HasPrefix(pm[i].Name, fmt.Sprintf("%d. ", i+1)) || !strings.Contains(pm[i].Description, fmt.Sprintf("%.0f", s.GainElders)) {
			t.Errorf("placemark %d: %q / %q", i+1, pm[i].Name, pm[i].Description)
		}
		data := map[string]string{}
		for _, d := range pm[i].Data {
			data[d.Name] = d.Value
		}
		if data["id"] != s.ID || data["community_code"] != s.Community || data["order"] != fmt.Sprint(i+1) {
			t.Errorf("placemark %d data %v", i+1, data)
		}
	}
	if pm[0].Name != "1. 原粮站" || pm[1].Name != "2. "+planner.StreetCenter.Label().ZH { // unnamed: its type
		t.Errorf("names %q, %q", pm[0].Name, pm[1].Name)
	}

	if err := WriteSuggestions(&km, "shp", r); err == nil || !strings.Contains(err.Error(), "json, geojson, kml") {
		t.Errorf("unknown format: %v", err)
	}
}
