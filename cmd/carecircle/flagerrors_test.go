package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mistyped flag value is answered in words, naming the flag, what it
// wants and what it got.
func TestFlagErrorsInWords(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"optimize", "--sites", "ten"}, "--sites wants a whole number, got 'ten'"},
		{[]string{"network", "stats", "--synthetic", "tiny", "--seed", "x1"}, "--seed wants a whole number, got 'x1'"},
		{[]string{"report", "--demo", "--nope"}, "unknown flag: --nope"},
	}
	for _, c := range cases {
		_, err := run(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want it to say %q", c.args, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "strconv") {
			t.Errorf("%v: error %q still speaks Go", c.args, err)
		}
	}
}

// A report into a folder that does not exist names the folder, not a
// temporary file, and says so before loading the city.
func TestReportMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no-such-folder")
	_, err := run(t, "report", "--demo", "tiny", "--out", filepath.Join(dir, "r.xlsx"))
	if err == nil || !strings.Contains(err.Error(), "the folder "+dir+" does not exist") || strings.Contains(err.Error(), ".tmp") {
		t.Fatalf("error %v, want it to name the folder %s", err, dir)
	}
}

func TestRefuseBinaryToTerminal(t *testing.T) {
	cases := []struct {
		format   string
		terminal bool
		refused  bool
	}{
		{"xlsx", true, true}, {"pdf", true, true},
		{"xlsx", false, false}, {"pdf", false, false}, // redirected
		{"json", true, false}, {"csv", true, false}, {"html", true, false},
	}
	for _, c := range cases {
		err := refuseBinaryToTerminal(c.format, c.terminal)
		if (err != nil) != c.refused {
			t.Errorf("%s to terminal=%v: %v, want refused=%v", c.format, c.terminal, err, c.refused)
		}
		if err != nil && !strings.Contains(err.Error(), "--out report."+c.format) {
			t.Errorf("%s: %v gives no hint", c.format, err)
		}
	}
}

// Reports are written readable by the group (0644), whatever the
// temporary file's mode was.
func TestReportFileMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.json")
	if err := writeFileAtomic(p, func(w io.Writer) error { _, err := w.Write([]byte("{}")); return err }); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("report mode %v, want 0644", st.Mode().Perm())
	}
}
