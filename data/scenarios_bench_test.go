package data

import (
	"context"
	"fmt"
	"testing"

	"github.com/carecircle/carecircle/data/pgtest"
	"github.com/carecircle/carecircle/planner"
)

// BenchmarkScenarioSave saves one edit (a facility moved) to a scenario
// that already holds n added facilities, as the rows it touches and, for
// comparison, as the whole scenario rewritten.
func BenchmarkScenarioSave(b *testing.B) {
	for _, store := range []string{"sqlite", "postgres"} {
		for _, n := range []int{10, 1000} {
			for _, whole := range []bool{false, true} {
				how := "edit"
				if whole {
					how = "whole"
				}
				b.Run(fmt.Sprintf("%s/%d-facilities/%s", store, n, how), func(b *testing.B) {
					benchSave(b, store, n, whole)
				})
			}
		}
	}
}

func benchSave(b *testing.B, kind string, n int, whole bool) {
	ctx := context.Background()
	db := b.TempDir() + "/bench.db"
	if kind == "postgres" {
		db = pgtest.URL(b)
	}
	s, err := OpenScenarioStore(ctx, db, testCity)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	from := &planner.Scenario{}
	for i := range n {
		from.Added = append(from.Added, testFacility(fmt.Sprintf("P-%d", i), i))
	}
	sc, err := s.Create(ctx, "基准", from)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		f := testFacility(fmt.Sprintf("P-%d", i%n), i)
		ed := planner.Edit{Op: planner.OpChange, Facility: f}
		next, err := sc.With(nil, ed)
		if err != nil {
			b.Fatal(err)
		}
		if whole {
			err = s.Save(ctx, next, sc.Version)
		} else {
			err = s.Save(ctx, next, sc.Version, ed)
		}
		if err != nil {
			b.Fatal(err)
		}
		sc = next
	}
}
