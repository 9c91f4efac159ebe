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

// gzipBuffers are the buffers tiles are compressed into. The tile kept is
// an exact-size copy, so a cached tile holds no spare capacity the cache's
// byte bound does not see, and the growing buffer is reused.
var gzipBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for reuse; a rare huge tile's
// buffer is left to the collector.
const maxPooledBuffer = 1 << 20

// encode marshals the layers as an MVT and gzips it. No layers make the
// empty MVT (zero bytes before gzip), which is a valid tile.
func encode(layers mvt.Layers) ([]byte, error) {
	raw, err := mvt.Marshal(layers)
	if err != nil {
		return nil, err
	}
	buf := gzipBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			gzipBuffers.Put(buf)
		}
	}()
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(buf)
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}
