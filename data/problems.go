package data

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong (or, as a warning, doubtful) in one place of a
// city bundle: which file, which row or feature, which field, and what was
// expected.
type Problem struct {
	// File is the file's name as city.yaml gives it (relative to the
	// bundle folder), or "city.yaml".
	File string
	// Line is the 1-based line of a YAML file, or the 1-based row of a CSV
	// or XLSX table counting the header as row 1 (for CSV, the line the
	// record starts on); 0 when the problem is not tied to one.
	Line int
	// Feature is the 1-based number of a GeoJSON feature in its file's
	// "features" array; 0 when not a feature.
	Feature int
	// ID names the record when it is known, as `id "F07"` or
	// `code "320602001001"`.
	ID string
	// Field is the column, property or key as written in the file, with
	// the canonical name in parentheses when they differ:
	// "床位数 (beds)".
	Field string
	// Message says what is wrong and what was expected.
	Message string
}

// String renders the problem as
//
//	facilities.csv: row 7 (id "F07"): 床位数 (beds): want a number ≥ 0, got "-3"
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	switch {
	case p.Feature > 0:
		fmt.Fprintf(&b, ": feature %d", p.Feature)
	case p.Line > 0 && isTableFile(p.File):
		fmt.Fprintf(&b, ": row %d", p.Line)
	case p.Line > 0:
		fmt.Fprintf(&b, ": line %d", p.Line)
	}
	if p.ID != "" {
		b.WriteString(" (" + p.ID + ")")
	}
	if p.Field != "" {
		b.WriteString(": " + p.Field)
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// isTableFile tells tables, whose lines are called rows, from YAML and
// GeoJSON files.
func isTableFile(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".xlsx")
}

// MaxProblems is how many problems a BundleError lists before it only
// counts the rest: enough for a bureau to fix a file in one go, few enough
// to read.
const MaxProblems = 50

// BundleError reports a city bundle that could not be loaded: every problem
// found, up to MaxProblems. Nothing of the bundle is loaded.
type BundleError struct {
	// Dir is the bundle folder.
	Dir string
	// Problems lists the problems, file by file in loading order.
	Problems []Problem
	// More counts problems found beyond MaxProblems and not listed.
	More int
}

// Error lists the problems, one per line after the first when there are
// several.
func (e *BundleError) Error() string {
	var b strings.Builder
	n := len(e.Problems) + e.More
	if n == 1 {
		fmt.Fprintf(&b, "city bundle %s: %s", e.Dir, e.Problems[0])
		return b.String()
	}
	fmt.Fprintf(&b, "city bundle %s: %d problems, nothing loaded:", e.Dir, n)
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", e.More)
	}
	return b.String()
}

// problems collects the problems of one load, keeping the first
// MaxProblems.
type problems struct {
	list []Problem
	more int
}

func (ps *problems) add(p Problem) {
	if len(ps.list) >= MaxProblems {
		ps.more++
		return
	}
	ps.list = append(ps.list, p)
}

func (ps *problems) any() bool { return len(ps.list) > 0 }

func (ps *problems) err(dir string) error {
	if !ps.any() {
		return nil
	}
	return &BundleError{Dir: dir, Problems: ps.list, More: ps.more}
}
