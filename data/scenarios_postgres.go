package data

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/carecircle/carecircle/planner"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
)

// PostgresStore keeps the scenarios of one city in a PostgreSQL database
// with PostGIS, in the schema "carecircle", for deployments with several
// replicas or several cities on one database. Facilities a scenario adds,
// changes or closes are rows with a PostGIS point (SRID 4326), and the
// view carecircle.scenario_changes shows them with their scenario's name
// for GIS tools such as QGIS.
//
// It keeps the SQLite store's contract (see ScenarioStore): versioned
// migrations, optimistic concurrency, refusal of a schema newer than this
// build or a "carecircle" schema of another program, and a write that
// returned is committed (PostgreSQL's synchronous_commit). Every write
// sends a notification (LISTEN/NOTIFY) that Watch passes on, so replicas
// drop what they cached of a scenario another replica changed.
type PostgresStore struct {
	pool *pgxpool.Pool
	url  string // without the password, for messages
	city string

	cancel   context.CancelFunc // stops the listener
	done     chan struct{}      // closed when the listener has stopped
	mu       sync.Mutex
	watchers []func(id string, version int64)
}

// pgNotifyChannel is the channel every write notifies, with the payload
// "version city-key\tscenario-id" (version 0: deleted).
const pgNotifyChannel = "carecircle_scenarios"

// pgApplication marks the carecircle schema as CareCircle's scenario store.
const pgApplication = "carecircle-scenarios"

// pgLockKey is the advisory lock migrations hold, so two replicas
// starting at once run each step once ("CCsc").
const pgLockKey = scenarioAppID

// pgMigrations are the PostgreSQL schema's versions, as scenarioMigrations
// are SQLite's: step N (1-based) takes the schema from version N-1 to N in
// one transaction, which also records N in carecircle.meta. Append only.
var pgMigrations = []string{
	// 1: scenarios, one row per facility a scenario touches (with its
	// attributes as columns and its place as a PostGIS point, so a GIS
	// tool can open it), and a view of them with the scenario's name.
	`CREATE EXTENSION IF NOT EXISTS postgis;
	CREATE SCHEMA carecircle;
	CREATE TABLE carecircle.meta (
		application    text    NOT NULL,
		schema_version integer NOT NULL
	);
	INSERT INTO carecircle.meta VALUES ('` + pgApplication + `', 0);
	CREATE TABLE carecircle.scenarios (
		seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		id      text   NOT NULL UNIQUE,
		city    text   NOT NULL,
		name    text   NOT NULL,
		version bigint NOT NULL CHECK (version >= 1),
		created timestamptz NOT NULL DEFAULT now(),
		updated timestamptz NOT NULL DEFAULT now()
	);
	CREATE INDEX scenarios_city ON carecircle.scenarios (city, seq);
	CREATE TABLE carecircle.scenario_facilities (
		scenario       text   NOT NULL REFERENCES carecircle.scenarios (id) ON DELETE CASCADE,
		id             text   NOT NULL,
		kind           text   NOT NULL CHECK (kind IN ('added', 'changed', 'closed')),
		pos            bigint NOT NULL,
		name           text   NOT NULL,
		type           text   NOT NULL,
		status         text   NOT NULL,
		floor_area_m2  double precision NOT NULL,
		land_area_m2   double precision NOT NULL,
		beds           double precision NOT NULL,
		nursing_beds   double precision NOT NULL,
		operator       text   NOT NULL,
		community_code text   NOT NULL,
		geom           geometry(Point, 4326),
		PRIMARY KEY (scenario, id)
	);
	CREATE INDEX scenario_facilities_pos ON carecircle.scenario_facilities (scenario, pos);
	CREATE INDEX scenario_facilities_geom ON carecircle.scenario_facilities USING gist (geom);
	CREATE VIEW carecircle.scenario_changes AS
		SELECT s.city, f.scenario, s.name AS scenario_name, s.version AS scenario_version,
			f.kind, f.id AS facility_id, f.name, f.type, f.status, f.floor_area_m2, f.land_area_m2,
			f.beds, f.nursing_beds, f.operator, f.community_code, f.geom
		FROM carecircle.scenario_facilities f JOIN carecircle.scenarios s ON s.id = f.scenario;`,
}

