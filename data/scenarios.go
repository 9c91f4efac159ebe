package data

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/carecircle/carecircle/planner"
	"github.com/paulmach/orb"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// SQLiteStore keeps the scenarios of one city in a SQLite file (pure Go,
// modernc.org/sqlite) in WAL mode with synchronous=FULL: a write that
// returned without error is on disk and survives a crash of the process or
// of the machine. One file may hold the scenarios of several cities; a store
// sees only those of the city it was opened for.
//
// The store refuses, without writing a byte to it, a file that is not
// SQLite, is corrupt or truncated, belongs to another program, or has a
// schema newer than this build knows. Its methods are safe for concurrent
// use; writes are serialised, and several processes may share one file.
// It implements ScenarioStore.
type SQLiteStore struct {
	db   *sql.DB
	path string // as the caller named it, for messages
	city string

	watchMu   sync.Mutex
	watchers  []func(id string, version int64)
	stopWatch func() // stops polling for other processes' writes; nil when not watched

	commits *groupCommit // Save's queue and its committer
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

	// 2: one row per facility a scenario adds, changes or closes, so that
	// an edit writes the row it touches rather than the whole scenario.
	// pos orders each list; facility is the facility as JSON with the
	// API's field names (a closed one: at least its id).
	`CREATE TABLE scenario_facilities (
		scenario TEXT    NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
		id       TEXT    NOT NULL,
		kind     TEXT    NOT NULL CHECK (kind IN ('added', 'changed', 'closed')),
		pos      INTEGER NOT NULL,
		facility TEXT    NOT NULL CHECK (json_type(facility) = 'object'),
		PRIMARY KEY (scenario, id)
	) STRICT, WITHOUT ROWID;
	CREATE INDEX scenario_facilities_pos ON scenario_facilities (scenario, pos);
	INSERT INTO scenario_facilities (scenario, id, kind, pos, facility)
		SELECT s.id, json_extract(j.value, '$.id'), 'added', j.key + 1, j.value
		FROM scenarios s, json_each(s.added) j;
	INSERT INTO scenario_facilities (scenario, id, kind, pos, facility)
		SELECT s.id, json_extract(j.value, '$.id'), 'changed', json_array_length(s.added) + j.key + 1, j.value
		FROM scenarios s, json_each(s.changed) j;
	INSERT INTO scenario_facilities (scenario, id, kind, pos, facility)
		SELECT s.id, j.value, 'closed', json_array_length(s.added) + json_array_length(s.changed) + j.key + 1, json_object('id', j.value)
		FROM scenarios s, json_each(s.closed) j;
	ALTER TABLE scenarios DROP COLUMN added;
	ALTER TABLE scenarios DROP COLUMN changed;
	ALTER TABLE scenarios DROP COLUMN closed;`,
}

// ScenarioSchemaVersion returns the schema version this build writes and
// the newest it can read (PRAGMA user_version of an up-to-date file).
func ScenarioSchemaVersion() int { return len(scenarioMigrations) }

// OpenSQLiteStore opens (creating it when missing) the scenario store at
// path for city, a key for the city the scenarios belong to. Before it
// writes anything it checks the file and refuses, with a message naming
// the file, one that is not SQLite, is truncated or fails PRAGMA
// quick_check, holds another program's tables, or has a schema version
// newer than this build; such a file is left byte for byte as it was. It
// then brings an older schema up to date, one versioned migration at a
// time.
func OpenSQLiteStore(ctx context.Context, path, city string) (*SQLiteStore, error) {
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
	s := &SQLiteStore{db: db, path: path, city: city}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.commits = startGroupCommit(s)
	return s, nil
}

