// Package data gets data in and out of CareCircle: city bundles, standards
// profiles, coordinate systems (data/crs), the synthetic city generator and
// the scenario store.
package data

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/carecircle/carecircle/planner"
)

// builtinProfiles holds the built-in standards profiles, one YAML file per
// profile, named after the profile.
//
//go:embed profiles/*.yaml
var builtinProfiles embed.FS

// DefaultProfile is the profile used when a city names none.
const DefaultProfile = "cn-default"

// maxBaseDepth bounds chains of "base:" so a cycle through files with
// different spellings of one path still ends with an error.
const maxBaseDepth = 8

// BuiltinProfiles returns the names of the built-in profiles, sorted.
func BuiltinProfiles() []string {
	entries, err := builtinProfiles.ReadDir("profiles")
	if err != nil {
		// The directory is embedded at build time; failing to read it is a
		// broken build, not a user error.
		panic(fmt.Sprintf("data: reading embedded profiles: %v", err))
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// BuiltinProfile returns a fresh copy of the built-in profile name (see
// BuiltinProfiles), validated.
func BuiltinProfile(name string) (*planner.StandardsProfile, error) {
	return builtinProfile(name, nil)
}

func builtinProfile(name string, chain []string) (*planner.StandardsProfile, error) {
	if strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("unknown built-in standards profile %q: want one of %s", name, strings.Join(BuiltinProfiles(), ", "))
	}
	src, err := builtinProfiles.ReadFile(path.Join("profiles", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("unknown built-in standards profile %q: want one of %s", name, strings.Join(BuiltinProfiles(), ", "))
	}
	p, err := parseProfile(src, "built-in profile "+name, "", chain)
	if err != nil {
		return nil, err
	}
	if p.Name != name {
		return nil, fmt.Errorf("built-in profile file %s.yaml says name %q; the file name and the name must agree", name, p.Name)
	}
	return p, nil
}

// LoadProfile reads a standards profile from a YAML file and validates it.
//
// The file has the layout of the built-in profiles (docs/standards-profiles.md).
// Unknown keys are errors, so a misspelt key never silently leaves a
// default in force. A file may start from another profile with
//
//	base: cn-default        # a built-in name, or a path relative to this file
//
// and then give only what it changes: every key present replaces the base's
// value, every key absent keeps it. A figure ({value, source, clause,
// confidence}) and the supply block are replaced whole, because a base's
// source and clause describe the base's value, not a new one: a changed
// figure must therefore bring its own source. A file with a base must still
// give its own name and title, so reports never cite the base by mistake.
//
// Errors name the file, the line and the dotted key, e.g.
//
//	profile city.yaml: line 7: walking.speed_mps: must be > 0, got 0 (m/s)
func LoadProfile(file string) (*planner.StandardsProfile, error) {
	src, err := readLimited(file, maxYAMLBytes, "")
	if err != nil {
		return nil, fmt.Errorf("standards profile: %w", err)
	}
	return parseProfile(src, file, filepath.Dir(file), nil)
}

// ParseProfile is LoadProfile for YAML already in memory; origin names the
// source in errors, and a relative "base:" path is resolved against dir.
func ParseProfile(src []byte, origin, dir string) (*planner.StandardsProfile, error) {
	return parseProfile(src, origin, dir, nil)
}

// Profile returns the built-in profile called nameOrPath, or else loads the
// file at that path. Built-in names win over a file of the same name in the
// working directory; write "./chongqing" to mean the file. Anything with a
// path separator or a .yaml/.yml extension is always a file.
func Profile(nameOrPath string) (*planner.StandardsProfile, error) {
	if isBuiltinName(nameOrPath) {
		return BuiltinProfile(nameOrPath)
	}
	if looksLikePath(nameOrPath) {
		return LoadProfile(nameOrPath)
	}
	if _, err := os.Stat(nameOrPath); err == nil {
		return LoadProfile(nameOrPath)
	}
	return nil, fmt.Errorf("standards profile %q: not a built-in profile (%s) and no such file", nameOrPath, strings.Join(BuiltinProfiles(), ", "))
}

// WriteProfile writes p as YAML in the profile file format; LoadProfile
// reads it back to an equal profile.
func WriteProfile(w io.Writer, p *planner.StandardsProfile) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("writing standards profile %q: %w", p.Name, err)
	}
	return enc.Close()
}

func isBuiltinName(s string) bool {
	for _, n := range BuiltinProfiles() {
		if n == s {
			return true
		}
	}
	return false
}

