package synthetic_test

import (
	"context"
	"fmt"

	"github.com/carecircle/carecircle/data/synthetic"
	"github.com/carecircle/carecircle/planner"
)

// The tiny demo city: a river, two streets of communities with their
// elders, demand points and facilities, in a few milliseconds.
func ExampleDemo() {
	city, layout, err := synthetic.Demo(context.Background(), "tiny", 1)
	if err != nil {
		panic(err)
	}
	levels := map[planner.Level]int{}
	var elders float64
	for _, r := range city.Regions {
		levels[r.Level]++
		if r.Level == planner.LevelCommunity {
			elders += r.Elders60
		}
	}
	fmt.Println(city.Name)
	fmt.Println(levels[planner.LevelDistrict], "district,", levels[planner.LevelStreet], "streets")
	fmt.Println(levels[planner.LevelCommunity] >= 8, elders > 5000, len(city.Demand) > 50, len(city.Facilities) > 8, len(layout.River) > 0)
	// Output:
	// 示范街区 (synthetic tiny, seed 1)
	// 1 district, 2 streets
	// true true true true true
}