// OpenPostgresStore connects to the PostgreSQL database at rawURL
// (postgres://user:password@host:port/db?sslmode=…) for city. It refuses
// a database whose "carecircle" schema is another program's or newer
// than this build, and otherwise brings the schema up to date, one
// versioned migration at a time (the first creates the PostGIS
// extension, which needs a role allowed to).
func OpenPostgresStore(ctx context.Context, rawURL, city string) (*PostgresStore, error) {
	where := redactURL(rawURL)
	if strings.TrimSpace(city) == "" {
		return nil, fmt.Errorf("scenario database %s: empty city key; want the key of the city the scenarios belong to", where)
	}
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: %v; want a URL such as postgres://user:password@host:5432/carecircle?sslmode=disable", where, err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second // a server that does not answer is an error, not a hang
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: %w", where, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("scenario database %s: cannot connect: %w", where, err)
	}
	s := &PostgresStore{pool: pool, url: where, city: city}
	for {
		done, err := s.migrateOnce(ctx)
		if err != nil {
			pool.Close()
			return nil, err
		}
		if done {
			break
		}
	}
	lctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.listen(lctx, cfg.ConnConfig)
	return s, nil
}

// redactURL is the URL without its password, for messages and logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)"
	}
	return u.Redacted()
}

// migrateOnce runs the next pending migration, if any, holding an
// advisory lock so that replicas starting together run it once.
func (s *PostgresStore) migrateOnce(ctx context.Context) (done bool, err error) {
	fail := func(err error) (bool, error) {
		return false, fmt.Errorf("scenario database %s: migration: %w", s.url, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pgLockKey)); err != nil {
		return fail(err)
	}
	var hasSchema, hasMeta bool
	if err := tx.QueryRow(ctx, `SELECT to_regnamespace('carecircle') IS NOT NULL, to_regclass('carecircle.meta') IS NOT NULL`).Scan(&hasSchema, &hasMeta); err != nil {
		return fail(err)
	}
	v := 0
	if hasSchema {
		if !hasMeta {
			return false, fmt.Errorf("scenario database %s has a schema \"carecircle\" without CareCircle's carecircle.meta table: it belongs to another program. CareCircle leaves it untouched: use another database, or rename that schema", s.url)
		}
		var app string
		if err := tx.QueryRow(ctx, `SELECT application, schema_version FROM carecircle.meta`).Scan(&app, &v); err != nil {
			return false, fmt.Errorf("scenario database %s: reading carecircle.meta: %w; want one row (application, schema_version)", s.url, err)
		}
		if app != pgApplication {
			return false, fmt.Errorf("scenario database %s: schema \"carecircle\" belongs to %q, not %q. CareCircle leaves it untouched: use another database", s.url, app, pgApplication)
		}
	}
	switch {
	case v > len(pgMigrations):
		return false, fmt.Errorf("scenario database %s has schema version %d; this CareCircle understands up to %d: upgrade CareCircle, or use another --db database", s.url, v, len(pgMigrations))
	case v == len(pgMigrations):
		return true, tx.Commit(ctx)
	case v < 0:
		return false, fmt.Errorf("scenario database %s has schema version %d; want 0 to %d: it is not a CareCircle scenario store", s.url, v, len(pgMigrations))
	}
	if _, err := tx.Exec(ctx, pgMigrations[v]); err != nil {
		if strings.Contains(err.Error(), "postgis") {
			return false, fmt.Errorf("scenario database %s: migration to schema version %d: %w (PostGIS must be installed on the server, e.g. Debian's postgresql-15-postgis-3, and CREATE EXTENSION postgis run by a role allowed to)", s.url, v+1, err)
		}
		return false, fmt.Errorf("scenario database %s: migration to schema version %d: %w", s.url, v+1, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE carecircle.meta SET schema_version = $1`, v+1); err != nil {
		return fail(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	return false, nil
}

// listen holds a connection of its own listening for notifications until
// the store is closed, reconnecting after a lost connection.
func (s *PostgresStore) listen(ctx context.Context, cfg *pgx.ConnConfig) {
	defer close(s.done)
	log := slog.Default().With("db", s.url)
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, cfg)
		if ctx.Err() != nil {
			return
		}
		log.Warn("scenario store: lost the notification connection; replicas' edits are still seen by version checks", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (s *PostgresStore) listenOnce(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgNotifyChannel); err != nil {
		return err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		v, rest, ok := strings.Cut(n.Payload, " ")
		city, id, ok2 := strings.Cut(rest, "\t")
		version, err := strconv.ParseInt(v, 10, 64)
		if !ok || !ok2 || err != nil || city != s.city {
			continue
		}
		s.mu.Lock()
		ws := s.watchers
		s.mu.Unlock()
		for _, w := range ws {
			w(id, version)
		}
	}
}

// Watch calls fn (from a goroutine of the store's) after any process
// wrote scenario id of the store's city, with the version written (0 when
// it was deleted). Notifications may come late or, while the connection
// is lost, not at all: a reader that must be current checks Version.
func (s *PostgresStore) Watch(fn func(id string, version int64)) {
	s.mu.Lock()
	s.watchers = append(s.watchers, fn)
	s.mu.Unlock()
}

// Close stops listening and closes the pool.
func (s *PostgresStore) Close() error {
	s.cancel()
	<-s.done
	s.pool.Close()
	return nil
}

// City returns the key of the city whose scenarios the store sees.
func (s *PostgresStore) City() string { return s.city }

// String returns the database URL without its password.
func (s *PostgresStore) String() string { return s.url }

func (s *PostgresStore) notFound(id string) error { return notFound(s.city, id) }

// notify queues a notification sent when tx commits.
func (s *PostgresStore) notify(ctx context.Context, tx pgx.Tx, id string, version int64) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, pgNotifyChannel, strconv.FormatInt(version, 10)+" "+s.city+"\t"+id)
	return err
}

// List returns the city's scenarios, oldest first, and those it could not
// read.
func (s *PostgresStore) List(ctx context.Context) ([]*planner.Scenario, []UnreadableScenario, error) {
	out, bad, err := s.read(ctx, s.pool, "")
	if err != nil {
		return nil, nil, fmt.Errorf("scenario database %s: listing scenarios: %w", s.url, err)
	}
	return out, bad, nil
}

// Get returns scenario id, or an error wrapping ErrScenarioNotFound.
func (s *PostgresStore) Get(ctx context.Context, id string) (*planner.Scenario, error) {
	return s.get(ctx, s.pool, id)
}

// pgQueryer is a pool or a transaction.
type pgQueryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func (s *PostgresStore) get(ctx context.Context, q pgQueryer, id string) (*planner.Scenario, error) {
	out, bad, err := s.read(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("scenario database %s: reading scenario %s: %w", s.url, id, err)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("scenario database %s: scenario %s cannot be read: %s", s.url, id, bad[0].Problem)
	}
	if len(out) == 0 {
		return nil, s.notFound(id)
	}
	return out[0], nil
}

// read reads the city's scenarios (only id when it is not empty) with
// their facilities in one statement, one consistent state.
func (s *PostgresStore) read(ctx context.Context, q pgQueryer, id string) ([]*planner.Scenario, []UnreadableScenario, error) {
	rows, err := q.Query(ctx, `SELECT s.id, s.name, s.version, f.id, f.kind, f.pos, f.name, f.type, f.status,
			f.floor_area_m2, f.land_area_m2, f.beds, f.nursing_beds, f.operator, f.community_code,
			ST_X(f.geom), ST_Y(f.geom)
		FROM carecircle.scenarios s LEFT JOIN carecircle.scenario_facilities f ON f.scenario = s.id
		WHERE s.city = $1 AND ($2 = '' OR s.id = $2) ORDER BY s.seq, f.pos`, s.city, id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var r scenarioReader
	for rows.Next() {
		var sc planner.Scenario
		var fid, kind, name, typ, status, operator, community *string
		var pos *int64
		var floor, land, beds, nursing, lon, lat *float64
		if err := rows.Scan(&sc.ID, &sc.Name, &sc.Version, &fid, &kind, &pos, &name, &typ, &status,
			&floor, &land, &beds, &nursing, &operator, &community, &lon, &lat); err != nil {
			return nil, nil, err
		}
		r.scenario(&sc)
		if fid == nil {
			continue
		}
		f := planner.Facility{ID: *fid, Name: *name, Type: planner.FacilityType(*typ), Status: planner.FacilityStatus(*status),
			Operator: planner.OperatorModel(*operator), FloorArea: *floor, LandArea: *land, Beds: *beds, NursingBeds: *nursing,
			Community: *community}
		if lon != nil && lat != nil {
			f.Location = orb.Point{*lon, *lat}
		} else if *kind != kindClosed {
			r.fail(fmt.Sprintf("facility %q (%s) has no place (geom is NULL)", *fid, *kind))
			continue
		}
		r.row(facilityRow{kind: *kind, pos: *pos, f: f})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	out, bad := r.done()
	return out, bad, nil
}

// Version returns the stored version of scenario id.
func (s *PostgresStore) Version(ctx context.Context, id string) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT version FROM carecircle.scenarios WHERE id = $1 AND city = $2`, id, s.city).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, s.notFound(id)
	}
	if err != nil {
		return 0, fmt.Errorf("scenario database %s: scenario %s: %w", s.url, id, err)
	}
	return v, nil
}

