package data

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// Limits bounds what the readers take from one input file, so that a
// spreadsheet bomb (a small .xlsx that unzips to gigabytes), a file of
// millions of rows or a path to /dev/zero is refused with a clear error
// instead of exhausting memory. The zero value holds the defaults; a field
// left 0 takes its default. Every error that a limit causes names the file,
// the limit and the command-line flag that raises it.
type Limits struct {
	// FileBytes is the size of the largest table or GeoJSON file read
	// (facilities, candidates, regions, population); default 64 MiB.
	// Flag --max-file-mb.
	FileBytes int64
	// OSMFileBytes is the size of the largest OSM extract; default 4 GiB.
	// Flag --max-file-mb too, when it is set.
	OSMFileBytes int64
	// Rows is the most data rows of a table or features of a GeoJSON
	// file; default 1,000,000. Flag --max-rows.
	Rows int
	// Cells is the most cells of one table, empty ones included; default
	// 20 times Rows (tables of more than 20 columns are rare), so it grows
	// with --max-rows.
	Cells int
	// UnzippedBytes is the most an .xlsx workbook may hold once unzipped,
	// all its parts together, and 8 times what any part but a sheet may
	// (shared strings are read whole); default 64 MiB, or 4 times
	// FileBytes when that is larger. It grows with --max-file-mb.
	UnzippedBytes int64
}

// Defaults of Limits, and the fixed caps not worth a flag.
const (
	defaultFileBytes    = 64 << 20
	defaultOSMFileBytes = 4 << 30
	defaultRows         = 1_000_000
	// maxYAMLBytes caps city.yaml and profiles, which are a few KiB.
	maxYAMLBytes = 1 << 20
	// maxXLSXParts caps the parts of a workbook (real ones have a dozen).
	maxXLSXParts = 10_000
)

// withDefaults fills the fields left 0.
func (l Limits) withDefaults() Limits {
	if l.UnzippedBytes <= 0 {
		l.UnzippedBytes = max(4*l.FileBytes, 64<<20)
	}
	if l.FileBytes <= 0 {
		l.FileBytes = defaultFileBytes
	}
	if l.OSMFileBytes <= 0 {
		l.OSMFileBytes = defaultOSMFileBytes
	}
	if l.Rows <= 0 {
		l.Rows = defaultRows
	}
	if l.Cells <= 0 {
		l.Cells = 20 * l.Rows
	}
	return l
}

// forCandidates returns the limits for a candidate-site file, which the
// web map takes as an upload: a tenth of the rows (100,000 by default; a
// bureau's list of available buildings has hundreds), so that a small
// upload cannot cost seconds of CPU and hundreds of MiB.
func (l Limits) forCandidates() Limits {
	l = l.withDefaults()
	l.Rows = max(l.Rows/10, 1)
	l.Cells = 20 * l.Rows
	return l
}

// LimitsFromFlags returns Limits for the values of --max-file-mb and
// --max-rows, 0 meaning the default.
func LimitsFromFlags(fileMB, rows int) Limits {
	l := Limits{Rows: rows}
	if fileMB > 0 {
		l.FileBytes = int64(fileMB) << 20
		l.OSMFileBytes = max(l.FileBytes, defaultOSMFileBytes)
	}
	return l
}

// LimitError is a file over one of the Limits.
type LimitError struct {
	// Message says what is over which limit: "is 70 MiB, over the limit
	// of 64 MiB".
	Message string
	// Flag is the command-line flag that raises the limit, "" if none.
	Flag string
}

func (e *LimitError) Error() string {
	if e.Flag == "" {
		return e.Message
	}
	return e.Message + "; if the file is right, raise the limit with " + e.Flag
}

// mib writes a byte count in MiB for limit messages.
func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// openLimited opens path for reading if it is a regular file of at most
// max bytes, and returns a reader that fails past max should it grow.
// Devices, pipes and folders are refused: /dev/zero would never end.
func openLimited(path string, max int64, flag string) (io.ReadCloser, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, &fs.PathError{Op: "open", Path: path, Err: errors.New(notRegular(fi.Mode()))}
	}
	if fi.Size() > max {
		f.Close()
		return nil, 0, &LimitError{Message: fmt.Sprintf("is %s, over the limit of %s", mibCeil(fi.Size()), mib(max)), Flag: flag}
	}
	return &limitedFile{f: f, r: io.LimitReader(f, max+1), max: max, flag: flag}, fi.Size(), nil
}

// mibCeil writes a size for a message: MiB rounded up, or bytes when small.
func mibCeil(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d MiB", (n+1<<20-1)>>20)
}

func notRegular(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "is a folder, not a file"
	case m&fs.ModeDevice != 0:
		return "is a device, not a file"
	case m&fs.ModeNamedPipe != 0:
		return "is a pipe, not a file"
	}
	return "is not a regular file"
}

// limitedFile reads at most max bytes, failing with a LimitError beyond.
type limitedFile struct {
	f    *os.File
	r    io.Reader
	n    int64
	max  int64
	flag string
}

func (l *limitedFile) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, &LimitError{Message: "is over the limit of " + mib(l.max), Flag: l.flag}
	}
	return n, err
}

func (l *limitedFile) Close() error { return l.f.Close() }

// readLimited reads a whole regular file of at most max bytes.
func readLimited(path string, max int64, flag string) ([]byte, error) {
	f, size, err := openLimited(path, max, flag)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, 0, size+1)
	for {
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// checkXLSXZip looks at a workbook's zip directory before excelize opens
// it: the parts and their unzipped sizes must be within the limits. The
// sizes the directory declares can be trusted as bounds, since Go's zip
// reader fails on a part that unzips to more than its declared size.
func checkXLSXZip(path string, lim Limits) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("not a readable .xlsx workbook (%v)", err)
	}
	defer zr.Close()
	if len(zr.File) > maxXLSXParts {
		return &LimitError{Message: fmt.Sprintf("the workbook has %d parts, over the limit of %d", len(zr.File), maxXLSXParts)}
	}
	// excelize streams worksheets but parses every other part whole, at
	// some seven times its size in memory: those get an eighth.
	partMax := uint64(lim.UnzippedBytes / 8)
	var total uint64
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") && f.UncompressedSize64 > partMax {
			return &LimitError{Message: fmt.Sprintf("the workbook's part %s unzips to more than %s, the limit for parts other than sheets", f.Name, mib(int64(partMax))), Flag: "--max-file-mb"}
		}
		total += f.UncompressedSize64
		if total > uint64(lim.UnzippedBytes) {
			return &LimitError{Message: "the workbook unzips to more than " + mib(lim.UnzippedBytes) + ", the limit", Flag: "--max-file-mb"}
		}
	}
	return nil
}

// tooManyRows is the LimitError for a table of more than lim.Rows rows.
func tooManyRows(lim Limits, what string) *LimitError {
	return &LimitError{Message: fmt.Sprintf("has more than %d %s, the limit", lim.Rows, what), Flag: "--max-rows"}
}

// tooManyCells is the LimitError for a table of more than lim.Cells cells.
func tooManyCells(lim Limits) *LimitError {
	return &LimitError{Message: fmt.Sprintf("has more than %d cells, the limit (20 per row allowed)", lim.Cells), Flag: "--max-rows"}
}
