package data

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// ScenarioStore keeps the scenarios of one city in a SQLite file (pure Go,
// modernc.org/sqlite) in WAL mode with synchronous=FULL: a write that
// returned without error is on disk and survives a crash of the process or
// of the machine. One file may hold the scenarios of several cities; a store
// sees only those of the city it was opened for.
//
// The store refuses, without writing a byte to it, a file that is not
// SQLite, is corrupt or truncated, belongs to another program, or has a
// schema newer than this build knows. Its methods are safe for concurrent
// use; writes are serialised, and several processes may share one file.
type ScenarioStore struct {
	db   *sql.DB
	path string // as the caller named it, for messages
	city string
}

// ErrScenarioNotFound is returned (wrapped; test with errors.Is) when a
// scenario does not exist in the store's city.
var ErrScenarioNotFound = errors.New("scenario not found")

// ErrInvalidScenarioName is returned (wrapped; test with errors.Is) for a
// scenario name that is empty after trimming spaces, longer than
// MaxScenarioNameLen characters or not valid UTF-8.
var ErrInvalidScenarioName = errors.New("invalid scenario name")

// MaxScenarioNameLen is the most characters (runes) a scenario name may have.
const MaxScenarioNameLen = 200

// AnyVersion, passed as the expected version to Rename, renames the
// scenario whatever its stored version is (an edit without If-Match).
const AnyVersion int64 = 0

// VersionConflictError is returned (test with errors.As) when a write was
// made on a version of the scenario that is no longer the stored one.
// Nothing was changed.
type VersionConflictError struct {
	ID       string // the scenario
	Expected int64  // the version the edit was made on
	Current  int64  // the version stored now
}

// Error reads like the API's 409 message.
func (e *VersionConflictError) Error() string {
	return fmt.Sprintf("scenario %s is at version %d, the edit was made on version %d", e.ID, e.Current, e.Expected)
}

// scenarioAppID is written to PRAGMA application_id, so a CareCircle
// scenario store can be told from another program's SQLite file ("CCsc").
const scenarioAppID = 0x43437363

// scenarioMigrations are the schema's versions: migration N (1-based) is
// scenarioMigrations[N-1]. Each runs in its own transaction, which also sets
// PRAGMA user_version to N. Append only; never edit a released step.
var scenarioMigrations = []string{
	// 1: one row per scenario. seq keeps creation order (an INTEGER
	// PRIMARY KEY is the rowid and survives VACUUM). created and updated
	// are UTC times in RFC 3339 form. added and changed are JSON arrays of
	// facilities with the API's field names; closed is a JSON array of
	// facility ids.
	`CREATE TABLE scenarios (
		seq     INTEGER PRIMARY KEY,
		id      TEXT    NOT NULL UNIQUE,
		city    TEXT    NOT NULL,
		name    TEXT    NOT NULL,
		version INTEGER NOT NULL CHECK (version >= 1),
		created TEXT    NOT NULL,
		updated TEXT    NOT NULL,
		added   TEXT    NOT NULL CHECK (json_type(added) = 'array'),
		changed TEXT    NOT NULL CHECK (json_type(changed) = 'array'),
		closed  TEXT    NOT NULL CHECK (json_type(closed) = 'array')
	) STRICT;
	CREATE INDEX scenarios_city ON scenarios (city, seq);
	PRAGMA application_id = ` + fmt.Sprint(scenarioAppID) + `;`,
}

// ScenarioSchemaVersion returns the schema version this build writes and
// the newest it can read (PRAGMA user_version of an up-to-date file).
func ScenarioSchemaVersion() int { return len(scenarioMigrations) }