// init checks the connection's settings and runs the pending migrations.
func (s *SQLiteStore) init(ctx context.Context) error {
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
func (s *SQLiteStore) migrateOnce(ctx context.Context) (done bool, err error) {
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
	if err := checkWAL(path, abs); err != nil {
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
func (s *SQLiteStore) Close() error {
	s.watchMu.Lock()
	stop := s.stopWatch
	s.stopWatch = nil
	s.watchMu.Unlock()
	if stop != nil {
		stop()
	}
	s.commits.stop()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("scenario database %s: closing: %w", s.path, err)
	}
	return nil
}

// Path returns the file name the store was opened with.
func (s *SQLiteStore) Path() string { return s.path }

// String returns the file name the store was opened with.
func (s *SQLiteStore) String() string { return s.path }

// City returns the key of the city whose scenarios the store sees.
func (s *SQLiteStore) City() string { return s.city }

// List returns the city's scenarios, oldest first, and the scenarios it
// could not read: a row that does not decode is skipped and reported, so
// one bad row does not hide the others.
func (s *SQLiteStore) List(ctx context.Context) ([]*planner.Scenario, []UnreadableScenario, error) {
	out, bad, err := s.read(ctx, s.db, "")
	if err != nil {
		return nil, nil, fmt.Errorf("scenario database %s: listing scenarios: %w", s.path, err)
	}
	return out, bad, nil
}

// Get returns scenario id, or an error wrapping ErrScenarioNotFound when
// the city has no such scenario.
func (s *SQLiteStore) Get(ctx context.Context, id string) (*planner.Scenario, error) {
	return s.get(ctx, s.db, id)
}

// Version returns the stored version of scenario id.
func (s *SQLiteStore) Version(ctx context.Context, id string) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM scenarios WHERE id = ? AND city = ?`, id, s.city).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, s.notFound(id)
	}
	if err != nil {
		return 0, fmt.Errorf("scenario database %s: scenario %s: %w", s.path, id, err)
	}
	return v, nil
}

// notFound is the error for a scenario the city does not have.
func notFound(city, id string) error {
	return fmt.Errorf("%w: %q in city %q", ErrScenarioNotFound, id, city)
}

func (s *SQLiteStore) notFound(id string) error { return notFound(s.city, id) }

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *SQLiteStore) get(ctx context.Context, q queryer, id string) (*planner.Scenario, error) {
	out, bad, err := s.read(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: reading scenario %s: %w", s.path, id, err)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("scenario database %s: scenario %s cannot be read: %s", s.path, id, bad[0].Problem)
	}
	if len(out) == 0 {
		return nil, s.notFound(id)
	}
	return out[0], nil
}

// read reads the city's scenarios (only scenario id when id is not
// empty) with their facility rows in one statement, so that it sees one
// state of the file however other processes write.
func (s *SQLiteStore) read(ctx context.Context, q queryer, id string) ([]*planner.Scenario, []UnreadableScenario, error) {
	query := `SELECT s.id, s.name, s.version, f.id, f.kind, f.pos, f.facility
		FROM scenarios s LEFT JOIN scenario_facilities f ON f.scenario = s.id
		WHERE s.city = ?1 AND (?2 = '' OR s.id = ?2) ORDER BY s.seq, f.pos`
	rows, err := q.QueryContext(ctx, query, s.city, id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var r scenarioReader
	for rows.Next() {
		var sc planner.Scenario
		var fid, kind, facility sql.NullString
		var pos sql.NullInt64
		if err := rows.Scan(&sc.ID, &sc.Name, &sc.Version, &fid, &kind, &pos, &facility); err != nil {
			return nil, nil, err
		}
		r.scenario(&sc)
		if !fid.Valid {
			continue
		}
		f, err := decodeFacility(facility.String)
		if err == nil && f.ID != fid.String {
			err = fmt.Errorf("the facility's id is %q", f.ID)
		}
		if err != nil {
			r.fail(fmt.Sprintf("facility %q (%s): %v", fid.String, kind.String, err))
			continue
		}
		r.row(facilityRow{kind: kind.String, pos: pos.Int64, f: f})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	out, bad := r.done()
	return out, bad, nil
}

// Create stores a new scenario named name at version 1, with a new id
// ("s-" and 8 random base-32 characters). With from it starts with a copy
// of from's edits (a duplicate); from itself is not read from the store
// and may be any scenario value, such as the baseline.
func (s *SQLiteStore) Create(ctx context.Context, name string, from *planner.Scenario) (*planner.Scenario, error) {
	sc, err := newScenario(name, from)
	if err != nil {
		return nil, err
	}
	now := timestamp()
	for range 8 { // 40 random bits: a clash is rare, eight in a row is a broken random source
		id, err := newScenarioID()
		if err != nil {
			return nil, err
		}
		sc.ID = id
		ok, err := s.create(ctx, sc, now)
		if err != nil {
			return nil, fmt.Errorf("scenario database %s: creating scenario %q: %w", s.path, sc.Name, err)
		}
		if ok {
			return sc, nil
		}
	}
	return nil, fmt.Errorf("scenario database %s: creating scenario %q: 8 random ids in a row were taken", s.path, sc.Name)
}

// create inserts sc unless its id is taken.
func (s *SQLiteStore) create(ctx context.Context, sc *planner.Scenario, now string) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO scenarios (id, city, name, version, created, updated)
		VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (id) DO NOTHING`, sc.ID, s.city, sc.Name, now, now)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	if err := s.writeRows(ctx, tx, sc); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// newScenario checks name and makes a version 1 scenario with a copy of
// from's edits.
func newScenario(name string, from *planner.Scenario) (*planner.Scenario, error) {
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
	for _, r := range scenarioRows(sc) {
		if err := checkFacilityNumbers(r.f); err != nil {
			return nil, fmt.Errorf("new scenario %q: %w", name, err)
		}
	}
	return sc, nil
}

// writeRows replaces scenario sc's facility rows with its edit lists.
func (s *SQLiteStore) writeRows(ctx context.Context, tx *sql.Tx, sc *planner.Scenario) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM scenario_facilities WHERE scenario = ?`, sc.ID); err != nil {
		return err
	}
	for _, r := range scenarioRows(sc) {
		js, err := encodeFacility(r.f)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO scenario_facilities (scenario, id, kind, pos, facility) VALUES (?, ?, ?, ?, ?)`,
			sc.ID, r.f.ID, r.kind, r.pos, js); err != nil {
			return fmt.Errorf("facility %q: %w", r.f.ID, err)
		}
	}
	return nil
}

