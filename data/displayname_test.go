package data

import "testing"

func TestDisplayNameAndSource(t *testing.T) {
	names := map[string]string{
		"示范区 (synthetic district, seed 1)": "示范区",
		"南通市":                              "南通市",
		"Monaco":                           "Monaco",
	}
	for in, want := range names {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
	sources := []struct {
		src     string
		fromOSM bool
		lang    string
		want    string
	}{
		{"demo district seed 1", false, "zh", "合成示范数据（非真实城市）"},
		{"示范区 (synthetic district, seed 1)", false, "en", "synthetic demo data (not a real city)"},
		{"./nantong", true, "zh", "./nantong"},
		{"./mytables", false, "zh", "./mytables"},
	}
	for _, c := range sources {
		if got := DisplaySource(c.src, c.fromOSM, c.lang); got != c.want {
			t.Errorf("DisplaySource(%q, %v, %s) = %q, want %q", c.src, c.fromOSM, c.lang, got, c.want)
		}
	}
}