// Create stores a new scenario named name at version 1 with a new id,
// copying from's edits when from is not nil.
func (s *PostgresStore) Create(ctx context.Context, name string, from *planner.Scenario) (*planner.Scenario, error) {
	sc, err := newScenario(name, from)
	if err != nil {
		return nil, err
	}
	for range 8 {
		id, err := newScenarioID()
		if err != nil {
			return nil, err
		}
		sc.ID = id
		ok, err := s.create(ctx, sc)
		if err != nil {
			return nil, fmt.Errorf("scenario database %s: creating scenario %q: %w", s.url, sc.Name, err)
		}
		if ok {
			return sc, nil
		}
	}
	return nil, fmt.Errorf("scenario database %s: creating scenario %q: 8 random ids in a row were taken", s.url, sc.Name)
}

func (s *PostgresStore) create(ctx context.Context, sc *planner.Scenario) (bool, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `INSERT INTO carecircle.scenarios (id, city, name, version) VALUES ($1, $2, $3, 1)
		ON CONFLICT (id) DO NOTHING`, sc.ID, s.city, sc.Name)
	if err != nil || tag.RowsAffected() != 1 {
		return false, err
	}
	if err := s.writeRows(ctx, tx, sc); err != nil {
		return false, err
	}
	if err := s.notify(ctx, tx, sc.ID, 1); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

