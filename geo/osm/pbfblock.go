package osm

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	"github.com/paulmach/osm"
	"google.golang.org/protobuf/encoding/protowire"
)

// This file decodes one PBF block (part of our own PBF reader, see pbf.go).
// Message and field numbers are those of the format's fileformat.proto and
// osmformat.proto. Every index and length is checked before use.

// pbfResult is what one OSMData block gives the collector: node locations,
// the ways the options want, and how many ways it held in all.
type pbfResult struct {
	nodes []nodeLoc
	ways  []*osm.Way
	nWays int
	err   error
}

// blobData returns the uncompressed content of a Blob message: raw, or
// zlib-compressed, at most maxBlob bytes.
func blobData(blob []byte) ([]byte, error) {
	var raw, zdata []byte
	var hasRaw, hasZlib bool
	rawSize := int64(-1)
	compression := ""
	err := eachField(blob, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			raw, hasRaw = val, true
			return wantBytes("Blob.raw", typ)
		case 2:
			rawSize = int64(int32(v))
		case 3:
			zdata, hasZlib = val, true
			return wantBytes("Blob.zlib_data", typ)
		case 4:
			compression = "lzma"
		case 5:
			compression = "bzip2"
		case 6:
			compression = "lz4"
		case 7:
			compression = "zstd"
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("Blob: %w", err)
	case hasZlib:
		if rawSize > maxBlob {
			return nil, fmt.Errorf("block says it holds %d bytes uncompressed, over the format's limit of %d", rawSize, maxBlob)
		}
		zr, err := zlib.NewReader(bytes.NewReader(zdata))
		if err != nil {
			return nil, fmt.Errorf("zlib data: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxBlob+1))
		switch {
		case err != nil:
			return nil, fmt.Errorf("zlib data: %w", err)
		case len(out) > maxBlob:
			return nil, fmt.Errorf("block decompresses to more than the format's limit of %d bytes", maxBlob)
		case rawSize >= 0 && int64(len(out)) != rawSize:
			return nil, fmt.Errorf("block decompresses to %d bytes, its header says %d", len(out), rawSize)
		}
		return out, nil
	case hasRaw:
		return raw, nil
	case compression != "":
		return nil, fmt.Errorf("blocks are %s-compressed; only zlib and uncompressed blocks can be read", compression)
	}
	return nil, errors.New("block holds no data")
}

// primitiveBlock is what decoding a PrimitiveBlock needs besides its
// groups: the string table and the coordinate scale.
type primitiveBlock struct {
	strs           []string
	granularity    int64               // nanodegrees per unit
	latOff, lonOff int64               // nanodegrees
	keep           func(osm.Tags) bool // which ways to decode in full
	out            pbfResult
}

// decodePrimitiveBlock decodes the nodes and ways of an OSMData block;
// relations and changesets are skipped, and ways keep does not want are
// only counted.
func decodePrimitiveBlock(data []byte, keep func(osm.Tags) bool) (pbfResult, error) {
	pb := primitiveBlock{granularity: 100, keep: keep}
	var groups [][]byte
	err := eachField(data, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			if err := wantBytes("PrimitiveBlock.stringtable", typ); err != nil {
				return err
			}
			return eachField(val, func(num protowire.Number, typ protowire.Type, s []byte, _ uint64) error {
				if num != 1 {
					return nil
				}
				if err := wantBytes("StringTable.s", typ); err != nil {
					return err
				}
				pb.strs = append(pb.strs, string(s))
				return nil
			})
		case 2:
			groups = append(groups, val)
			return wantBytes("PrimitiveBlock.primitivegroup", typ)
		case 17:
			pb.granularity = int64(int32(v))
		case 19:
			pb.latOff = int64(v)
		case 20:
			pb.lonOff = int64(v)
		}
		return nil
	})
	if err != nil {
		return pbfResult{}, err
	}
	if pb.granularity <= 0 {
		return pbfResult{}, fmt.Errorf("granularity %d: want a positive number of nanodegrees", pb.granularity)
	}
	for _, g := range groups {
		err := eachField(g, func(num protowire.Number, typ protowire.Type, val []byte, _ uint64) error {
			switch num {
			case 1, 2, 3:
				if err := wantBytes("PrimitiveGroup member", typ); err != nil {
					return err
				}
			}
			switch num {
			case 1:
				return pb.node(val)
			case 2:
				return pb.denseNodes(val)
			case 3:
				return pb.way(val)
			}
			return nil
		})
		if err != nil {
			return pbfResult{}, err
		}
	}
	return pb.out, nil
}