// OpenScenarioStore opens (creating it when missing) the scenario store at
// path for city, a key for the city the scenarios belong to. Before it
// writes anything it checks the file and refuses, with a message naming
// the file, one that is not SQLite, is truncated or fails PRAGMA
// quick_check, holds another program's tables, or has a schema version
// newer than this build; such a file is left byte for byte as it was. It
// then brings an older schema up to date, one versioned migration at a
// time.
func OpenScenarioStore(ctx context.Context, path, city string) (*ScenarioStore, error) {
	if path == "" {
		return nil, errors.New("scenario database: no file named; want a path such as scenarios.db")
	}
	if strings.TrimSpace(city) == "" {
		return nil, fmt.Errorf("scenario database %s: empty city key; want the key of the city the scenarios belong to", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: %w", path, err)
	}
	if err := checkScenarioFile(ctx, path, abs); err != nil {
		return nil, err
	}

	// Only now may SQLite write: journal_mode=WAL rewrites the header.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate") // writers take the lock at BEGIN: no upgrade deadlocks
	db, err := sql.Open("sqlite", sqliteURI(abs, q))
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: %w", path, err)
	}
	// One connection: writes are serialised in the process anyway, and a
	// single connection keeps the per-connection pragmas in one place.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s := &ScenarioStore{db: db, path: path, city: city}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// init checks the connection's settings and runs the pending migrations.
func (s *ScenarioStore) init(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("scenario database %s: cannot open: %w", s.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("scenario database %s: journal mode is %q; want wal (is the file on a file system without shared memory, such as a network share?)", s.path, mode)
	}
	for {
		done, err := s.migrateOnce(ctx)
		if err != nil || done {
			return err
		}
	}
}

// migrateOnce runs the next pending migration, if any, in a transaction of
// its own, reading the schema version inside it so that two processes
// opening the same file do not run a step twice.
func (s *ScenarioStore) migrateOnce(ctx context.Context) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("scenario database %s: migration: %w", s.path, err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, fmt.Errorf("scenario database %s: reading the schema version: %w", s.path, err)
	}
	switch {
	case v > ScenarioSchemaVersion():
		return false, newerSchemaError(s.path, v)
	case v == ScenarioSchemaVersion():
		return true, nil
	case v < 0:
		return false, fmt.Errorf("scenario database %s has schema version %d; want 0 to %d: it is not a CareCircle scenario store", s.path, v, ScenarioSchemaVersion())
	}
	if _, err := tx.ExecContext(ctx, scenarioMigrations[v]); err != nil {
		return false, fmt.Errorf("scenario database %s: migration to schema version %d: %w", s.path, v+1, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, fmt.Errorf("scenario database %s: migration to schema version %d: %w", s.path, v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("scenario database %s: migration to schema version %d: %w", s.path, v+1, err)
	}
	return false, nil
}

func newerSchemaError(path string, v int) error {
	return fmt.Errorf("scenario database %s has schema version %d; this CareCircle understands up to %d: upgrade CareCircle, or use another --db file", path, v, ScenarioSchemaVersion())
}

// refusal words the end of every message about a file the store will not use.
const refusal = "CareCircle leaves it untouched: restore it from a backup, move it aside, or use another --db file"

// sqliteHeader is how every SQLite 3 database file begins.
var sqliteHeader = []byte("SQLite format 3\x00")

// checkScenarioFile refuses an existing file that the store must not use,
// without writing to it: the header and size are read by hand, the rest
// through a read-only connection.
func checkScenarioFile(ctx context.Context, path, abs string) error {
	fi, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) {
		dir := filepath.Dir(abs)
		if di, err := os.Stat(dir); err != nil || !di.IsDir() {
			return fmt.Errorf("scenario database %s: cannot create it: folder %s does not exist", path, dir)
		}
		return nil // a new store
	}
	if err != nil {
		return fmt.Errorf("scenario database %s: %w", path, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("scenario database %s is a folder; want a SQLite file, such as %s", path, filepath.Join(path, "scenarios.db"))
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("scenario database %s is not a regular file (mode %s); want a SQLite file", path, fi.Mode())
	}
	if fi.Size() == 0 {
		return nil // an empty file is an empty database: nothing to lose
	}
	if err := checkSQLiteHeader(path, abs, fi.Size()); err != nil {
		return err
	}

	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", sqliteURI(abs, q))
	if err != nil {
		return fmt.Errorf("scenario database %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	unreadable := func(err error) error {
		return fmt.Errorf("scenario database %s cannot be read as SQLite (%v); it is corrupt or not a database. %s", path, err, refusal)
	}
	var version, appID int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return unreadable(err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return unreadable(err)
	}
	if version > ScenarioSchemaVersion() {
		return newerSchemaError(path, version)
	}
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check(10)")
	if err != nil {
		return unreadable(err)
	}
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return unreadable(err)
		}
		if p != "ok" {
			problems = append(problems, strings.ReplaceAll(p, "\n", " "))
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return unreadable(err)
	}
	rows.Close()
	if len(problems) > 0 {
		return fmt.Errorf("scenario database %s is corrupt: PRAGMA quick_check says %s. %s", path, strings.Join(problems, "; "), refusal)
	}
	if appID != scenarioAppID {
		var tables int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
			return unreadable(err)
		}
		if tables > 0 || appID != 0 {
			return fmt.Errorf("scenario database %s is a SQLite database of another program (application_id %#x, %d schema objects); want a CareCircle scenario store (application_id %#x) or a new file. %s", path, appID, tables, scenarioAppID, refusal)
		}
	}
	return nil
}

// checkSQLiteHeader reads the first 100 bytes of the file and refuses one
// that is not SQLite, or whose header promises more pages than the file
// has (a truncated copy). The size check is skipped while a write-ahead
// log is present, since committed pages may live there.
func checkSQLiteHeader(path, abs string, size int64) error {
	f, err := os.Open(abs)
	if err != nil {
		return fmt.Errorf("scenario database %s: %w", path, err)
	}
	defer f.Close()
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("scenario database %s: %w", path, err)
	}
	if n < len(sqliteHeader) || !bytes.Equal(h[:len(sqliteHeader)], sqliteHeader) {
		return fmt.Errorf("scenario database %s is not a SQLite database: it does not begin with %q. %s", path, sqliteHeader[:15], refusal)
	}
	if n < len(h) {
		return fmt.Errorf("scenario database %s is truncated: %d bytes, shorter than the 100-byte SQLite header. %s", path, size, refusal)
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return fmt.Errorf("scenario database %s is corrupt: its header gives a page size of %d; want a power of two from 512 to 65536. %s", path, pageSize, refusal)
	}
	if wal, err := os.Stat(abs + "-wal"); err == nil && wal.Size() > 0 {
		return nil
	}
	changeCounter := binary.BigEndian.Uint32(h[24:28])
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	validFor := binary.BigEndian.Uint32(h[92:96])
	if size%pageSize != 0 {
		return fmt.Errorf("scenario database %s is truncated: %d bytes is not a whole number of %d-byte pages. %s", path, size, pageSize, refusal)
	}
	if changeCounter == validFor && pages > 0 && size < pages*pageSize {
		return fmt.Errorf("scenario database %s is truncated: its header says %d pages of %d bytes (%d bytes) but the file has %d bytes. %s", path, pages, pageSize, pages*pageSize, size, refusal)
	}
	return nil
}

