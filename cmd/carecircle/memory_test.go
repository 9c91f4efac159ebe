package main

import "testing"

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1024", 1024, true},
		{"512MiB", 512 << 20, true},
		{"6GiB", 6 << 30, true},
		{"1.5G", 3 << 29, true},
		{" 8 gb ", 8 << 30, true},
		{"", 0, false},
		{"lots", 0, false},
		{"5 parsecs", 0, false},
		{"-1GiB", 0, false},
		{"99999999999TiB", 0, false},
	} {
		got, err := parseBytes(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