// degrees converts a coordinate in granularity units to degrees, as the
// format defines it.
func (pb *primitiveBlock) degrees(off, v int64) float64 {
	return 1e-9 * float64(off+pb.granularity*v)
}

// count adds n entities to the block's tally, failing past the limit.
func (pb *primitiveBlock) count(n int) error {
	if len(pb.out.nodes)+pb.out.nWays+n > maxBlockEntities {
		return fmt.Errorf("block holds more than %d nodes and ways; writers put 8,000 in one", maxBlockEntities)
	}
	return nil
}

// node decodes a plain Node message.
func (pb *primitiveBlock) node(m []byte) error {
	var id, lat, lon int64
	err := eachField(m, func(num protowire.Number, _ protowire.Type, _ []byte, v uint64) error {
		switch num {
		case 1:
			id = protowire.DecodeZigZag(v)
		case 8:
			lat = protowire.DecodeZigZag(v)
		case 9:
			lon = protowire.DecodeZigZag(v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("Node: %w", err)
	}
	if err := pb.count(1); err != nil {
		return err
	}
	pb.out.nodes = append(pb.out.nodes, nodeLoc{id, [2]float64{pb.degrees(pb.lonOff, lon), pb.degrees(pb.latOff, lat)}})
	return nil
}

// denseNodes decodes a DenseNodes message: ids, lats and lons as parallel
// delta-coded arrays, which must be of one length.
func (pb *primitiveBlock) denseNodes(m []byte) error {
	var ids, lats, lons packed
	err := eachField(m, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			ids.add(typ, val, v)
		case 8:
			lats.add(typ, val, v)
		case 9:
			lons.add(typ, val, v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("DenseNodes: %w", err)
	}
	n, err := ids.len()
	if err != nil {
		return fmt.Errorf("DenseNodes.id: %w", err)
	}
	nlat, err := lats.len()
	if err != nil {
		return fmt.Errorf("DenseNodes.lat: %w", err)
	}
	nlon, err := lons.len()
	if err != nil {
		return fmt.Errorf("DenseNodes.lon: %w", err)
	}
	if nlat != n || nlon != n {
		return fmt.Errorf("DenseNodes: %d ids but %d latitudes and %d longitudes", n, nlat, nlon)
	}
	if err := pb.count(n); err != nil {
		return err
	}
	var id, lat, lon int64
	for i := 0; i < n; i++ {
		id += protowire.DecodeZigZag(ids.next())
		lat += protowire.DecodeZigZag(lats.next())
		lon += protowire.DecodeZigZag(lons.next())
		pb.out.nodes = append(pb.out.nodes, nodeLoc{id, [2]float64{pb.degrees(pb.lonOff, lon), pb.degrees(pb.latOff, lat)}})
	}
	return nil
}

// way decodes a Way message, keeping it only if the options want it.
func (pb *primitiveBlock) way(m []byte) error {
	var id int64
	var keys, vals, refs, lats, lons packed
	err := eachField(m, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			id = int64(v)
		case 2:
			keys.add(typ, val, v)
		case 3:
			vals.add(typ, val, v)
		case 8:
			refs.add(typ, val, v)
		case 9:
			lats.add(typ, val, v)
		case 10:
			lons.add(typ, val, v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("Way: %w", err)
	}
	if err := pb.count(1); err != nil {
		return err
	}
	pb.out.nWays++
	nk, err1 := keys.len()
	nv, err2 := vals.len()
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("way %d: tags: %w", id, err)
	}
	if nk != nv {
		return fmt.Errorf("way %d: %d tag keys but %d values", id, nk, nv)
	}
	tags := make(osm.Tags, nk)
	for i := range tags {
		k, v := keys.next(), vals.next()
		if k >= uint64(len(pb.strs)) || v >= uint64(len(pb.strs)) {
			return fmt.Errorf("way %d: tag string index %d or %d outside the block's string table of %d strings", id, k, v, len(pb.strs))
		}
		tags[i] = osm.Tag{Key: pb.strs[k], Value: pb.strs[v]}
	}
	if !pb.keep(tags) {
		return nil
	}
	n, err := refs.len()
	if err != nil {
		return fmt.Errorf("way %d: node refs: %w", id, err)
	}
	nlat, err1 := lats.len()
	nlon, err2 := lons.len()
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("way %d: node locations: %w", id, err)
	}
	located := nlat > 0 || nlon > 0
	if located && (nlat != n || nlon != n) {
		return fmt.Errorf("way %d: %d node refs but %d latitudes and %d longitudes", id, n, nlat, nlon)
	}
	nodes := make(osm.WayNodes, n)
	var ref, lat, lon int64
	for i := range nodes {
		ref += protowire.DecodeZigZag(refs.next())
		nodes[i].ID = osm.NodeID(ref)
		if located {
			lat += protowire.DecodeZigZag(lats.next())
			lon += protowire.DecodeZigZag(lons.next())
			nodes[i].Lat, nodes[i].Lon = pb.degrees(pb.latOff, lat), pb.degrees(pb.lonOff, lon)
		}
	}
	pb.out.ways = append(pb.out.ways, &osm.Way{ID: osm.WayID(id), Tags: tags, Nodes: nodes})
	return nil
}

// packed is a repeated varint field, written packed (the usual way) or as
// separate fields, which a protobuf reader must also accept.
type packed struct {
	b      []byte
	copied bool // b is ours to append to
}

func (p *packed) add(typ protowire.Type, val []byte, v uint64) {
	switch typ {
	case protowire.BytesType:
		if p.b == nil {
			p.b = val
			return
		}
		if !p.copied {
			p.b, p.copied = append([]byte(nil), p.b...), true
		}
		p.b = append(p.b, val...)
	case protowire.VarintType:
		if !p.copied {
			p.b, p.copied = append([]byte(nil), p.b...), true
		}
		p.b = protowire.AppendVarint(p.b, v)
	}
}

// len counts the values, checking that every one is a whole varint; after
// it, next can read them without checks.
func (p *packed) len() (int, error) {
	n := 0
	for b := p.b; len(b) > 0; n++ {
		_, m := protowire.ConsumeVarint(b)
		if m < 0 {
			return 0, protowire.ParseError(m)
		}
		b = b[m:]
	}
	return n, nil
}

// next returns the next value; call it no more times than len says.
func (p *packed) next() uint64 {
	v, m := protowire.ConsumeVarint(p.b)
	p.b = p.b[m:]
	return v
}

// wantBytes checks that a field meant to hold bytes or a message does.
func wantBytes(field string, typ protowire.Type) error {
	if typ != protowire.BytesType {
		return fmt.Errorf("%s has wire type %d, want length-delimited", field, typ)
	}
	return nil
}

// eachField calls fn for each field of a protobuf message with its wire
// type and its bytes (length-delimited fields) or its value (varints and
// fixed-size fields), stopping at the first error.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var val []byte
		var v uint64
		switch typ {
		case protowire.BytesType:
			val, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v32 uint32
			v32, n = protowire.ConsumeFixed32(b)
			v = uint64(v32)
		case protowire.Fixed64Type:
			v, n = protowire.ConsumeFixed64(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, typ, val, v); err != nil {
			return err
		}
	}
	return nil
}
