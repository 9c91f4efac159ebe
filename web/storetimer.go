package web

import (
	"context"
	"errors"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
)

// timedStore is the scenario store with each call the server makes timed
// into carecircle_store_duration_seconds. Other methods of the store pass
// through untimed.
type timedStore struct {
	data.ScenarioStore
	s *Server
}

// List times the store's List.
func (t *timedStore) List(ctx context.Context) ([]*planner.Scenario, []data.UnreadableScenario, error) {
	done := t.s.storeTimer("list")
	l, bad, err := t.ScenarioStore.List(ctx)
	done(err)
	return l, bad, err
}

// Get times the store's Get; "not found" is an answer, not an error.
func (t *timedStore) Get(ctx context.Context, id string) (*planner.Scenario, error) {
	done := t.s.storeTimer("get")
	sc, err := t.ScenarioStore.Get(ctx, id)
	done(notFoundIsOK(err))
	return sc, err
}

// Create times the store's Create.
func (t *timedStore) Create(ctx context.Context, name string, from *planner.Scenario) (*planner.Scenario, error) {
	done := t.s.storeTimer("create")
	sc, err := t.ScenarioStore.Create(ctx, name, from)
	done(err)
	return sc, err
}

// Save times the store's Save.
func (t *timedStore) Save(ctx context.Context, sc *planner.Scenario, expect int64, edits ...planner.Edit) error {
	done := t.s.storeTimer("save")
	err := t.ScenarioStore.Save(ctx, sc, expect, edits...)
	done(err)
	return err
}

// Rename times the store's Rename.
func (t *timedStore) Rename(ctx context.Context, id, name string, expect int64) (*planner.Scenario, error) {
	done := t.s.storeTimer("rename")
	sc, err := t.ScenarioStore.Rename(ctx, id, name, expect)
	done(err)
	return sc, err
}

// Delete times the store's Delete.
func (t *timedStore) Delete(ctx context.Context, id string) error {
	done := t.s.storeTimer("delete")
	err := t.ScenarioStore.Delete(ctx, id)
	done(notFoundIsOK(err))
	return err
}

func notFoundIsOK(err error) error {
	if errors.Is(err, data.ErrScenarioNotFound) {
		return nil
	}
	return err
}
