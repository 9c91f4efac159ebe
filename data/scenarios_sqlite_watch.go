package data

import (
	"context"
	"log/slog"
	"time"
)

// sqliteWatchEvery is how often a watched SQLite store looks for other
// processes' writes.
const sqliteWatchEvery = time.Second

// Watch calls fn (from a goroutine of the store's) when another process
// sharing the file has written scenario id of the store's city, with the
// version it now has (0: deleted), as PostgresStore.Watch does. The store
// polls PRAGMA data_version, which changes when another connection
// commits, once a second, and then compares the stored versions with
// those it saw last; so a call comes up to a second late, and a reader
// that must be current checks Version.
func (s *SQLiteStore) Watch(fn func(id string, version int64)) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	s.watchers = append(s.watchers, fn)
	if s.stopWatch != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.stopWatch = func() { cancel(); <-done }
	go func() {
		defer close(done)
		s.poll(ctx)
	}()
}

// poll tells the watchers of other processes' writes until ctx ends.
func (s *SQLiteStore) poll(ctx context.Context) {
	t := time.NewTicker(sqliteWatchEvery)
	defer t.Stop()
	var last int64 = -1
	seen, _ := s.versions(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var dv int64
		if err := s.db.QueryRowContext(ctx, "PRAGMA data_version").Scan(&dv); err != nil {
			if ctx.Err() == nil {
				slog.Warn("scenario store: cannot poll for other processes' writes", "db", s.path, "err", err)
			}
			continue
		}
		if dv == last {
			continue
		}
		last = dv
		now, err := s.versions(ctx)
		if err != nil {
			continue
		}
		s.watchMu.Lock()
		ws := s.watchers
		s.watchMu.Unlock()
		for id, v := range now {
			if seen[id] != v {
				for _, w := range ws {
					w(id, v)
				}
			}
		}
		for id := range seen {
			if _, ok := now[id]; !ok {
				for _, w := range ws {
					w(id, 0)
				}
			}
		}
		seen = now
	}
}

// versions reads the stored version of each of the city's scenarios.
func (s *SQLiteStore) versions(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, version FROM scenarios WHERE city = ?`, s.city)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}
