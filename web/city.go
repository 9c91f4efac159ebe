package web

import (
	"net/http"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
)

func (s *Server) getCity(w http.ResponseWriter, r *http.Request) error {
	c := s.bundle.City
	b := c.Network.Bound()
	type coded struct {
		Code  string       `json:"code"`
		Label planner.Text `json:"label"`
	}
	var types, statuses []coded
	for _, t := range planner.FacilityTypes() {
		types = append(types, coded{string(t), t.Label()})
	}
	for _, st := range planner.FacilityStatuses() {
		statuses = append(statuses, coded{string(st), st.Label()})
	}
	type region struct {
		Code   string        `json:"code"`
		Name   string        `json:"name"`
		Level  planner.Level `json:"level"`
		Parent string        `json:"parent,omitempty"`
		BBox   *[4]float64   `json:"bbox,omitempty"`  // for flying the map to it
		Label  *[2]float64   `json:"label,omitempty"` // where the map writes its name
	}
	regions := make([]region, len(c.Regions))
	for i, r := range c.Regions {
		regions[i] = region{Code: r.Code, Name: r.Name, Level: r.Level, Parent: r.Parent}
		if r.Boundary != nil {
			rb := r.Boundary.Bound()
			regions[i].BBox = &[4]float64{rb.Min[0], rb.Min[1], rb.Max[0], rb.Max[1]}
			if p, ok := labelPoint(r.Boundary); ok {
				regions[i].Label = &[2]float64{p[0], p[1]}
			}
		}
	}
	type layer struct {
		ID       string `json:"id"`
		TileJSON string `json:"tilejson"`
	}
	var layers []layer
	for _, l := range s.tiles.Layers() {
		layers = append(layers, layer{l, s.publicPath(r, "tiles/"+l+".json")})
	}
	p := s.model.Profile
	// A demo city's name carries "(synthetic district, seed 1)" for logs
	// and files; a planner sees its name, and "synthetic" says the rest.
	synthetic := s.bundle.Config.OSM == ""
	name := data.DisplayName(c.Name)
	attribution := "© OpenStreetMap contributors"
	if synthetic {
		attribution = ""
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name":      name,
		"synthetic": synthetic,
		"bbox":      [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		"center":    b.Center(),
		"profile": map[string]any{"name": p.Name, "title": p.Title,
			"urban_minutes": p.ServiceCircle.UrbanMinutes.Value, "rural_m": p.ServiceCircle.RuralMetres.Value,
			"speed_mps": p.Walking.SpeedMPS.Value},
		"layers":            layers,
		"facility_types":    types,
		"facility_statuses": statuses,
		"regions":           regions,
		"attribution":       attribution,
	})
	return nil
}
