package data

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"
)

const testCity = "chongqing-yuzhong"

func openTestStore(t *testing.T, path, city string) ScenarioStore {
	t.Helper()
	s, err := OpenScenarioStore(context.Background(), path, city)
	if err != nil {
		t.Fatalf("OpenScenarioStore(%s, %s): %v", path, city, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testFacility(id string, i int) planner.Facility {
	return planner.Facility{
		ID:          id,
		Name:        fmt.Sprintf("拟建社区养老服务站 %d 号", i),
		Type:        planner.CommunityStation,
		Status:      planner.Proposed,
		Operator:    planner.PublicBuiltPrivateRun,
		Location:    orb.Point{106.55 + float64(i)*1e-4, 29.56 - float64(i)*1e-4},
		FloorArea:   300 + float64(i),
		LandArea:    0,
		Beds:        10,
		NursingBeds: 2,
		Community:   "500103001001",
	}
}

// edit returns sc with one facility added, as a planner would make it.
func edit(t *testing.T, sc *planner.Scenario, f planner.Facility) *planner.Scenario {
	t.Helper()
	n, err := sc.With(nil, planner.Edit{Op: planner.OpAdd, Facility: f})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestScenarioStoreRoundTrip(t *testing.T) { forEachStore(t, testScenarioStoreRoundTrip) }

func testScenarioStoreRoundTrip(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	s := openTestStore(t, newDB(t), testCity)

	names := []string{"方案一：渝中区补短板", "方案二 · 增设助餐点", "Plan C（对照）"}
	var created []*planner.Scenario
	for _, name := range names {
		sc, err := s.Create(ctx, name, nil)
		if err != nil {
			t.Fatalf("Create(%q): %v", name, err)
		}
		if sc.Name != name || sc.Version != 1 {
			t.Errorf("Create(%q) = name %q version %d; want the name and version 1", name, sc.Name, sc.Version)
		}
		if !strings.HasPrefix(sc.ID, "s-") || len(sc.ID) != 10 || strings.Trim(sc.ID[2:], "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Errorf("Create gave id %q; want s- and 8 lower-case base-32 characters", sc.ID)
		}
		created = append(created, sc)
	}

	for _, want := range created {
		got, err := s.Get(ctx, want.ID)
		if err != nil {
			t.Fatalf("Get(%s): %v", want.ID, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Get(%s) = %+v; want %+v", want.ID, got, want)
		}
	}
	list, _, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(list, created) {
		t.Errorf("List = %v; want %v (oldest first)", list, created)
	}

	renamed, err := s.Rename(ctx, created[1].ID, "  方案二（修订）  ", 1)
	if err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if renamed.Name != "方案二（修订）" || renamed.Version != 2 {
		t.Errorf("Rename = %q version %d; want the trimmed name at version 2", renamed.Name, renamed.Version)
	}
	if got, _ := s.Get(ctx, created[1].ID); !reflect.DeepEqual(got, renamed) {
		t.Errorf("Get after Rename = %+v; want %+v", got, renamed)
	}
	if again, err := s.Rename(ctx, created[1].ID, "方案二", AnyVersion); err != nil || again.Version != 3 {
		t.Errorf("Rename(AnyVersion) = %+v, %v; want version 3", again, err)
	}

	dup, err := s.Create(ctx, "方案一的副本", edit(t, created[0], testFacility("P-1", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if dup.Version != 1 || len(dup.Added) != 1 || dup.ID == created[0].ID {
		t.Errorf("Create from a scenario = %+v; want a new id at version 1 with its one added facility", dup)
	}

	if err := s.Delete(ctx, created[0].ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(ctx, created[0].ID); !errors.Is(err, ErrScenarioNotFound) {
		t.Errorf("Get after Delete: %v; want ErrScenarioNotFound", err)
	}
	if err := s.Delete(ctx, created[0].ID); !errors.Is(err, ErrScenarioNotFound) {
		t.Errorf("second Delete: %v; want ErrScenarioNotFound", err)
	}
	list, _, _ = s.List(ctx)
	var ids []string
	for _, sc := range list {
		ids = append(ids, sc.ID)
	}
	if want := []string{created[1].ID, created[2].ID, dup.ID}; !reflect.DeepEqual(ids, want) {
		t.Errorf("List after Delete = %v; want %v", ids, want)
	}
}

func TestScenarioNames(t *testing.T) { forEachStore(t, testScenarioNames) }

func testScenarioNames(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	s := openTestStore(t, newDB(t), testCity)
	for _, tc := range []struct {
		name, in, want string
		ok             bool
	}{
		{"chinese", "养老服务设施补短板方案", "养老服务设施补短板方案", true},
		{"trimmed", " \t 方案 \n", "方案", true},
		{"200 characters", strings.Repeat("养", 200), strings.Repeat("养", 200), true},
		{"empty", "", "", false},
		{"only spaces", " \u3000\t", "", false},
		{"201 characters", strings.Repeat("养", 201), "", false},
		{"invalid utf-8", "方案\xff", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := s.Create(ctx, tc.in, nil)
			if !tc.ok {
				if !errors.Is(err, ErrInvalidScenarioName) {
					t.Fatalf("Create(%q) = %v, %v; want ErrInvalidScenarioName", tc.in, sc, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Create(%q): %v", tc.in, err)
			}
			if sc.Name != tc.want {
				t.Errorf("Create(%q).Name = %q; want %q", tc.in, sc.Name, tc.want)
			}
			if _, err := s.Rename(ctx, sc.ID, "", 1); !errors.Is(err, ErrInvalidScenarioName) {
				t.Errorf("Rename to empty: %v; want ErrInvalidScenarioName", err)
			}
		})
	}
}

func TestScenarioFacilitiesRoundTrip(t *testing.T) { forEachStore(t, testScenarioFacilitiesRoundTrip) }

func testScenarioFacilitiesRoundTrip(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	path := newDB(t)
	s := openTestStore(t, path, testCity)
	sc, err := s.Create(ctx, "精度测试", nil)
	if err != nil {
		t.Fatal(err)
	}
	awkward := planner.Facility{
		ID: "P-7f3k", Name: "拟建街道综合养老服务中心（含\"引号\"与\\反斜杠）", Type: planner.StreetCenter,
		Status: planner.Planned, Operator: planner.Contracted,
		Location:  orb.Point{106.55123456789012, 29.560000000000002},
		FloorArea: 0.1 + 0.2, LandArea: math.SmallestNonzeroFloat64, Beds: 1e300, NursingBeds: math.MaxFloat64 / 3,
		Community: "500103001001",
	}
	bare := planner.Facility{ID: "F-42", Location: orb.Point{-180, -90}}
	next := sc.Clone()
	next.Version = 2
	next.Added = []planner.Facility{awkward, testFacility("P-2", 2)}
	next.Changed = []planner.Facility{bare}
	next.Closed = []string{"F-1", "F-养老院"}
	if err := s.Save(ctx, next, 1); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, err := s.Get(ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, next) {
		t.Errorf("Get = %+v\nwant %+v", got, next)
	}
	for i, f := range got.Added {
		if math.Float64bits(f.Location[0]) != math.Float64bits(next.Added[i].Location[0]) ||
			math.Float64bits(f.Location[1]) != math.Float64bits(next.Added[i].Location[1]) {
			t.Errorf("facility %s: location %v; want exactly %v", f.ID, f.Location, next.Added[i].Location)
		}
	}

	// The stored JSON uses the API's field names.
	var raw string
	if lite, ok := s.(*SQLiteStore); !ok {
		raw = `"id": "name": "type": "status": "lon": "lat": "floor_area_m2": "land_area_m2": "beds": "nursing_beds": "operator": "community_code":`
	} else if err := lite.db.QueryRowContext(ctx, `SELECT facility FROM scenario_facilities WHERE scenario = ? AND id = ?`, sc.ID, awkward.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"id", "name", "type", "status", "lon", "lat", "floor_area_m2", "land_area_m2", "beds", "nursing_beds", "operator", "community_code"} {
		if !strings.Contains(raw, `"`+field+`":`) {
			t.Errorf("stored facility JSON %s lacks field %q", raw, field)
		}
	}

	// A number JSON cannot hold is refused and nothing changes.
	bad := next.Clone()
	bad.Version = 3
	bad.Added[0].FloorArea = math.NaN()
	if err := s.Save(ctx, bad, 2); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Save with NaN: %v; want an error naming %s", err, path)
	}
	if got, _ := s.Get(ctx, sc.ID); !reflect.DeepEqual(got, next) {
		t.Errorf("after a refused Save, Get = %+v; want %+v", got, next)
	}
}

func TestScenarioVersionConflict(t *testing.T) { forEachStore(t, testScenarioVersionConflict) }

func testScenarioVersionConflict(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	s := openTestStore(t, newDB(t), testCity)
	sc, err := s.Create(ctx, "冲突测试", nil)
	if err != nil {
		t.Fatal(err)
	}
	v2 := edit(t, sc, testFacility("P-1", 1))
	if err := s.Save(ctx, v2, 1); err != nil {
		t.Fatal(err)
	}
	stale := edit(t, sc, testFacility("P-other", 9)) // made on version 1 too

	for _, tc := range []struct {
		name    string
		do      func() error
		current int64 // 0: not a conflict
		notFnd  bool
	}{
		{"save on a stale version", func() error { return s.Save(ctx, stale, 1) }, 2, false},
		{"rename on a stale version", func() error { _, err := s.Rename(ctx, sc.ID, "改名", 1); return err }, 2, false},
		{"rename on a future version", func() error { _, err := s.Rename(ctx, sc.ID, "改名", 7); return err }, 2, false},
		{"save with a version that is not expect+1", func() error { return s.Save(ctx, v2, 2) }, 0, false},
		{"save of an unknown scenario", func() error {
			x := v2.Clone()
			x.ID = "s-nothere"
			return s.Save(ctx, x, 1)
		}, 0, true},
		{"rename of an unknown scenario", func() error { _, err := s.Rename(ctx, "s-nothere", "x", 1); return err }, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			var conflict *VersionConflictError
			switch {
			case tc.current > 0:
				if !errors.As(err, &conflict) || conflict.Current != tc.current || conflict.ID != sc.ID {
					t.Fatalf("got %v; want a VersionConflictError at version %d", err, tc.current)
				}
			case tc.notFnd:
				if !errors.Is(err, ErrScenarioNotFound) {
					t.Fatalf("got %v; want ErrScenarioNotFound", err)
				}
			default:
				if err == nil || errors.As(err, &conflict) {
					t.Fatalf("got %v; want a plain error", err)
				}
			}
			got, err := s.Get(ctx, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, v2) {
				t.Errorf("stored scenario changed: %+v; want %+v", got, v2)
			}
		})
	}
	var conflict *VersionConflictError
	if err := s.Save(ctx, stale, 1); errors.As(err, &conflict) {
		if want := "scenario " + sc.ID + " is at version 2, the edit was made on version 1"; err.Error() != want {
			t.Errorf("conflict message %q; want %q", err, want)
		}
	}
	if err := s.Delete(ctx, sc.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, edit(t, v2, testFacility("P-3", 3)), 2); !errors.Is(err, ErrScenarioNotFound) {
		t.Errorf("Save after Delete: %v; want ErrScenarioNotFound", err)
	}
}

func TestScenarioCitiesShareAFile(t *testing.T) { forEachStore(t, testScenarioCitiesShareAFile) }

func testScenarioCitiesShareAFile(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	path := newDB(t)
	a := openTestStore(t, path, "chongqing")
	b := openTestStore(t, path, "chengdu") // a second connection to the same file
	sa, err := a.Create(ctx, "重庆方案", nil)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Create(ctx, "成都方案", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		store ScenarioStore
		own   *planner.Scenario
		other *planner.Scenario
	}{{a, sa, sb}, {b, sb, sa}} {
		t.Run(tc.store.City(), func(t *testing.T) {
			list, _, err := tc.store.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].ID != tc.own.ID {
				t.Errorf("List = %v; want only %s", list, tc.own.ID)
			}
			if _, err := tc.store.Get(ctx, tc.other.ID); !errors.Is(err, ErrScenarioNotFound) {
				t.Errorf("Get of the other city's scenario: %v; want ErrScenarioNotFound", err)
			}
			if _, err := tc.store.Rename(ctx, tc.other.ID, "抢", 1); !errors.Is(err, ErrScenarioNotFound) {
				t.Errorf("Rename of the other city's scenario: %v; want ErrScenarioNotFound", err)
			}
			if err := tc.store.Save(ctx, edit(t, tc.other, testFacility("P-1", 1)), 1); !errors.Is(err, ErrScenarioNotFound) {
				t.Errorf("Save of the other city's scenario: %v; want ErrScenarioNotFound", err)
			}
			if err := tc.store.Delete(ctx, tc.other.ID); !errors.Is(err, ErrScenarioNotFound) {
				t.Errorf("Delete of the other city's scenario: %v; want ErrScenarioNotFound", err)
			}
		})
	}
	for _, tc := range []struct {
		store ScenarioStore
		sc    *planner.Scenario
	}{{a, sa}, {b, sb}} {
		if got, err := tc.store.Get(ctx, tc.sc.ID); err != nil || !reflect.DeepEqual(got, tc.sc) {
			t.Errorf("%s: Get = %+v, %v; want it untouched: %+v", tc.store.City(), got, err, tc.sc)
		}
	}
}

func TestScenarioStoreReopen(t *testing.T) { forEachStore(t, testScenarioStoreReopen) }

func testScenarioStoreReopen(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	path := newDB(t)
	s, err := OpenScenarioStore(ctx, path, testCity)
	if err != nil {
		t.Fatal(err)
	}
	var want []*planner.Scenario
	for i := range 5 {
		sc, err := s.Create(ctx, fmt.Sprintf("方案 %d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		for j := range i {
			next := edit(t, sc, testFacility(fmt.Sprintf("P-%d-%d", i, j), j))
			if err := s.Save(ctx, next, sc.Version); err != nil {
				t.Fatal(err)
			}
			sc = next
		}
		want = append(want, sc)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTestStore(t, path, testCity)
	got, _, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after reopening, List = %+v\nwant %+v", got, want)
	}
	if !strings.HasSuffix(path, ".db") {
		return // the PostgreSQL schema's checks are in scenarios_postgres_test.go
	}
	raw := rawDB(t, path)
	var version, appID int
	var mode string
	raw.QueryRow("PRAGMA user_version").Scan(&version)
	raw.QueryRow("PRAGMA application_id").Scan(&appID)
	raw.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if version != ScenarioSchemaVersion() || appID != scenarioAppID || mode != "wal" {
		t.Errorf("user_version %d, application_id %#x, journal_mode %q; want %d, %#x, wal", version, appID, mode, ScenarioSchemaVersion(), scenarioAppID)
	}
}

func TestScenarioStoreOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-folder", "scenarios.db")
	if _, err := OpenScenarioStore(ctx, missing, testCity); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("open in a missing folder: %v; want an error naming %s", err, missing)
	}
	if _, err := OpenScenarioStore(ctx, dir, testCity); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("open of a folder: %v; want an error naming %s", err, dir)
	}
	if _, err := OpenScenarioStore(ctx, filepath.Join(dir, "x.db"), " "); err == nil {
		t.Errorf("open with an empty city: no error")
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := openTestStore(t, empty, testCity) // an empty file is a new store
	if _, err := s.Create(ctx, "新方案", nil); err != nil {
		t.Error(err)
	}
}

// rawDB opens path with no checks, to prepare files the store must refuse.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// storeFile makes a closed store at path with n scenarios, each with a few
// facilities, and returns path.
func storeFile(t *testing.T, path string, n int) string {
	t.Helper()
	ctx := context.Background()
	s, err := OpenScenarioStore(ctx, path, testCity)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		sc, err := s.Create(ctx, fmt.Sprintf("方案 %d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		next := sc.Clone()
		next.Version = 2
		for j := range 20 {
			next.Added = append(next.Added, testFacility(fmt.Sprintf("P-%d-%d", i, j), j))
		}
		if err := s.Save(ctx, next, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s-wal is still there after Close (%v); the tests below want a checkpointed file", path, err)
	}
	return path
}

func fileDigest(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x (%d bytes)", sha256.Sum256(b), len(b))
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestScenarioStoreRefusesFiles(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, path string)
		want    string // in the message, besides the file's name
	}{
		{"newer schema", func(t *testing.T, path string) {
			storeFile(t, path, 2)
			db := rawDB(t, path)
			if _, err := db.Exec("PRAGMA user_version = 7"); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, fmt.Sprintf("has schema version 7; this CareCircle understands up to %d: upgrade CareCircle, or use another --db file", ScenarioSchemaVersion())},
		{"newer schema, never opened by this build", func(t *testing.T, path string) {
			db := rawDB(t, path)
			if _, err := db.Exec("CREATE TABLE scenarios_v7 (x); PRAGMA user_version = 7"); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, "has schema version 7"},
		{"random bytes", func(t *testing.T, path string) {
			os.WriteFile(path, randomBytes(t, 8192), 0o644)
		}, "not a SQLite database"},
		{"a text file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("方案一,方案二\n"), 0o644)
		}, "not a SQLite database"},
		{"SQLite header, random rest", func(t *testing.T, path string) {
			os.WriteFile(path, append([]byte("SQLite format 3\x00"), randomBytes(t, 8192-16)...), 0o644)
		}, "corrupt"},
		{"first page kept, random rest", func(t *testing.T, path string) {
			storeFile(t, path, 40)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			copy(b[4096:], randomBytes(t, len(b)-4096))
			os.WriteFile(path, b, 0o644)
		}, "corrupt"},
		{"truncated to half", func(t *testing.T, path string) {
			storeFile(t, path, 40)
			fi, _ := os.Stat(path)
			if fi.Size() < 4*4096 {
				t.Fatalf("test store is only %d bytes; want several pages", fi.Size())
			}
			os.Truncate(path, fi.Size()/2/4096*4096)
		}, "truncated"},
		{"truncated mid-page", func(t *testing.T, path string) {
			storeFile(t, path, 40)
			fi, _ := os.Stat(path)
			os.Truncate(path, fi.Size()-1000)
		}, "truncated"},
		{"truncated inside the header", func(t *testing.T, path string) {
			storeFile(t, path, 1)
			os.Truncate(path, 60)
		}, "truncated"},
		{"a page overwritten", func(t *testing.T, path string) {
			storeFile(t, path, 40)
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteAt(randomBytes(t, 4096), 2*4096) // page 3
			f.Close()
		}, "corrupt"},
		{"another program's database", func(t *testing.T, path string) {
			db := rawDB(t, path)
			if _, err := db.Exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance REAL)"); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, "another program"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "scenarios.db")
			tc.prepare(t, path)
			before := fileDigest(t, path)
			s, err := OpenScenarioStore(ctx, path, testCity)
			if err == nil {
				s.Close()
				t.Fatalf("OpenScenarioStore accepted the file")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q; want it to name %s and say %q", err, path, tc.want)
			}
			t.Log(err)
			if after := fileDigest(t, path); after != before {
				t.Errorf("the refused file changed: sha256 %s, was %s", after, before)
			}
			for _, suffix := range []string{"-wal", "-journal"} {
				if fi, err := os.Stat(path + suffix); err == nil && fi.Size() > 0 {
					t.Errorf("the refused file got a non-empty %s", suffix)
				}
			}
		})
	}
}

// TestScenarioEditSurvivesKill saves in a child process, kills it with
// SIGKILL and finds every edit the child was told was saved.
func TestScenarioEditSurvivesKill(t *testing.T) { forEachStore(t, testScenarioEditSurvivesKill) }

func testScenarioEditSurvivesKill(t *testing.T, newDB func(*testing.T) string) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, mode := range []string{"block", "loop"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			path := newDB(t)
			s, err := OpenScenarioStore(ctx, path, testCity)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := s.Create(ctx, "断电测试", nil)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()

			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.timeout=5m")
			cmd.Env = append(os.Environ(), "CARECIRCLE_SCENARIO_HELPER="+mode, "CARECIRCLE_SCENARIO_DB="+path, "CARECIRCLE_SCENARIO_ID="+sc.ID)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			killed := false
			defer func() {
				if !killed {
					cmd.Process.Kill()
					cmd.Wait()
				}
			}()
			lines := make(chan string)
			go func() {
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			want := int64(2) // block: one edit; loop: kill while it writes, after many
			if mode == "loop" {
				want = 40
			}
			var saved int64
			timeout := time.After(2 * time.Minute)
			for saved < want {
				select {
				case line, ok := <-lines:
					if !ok {
						t.Fatalf("the child ended after version %d without being killed", saved)
					}
					if v, found := strings.CutPrefix(line, "saved "); found {
						saved, _ = strconv.ParseInt(v, 10, 64)
					}
				case <-timeout:
					t.Fatalf("no 'saved' from the child in 2 minutes (last version %d)", saved)
				}
			}
			abs, _ := filepath.Abs(path)
			if !IsPostgresURL(path) && !walInUse(abs) {
				t.Errorf("while the child has the store open, walInUse says no")
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			killed = true
			if !IsPostgresURL(path) && walInUse(abs) {
				t.Errorf("after the child was killed, walInUse still says yes")
			}
			go func() {
				for range lines { // drain what the child printed before it died
				}
			}()

			s = openTestStore(t, path, testCity)
			got, err := s.Get(ctx, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version < saved {
				t.Fatalf("after SIGKILL the scenario is at version %d; the child had saved version %d", got.Version, saved)
			}
			if int64(len(got.Added)) != got.Version-1 {
				t.Fatalf("version %d has %d added facilities; want %d", got.Version, len(got.Added), got.Version-1)
			}
			for i, f := range got.Added {
				if wantF := testFacility(fmt.Sprintf("P-%d", i+2), i+2); !reflect.DeepEqual(f, wantF) {
					t.Errorf("facility %d = %+v; want %+v", i, f, wantF)
				}
			}
			t.Logf("%s: killed after the child saved version %d; found version %d", mode, saved, got.Version)
		})
	}
}

// TestHelperProcess is the child of TestScenarioEditSurvivesKill; it does
// nothing in a normal test run.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("CARECIRCLE_SCENARIO_HELPER")
	if mode == "" {
		t.Skip("only runs as the child of TestScenarioEditSurvivesKill")
	}
	ctx := context.Background()
	s, err := OpenScenarioStore(ctx, os.Getenv("CARECIRCLE_SCENARIO_DB"), testCity)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	sc, err := s.Get(ctx, os.Getenv("CARECIRCLE_SCENARIO_ID"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for {
		next := edit(t, sc, testFacility(fmt.Sprintf("P-%d", sc.Version+1), int(sc.Version+1)))
		if err := s.Save(ctx, next, sc.Version); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		sc = next
		fmt.Printf("saved %d\n", sc.Version)
		if mode == "block" {
			time.Sleep(time.Hour) // until killed
		}
	}
}

// TestScenarioConcurrentSaves races 8 writers on one scenario, through two
// stores (two connections) on one file.
func TestScenarioConcurrentSaves(t *testing.T) { forEachStore(t, testScenarioConcurrentSaves) }

func testScenarioConcurrentSaves(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	path := newDB(t)
	stores := []ScenarioStore{openTestStore(t, path, testCity), openTestStore(t, path, testCity)}
	sc, err := stores[0].Create(ctx, "并发测试", nil)
	if err != nil {
		t.Fatal(err)
	}
	const writers = 8

	t.Run("one winner per version", func(t *testing.T) {
		for round := range 10 {
			cur, err := stores[0].Get(ctx, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			start := make(chan struct{})
			errs := make([]error, writers)
			var wg sync.WaitGroup
			for w := range writers {
				next := edit(t, cur, testFacility(fmt.Sprintf("R-%d-%d", round, w), w))
				wg.Go(func() {
					<-start
					errs[w] = stores[w%2].Save(ctx, next, cur.Version)
				})
			}
			close(start)
			wg.Wait()
			wins := 0
			for w, err := range errs {
				var conflict *VersionConflictError
				switch {
				case err == nil:
					wins++
				case errors.As(err, &conflict):
					if conflict.Current != cur.Version+1 || conflict.Expected != cur.Version {
						t.Errorf("round %d, writer %d: %v; want a conflict at version %d", round, w, err, cur.Version+1)
					}
				default:
					t.Errorf("round %d, writer %d: %v", round, w, err)
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d writers won on version %d; want exactly 1", round, wins, cur.Version)
			}
		}
	})

	t.Run("no lost update", func(t *testing.T) {
		before, err := stores[0].Get(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		const each = 10
		var mu sync.Mutex
		won := map[int64]string{} // expect version → the writer whose edit it took
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				st := stores[w%2]
				for i := 0; i < each; {
					cur, err := st.Get(ctx, sc.ID)
					if err != nil {
						t.Error(err)
						return
					}
					id := fmt.Sprintf("W-%d-%d", w, i)
					next, err := cur.With(nil, planner.Edit{Op: planner.OpAdd, Facility: testFacility(id, i)})
					if err != nil {
						t.Error(err)
						return
					}
					err = st.Save(ctx, next, cur.Version)
					var conflict *VersionConflictError
					if errors.As(err, &conflict) {
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if prev, dup := won[cur.Version]; dup {
						t.Errorf("version %d was won twice: by %s and %s", cur.Version, prev, id)
					}
					won[cur.Version] = id
					mu.Unlock()
					i++
				}
			})
		}
		wg.Wait()
		after, err := stores[1].Get(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := before.Version + writers*each; after.Version != want {
			t.Errorf("version %d after %d saves on %d; want %d", after.Version, writers*each, before.Version, want)
		}
		have := map[string]bool{}
		for _, f := range after.Added {
			have[f.ID] = true
		}
		for w := range writers {
			for i := range each {
				if id := fmt.Sprintf("W-%d-%d", w, i); !have[id] {
					t.Errorf("facility %s was saved but is lost", id)
				}
			}
		}
		if len(after.Added) != len(before.Added)+writers*each {
			t.Errorf("%d facilities; want %d", len(after.Added), len(before.Added)+writers*each)
		}
	})
}

// TestScenarioMigrations plays a later build with a second schema step.
func TestScenarioMigrations(t *testing.T) {
	ctx := context.Background()
	path := storeFile(t, filepath.Join(t.TempDir(), "scenarios.db"), 3)
	orig := scenarioMigrations
	t.Cleanup(func() { scenarioMigrations = orig })
	schema := func() (version int, columns int) {
		db := rawDB(t, path)
		defer db.Close()
		if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("SELECT count(*) FROM pragma_table_info('scenarios')").Scan(&columns); err != nil {
			t.Fatal(err)
		}
		return version, columns
	}
	v1, cols1 := schema()

	// A step that fails half way leaves the file as it was.
	scenarioMigrations = append(slices.Clone(orig), `ALTER TABLE scenarios ADD COLUMN note TEXT NOT NULL DEFAULT '';
		SELECT no_such_function();`)
	if _, err := OpenScenarioStore(ctx, path, testCity); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fmt.Sprintf("migration to schema version %d", len(orig)+1)) {
		t.Fatalf("a failing migration: %v; want an error naming %s and the step", err, path)
	}
	if v, cols := schema(); v != v1 || cols != cols1 {
		t.Fatalf("after a failed migration: user_version %d with %d columns; want %d with %d", v, cols, v1, cols1)
	}

	// A good step upgrades the file and keeps the scenarios.
	scenarioMigrations = append(slices.Clone(orig), `ALTER TABLE scenarios ADD COLUMN note TEXT NOT NULL DEFAULT ''`)
	s, err := OpenScenarioStore(ctx, path, testCity)
	if err != nil {
		t.Fatal(err)
	}
	if list, _, err := s.List(ctx); err != nil || len(list) != 3 {
		t.Errorf("after the migration, List = %d scenarios, %v; want 3", len(list), err)
	}
	s.Close()
	if v, cols := schema(); v != len(orig)+1 || cols != cols1+1 {
		t.Fatalf("after the migration: user_version %d with %d columns; want %d with %d", v, cols, len(orig)+1, cols1+1)
	}

	// The older build now refuses the file.
	scenarioMigrations = orig
	before := fileDigest(t, path)
	if _, err := OpenScenarioStore(ctx, path, testCity); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("has schema version %d; this CareCircle understands up to %d", len(orig)+1, len(orig))) {
		t.Errorf("older build on a newer file: %v; want it refused", err)
	}
	if after := fileDigest(t, path); after != before {
		t.Errorf("the refused file changed")
	}
}
