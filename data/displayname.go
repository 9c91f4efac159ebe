package data

import "strings"

// DisplayName is a city's name as a planner reads it: a demo city's name
// carries "(synthetic district, seed 1)" for logs, files and the scenario
// store, which reports and the web app leave out (they say "synthetic"
// in their own words).
func DisplayName(name string) string {
	if before, _, ok := strings.Cut(name, " (synthetic "); ok {
		return before
	}
	return name
}

// DisplaySource says where a report's data come from, for its 数据来源
// line: a bundle folder as it is, a demo as synthetic data in lang rather
// than "demo district seed 1".
func DisplaySource(source string, fromOSM bool, lang string) string {
	if !fromOSM && (strings.HasPrefix(source, "demo ") || strings.Contains(source, " (synthetic ")) {
		if lang == "en" {
			return "synthetic demo data (not a real city)"
		}
		return "合成示范数据（非真实城市）"
	}
	return source
}