// sqliteURI makes a SQLite URI filename for an absolute path with the
// query q, escaping what SQLite would otherwise read as URI syntax.
func sqliteURI(abs string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // Windows drive letters: file:///C:/...
	}
	return u.String()
}

// Close closes the database. Every write already returned is on disk.
func (s *ScenarioStore) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("scenario database %s: closing: %w", s.path, err)
	}
	return nil
}

// Path returns the file name the store was opened with.
func (s *ScenarioStore) Path() string { return s.path }

// City returns the key of the city whose scenarios the store sees.
func (s *ScenarioStore) City() string { return s.city }

// List returns the city's scenarios, oldest first.
func (s *ScenarioStore) List(ctx context.Context) ([]*planner.Scenario, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+scenarioColumns+` FROM scenarios WHERE city = ? ORDER BY seq`, s.city)
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: listing scenarios: %w", s.path, err)
	}
	defer rows.Close()
	out := []*planner.Scenario{}
	for rows.Next() {
		sc, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scenario database %s: listing scenarios: %w", s.path, err)
	}
	return out, nil
}

// Get returns scenario id, or an error wrapping ErrScenarioNotFound when
// the city has no such scenario.
func (s *ScenarioStore) Get(ctx context.Context, id string) (*planner.Scenario, error) {
	return s.get(ctx, s.db, id)
}

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *ScenarioStore) get(ctx context.Context, q queryer, id string) (*planner.Scenario, error) {
	sc, err := s.scan(q.QueryRowContext(ctx, `SELECT `+scenarioColumns+` FROM scenarios WHERE id = ? AND city = ?`, id, s.city))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.notFound(id)
	}
	return sc, err
}