// pgFacilityColumns are the columns a facility row is written with.
const pgFacilityColumns = `scenario, id, kind, pos, name, type, status, floor_area_m2, land_area_m2, beds, nursing_beds, operator, community_code, geom`

// pgFacilityValues are its values; $4 is the position, $14 and $15 the
// place (NULL for a closed facility given by its id alone).
const pgFacilityValues = `$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
	CASE WHEN $14::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($14::float8, $15::float8), 4326) END`

func pgFacilityArgs(scenario, kind string, pos int64, f planner.Facility) []any {
	var lon, lat *float64
	if f.Location != (orb.Point{}) || kind != kindClosed {
		lon, lat = &f.Location[0], &f.Location[1]
	}
	return []any{scenario, f.ID, kind, pos, f.Name, string(f.Type), string(f.Status), f.FloorArea, f.LandArea,
		f.Beds, f.NursingBeds, string(f.Operator), f.Community, lon, lat}
}

// writeRows replaces scenario sc's facility rows with its edit lists.
func (s *PostgresStore) writeRows(ctx context.Context, tx pgx.Tx, sc *planner.Scenario) error {
	if _, err := tx.Exec(ctx, `DELETE FROM carecircle.scenario_facilities WHERE scenario = $1`, sc.ID); err != nil {
		return err
	}
	for _, r := range scenarioRows(sc) {
		if _, err := tx.Exec(ctx, `INSERT INTO carecircle.scenario_facilities (`+pgFacilityColumns+`) VALUES (`+pgFacilityValues+`)`,
			pgFacilityArgs(sc.ID, r.kind, r.pos, r.f)...); err != nil {
			return fmt.Errorf("facility %q: %w", r.f.ID, err)
		}
	}
	return nil
}

