package geo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"
)

// The graph cache is one little-endian file:
//
//	magic "CCWALKG\n", format version u32, key length u32, key bytes,
//	nodes u32, edges u32,
//	lon,lat f64 per node, source id i64 per node,
//	u i32, v i32, length f64, kind u8 per edge (as four arrays),
//	CRC-32C of everything before it u32.
//
// Adjacency and pieces are rebuilt on read: they are cheap and cannot then
// disagree with the edges. The key says what the graph was built from (file size and time,
// filter version, ...); a cache with another key is stale.
const (
	cacheMagic   = "CCWALKG\n"
	cacheVersion = 3 // 2: every connected piece kept, no drop counts; 3: nodes in Hilbert order
)

// ErrStaleCache is returned when a cache was built from another source or
// by another format version. The caller rebuilds.
var ErrStaleCache = errors.New("graph cache is stale")

// ErrCorruptCache is returned when a cache fails its checksum or structure
// checks. The caller rebuilds and must not trust any of it.
var ErrCorruptCache = errors.New("graph cache is corrupt")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteGraph writes g in cache format under key.
func WriteGraph(w io.Writer, g *Graph, key string) error {
	var buf bytes.Buffer
	n, m := g.NumNodes(), g.NumEdges()
	buf.Grow(64 + len(key) + n*24 + m*17)
	le := binary.LittleEndian
	buf.WriteString(cacheMagic)
	buf.Write(le.AppendUint32(nil, cacheVersion))
	buf.Write(le.AppendUint32(nil, uint32(len(key))))
	buf.WriteString(key)
	for _, x := range []int{n, m} {
		buf.Write(le.AppendUint32(nil, uint32(x)))
	}
	b := buf.Bytes()
	for _, p := range g.Points {
		b = le.AppendUint64(b, math.Float64bits(p[0]))
		b = le.AppendUint64(b, math.Float64bits(p[1]))
	}
	for _, id := range g.OSMIDs {
		b = le.AppendUint64(b, uint64(id))
	}
	for _, u := range g.EdgeU {
		b = le.AppendUint32(b, uint32(u))
	}
	for _, v := range g.EdgeV {
		b = le.AppendUint32(b, uint32(v))
	}
	for _, l := range g.EdgeLen {
		b = le.AppendUint64(b, math.Float64bits(l))
	}
	for _, k := range g.EdgeKind {
		b = append(b, byte(k))
	}
	b = le.AppendUint32(b, crc32.Checksum(b, castagnoli))
	_, err := w.Write(b)
	return err
}

// ReadGraph reads a graph written by WriteGraph and checks it was written
// under key. It returns an error wrapping ErrStaleCache or ErrCorruptCache
// when the cache must be rebuilt.
func ReadGraph(r io.Reader, key string) (*Graph, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	corrupt := func(why string) error { return fmt.Errorf("%w: %s", ErrCorruptCache, why) }
	if len(b) < len(cacheMagic)+8+4 || string(b[:len(cacheMagic)]) != cacheMagic {
		return nil, corrupt("not a CareCircle graph cache")
	}
	le := binary.LittleEndian
	body, sum := b[:len(b)-4], le.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, corrupt("checksum mismatch")
	}
	d := decoder{b: body[len(cacheMagic):]}
	if v := d.u32(); v != cacheVersion {
		return nil, fmt.Errorf("%w: format version %d, this build reads %d", ErrStaleCache, v, cacheVersion)
	}
	if k := d.bytes(int(d.u32())); string(k) != key {
		return nil, fmt.Errorf("%w: built from %q, want %q", ErrStaleCache, k, key)
	}
	n, m := int(d.u32()), int(d.u32())
	g := &Graph{}
	if d.err != nil || len(d.b) != n*24+m*17 {
		return nil, corrupt(fmt.Sprintf("%d bytes of body for %d nodes and %d edges", len(d.b), n, m))
	}
	g.Points = make([]orb.Point, n)
	for i := range g.Points {
		g.Points[i] = orb.Point{d.f64(), d.f64()}
	}
	g.OSMIDs = make([]int64, n)
	for i := range g.OSMIDs {
		g.OSMIDs[i] = int64(d.u64())
	}
	g.EdgeU, g.EdgeV = make([]int32, m), make([]int32, m)
	for i := range g.EdgeU {
		g.EdgeU[i] = int32(d.u32())
	}
	for i := range g.EdgeV {
		g.EdgeV[i] = int32(d.u32())
	}
	g.EdgeLen = make([]float64, m)
	for i := range g.EdgeLen {
		g.EdgeLen[i] = d.f64()
	}
	g.EdgeKind = make([]EdgeKind, m)
	for i := range g.EdgeKind {
		g.EdgeKind[i] = EdgeKind(d.bytes(1)[0])
	}
	for e := 0; e < m; e++ {
		if g.EdgeU[e] < 0 || int(g.EdgeU[e]) >= n || g.EdgeV[e] < 0 || int(g.EdgeV[e]) >= n {
			return nil, corrupt(fmt.Sprintf("edge %d has an endpoint out of range", e))
		}
	}
	g.buildAdjacency()
	if err := g.validate(); err != nil {
		return nil, corrupt(err.Error())
	}
	g.labelPieces()
	g.indexOSMIDs()
	return g, nil
}

// SaveGraphFile writes g to path atomically: a crash leaves the old file or
// the new one, never half of one.
func SaveGraphFile(path string, g *Graph, key string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := WriteGraph(tmp, g, key); err != nil {
		tmp.Close()
		return fmt.Errorf("writing graph cache %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// LoadGraphFile reads a graph cache file written under key.
func LoadGraphFile(path, key string) (*Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g, err := ReadGraph(f, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// decoder reads little-endian values, remembering the first overrun.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b) {
		d.err = io.ErrUnexpectedEOF
		return make([]byte, max(n, 1))
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) u32() uint32  { return binary.LittleEndian.Uint32(d.bytes(4)) }
func (d *decoder) u64() uint64  { return binary.LittleEndian.Uint64(d.bytes(8)) }
func (d *decoder) f64() float64 { return math.Float64frombits(d.u64()) }