func looksLikePath(s string) bool {
	ext := strings.ToLower(filepath.Ext(s))
	return strings.ContainsAny(s, `/\`) || ext == ".yaml" || ext == ".yml"
}

// ProfileError reports what is wrong with a profile file: every problem
// found, each with its line and dotted key where known.
type ProfileError struct {
	// File names the profile: a path, or "built-in profile NAME".
	File string
	// Problems lists the problems in file order.
	Problems []ProfileProblem
	// Err is the underlying error (a *yaml.TypeError, a
	// *planner.ValidationError ...), if any.
	Err error
}

// ProfileProblem is one problem in a profile file.
type ProfileProblem struct {
	// Line is the 1-based line in the file; 0 when the problem is in a
	// value inherited from the base or not tied to a line.
	Line int
	// Field is the dotted key, e.g. "walking.speed_mps"; "" when unknown.
	Field string
	// Message says what is wrong and what was expected.
	Message string
}

func (p ProfileProblem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

func (e *ProfileError) Error() string {
	if len(e.Problems) == 1 {
		return fmt.Sprintf("profile %s: %s", e.File, e.Problems[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "profile %s: %d problems:", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ProfileError) Unwrap() error { return e.Err }

// parseProfile decodes, merges onto its base and validates one profile.
// chain lists the profiles already being loaded, to catch base cycles.
func parseProfile(src []byte, origin, dir string, chain []string) (*planner.StandardsProfile, error) {
	fail := func(err error, probs ...ProfileProblem) error {
		return &ProfileError{File: origin, Problems: probs, Err: err}
	}

	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fail(err, syntaxProblem(err))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, fail(nil, ProfileProblem{Message: "the file is empty; see docs/standards-profiles.md for the layout"})
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fail(nil, ProfileProblem{Line: root.Line, Message: "a profile must be a mapping of keys (name, title, area, ...)"})
	}
	idx := indexNode(root, "")

	// Start from the base, if any.
	p := &planner.StandardsProfile{}
	var base *planner.StandardsProfile
	if b, ok := idx.value("base"); ok && b.text != "" {
		// A fresh slice per level, so sibling loads never share a chain.
		next := append(append([]string(nil), chain...), origin)
		if len(chain) >= maxBaseDepth || contains(chain, origin) {
			return nil, fail(nil, ProfileProblem{Line: b.line, Field: "base", Message: fmt.Sprintf("profiles base on each other in a cycle: %s → %s", strings.Join(next, " → "), b.text)})
		}
		var err error
		base, err = loadBase(b.text, dir, next)
		if err != nil {
			return nil, fail(err, ProfileProblem{Line: b.line, Field: "base", Message: err.Error()})
		}
		*p = *base
		copyLists(p, base)
		// A figure, the supply block, the title or the description that
		// the file mentions is replaced whole: the base's source and clause
		// belong to the base's value, and half a base title would misname
		// the profile.
		for _, f := range p.Figures() {
			if idx.has(f.Key) {
				*f.Figure = planner.Figure{}
			}
		}
		if idx.has("supply") {
			p.Supply = planner.SupplyRule{}
		}
		if idx.has("title") {
			p.Title = planner.Text{}
		}
		if idx.has("description") {
			p.Description = planner.Text{}
		}
	}

	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		return nil, fail(err, decodeProblems(err, idx)...)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		line := 0
		if err == nil {
			line = extra.Line
		}
		return nil, fail(err, ProfileProblem{Line: line, Message: "a profile file holds one YAML document; remove the second (after ---)"})
	}

	if base == nil && !idx.has("walking.max_snap_m") {
		// A full profile written before walking.max_snap_m existed keeps
		// working, with the setting every built-in profile has.
		p.Walking.MaxSnapMetres = planner.DefaultMaxSnap()
	}
	var probs []ProfileProblem
	if base != nil {
		for _, key := range []string{"name", "title"} {
			if !idx.has(key) {
				probs = append(probs, ProfileProblem{Field: key, Message: fmt.Sprintf("missing: a profile based on %q must give its own %s, or reports would cite the base", base.Name, key)})
			}
		}
		if p.Name == base.Name && idx.has("name") {
			probs = append(probs, ProfileProblem{Line: idx.line("name"), Field: "name", Message: fmt.Sprintf("is the base's name %q; give the derived profile a name of its own", base.Name)})
		}
	}
	if err := p.Validate(); err != nil {
		var ve *planner.ValidationError
		if !errors.As(err, &ve) {
			return nil, fail(err, ProfileProblem{Message: err.Error()})
		}
		for _, fe := range ve.Problems {
			pr := ProfileProblem{Field: fe.Field, Message: fe.Message, Line: idx.fieldLine(fe.Field)}
			if pr.Line == 0 && base != nil {
				pr.Message += fmt.Sprintf(" (inherited from base %q)", base.Name)
			}
			probs = append(probs, pr)
		}
		// Problems on lines first, in file order; then those with no line.
		sort.SliceStable(probs, func(i, j int) bool {
			li, lj := probs[i].Line, probs[j].Line
			return li != 0 && (lj == 0 || li < lj)
		})
		if base == nil && len(ve.Problems) > 10 {
			probs = append([]ProfileProblem{{Message: "this file has no \"base:\", so it must give every figure; to change only some, start it with \"base: cn-default\" (see docs/standards-profiles.md)"}}, probs...)
		}
		return nil, fail(err, probs...)
	}
	if len(probs) > 0 {
		return nil, fail(nil, probs...)
	}
	return p, nil
}

// loadBase loads the profile a file's "base:" names: a built-in name, or a
// path relative to the including file's directory.
func loadBase(name, dir string, chain []string) (*planner.StandardsProfile, error) {
	if isBuiltinName(name) {
		return builtinProfile(name, chain)
	}
	if !looksLikePath(name) {
		return nil, fmt.Errorf("unknown base profile %q: want a built-in (%s) or a path to a .yaml file", name, strings.Join(BuiltinProfiles(), ", "))
	}
	if dir == "" {
		return nil, fmt.Errorf("base %q is a path, but this profile has no directory to resolve it against", name)
	}
	file := name
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	src, err := readLimited(file, maxYAMLBytes, "")
	if err != nil {
		return nil, fmt.Errorf("base profile: %w", err)
	}
	return parseProfile(src, file, filepath.Dir(file), chain)
}

// copyLists gives dst its own copies of src's slices, so that editing a
// derived profile never changes its base.
func copyLists(dst, src *planner.StandardsProfile) {
	c := func(s []planner.FacilityType) []planner.FacilityType {
		return append([]planner.FacilityType(nil), s...)
	}
	dst.Area.FacilityTypes = c(src.Area.FacilityTypes)
	dst.StreetCenter.FacilityTypes = c(src.StreetCenter.FacilityTypes)
	dst.CommunityStation.FacilityTypes = c(src.CommunityStation.FacilityTypes)
	dst.Beds.FacilityTypes = c(src.Beds.FacilityTypes)
	dst.Beds.NursingFacilityTypes = c(src.Beds.NursingFacilityTypes)
	dst.Coverage.FacilityTypes = c(src.Coverage.FacilityTypes)
	dst.HealthColocation.FacilityTypes = c(src.HealthColocation.FacilityTypes)
	dst.HealthColocation.HealthTypes = c(src.HealthColocation.HealthTypes)
	dst.StationMerge.FacilityTypes = c(src.StationMerge.FacilityTypes)
	dst.Supply.Statuses = append([]planner.FacilityStatus(nil), src.Supply.Statuses...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// nodeIndex records where each key and scalar value of a profile file is,
// by dotted path ("walking.speed_mps.value", "supply.statuses[0]"), so
// that errors can name lines and keys.
type nodeIndex struct {
	entries []indexEntry
	byPath  map[string]int
}

type indexEntry struct {
	path string // dotted path of the key or sequence item
	name string // the key itself; "" for sequence items
	line int    // line of the key (or of the item)
	// text and valueLine describe the value when it is a scalar.
	text      string
	valueLine int
	scalar    bool
}

func indexNode(root *yaml.Node, prefix string) *nodeIndex {
	idx := &nodeIndex{byPath: map[string]int{}}
	var walk func(n *yaml.Node, path string)
	add := func(e indexEntry, v *yaml.Node) {
		if v.Kind == yaml.ScalarNode {
			e.text, e.valueLine, e.scalar = v.Value, v.Line, true
		}
		idx.byPath[e.path] = len(idx.entries)
		idx.entries = append(idx.entries, e)
	}
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				add(indexEntry{path: p, name: k.Value, line: k.Line}, v)
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, v := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				add(indexEntry{path: p, line: v.Line}, v)
				walk(v, p)
			}
		}
	}
	walk(root, prefix)
	return idx
}

func (x *nodeIndex) has(path string) bool { _, ok := x.byPath[path]; return ok }

func (x *nodeIndex) line(path string) int {
	if i, ok := x.byPath[path]; ok {
		return x.entries[i].line
	}
	return 0
}

type scalarAt struct {
	text string
	line int
}

func (x *nodeIndex) value(path string) (scalarAt, bool) {
	i, ok := x.byPath[path]
	if !ok || !x.entries[i].scalar {
		return scalarAt{}, false
	}
	return scalarAt{x.entries[i].text, x.entries[i].valueLine}, true
}

// fieldLine finds the line for a field named by planner.Validate: the
// figure's value, else the key itself, else its nearest parent in the file.
func (x *nodeIndex) fieldLine(field string) int {
	for _, p := range []string{field + ".value", field} {
		if v, ok := x.value(p); ok {
			return v.line
		}
		if l := x.line(p); l > 0 {
			return l
		}
	}
	// "area.land_per_resident_m2.source" missing: point at the figure.
	for p := field; ; {
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return 0
		}
		p = p[:i]
		if l := x.line(p); l > 0 {
			return l
		}
	}
}

var (
	reLine      = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	reNotFound  = regexp.MustCompile(`^field (.+) not found in type (.+)$`)
	reUnmarshal = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (.+)$")
)

// syntaxProblem turns a YAML syntax error into a problem with a line.
func syntaxProblem(err error) ProfileProblem {
	msg := err.Error()
	if m := reLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return ProfileProblem{Line: line, Message: "YAML syntax: " + m[2]}
	}
	return ProfileProblem{Message: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// decodeProblems rewrites yaml.v3's decode errors ("line 5: field spead
// not found in type planner.WalkingNorm") in the profile's own terms: the dotted
// key, what keys are allowed there, what kind of value was expected.
func decodeProblems(err error, idx *nodeIndex) []ProfileProblem {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []ProfileProblem{syntaxProblem(err)}
	}
	var probs []ProfileProblem
	for _, msg := range te.Errors {
		m := reLine.FindStringSubmatch(msg)
		if m == nil {
			probs = append(probs, ProfileProblem{Message: msg})
			continue
		}
		line, _ := strconv.Atoi(m[1])
		rest := m[2]
		switch {
		case reNotFound.MatchString(rest):
			key := reNotFound.FindStringSubmatch(rest)[1]
			path := idx.keyPathAt(line, key)
			parent := ""
			if i := strings.LastIndex(path, "."); i >= 0 {
				parent = path[:i]
			}
			where := "at the top level"
			if parent != "" {
				where = "in " + parent
			}
			probs = append(probs, ProfileProblem{Line: line, Field: path,
				Message: fmt.Sprintf("unknown key %q %s; known keys there: %s", key, where, strings.Join(knownKeys(parent), ", "))})
		case reUnmarshal.MatchString(rest):
			u := reUnmarshal.FindStringSubmatch(rest)
			path := idx.valuePathAt(line, u[2])
			got := u[1]
			if u[2] != "" {
				got = strconv.Quote(u[2])
			}
			probs = append(probs, ProfileProblem{Line: line, Field: path,
				Message: fmt.Sprintf("want %s, got %s", expectation(u[3]), got)})
		default:
			probs = append(probs, ProfileProblem{Line: line, Message: rest})
		}
	}
	return probs
}

// keyPathAt finds the path of key name on line (several keys share a line
// in flow mappings like {value: 1, source: x}).
func (x *nodeIndex) keyPathAt(line int, name string) string {
	for _, e := range x.entries {
		if e.line == line && e.name == name {
			return e.path
		}
	}
	return name
}

// valuePathAt finds the path of the scalar value text on line.
func (x *nodeIndex) valuePathAt(line int, text string) string {
	first := ""
	for _, e := range x.entries {
		if !e.scalar || e.valueLine != line {
			continue
		}
		if e.text == text {
			return e.path
		}
		if first == "" {
			first = e.path
		}
	}
	// A mapping or list where a scalar was expected: the key on that line.
	if first == "" {
		for _, e := range x.entries {
			if e.line == line {
				return e.path
			}
		}
	}
	return first
}

// expectation describes a Go type from a yaml.v3 message in profile terms.
func expectation(goType string) string {
	switch {
	case strings.HasSuffix(goType, "float64"), strings.HasSuffix(goType, "int"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string", strings.HasSuffix(goType, "Confidence"), strings.HasSuffix(goType, "DecayKind"),
		strings.HasSuffix(goType, "FacilityType"), strings.HasSuffix(goType, "FacilityStatus"):
		return "a single value (text)"
	case strings.HasPrefix(goType, "[]"):
		return "a list, e.g. [street_center, community_station]"
	case strings.HasSuffix(goType, "planner.Figure"):
		return "a figure mapping {value: …, source: …, clause: …, confidence: …}"
	case strings.HasSuffix(goType, "planner.Text"):
		return "a mapping {zh: …, en: …}"
	}
	return "a mapping of the keys documented in docs/standards-profiles.md"
}

// knownKeys lists the yaml keys allowed under the dotted path parent of a
// profile ("" for the top level).
func knownKeys(parent string) []string {
	t := reflect.TypeOf(planner.StandardsProfile{})
	if parent != "" {
		for _, part := range strings.Split(parent, ".") {
			f, ok := fieldByYAMLKey(t, part)
			if !ok {
				return nil
			}
			t = f.Type
			for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
		}
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if k := yamlKey(t.Field(i)); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

func fieldByYAMLKey(t reflect.Type, key string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := 0; i < t.NumField(); i++ {
		if yamlKey(t.Field(i)) == key {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

func yamlKey(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}