func (s *ScenarioStore) notFound(id string) error {
	return fmt.Errorf("%w: %q in city %q", ErrScenarioNotFound, id, s.city)
}

// Create stores a new scenario named name at version 1, with a new id
// ("s-" and 8 random base-32 characters). With from it starts with a copy
// of from's edits (a duplicate); from itself is not read from the store
// and may be any scenario value, such as the baseline.
func (s *ScenarioStore) Create(ctx context.Context, name string, from *planner.Scenario) (*planner.Scenario, error) {
	name, err := checkScenarioName(name)
	if err != nil {
		return nil, err
	}
	sc := &planner.Scenario{Name: name, Version: 1}
	if from != nil {
		sc.Added = slices.Clone(from.Added)
		sc.Changed = slices.Clone(from.Changed)
		sc.Closed = slices.Clone(from.Closed)
	}
	normaliseScenario(sc)
	added, changed, closed, err := encodeEdits(sc)
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: new scenario %q: %w", s.path, name, err)
	}
	now := timestamp()
	for range 8 { // 40 random bits: a clash is rare, eight in a row is a broken random source
		id, err := newScenarioID()
		if err != nil {
			return nil, err
		}
		res, err := s.db.ExecContext(ctx, `INSERT INTO scenarios (id, city, name, version, created, updated, added, changed, closed)
			VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			id, s.city, name, now, now, added, changed, closed)
		if err != nil {
			return nil, fmt.Errorf("scenario database %s: creating scenario %q: %w", s.path, name, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("scenario database %s: creating scenario %q: %w", s.path, name, err)
		} else if n == 1 {
			sc.ID = id
			return sc, nil
		}
	}
	return nil, fmt.Errorf("scenario database %s: creating scenario %q: 8 random ids in a row were taken", s.path, name)
}

// Save stores sc, the result of one edit made on version expect of the
// scenario (as planner.Scenario.With makes it): sc.Version must be
// expect+1. It writes sc's name and edits only if the stored version is
// still expect; otherwise it returns a *VersionConflictError and changes
// nothing. It returns an error wrapping ErrScenarioNotFound when the
// scenario is gone.
func (s *ScenarioStore) Save(ctx context.Context, sc *planner.Scenario, expect int64) error {
	if sc == nil {
		return fmt.Errorf("scenario database %s: Save of a nil scenario", s.path)
	}
	if expect < 1 || sc.Version != expect+1 {
		return fmt.Errorf("scenario database %s: saving scenario %s at version %d on version %d: want version %d, one edit on top of a stored version (1 or more)", s.path, sc.ID, sc.Version, expect, expect+1)
	}
	name, err := checkScenarioName(sc.Name)
	if err != nil {
		return err
	}
	w := *sc
	normaliseScenario(&w)
	added, changed, closed, err := encodeEdits(&w)
	if err != nil {
		return fmt.Errorf("scenario database %s: saving scenario %s: %w", s.path, sc.ID, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("scenario database %s: saving scenario %s: %w", s.path, sc.ID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE scenarios SET name = ?, version = ?, updated = ?, added = ?, changed = ?, closed = ?
		WHERE id = ? AND city = ? AND version = ?`,
		name, expect+1, timestamp(), added, changed, closed, sc.ID, s.city, expect)
	if err != nil {
		return fmt.Errorf("scenario database %s: saving scenario %s: %w", s.path, sc.ID, err)
	}
	if err := s.checkUpdated(ctx, tx, res, sc.ID, expect); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("scenario database %s: saving scenario %s: %w", s.path, sc.ID, err)
	}
	return nil
}

