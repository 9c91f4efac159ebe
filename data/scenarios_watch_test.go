package data

import (
	"context"
	"testing"
	"time"
)

// TestScenarioStoreWatch: a write through one store reaches Watch on
// another store of the same database (another replica), and another
// city's writes do not.
func TestScenarioStoreWatch(t *testing.T) { forEachStore(t, testScenarioStoreWatch) }

func testScenarioStoreWatch(t *testing.T, newDB func(*testing.T) string) {
	ctx := context.Background()
	db := newDB(t)
	a := openTestStore(t, db, testCity)
	b := openTestStore(t, db, testCity)
	other := openTestStore(t, db, "chengdu")
	type note struct {
		id      string
		version int64
	}
	notes := make(chan note, 16)
	b.(interface {
		Watch(func(id string, version int64))
	}).Watch(func(id string, version int64) { notes <- note{id, version} })
	time.Sleep(300 * time.Millisecond) // let the watcher start
	expect := func(want note) {
		t.Helper()
		select {
		case got := <-notes:
			if got != want {
				t.Errorf("notification %+v; want %+v (another city's writes are not passed on)", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no notification %+v in 10 s", want)
		}
	}
	if _, err := other.Create(ctx, "成都方案", nil); err != nil {
		t.Fatal(err)
	}
	sc, err := a.Create(ctx, "通知测试", nil)
	if err != nil {
		t.Fatal(err)
	}
	expect(note{sc.ID, 1})
	next := edit(t, sc, testFacility("P-1", 1))
	if err := a.Save(ctx, next, 1, pgEditOf(next)); err != nil {
		t.Fatal(err)
	}
	expect(note{sc.ID, 2})
	if err := a.Delete(ctx, sc.ID); err != nil {
		t.Fatal(err)
	}
	expect(note{sc.ID, 0})
}
