package data

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/twpayne/go-geom"
	kmlgeom "github.com/twpayne/go-geom/encoding/kml"
	"github.com/twpayne/go-kml/v3"

	"github.com/carecircle/carecircle/planner/siting"
)

// SuggestionFormats lists the formats WriteSuggestions writes.
var SuggestionFormats = []string{"json", "geojson", "kml"}

// WriteSuggestions writes the optimiser's answer in format: "json" (the
// OptimizeResult as it is), "geojson" (the suggested sites as Point
// features in the order chosen, each with the site's fields as properties
// and "order", 1 for the first; the answer's other fields are members of
// the collection) or "kml" (a placemark a site, numbered in order, for
// Google Earth, 奥维互动地图 and other desktop maps).
func WriteSuggestions(w io.Writer, format string, r *siting.OptimizeResult) error {
	var v any = r
	switch format {
	case "json":
	case "geojson":
		fc, err := suggestionFeatures(r)
		if err != nil {
			return err
		}
		v = fc
	case "kml":
		return writeSuggestionsKML(w, r)
	default:
		return fmt.Errorf("suggestions format %q: want %s", format, strings.Join(SuggestionFormats, ", "))
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func suggestionFeatures(r *siting.OptimizeResult) (*geojson.FeatureCollection, error) {
	fc := geojson.NewFeatureCollection()
	for i, s := range r.Sites {
		props, err := jsonObject(s)
		if err != nil {
			return nil, err
		}
		props["order"] = i + 1
		f := geojson.NewFeature(orb.Point{s.Lon, s.Lat})
		f.Properties = props
		fc.Append(f)
	}
	rest := *r
	rest.Sites = nil
	members, err := jsonObject(rest)
	if err != nil {
		return nil, err
	}
	delete(members, "sites")
	fc.ExtraMembers = members
	return fc, nil
}

// jsonObject is v as its JSON object's members.
func jsonObject(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	err = json.Unmarshal(b, &m)
	return m, err
}

// writeSuggestionsKML writes one placemark a site, named by its order and
// name, with its gain in the description and every field as ExtendedData.
func writeSuggestionsKML(w io.Writer, r *siting.OptimizeResult) error {
	doc := []kml.Element{
		kml.Name(fmt.Sprintf("选址建议 / suggested sites: %d", len(r.Sites))),
		kml.Description(fmt.Sprintf("15分钟覆盖率 coverage %.2f%% → %.2f%%; 新增覆盖老人 elders newly covered %.0f; 与最优解差距不超过 within %.2f%% of the best possible",
			100*r.CoverageBefore, 100*r.CoverageAfter, r.TotalGain, 100*r.BoundGap)),
	}
	for i, s := range r.Sites {
		pt, err := kmlgeom.Encode(geom.NewPointFlat(geom.XY, []float64{s.Lon, s.Lat}))
		if err != nil {
			return err
		}
		props, err := jsonObject(s)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		data := []kml.Element{kml.Data("order", kml.Value(i+1))}
		for _, k := range keys {
			data = append(data, kml.Data(k, kml.Value(fmt.Sprint(props[k]))))
		}
		name := s.Name
		if name == "" {
			name = s.Type.Label().ZH
		}
		doc = append(doc, kml.Placemark(
			kml.Name(fmt.Sprintf("%d. %s", i+1, name)),
			kml.Description(fmt.Sprintf("%s; 新增覆盖老人 elders newly covered %.0f; 覆盖率 coverage after %.2f%%; %g m²; 社区 community %s",
				s.Type.Label().ZH, s.GainElders, 100*s.CoverageAfter, s.FloorArea, s.Community)),
			kml.ExtendedData(data...),
			pt,
		))
	}
	return kml.KML(kml.Document(doc...)).WriteIndent(w, "", "  ")
}
