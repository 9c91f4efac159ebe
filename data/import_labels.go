package data

// BoundaryLabel says where a community's boundary came from, for the
// report's and the map's community tables: "推算" (derived by import from
// its point and the walking network), "OSM", or "" for a boundary given
// with the data. lang is "zh" or "en".
func BoundaryLabel(source, lang string) string {
	switch source {
	case BoundaryDerived:
		if lang == "en" {
			return "derived"
		}
		return "推算"
	case BoundaryOSM:
		return "OSM"
	}
	return ""
}
