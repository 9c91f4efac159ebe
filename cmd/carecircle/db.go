package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/carecircle/carecircle/data"
)

// dbHelp is the --db flag's description, shared by the commands that
// keep scenarios.
const dbHelp = "scenario database: a SQLite file, or a PostgreSQL URL postgres://user:pass@host:5432/db?sslmode=… (default: $CARECIRCLE_DB, else "

// scenarioDB is the scenario database to use: the --db flag, else
// $CARECIRCLE_DB, else the per-user SQLite file.
func scenarioDB(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("CARECIRCLE_DB"); env != "" {
		return env
	}
	return defaultDBPath()
}

// openStore opens the scenario store at db for city; for a SQLite file it
// first makes the file's folder when create is set.
func openStore(ctx context.Context, db, city string, create bool) (data.ScenarioStore, error) {
	if !data.IsPostgresURL(db) {
		if create {
			if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
				return nil, fmt.Errorf("--db %s: %w", db, err)
			}
		} else if _, err := os.Stat(db); err != nil {
			return nil, fmt.Errorf("no scenario database at %s (give --db FILE or URL, the database `carecircle serve --db` keeps)", db)
		}
	}
	return data.OpenScenarioStore(ctx, db, city)
}
