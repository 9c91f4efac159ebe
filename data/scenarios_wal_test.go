package data

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/carecircle/carecircle/planner"
)

// crashImage saves edits to a store and copies its file and write-ahead
// log while it is open, as a crash would leave them: the last edits are
// in the log only. It returns the copy's path and the scenario as saved.
func crashImage(t *testing.T) (string, *planner.Scenario) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "live.db")
	s := openTestStore(t, path, testCity)
	sc, err := s.Create(ctx, "崩溃测试", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		next := edit(t, sc, testFacility(fmt.Sprintf("P-%d", i), i))
		if err := s.Save(ctx, next, sc.Version, pgEditOf(next)); err != nil {
			t.Fatal(err)
		}
		sc = next
	}
	image := filepath.Join(t.TempDir(), "crashed.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if suffix == "-wal" && len(b) < walHeaderSize+walFrameHeaderSize+4096 {
			t.Fatalf("the live log has %d bytes; want frames in it", len(b))
		}
		if err := os.WriteFile(image+suffix, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return image, sc
}

// TestScenarioStoreRefusesDamagedWAL: after a crash, a write-ahead log
// whose frames fail their checksums is refused (SQLite would drop the
// committed edits in it without a word); an intact one, or one whose
// last frame a crash cut short, opens.
func TestScenarioStoreRefusesDamagedWAL(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, wal string)
		refused string // "" when the store opens
	}{
		{"intact", func(*testing.T, string) {}, ""},
		{"a byte of the last frame's page flipped", func(t *testing.T, wal string) {
			b, _ := os.ReadFile(wal)
			b[len(b)-100] ^= 0x40
			os.WriteFile(wal, b, 0o644)
		}, "checksum of frame"},
		{"a byte of the first frame flipped", func(t *testing.T, wal string) {
			b, _ := os.ReadFile(wal)
			b[walHeaderSize+walFrameHeaderSize+50] ^= 0x01
			os.WriteFile(wal, b, 0o644)
		}, "checksum of frame 1,"},
		{"header checksum broken", func(t *testing.T, wal string) {
			b, _ := os.ReadFile(wal)
			b[13] ^= 0x01 // the checkpoint sequence
			os.WriteFile(wal, b, 0o644)
		}, "checksum of its header"},
		{"not a log", func(t *testing.T, wal string) {
			b, _ := os.ReadFile(wal)
			copy(b, "garbage!")
			os.WriteFile(wal, b, 0o644)
		}, "its header begins"},
		{"last frame cut short by the crash", func(t *testing.T, wal string) {
			fi, _ := os.Stat(wal)
			os.Truncate(wal, fi.Size()-1000)
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, want := crashImage(t)
			tc.damage(t, path+"-wal")
			before := fileDigest(t, path) + fileDigest(t, path+"-wal")
			s, err := OpenScenarioStore(ctx, path, testCity)
			if tc.refused == "" {
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				defer s.Close()
				got, err := s.Get(ctx, want.ID)
				if err != nil {
					t.Fatal(err)
				}
				if tc.name == "intact" && !reflect.DeepEqual(got, want) {
					t.Errorf("after the crash: %+v; want %+v", got, want)
				}
				return
			}
			if err == nil {
				got, _ := s.Get(ctx, want.ID)
				s.Close()
				t.Fatalf("the damaged log was accepted; the scenario is at version %v (version %d was saved)", got.Version, want.Version)
			}
			if !strings.Contains(err.Error(), path+"-wal") || !strings.Contains(err.Error(), tc.refused) || !strings.Contains(err.Error(), "move") {
				t.Errorf("error %q; want it to name %s-wal, say %q and what to do", err, path, tc.refused)
			}
			if after := fileDigest(t, path) + fileDigest(t, path+"-wal"); after != before {
				t.Errorf("the refused files changed")
			}
		})
	}
}

// walBytes makes a log of one frame of a 512-byte page, with its checksums
// computed as SQLite does (little-endian words).
func walBytes() []byte {
	h := make([]byte, walHeaderSize)
	binary.BigEndian.PutUint32(h[0:], walMagicLE)
	binary.BigEndian.PutUint32(h[4:], 3007000)
	binary.BigEndian.PutUint32(h[8:], 512)
	binary.BigEndian.PutUint32(h[16:], 0x1234)
	binary.BigEndian.PutUint32(h[20:], 0x5678)
	sum := walChecksum(binary.LittleEndian, [2]uint32{}, h[:24])
	binary.BigEndian.PutUint32(h[24:], sum[0])
	binary.BigEndian.PutUint32(h[28:], sum[1])
	fr := make([]byte, walFrameHeaderSize+512)
	binary.BigEndian.PutUint32(fr[0:], 1)
	binary.BigEndian.PutUint32(fr[4:], 1)
	copy(fr[8:], h[16:24])
	copy(fr[walFrameHeaderSize:], "SQLite format 3\x00")
	sum = walChecksum(binary.LittleEndian, sum, fr[:8])
	sum = walChecksum(binary.LittleEndian, sum, fr[walFrameHeaderSize:])
	binary.BigEndian.PutUint32(fr[16:], sum[0])
	binary.BigEndian.PutUint32(fr[20:], sum[1])
	return append(h, fr...)
}

// FuzzCheckWAL: any bytes as a write-ahead log give an answer, never a
// panic; the well-formed seed passes and a flipped byte in its page fails.
func FuzzCheckWAL(f *testing.F) {
	good := walBytes()
	bad := slices.Clone(good)
	bad[len(bad)-1] ^= 1
	f.Add(good)
	f.Add(bad)
	f.Add(good[:walHeaderSize])
	f.Add([]byte{})
	dir := f.TempDir()
	path := filepath.Join(dir, "s.db")
	if err := os.WriteFile(path, []byte("SQLite format 3\x00"), 0o644); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(path+"-wal", good, 0o644); err != nil {
		f.Fatal(err)
	}
	if err := checkWAL(path, path); err != nil {
		f.Fatalf("a well-formed log: %v", err)
	}
	if err := os.WriteFile(path+"-wal", bad, 0o644); err != nil {
		f.Fatal(err)
	}
	if err := checkWAL(path, path); err == nil {
		f.Fatal("a log with a flipped byte passed")
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path+"-wal", b, 0o644); err != nil {
			t.Fatal(err)
		}
		checkWAL(path, path)
	})
}
