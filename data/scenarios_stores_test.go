package data

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/carecircle/carecircle/data/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// storeKinds are the scenario store implementations every store test
// runs against: newDB gives the location of a new, empty database.
var storeKinds = []struct {
	name  string
	newDB func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "方案库.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.URL(t) }},
}

// forEachStore runs test once per store implementation.
func forEachStore(t *testing.T, test func(t *testing.T, newDB func(*testing.T) string)) {
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) { test(t, k.newDB) })
	}
}
