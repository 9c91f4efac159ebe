package data

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
	"golang.org/x/text/width"

	"github.com/carecircle/carecircle/geo"
	"github.com/carecircle/carecircle/geo/osm"
)

// This file places rows that give only an address: it matches them offline
// against the addresses and names of the OSM extract, each match with its
// confidence, and never guesses between several places.

// MatchStatus says how an address was matched.
type MatchStatus string

// How an address matched the extract.
const (
	// MatchExact: the address is written exactly as the extract has it.
	MatchExact MatchStatus = "exact"
	// MatchFuzzy: it matches once both are normalised (widths, spaces,
	// 号/号楼, province/city/district prefixes), or by name, or with the
	// building and unit after the house number left off.
	MatchFuzzy MatchStatus = "fuzzy"
	// MatchAmbiguous: several places farther apart than
	// sameAddressMetres match equally well; none is chosen.
	MatchAmbiguous MatchStatus = "ambiguous"
	// MatchMissing: nothing in the extract matches.
	MatchMissing MatchStatus = "missing"
)

// sameAddressMetres is how close two matches must be to count as one
// place: an address on a building outline and its entrance node.
const sameAddressMetres = 60

// MaxAddressLength bounds the text the normaliser reads.
const MaxAddressLength = 1000

// adminPrefix is a leading province, city, district or county name: two to
// six Han characters ending in 省, 自治区, 市, 区 or 县. It is dropped only
// when what follows is not a road word, so "新区路" stays.
var adminPrefix = regexp.MustCompile(`^\p{Han}{1,6}?(?:省|自治区|特别行政区|市|自治州|地区|盟|区|县|旗)`)

// roadStart are characters that, right after a would-be prefix, show the
// prefix was part of a road or place name.
const roadStart = "路街道巷弄里号村大"

// NormaliseAddress folds the ways one address is written so that they
// compare equal: full-width letters and digits become half-width, case
// and white space and punctuation go, 号楼 and 号 after a number go (a
// house number is the number), and leading province, city and district
// names go ("江苏省南通市崇川区工农路８８号" and "工农路88号" are one address).
func NormaliseAddress(s string) string {
	if len(s) > MaxAddressLength {
		s = s[:MaxAddressLength]
	}
	s = width.Fold.String(s)
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	s = b.String()
	for range 4 {
		loc := adminPrefix.FindStringIndex(s)
		if loc == nil || loc[1] == len(s) {
			break
		}
		next := []rune(s[loc[1]:])[0]
		if strings.ContainsRune(roadStart, next) {
			break
		}
		s = s[loc[1]:]
	}
	s = houseNumberMark.ReplaceAllString(s, "$1")
	return s
}

// houseNumberMark is 号楼, 号院 or 号 after a number.
var houseNumberMark = regexp.MustCompile(`([0-9]+)(?:号楼|号院|号)`)

// firstNumber cuts a normalised address after its first number: the
// building, unit and room that follow ("工农路88 3栋2单元" → "工农路88").
var firstNumber = regexp.MustCompile(`^[^0-9]+[0-9]+`)

// addressPlace is one place of the extract that an address or name may
// name.
type addressPlace struct {
	p     orb.Point
	label string // what matched, for the import report
}

// addressIndex holds the extract's addresses and names, normalised.
type addressIndex struct {
	exact map[string][]addressPlace // as written: "street housenumber", addr:full
	norm  map[string][]addressPlace // normalised addresses
	names map[string][]addressPlace // normalised names of buildings, POIs, places
}

