package synthetic

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestZZScratch(t *testing.T) {
	for _, name := range []string{"tiny", "district", "city"} {
		p, _ := Preset(name)
		t0 := time.Now()
		c, err := Generate(context.Background(), p, 1)
		if err != nil {
			t.Fatal(err)
		}
		dt := time.Since(t0)
		var cnt [4]int
		var area [4]float64
		var lay [5]int
		var nodes [4]int
		banks := map[Bank]int{}
		minR, maxR, minC, maxC := 1<<30, -1, 1<<30, -1
		for _, n := range c.Neighbourhoods {
			cnt[n.Density]++
			area[n.Density] += n.AreaM2 / 1e6
			lay[n.Layout]++
			nodes[n.Density] += n.Nodes
			banks[n.Bank]++
			minR, maxR = min(minR, n.Row), max(maxR, n.Row)
			minC, maxC = min(minC, n.Col), max(maxC, n.Col)
		}
		unassigned := 0
		for _, x := range c.NodeNeighbourhood {
			if x < 0 {
				unassigned++
			}
		}
		fmt.Printf("%s: %v nodes=%d nb=%d cnt=%v area=%.1f nodes=%v layouts=%v banks=%v rows %d-%d cols %d-%d unassigned=%d hills=%d centres=%d\n", name, dt, c.Graph.NumNodes(), len(c.Neighbourhoods), cnt, area, nodes, lay, banks, minR, maxR, minC, maxC, unassigned, len(c.Hills), len(c.Centres))
		if name == "district" {
			for _, n := range c.Neighbourhoods {
				fmt.Printf("(%d,%d,%v,%.2f,%d) ", n.Row, n.Col, n.Bank, n.AreaM2/1e6, n.Nodes)
			}
			fmt.Println()
		}
	}
}
