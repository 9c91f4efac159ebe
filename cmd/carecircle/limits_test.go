package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestInputLimitFlags: a bundle over --max-rows is refused with a message
// naming the file and the flag; raising the limit loads it.
func TestInputLimitFlags(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle")
	if _, err := run(t, "gen", "--preset", "tiny", "--seed", "1", "--out", bundle); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.json")
	_, err := run(t, "report", "--city", bundle, "--max-rows", "2", "--out", out)
	if err == nil || !strings.Contains(err.Error(), "has more than 2 rows, the limit; if the file is right, raise the limit with --max-rows") {
		t.Fatalf("report with --max-rows 2: %v", err)
	}
	if _, err := run(t, "report", "--city", bundle, "--max-rows", "100000", "--max-file-mb", "100", "--out", out); err != nil {
		t.Fatal(err)
	}
}