func newAddressIndex(features []osm.Feature) *addressIndex {
	ix := &addressIndex{exact: map[string][]addressPlace{}, norm: map[string][]addressPlace{}, names: map[string][]addressPlace{}}
	add := func(m map[string][]addressPlace, key string, pl addressPlace) {
		if key != "" {
			m[key] = append(m[key], pl)
		}
	}
	for _, f := range features {
		t := f.Tags
		street := t["addr:street"]
		if street == "" {
			street = t["addr:place"]
		}
		num := t["addr:housenumber"]
		if street != "" && num != "" {
			label := fmt.Sprintf("addr:street %q addr:housenumber %q (OSM %s %d)", street, num, f.Type, f.ID)
			pl := addressPlace{f.Point, label}
			for _, form := range []string{street + num, street + " " + num, street + ", " + num, num + " " + street} {
				add(ix.exact, strings.TrimSpace(form), pl)
			}
			add(ix.norm, NormaliseAddress(street+num), pl)
			add(ix.norm, NormaliseAddress(num+street), pl)
		}
		if full := t["addr:full"]; full != "" {
			pl := addressPlace{f.Point, fmt.Sprintf("addr:full %q (OSM %s %d)", full, f.Type, f.ID)}
			add(ix.exact, strings.TrimSpace(full), pl)
			add(ix.norm, NormaliseAddress(full), pl)
		}
		// Named roads are not places: an address that is only a road
		// name does not say where along it.
		if t["highway"] != "" && f.Line != nil {
			continue
		}
		for _, k := range []string{"name", "name:zh", "official_name", "alt_name", "short_name"} {
			if n := t[k]; n != "" {
				add(ix.names, NormaliseAddress(n), addressPlace{f.Point, fmt.Sprintf("%s %q (OSM %s %d)", k, n, f.Type, f.ID)})
			}
		}
	}
	return ix
}

// addressMatch is the result of matching one row.
type addressMatch struct {
	Status     MatchStatus
	Confidence float64 // 1 exact … 0.6 by name; 0 when not placed
	Point      orb.Point
	Source     string   // what matched
	Candidates []string // for ambiguous matches: the places, at most 5
}

// match places a row by its address, then by its name. Each step tries
// its key and stops at the first that matches something: one place (all
// matches within sameAddressMetres) is a match, several are ambiguous.
func (ix *addressIndex) match(address, name string) addressMatch {
	na := NormaliseAddress(address)
	steps := []struct {
		m    map[string][]addressPlace
		key  string
		st   MatchStatus
		conf float64
	}{
		{ix.exact, strings.TrimSpace(address), MatchExact, 1},
		{ix.norm, na, MatchFuzzy, 0.9},
		{ix.names, na, MatchFuzzy, 0.8},
		{ix.norm, firstNumber.FindString(na), MatchFuzzy, 0.7},
		{ix.names, NormaliseAddress(name), MatchFuzzy, 0.6},
		{ix.names, trimOrgSuffix(NormaliseAddress(name)), MatchFuzzy, 0.5},
	}
	for _, s := range steps {
		if s.key == "" {
			continue
		}
		pls := s.m[s.key]
		if len(pls) == 0 {
			continue
		}
		groups := clusterPlaces(pls)
		if len(groups) == 1 {
			return addressMatch{Status: s.st, Confidence: s.conf, Point: groups[0].p, Source: groups[0].label}
		}
		am := addressMatch{Status: MatchAmbiguous}
		for i, g := range groups {
			if i == 5 {
				am.Candidates = append(am.Candidates, fmt.Sprintf("… %d more", len(groups)-5))
				break
			}
			am.Candidates = append(am.Candidates, fmt.Sprintf("%s at (%.6f, %.6f)", g.label, g.p[0], g.p[1]))
		}
		return am
	}
	return addressMatch{Status: MatchMissing}
}

// clusterPlaces merges places within sameAddressMetres of the first of a
// group, keeping the first's point and label, in a stable order.
func clusterPlaces(pls []addressPlace) []addressPlace {
	var groups []addressPlace
	for _, p := range pls {
		if !slices.ContainsFunc(groups, func(g addressPlace) bool { return geo.Haversine(g.p, p.p) <= sameAddressMetres }) {
			groups = append(groups, p)
		}
	}
	return groups
}

// orgSuffixes are what community and street names end in but place names
// on the map do not: "叠石桥社区" is the community of the place "叠石桥".
var orgSuffixes = []string{"社区居民委员会", "村民委员会", "社区居委会", "居委会", "村委会", "社区", "街道办事处", "街道", "村"}

// trimOrgSuffix drops one such ending, keeping at least two characters.
func trimOrgSuffix(s string) string {
	for _, suf := range orgSuffixes {
		if t, ok := strings.CutSuffix(s, suf); ok && len([]rune(t)) >= 2 {
			return t
		}
	}
	return ""
}
