package data

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/carecircle/carecircle/planner"
)

// SuggestionFormats lists the formats WriteSuggestions writes.
var SuggestionFormats = []string{"json", "geojson"}

// WriteSuggestions writes the optimiser's answer in format: "json" (the
// OptimizeResult as it is) or "geojson" (the suggested sites as Point
// features in the order chosen, each with the site's fields as properties
// and "order", 1 for the first; the answer's other fields are members of
// the collection).
func WriteSuggestions(w io.Writer, format string, r *planner.OptimizeResult) error {
	var v any = r
	switch format {
	case "json":
	case "geojson":
		fc, err := suggestionFeatures(r)
		if err != nil {
			return err
		}
		v = fc
	default:
		return fmt.Errorf("suggestions format %q: want json or geojson", format)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func suggestionFeatures(r *planner.OptimizeResult) (*geojson.FeatureCollection, error) {
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
