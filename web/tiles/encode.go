package tiles

import (
	"bytes"
	"compress/gzip"
	"sync"

	"github.com/paulmach/orb/encoding/mvt"
)

// gzipLevel trades size for time: tiles are compressed once and cached,
// but a cold tile is on the user's clock. Level 6 (the default) costs
// about twice level 1 for a tenth smaller tiles; see the benchmarks.
const gzipLevel = gzip.BestSpeed

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzipLevel)
	return w
}}

// encode marshals the layers as an MVT and gzips it. No layers make the
// empty MVT (zero bytes before gzip), which is a valid tile.
func encode(layers mvt.Layers) ([]byte, error) {
	raw, err := mvt.Marshal(layers)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(raw)/2 + 64)
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
