package geo

import (
	"cmp"
	"slices"
)

// A piece is a connected component of the walking graph: nodes joined by
// walkways. A city's network is one large piece (the main network) and,
// usually, small ones the extract's mapping leaves unjoined: a courtyard's
// paths, an island, a campus behind a gate. Every piece is kept, so a
// point snaps to its nearest walkway whatever piece it is on, and a walk
// never leaves its piece.

// labelPieces numbers the pieces 0, 1, ... by decreasing node count (ties
// by lowest node), so piece 0 is the main network. Called by Build and
// ReadGraph.
func (g *Graph) labelPieces() {
	n := g.NumNodes()
	label := make([]int32, n)
	for i := range label {
		label[i] = -1
	}
	type found struct{ first, size int32 }
	var pieces []found
	stack := make([]int32, 0, 64)
	for s := int32(0); s < int32(n); s++ {
		if label[s] >= 0 {
			continue
		}
		id := int32(len(pieces))
		size := int32(0)
		label[s] = id
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			size++
			for i := g.Offsets[u]; i < g.Offsets[u+1]; i++ {
				if v := g.Adj[i]; label[v] < 0 {
					label[v] = id
					stack = append(stack, v)
				}
			}
		}
		pieces = append(pieces, found{s, size})
	}
	order := make([]int32, len(pieces)) // order[k] is the k-th largest piece
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(pieces[b].size, pieces[a].size) })
	rank := make([]int32, len(pieces))
	g.pieceSize = make([]int32, len(pieces))
	for k, p := range order {
		rank[p] = int32(k)
		g.pieceSize[k] = pieces[p].size
	}
	for i, l := range label {
		label[i] = rank[l]
	}
	g.piece = label
}

// Piece returns the piece node u is on: 0 for the main network (the piece
// with the most nodes), then the others by decreasing size.
func (g *Graph) Piece(u int32) int32 { return g.piece[u] }

// EdgePiece returns the piece edge e is on.
func (g *Graph) EdgePiece(e int32) int32 { return g.piece[g.EdgeU[e]] }

// NumPieces returns the number of pieces.
func (g *Graph) NumPieces() int { return len(g.pieceSize) }

// PieceNodes returns the number of nodes of piece p.
func (g *Graph) PieceNodes(p int32) int { return int(g.pieceSize[p]) }

// OffMainNodes returns the number of nodes outside the main network.
func (g *Graph) OffMainNodes() int {
	if len(g.pieceSize) == 0 {
		return 0
	}
	return g.NumNodes() - int(g.pieceSize[0])
}