// Rename gives scenario id a new name if its stored version is expect (any
// version with AnyVersion), and returns it with its version one higher.
// A stale expect gives a *VersionConflictError and changes nothing.
func (s *ScenarioStore) Rename(ctx context.Context, id, name string, expect int64) (*planner.Scenario, error) {
	name, err := checkScenarioName(name)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: renaming scenario %s: %w", s.path, id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE scenarios SET name = ?, version = version + 1, updated = ?
		WHERE id = ? AND city = ? AND (version = ? OR ? = 0)`,
		name, timestamp(), id, s.city, expect, expect)
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: renaming scenario %s: %w", s.path, id, err)
	}
	if err := s.checkUpdated(ctx, tx, res, id, expect); err != nil {
		return nil, err
	}
	sc, err := s.get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("scenario database %s: renaming scenario %s: %w", s.path, id, err)
	}
	return sc, nil
}

// checkUpdated turns an UPDATE that matched no row into ErrScenarioNotFound
// or a *VersionConflictError, reading the stored version in the same
// transaction.
func (s *ScenarioStore) checkUpdated(ctx context.Context, tx *sql.Tx, res sql.Result, id string, expect int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("scenario database %s: scenario %s: %w", s.path, id, err)
	}
	if n == 1 {
		return nil
	}
	var current int64
	err = tx.QueryRowContext(ctx, `SELECT version FROM scenarios WHERE id = ? AND city = ?`, id, s.city).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return s.notFound(id)
	}
	if err != nil {
		return fmt.Errorf("scenario database %s: scenario %s: %w", s.path, id, err)
	}
	return &VersionConflictError{ID: id, Expected: expect, Current: current}
}

// Delete removes scenario id, or returns an error wrapping
// ErrScenarioNotFound when the city has no such scenario.
func (s *ScenarioStore) Delete(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM scenarios WHERE id = ? AND city = ?`, id, s.city)
	if err != nil {
		return fmt.Errorf("scenario database %s: deleting scenario %s: %w", s.path, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("scenario database %s: deleting scenario %s: %w", s.path, id, err)
	}
	if n == 0 {
		return s.notFound(id)
	}
	return nil
}

const scenarioColumns = `id, name, version, added, changed, closed`

// scan reads one row of scenarioColumns.
func (s *ScenarioStore) scan(row interface{ Scan(...any) error }) (*planner.Scenario, error) {
	var sc planner.Scenario
	var added, changed, closed string
	if err := row.Scan(&sc.ID, &sc.Name, &sc.Version, &added, &changed, &closed); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("scenario database %s: reading a scenario: %w", s.path, err)
	}
	var err error
	if sc.Added, err = decodeFacilities(added); err != nil {
		return nil, fmt.Errorf("scenario database %s: scenario %s, column added: %w", s.path, sc.ID, err)
	}
	if sc.Changed, err = decodeFacilities(changed); err != nil {
		return nil, fmt.Errorf("scenario database %s: scenario %s, column changed: %w", s.path, sc.ID, err)
	}
	if err := json.Unmarshal([]byte(closed), &sc.Closed); err != nil {
		return nil, fmt.Errorf("scenario database %s: scenario %s, column closed: want a JSON array of facility ids: %w", s.path, sc.ID, err)
	}
	normaliseScenario(&sc)
	return &sc, nil
}

// normaliseScenario makes nil edit lists empty, so that scenarios read back
// equal the ones written and encode as [] rather than null.
func normaliseScenario(sc *planner.Scenario) {
	if sc.Added == nil {
		sc.Added = []planner.Facility{}
	}
	if sc.Changed == nil {
		sc.Changed = []planner.Facility{}
	}
	if sc.Closed == nil {
		sc.Closed = []string{}
	}
}

