package synthetic_test

import (
	"context"
	"fmt"

	"github.com/carecircle/carecircle/data/synthetic"
)

// A test city: a few thousand nodes in a few milliseconds.
func ExampleGenerate() {
	p, err := synthetic.Preset("tiny")
	if err != nil {
		panic(err)
	}
	city, err := synthetic.Generate(context.Background(), p, 1)
	if err != nil {
		panic(err)
	}
	g := city.Graph
	fmt.Println(g.NumNodes() > 2000, len(city.Bridges) > 0, g.NumPieces())
	// Output: true true 1
}

// Benchmarks ask for any size by scaling a preset: a quarter of the city
// keeps its densities and has about a quarter of its nodes.
func ExampleParams_Scale() {
	p, _ := synthetic.Preset("city")
	q := p.Scale(0.25)
	fmt.Printf("%.0f×%.0f km, %d hills\n", q.WidthM/1000, q.HeightM/1000, q.Hills)
	// Output: 19×17 km, 8 hills
}
