package data

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/carecircle/carecircle/data/crs"
)

// ConfigFile is the name of a bundle's configuration file.
const ConfigFile = "city.yaml"

// Config is a bundle's city.yaml: the city's name, the coordinate system of
// its inputs, its standards profile and its files. File names are relative
// to the bundle folder (absolute paths work too).
type Config struct {
	// Name is the city's name, e.g. "南通市崇川区".
	Name string `yaml:"name"`
	// CRS is the coordinate system of the lon/lat in regions, facilities,
	// health and population (wgs84, gcj02 or bd09; provider names such as
	// amap or baidu are accepted and stored canonical). The OSM extract and
	// H3 cell ids are always WGS84.
	CRS crs.System `yaml:"crs"`
	// Profile is a built-in standards profile name or a profile file;
	// empty means DefaultProfile.
	Profile string `yaml:"profile,omitempty"`
	// OSM is the OSM extract (PBF or XML, plain, .gz or .bz2).
	OSM string `yaml:"osm"`
	// Regions is the regions GeoJSON.
	Regions string `yaml:"regions"`
	// Facilities is the facility list (.csv, .xlsx or .geojson).
	Facilities string `yaml:"facilities"`
	// Population is the optional population grid (.csv or .xlsx).
	Population string `yaml:"population,omitempty"`
	// Health is the optional list of community health facilities.
	Health string `yaml:"health,omitempty"`
	// Walk overrides the profile's walking figures for this city.
	Walk *WalkOverride `yaml:"walk,omitempty"`

	// lines holds the line of each key ("walk.speed_mps" for nested
	// ones), for problems found after parsing.
	lines map[string]int
}

// WalkOverride replaces a profile's walking figures for one city (a hill
// city may want a higher steps factor). Absent keys keep the profile's.
type WalkOverride struct {
	// SpeedMPS is elders' walking speed on the flat, m/s.
	SpeedMPS *float64 `yaml:"speed_mps,omitempty"`
	// StepsFactor multiplies the time spent on steps.
	StepsFactor *float64 `yaml:"steps_factor,omitempty"`
}

// WalkOverrideSource is the source given to walking figures that city.yaml
// overrides, so that reports say where the value came from.
const WalkOverrideSource = "city.yaml walk override"

// configKeys lists the keys of city.yaml and of its walk block, for
// unknown-key errors.
var configKeys = []string{"name", "crs", "profile", "osm", "regions", "facilities", "population", "health", "walk"}
var walkKeys = []string{"speed_mps", "steps_factor"}

// readConfig reads dir/city.yaml. Unknown keys, values of the wrong type,
// missing required keys and an unknown crs are problems with their line.
func readConfig(dir string) (*Config, []Problem) {
	src, err := readLimited(filepath.Join(dir, ConfigFile), maxYAMLBytes, "")
	if err != nil {
		msg := fileError(err)
		if errors.Is(err, os.ErrNotExist) {
			msg = "no such file; a city bundle is a folder with a city.yaml (see docs/data-format.md)"
		}
		return nil, []Problem{{File: ConfigFile, Message: msg}}
	}
	return parseConfig(src)
}

// parseConfig checks the document's keys and types node by node (so every
// problem is reported with its line), then decodes it with KnownFields as a
// second guard.
func parseConfig(src []byte) (*Config, []Problem) {
	var probs []Problem
	bad := func(line int, field, format string, args ...any) {
		probs = append(probs, Problem{File: ConfigFile, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		bad(line, "", "not valid YAML: %s", msg)
		return nil, probs
	}
	if len(doc.Content) == 0 {
		bad(0, "", "the file is empty; want the keys %s", strings.Join(configKeys, ", "))
		return nil, probs
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		bad(root.Line, "", "want a mapping of keys (%s)", strings.Join(configKeys, ", "))
		return nil, probs
	}
	seen := map[string]bool{}
	lines := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		lines[k.Value] = k.Line
		if !contains(configKeys, k.Value) {
			bad(k.Line, k.Value, "unknown key; want one of %s", strings.Join(configKeys, ", "))
			continue
		}
		seen[k.Value] = true
		if k.Value == "walk" {
			if v.Tag == "!!null" {
				continue // "walk:" with nothing under it overrides nothing
			}
			if v.Kind != yaml.MappingNode {
				bad(v.Line, "walk", "want a mapping with %s", strings.Join(walkKeys, ", "))
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				wk, wv := v.Content[j], v.Content[j+1]
				lines["walk."+wk.Value] = wk.Line
				if !contains(walkKeys, wk.Value) {
					bad(wk.Line, "walk."+wk.Value, "unknown key; want one of %s", strings.Join(walkKeys, ", "))
					continue
				}
				if _, err := strconv.ParseFloat(wv.Value, 64); wv.Kind != yaml.ScalarNode || err != nil {
					bad(wv.Line, "walk."+wk.Value, "want a number, got %q", wv.Value)
				}
			}
			continue
		}
		optional := k.Value == "profile" || k.Value == "population" || k.Value == "health"
		if v.Kind != yaml.ScalarNode || (v.Tag == "!!null" && !optional) {
			bad(v.Line, k.Value, "want text (a name or a file name)")
		}
	}
	for _, k := range []string{"name", "crs", "osm", "regions", "facilities"} {
		if !seen[k] {
			bad(0, k, "missing; city.yaml needs %s", strings.Join([]string{"name", "crs", "osm", "regions", "facilities"}, ", "))
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}

	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		line, msg := yamlErrorLine(err)
		bad(line, "", "%s", msg)
		return nil, probs
	}
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		bad(0, "", "holds more than one YAML document; remove what follows ---")
		return nil, probs
	}
	c.lines = lines
	sys, err := crs.Parse(string(c.CRS))
	if err != nil {
		bad(lines["crs"], "crs", "%v", err)
	}
	c.CRS = sys
	for _, f := range []struct{ key, val string }{{"name", c.Name}, {"osm", c.OSM}, {"regions", c.Regions}, {"facilities", c.Facilities}} {
		if strings.TrimSpace(f.val) == "" {
			bad(lines[f.key], f.key, "is empty")
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return &c, nil
}

// yamlLine finds "line N" in a YAML error message.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlErrorLine splits "yaml: line 3: did not find ..." into the line and
// the rest.
func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		if m[0] == 0 {
			msg = strings.TrimPrefix(msg[m[1]:], ": ")
		}
		return n, msg
	}
	return 0, msg
}

// path resolves a bundle file name against the bundle folder.
func (c *Config) path(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

// writeConfig renders c as city.yaml with a header saying it was generated.
func writeConfig(w io.Writer, c *Config) error {
	if _, err := fmt.Fprintf(w, "# %s\n# %s\n", generatedBy, "City bundle configuration; file names are relative to this folder (docs/data-format.md)."); err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return err
	}
	return enc.Close()
}