// facilityJSON is a facility as stored, with the field names of the HTTP
// API (docs/api.md).
type facilityJSON struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	Type          string  `json:"type"`
	Status        string  `json:"status"`
	Lon           float64 `json:"lon"`
	Lat           float64 `json:"lat"`
	FloorArea     float64 `json:"floor_area_m2"`
	LandArea      float64 `json:"land_area_m2"`
	Beds          float64 `json:"beds"`
	NursingBeds   float64 `json:"nursing_beds"`
	Operator      string  `json:"operator"`
	CommunityCode string  `json:"community_code"`
}

func encodeEdits(sc *planner.Scenario) (added, changed, closed string, err error) {
	if added, err = encodeFacilities(sc.Added); err != nil {
		return "", "", "", fmt.Errorf("added: %w", err)
	}
	if changed, err = encodeFacilities(sc.Changed); err != nil {
		return "", "", "", fmt.Errorf("changed: %w", err)
	}
	b, err := json.Marshal(sc.Closed)
	if err != nil {
		return "", "", "", fmt.Errorf("closed: %w", err)
	}
	return added, changed, string(b), nil
}

func encodeFacilities(fs []planner.Facility) (string, error) {
	w := make([]facilityJSON, len(fs))
	for i, f := range fs {
		w[i] = facilityJSON{
			ID: f.ID, Name: f.Name, Type: string(f.Type), Status: string(f.Status),
			Lon: f.Location[0], Lat: f.Location[1],
			FloorArea: f.FloorArea, LandArea: f.LandArea, Beds: f.Beds, NursingBeds: f.NursingBeds,
			Operator: string(f.Operator), CommunityCode: f.Community,
		}
	}
	b, err := json.Marshal(w)
	if err != nil {
		// Only NaN or ±Inf get here: JSON has no such numbers.
		return "", fmt.Errorf("facility with a number JSON cannot hold (NaN or infinite): %w", err)
	}
	return string(b), nil
}

func decodeFacilities(s string) ([]planner.Facility, error) {
	var w []facilityJSON
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return nil, fmt.Errorf("want a JSON array of facilities: %w", err)
	}
	fs := make([]planner.Facility, len(w))
	for i, f := range w {
		fs[i] = planner.Facility{
			ID: f.ID, Name: f.Name, Type: planner.FacilityType(f.Type), Status: planner.FacilityStatus(f.Status),
			Operator: planner.OperatorModel(f.Operator), Location: orb.Point{f.Lon, f.Lat},
			FloorArea: f.FloorArea, LandArea: f.LandArea, Beds: f.Beds, NursingBeds: f.NursingBeds,
			Community: f.CommunityCode,
		}
	}
	return fs, nil
}

// checkScenarioName returns name without leading and trailing spaces, or
// an error wrapping ErrInvalidScenarioName.
func checkScenarioName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidScenarioName, name)
	}
	t := strings.TrimSpace(name)
	if t == "" {
		return "", fmt.Errorf("%w: empty; want 1 to %d characters", ErrInvalidScenarioName, MaxScenarioNameLen)
	}
	if n := utf8.RuneCountInString(t); n > MaxScenarioNameLen {
		return "", fmt.Errorf("%w: %d characters; want at most %d", ErrInvalidScenarioName, n, MaxScenarioNameLen)
	}
	return t, nil
}

// scenarioIDEncoding is lower-case base 32 (RFC 4648 alphabet): letters and
// the digits 2 to 7, safe in URLs and file names.
var scenarioIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newScenarioID returns "s-" and 8 base-32 characters (40 random bits).
func newScenarioID() (string, error) {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new scenario id: %w", err)
	}
	return "s-" + scenarioIDEncoding.EncodeToString(b[:]), nil
}

// timestamp is the current time as stored in created and updated.
func timestamp() string {
	return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
}