// Save stores sc, made by edits on stored version expect, as
// SQLiteStore.Save does.
func (s *PostgresStore) Save(ctx context.Context, sc *planner.Scenario, expect int64, edits ...planner.Edit) error {
	name, err := checkSave(s.url, sc, expect, edits)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		return fmt.Errorf("scenario database %s: saving scenario %s: %w", s.url, sc.ID, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `UPDATE carecircle.scenarios SET name = $1, version = $2, updated = now()
		WHERE id = $3 AND city = $4 AND version = $5`, name, expect+1, sc.ID, s.city, expect)
	if err != nil {
		return fail(err)
	}
	if err := s.checkUpdated(ctx, tx, tag.RowsAffected(), sc.ID, expect); err != nil {
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
	if err := s.notify(ctx, tx, sc.ID, expect+1); err != nil {
		return fail(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	return nil
}

// writeEdit writes the one row edit ed touches.
func (s *PostgresStore) writeEdit(ctx context.Context, tx pgx.Tx, id string, ed planner.Edit) error {
	var current string
	var pos int64
	err := tx.QueryRow(ctx, `SELECT kind, pos FROM carecircle.scenario_facilities WHERE scenario = $1 AND id = $2`, id, ed.Facility.ID).Scan(&current, &pos)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	rc, err := rowChangeOf(ed, current)
	if err != nil {
		return err
	}
	if rc.delete {
		_, err := tx.Exec(ctx, `DELETE FROM carecircle.scenario_facilities WHERE scenario = $1 AND id = $2`, id, rc.id)
		return err
	}
	if rc.newPos {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(pos), 0) + 1 FROM carecircle.scenario_facilities WHERE scenario = $1`, id).Scan(&pos); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO carecircle.scenario_facilities (`+pgFacilityColumns+`) VALUES (`+pgFacilityValues+`)
			ON CONFLICT (scenario, id) DO UPDATE SET (`+pgFacilityColumns+`) = (
				EXCLUDED.scenario, EXCLUDED.id, EXCLUDED.kind, EXCLUDED.pos, EXCLUDED.name, EXCLUDED.type, EXCLUDED.status,
				EXCLUDED.floor_area_m2, EXCLUDED.land_area_m2, EXCLUDED.beds, EXCLUDED.nursing_beds, EXCLUDED.operator,
				EXCLUDED.community_code, EXCLUDED.geom)`,
			pgFacilityArgs(id, rc.kind, pos, rc.f)...)
		return err
	}
	// Replaced in place: the row keeps its position.
	_, err = tx.Exec(ctx, `UPDATE carecircle.scenario_facilities SET (`+pgFacilityColumns+`) = (`+pgFacilityValues+`)
		WHERE scenario = $1 AND id = $2`, pgFacilityArgs(id, rc.kind, pos, rc.f)...)
	return err
}

// checkUpdated turns an UPDATE that matched no row into ErrScenarioNotFound
// or a *VersionConflictError.
func (s *PostgresStore) checkUpdated(ctx context.Context, tx pgx.Tx, n int64, id string, expect int64) error {
	if n == 1 {
		return nil
	}
	var current int64
	err := tx.QueryRow(ctx, `SELECT version FROM carecircle.scenarios WHERE id = $1 AND city = $2`, id, s.city).Scan(&current)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.notFound(id)
	}
	if err != nil {
		return fmt.Errorf("scenario database %s: scenario %s: %w", s.url, id, err)
	}
	return &VersionConflictError{ID: id, Expected: expect, Current: current}
}

// Rename renames scenario id if its stored version is expect (any with
// AnyVersion) and returns it one version up.
func (s *PostgresStore) Rename(ctx context.Context, id, name string, expect int64) (*planner.Scenario, error) {
	name, err := checkScenarioName(name)
	if err != nil {
		return nil, err
	}
	fail := func(err error) error {
		return fmt.Errorf("scenario database %s: renaming scenario %s: %w", s.url, id, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fail(err)
	}
	defer tx.Rollback(ctx)
	var version int64
	err = tx.QueryRow(ctx, `UPDATE carecircle.scenarios SET name = $1, version = version + 1, updated = now()
		WHERE id = $2 AND city = $3 AND (version = $4 OR $4 = 0) RETURNING version`, name, id, s.city, expect).Scan(&version)
	n := int64(1)
	if errors.Is(err, pgx.ErrNoRows) {
		n = 0
	} else if err != nil {
		return nil, fail(err)
	}
	if err := s.checkUpdated(ctx, tx, n, id, expect); err != nil {
		return nil, err
	}
	sc, err := s.get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := s.notify(ctx, tx, id, version); err != nil {
		return nil, fail(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fail(err)
	}
	return sc, nil
}

// Delete removes scenario id, or returns an error wrapping
// ErrScenarioNotFound.
func (s *PostgresStore) Delete(ctx context.Context, id string) error {
	fail := func(err error) error {
		return fmt.Errorf("scenario database %s: deleting scenario %s: %w", s.url, id, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `DELETE FROM carecircle.scenarios WHERE id = $1 AND city = $2`, id, s.city)
	if err != nil {
		return fail(err)
	}
	if tag.RowsAffected() == 0 {
		return s.notFound(id)
	}
	if err := s.notify(ctx, tx, id, 0); err != nil {
		return fail(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	return nil
}
