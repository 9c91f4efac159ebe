package geo

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestGraphCacheRoundTrip(t *testing.T) {
	g := randomGraph(t, rand.New(rand.NewPCG(9, 9)), 200, 100)
	path := filepath.Join(t.TempDir(), "g.ccgraph")
	if err := SaveGraphFile(path, g, "k1"); err != nil {
		t.Fatal(err)
	}
	back, err := LoadGraphFile(path, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, back) {
		t.Fatal("graph read back differs")
	}
}

func TestGraphCacheRefusesStaleAndCorrupt(t *testing.T) {
	g := randomGraph(t, rand.New(rand.NewPCG(9, 9)), 50, 10)
	var buf bytes.Buffer
	if err := WriteGraph(&buf, g, "k1"); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x40
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		key  string
		want error
	}{
		{"other key", good, "k2", ErrStaleCache},
		{"flipped byte in body", flip(len(good) / 2), "k1", ErrCorruptCache},
		{"flipped checksum", flip(len(good) - 1), "k1", ErrCorruptCache},
		{"truncated", good[:len(good)-100], "k1", ErrCorruptCache},
		{"empty", nil, "k1", ErrCorruptCache},
		{"not a cache", []byte(`{"type":"FeatureCollection"}`), "k1", ErrCorruptCache},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadGraph(bytes.NewReader(tc.data), tc.key)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// A file-level error names the file.
	path := filepath.Join(t.TempDir(), "bad.ccgraph")
	os.WriteFile(path, flip(20), 0o644)
	if _, err := LoadGraphFile(path, "k1"); err == nil || !bytes.Contains([]byte(err.Error()), []byte("bad.ccgraph")) {
		t.Fatalf("error does not name the file: %v", err)
	}
}
