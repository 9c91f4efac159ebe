package data

import (
	"bytes"
	"regexp"
	"testing"
)

// A full profile written before walking.max_snap_m existed still loads,
// with the 500 m setting; a derived profile may change it.
func TestProfileWithoutMaxSnap(t *testing.T) {
	cn, err := BuiltinProfile("cn-default")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteProfile(&buf, cn); err != nil {
		t.Fatal(err)
	}
	old := regexp.MustCompile(`(?m)^  max_snap_m:\n(    .*\n)+`).ReplaceAll(buf.Bytes(), nil)
	if bytes.Equal(old, buf.Bytes()) {
		t.Fatal("the written profile has no walking.max_snap_m block to remove")
	}
	p, err := ParseProfile(old, "old.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	if f := p.Walking.MaxSnapMetres; f.Value != 500 || f.Source == "" || f.Confidence != "setting" {
		t.Errorf("walking.max_snap_m = %+v, want the 500 m setting with its source", f)
	}

	p, err = ParseProfile([]byte("base: cn-default\nname: far\ntitle: {en: Far}\nwalking:\n  max_snap_m: {value: 800, source: \"test bureau\"}\n"), "far.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	if p.Walking.MaxSnapMetres.Value != 800 {
		t.Errorf("derived walking.max_snap_m = %v, want 800", p.Walking.MaxSnapMetres.Value)
	}
}