// checkSave checks Save's arguments, which only a caller bug gets wrong.
func checkSave(where string, sc *planner.Scenario, expect int64, edits []planner.Edit) (string, error) {
	if sc == nil {
		return "", fmt.Errorf("scenario database %s: Save of a nil scenario", where)
	}
	if expect < 1 || sc.Version != expect+1 {
		return "", fmt.Errorf("scenario database %s: saving scenario %s at version %d on version %d: want version %d, one edit on top of a stored version (1 or more)", where, sc.ID, sc.Version, expect, expect+1)
	}
	name, err := checkScenarioName(sc.Name)
	if err != nil {
		return "", err
	}
	if len(edits) == 0 { // a rewrite: every facility is written; with edits, only theirs
		w := *sc
		normaliseScenario(&w)
		for _, r := range scenarioRows(&w) {
			if err := checkFacilityNumbers(r.f); err != nil {
				return "", fmt.Errorf("scenario database %s: saving scenario %s: %w", where, sc.ID, err)
			}
		}
	}
	for _, ed := range edits {
		if err := checkFacilityNumbers(ed.Facility); err != nil {
			return "", fmt.Errorf("scenario database %s: saving scenario %s: %w", where, sc.ID, err)
		}
	}
	return name, nil
}

// Save stores sc, the result of edits made on version expect of the
// scenario (as planner.Scenario.With makes it): sc.Version must be
// expect+1. It writes only if the stored version is still expect;
// otherwise it returns a *VersionConflictError and changes nothing. With
// edits it writes the rows they touch (in proportion to the edit, not the
// scenario); without, it rewrites all of sc's rows. It returns an error
// wrapping ErrScenarioNotFound when the scenario is gone.
//
// Concurrent Saves are committed together (group commit): each waits until
// the transaction holding its write is on disk, so a Save that returned nil
// is durable, but several share one fsync. A Save whose ctx ends while it
// waits its turn is not written; once its write is in a transaction it
// waits for the outcome.
func (s *SQLiteStore) Save(ctx context.Context, sc *planner.Scenario, expect int64, edits ...planner.Edit) error {
	name, err := checkSave(s.path, sc, expect, edits)
	if err != nil {
		return err
	}
	return s.commits.save(ctx, &saveRequest{ctx: ctx, sc: sc, name: name, expect: expect, edits: edits})
}

