// Package sharedtest finds the real data in ../shared/data beside the
// repository for tests and benchmarks, and skips them with a message when
// it is absent: the data is shared, not part of the repository, so a fresh
// clone still passes.
package sharedtest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Path returns the path of ../shared/data/<rel...> beside the repository
// root (the directory holding go.mod), or skips tb when it does not exist.
func Path(tb testing.TB, rel ...string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("real-data test skipped: no go.mod above the working directory, so no ../shared/data")
		}
		dir = parent
	}
	p := filepath.Join(append([]string{dir, "..", "shared", "data"}, rel...)...)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		tb.Skipf("real-data test skipped: %s not found (the shared data is not beside this clone)", p)
	} else if err != nil {
		tb.Fatal(err)
	}
	return p
}