// applySave writes one Save in tx: the version check, then the rows.
func (s *SQLiteStore) applySave(ctx context.Context, tx *sql.Tx, r *saveRequest) error {
	sc, expect, edits := r.sc, r.expect, r.edits
	fail := func(err error) error {
		return fmt.Errorf("scenario database %s: saving scenario %s: %w", s.path, sc.ID, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE scenarios SET name = ?, version = ?, updated = ?
		WHERE id = ? AND city = ? AND version = ?`,
		r.name, expect+1, timestamp(), sc.ID, s.city, expect)
	if err != nil {
		return fail(err)
	}
	if err := s.checkUpdated(ctx, tx, res, sc.ID, expect); err != nil {
		return err
	}
	if len(edits) == 0 {
		w := *sc
		normaliseScenario(&w)
		if err := s.writeRows(ctx, tx, &w); err != nil {
			return fail(err)
		}
	}
	for _, ed := range edits {
		if err := s.writeEdit(ctx, tx, sc.ID, ed); err != nil {
			return fail(err)
		}
	}
	return nil
}

// writeEdit writes the one row edit ed touches.
func (s *SQLiteStore) writeEdit(ctx context.Context, tx *sql.Tx, id string, ed planner.Edit) error {
	var current string
	err := tx.QueryRowContext(ctx, `SELECT kind FROM scenario_facilities WHERE scenario = ? AND id = ?`, id, ed.Facility.ID).Scan(&current)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	rc, err := rowChangeOf(ed, current)
	if err != nil {
		return err
	}
	if rc.delete {
		_, err := tx.ExecContext(ctx, `DELETE FROM scenario_facilities WHERE scenario = ? AND id = ?`, id, rc.id)
		return err
	}
	js, err := encodeFacility(rc.f)
	if err != nil {
		return err
	}
	if rc.newPos {
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO scenario_facilities (scenario, id, kind, pos, facility)
			VALUES (?1, ?2, ?3, (SELECT coalesce(max(pos), 0) + 1 FROM scenario_facilities WHERE scenario = ?1), ?4)`,
			id, rc.id, rc.kind, js)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE scenario_facilities SET facility = ? WHERE scenario = ? AND id = ?`, js, id, rc.id)
	}
	return err
}

// Rename gives scenario id a new name if its stored version is expect (any
// version with AnyVersion), and returns it with its version one higher.
// A stale expect gives a *VersionConflictError and changes nothing.
func (s *SQLiteStore) Rename(ctx context.Context, id, name string, expect int64) (*planner.Scenario, error) {
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
func (s *SQLiteStore) checkUpdated(ctx context.Context, tx *sql.Tx, res sql.Result, id string, expect int64) error {
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
func (s *SQLiteStore) Delete(ctx context.Context, id string) error {
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

func toFacilityJSON(f planner.Facility) facilityJSON {
	return facilityJSON{
		ID: f.ID, Name: f.Name, Type: string(f.Type), Status: string(f.Status),
		Lon: f.Location[0], Lat: f.Location[1],
		FloorArea: f.FloorArea, LandArea: f.LandArea, Beds: f.Beds, NursingBeds: f.NursingBeds,
		Operator: string(f.Operator), CommunityCode: f.Community,
	}
}

func (f facilityJSON) facility() planner.Facility {
	return planner.Facility{
		ID: f.ID, Name: f.Name, Type: planner.FacilityType(f.Type), Status: planner.FacilityStatus(f.Status),
		Operator: planner.OperatorModel(f.Operator), Location: orb.Point{f.Lon, f.Lat},
		FloorArea: f.FloorArea, LandArea: f.LandArea, Beds: f.Beds, NursingBeds: f.NursingBeds,
		Community: f.CommunityCode,
	}
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
