package osm

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
	"unsafe"

	"github.com/paulmach/osm"
	"google.golang.org/protobuf/encoding/protowire"
)

// This file decodes one PBF block (part of our own implementation of the OSM
// PBF format, see pbf.go and pbfscan.go).
// Message and field numbers are those of the format's fileformat.proto and
// osmformat.proto. Every index and length is checked before use.

// pbfResult is what one OSMData block gives the scanner: the objects its
// filters kept, in the block's order.
type pbfResult struct {
	objs []osm.Object
	err  error
}

// pbfFilters are the scanner's choices, copied for each block.
type pbfFilters struct {
	skipNodes, skipWays, skipRelations bool
	node                               func(*osm.Node) bool
	way                                func(*osm.Way) bool
	relation                           func(*osm.Relation) bool
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
		// Deflate cannot inflate beyond 1032:1 (zlib's documentation), so
		// a larger claim is a lie that would have us allocate for nothing.
		if rawSize > int64(len(zdata))*1032+64 {
			return nil, fmt.Errorf("block says it holds %d bytes uncompressed, more than its %d bytes of zlib data can hold", rawSize, len(zdata))
		}
		zr, err := zlib.NewReader(bytes.NewReader(zdata))
		if err != nil {
			return nil, fmt.Errorf("zlib data: %w", err)
		}
		if rawSize >= 0 {
			// The usual case: the size is known, so the data is read
			// into one buffer of that size rather than a growing one.
			out := make([]byte, rawSize)
			n, err := io.ReadFull(zr, out)
			switch {
			case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
				return nil, fmt.Errorf("block decompresses to %d bytes, its header says %d", n, rawSize)
			case err != nil:
				return nil, fmt.Errorf("zlib data: %w", err)
			}
			// Reading on to the end checks the zlib checksum.
			var more [1]byte
			if m, err := zr.Read(more[:]); m > 0 {
				return nil, fmt.Errorf("block decompresses to more than the %d bytes its header says", rawSize)
			} else if err != io.EOF {
				return nil, fmt.Errorf("zlib data: %w", err)
			}
			return out, nil
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxBlob+1))
		switch {
		case err != nil:
			return nil, fmt.Errorf("zlib data: %w", err)
		case len(out) > maxBlob:
			return nil, fmt.Errorf("block decompresses to more than the format's limit of %d bytes", maxBlob)
		}
		return out, nil
	case hasRaw:
		return raw, nil
	case compression != "":
		return nil, fmt.Errorf("blocks are %s-compressed; only zlib and uncompressed blocks can be read", compression)
	}
	return nil, errors.New("block holds no data")
}

// primitiveBlock decodes one PrimitiveBlock: its string table and
// coordinate scale, the scanner's filters, the objects kept so far and the
// objects the filters rejected, which are reused for the next element.
type primitiveBlock struct {
	strs           []string
	granularity    int64 // nanodegrees per unit
	latOff, lonOff int64 // nanodegrees
	dateGran       int64 // milliseconds per timestamp unit
	f              pbfFilters
	objs           []osm.Object
	entities       int // nodes, ways and relations seen, kept or not
	decoded        int // bytes of objects decoded, kept or not

	// Scratch objects: a filter that returns false leaves the object to be
	// reused, so rejected elements cost no allocation.
	node *osm.Node
	way  *osm.Way
	rel  *osm.Relation
}

// decodePrimitiveBlock decodes the nodes, ways and relations of an OSMData
// block and returns those the filters keep, in the block's order.
// Changesets are skipped.
func decodePrimitiveBlock(data []byte, f pbfFilters) (pbfResult, error) {
	pb := primitiveBlock{granularity: 100, dateGran: 1000, f: f}
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
		case 18:
			pb.dateGran = int64(int32(v))
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
	if pb.dateGran <= 0 {
		return pbfResult{}, fmt.Errorf("date_granularity %d: want a positive number of milliseconds", pb.dateGran)
	}
	for _, g := range groups {
		err := eachField(g, func(num protowire.Number, typ protowire.Type, val []byte, _ uint64) error {
			switch num {
			case 1, 2, 3, 4:
				if err := wantBytes("PrimitiveGroup member", typ); err != nil {
					return err
				}
			}
			switch {
			case num == 1 && !pb.f.skipNodes:
				return pb.plainNode(val)
			case num == 2 && !pb.f.skipNodes:
				return pb.denseNodes(val)
			case num == 3 && !pb.f.skipWays:
				return pb.decodeWay(val)
			case num == 4 && !pb.f.skipRelations:
				return pb.relation(val)
			}
			return nil
		})
		if err != nil {
			return pbfResult{}, err
		}
	}
	return pbfResult{objs: pb.objs}, nil
}

// degrees converts a coordinate in granularity units to degrees, as the
// format defines it.
func (pb *primitiveBlock) degrees(off, v int64) float64 {
	return 1e-9 * float64(off+pb.granularity*v)
}

// Sizes of what a block decodes to, for maxBlockDecoded.
const (
	nodeSize    = int(unsafe.Sizeof(osm.Node{}))
	waySize     = int(unsafe.Sizeof(osm.Way{}))
	relSize     = int(unsafe.Sizeof(osm.Relation{}))
	tagSize     = int(unsafe.Sizeof(osm.Tag{}))
	wayNodeSize = int(unsafe.Sizeof(osm.WayNode{}))
	memberSize  = int(unsafe.Sizeof(osm.Member{}))
)

// count adds n elements and the given bytes of decoded objects to the
// block's tallies, failing past the limits.
func (pb *primitiveBlock) count(n, bytes int) error {
	pb.entities += n
	pb.decoded += bytes
	if pb.entities > maxBlockEntities {
		return fmt.Errorf("block holds more than %d nodes, ways and relations", maxBlockEntities)
	}
	if pb.decoded > maxBlockDecoded {
		return fmt.Errorf("block decodes to more than %d MiB of objects (tags, node references, members)", maxBlockDecoded>>20)
	}
	return nil
}

// str returns string-table entry i, or an error saying what it was for.
func (pb *primitiveBlock) str(i uint64, what string) (string, error) {
	if i >= uint64(len(pb.strs)) {
		return "", fmt.Errorf("%s string index %d outside the block's string table of %d strings", what, i, len(pb.strs))
	}
	return pb.strs[i], nil
}

// tags decodes parallel key and value index arrays into dst.
func (pb *primitiveBlock) tags(dst osm.Tags, keys, vals *packed) (osm.Tags, error) {
	nk, err1 := keys.len()
	nv, err2 := vals.len()
	if err := errors.Join(err1, err2); err != nil {
		return dst, fmt.Errorf("tags: %w", err)
	}
	if nk != nv {
		return dst, fmt.Errorf("%d tag keys but %d values", nk, nv)
	}
	if err := pb.count(0, nk*tagSize); err != nil {
		return dst, err
	}
	dst = slices.Grow(dst, nk)
	for range nk {
		k, err := pb.str(keys.next(), "tag key")
		if err != nil {
			return dst, err
		}
		v, err := pb.str(vals.next(), "tag value")
		if err != nil {
			return dst, err
		}
		dst = append(dst, osm.Tag{Key: k, Value: v})
	}
	return dst, nil
}

// newNode returns the scratch node, emptied.
func (pb *primitiveBlock) newNode() *osm.Node {
	if pb.node == nil {
		pb.node = &osm.Node{Visible: true}
	} else {
		*pb.node = osm.Node{Visible: true, Tags: pb.node.Tags[:0]}
	}
	return pb.node
}

// keepNode hands the scratch node to the output if the filter wants it.
func (pb *primitiveBlock) keepNode(n *osm.Node) {
	if pb.f.node == nil || pb.f.node(n) {
		if len(n.Tags) == 0 {
			n.Tags = nil
		}
		pb.objs = append(pb.objs, n)
		pb.node = nil
	}
}

// plainNode decodes a plain Node message.
func (pb *primitiveBlock) plainNode(m []byte) error {
	var id, lat, lon int64
	var keys, vals packed
	var info []byte
	err := eachField(m, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			id = protowire.DecodeZigZag(v)
		case 2:
			keys.add(typ, val, v)
		case 3:
			vals.add(typ, val, v)
		case 4:
			info = val
			return wantBytes("Node.info", typ)
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
	if err := pb.count(1, nodeSize); err != nil {
		return err
	}
	n := pb.newNode()
	n.ID, n.Lat, n.Lon = osm.NodeID(id), pb.degrees(pb.latOff, lat), pb.degrees(pb.lonOff, lon)
	if n.Tags, err = pb.tags(n.Tags, &keys, &vals); err != nil {
		return fmt.Errorf("node %d: %w", id, err)
	}
	if info != nil {
		if err := pb.info(info, &n.Version, &n.Timestamp, &n.ChangesetID, &n.UserID, &n.User, &n.Visible); err != nil {
			return fmt.Errorf("node %d: %w", id, err)
		}
	}
	pb.keepNode(n)
	return nil
}

// denseNodes decodes a DenseNodes message: ids, lats and lons as parallel
// delta-coded arrays, which must be of one length, and the tags of all
// nodes in keys_vals: key and value string indexes, each node's ended by 0
// (empty when no node of the group has tags).
func (pb *primitiveBlock) denseNodes(m []byte) error {
	var ids, lats, lons, keysVals packed
	var info []byte
	err := eachField(m, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			ids.add(typ, val, v)
		case 5:
			info = val
			return wantBytes("DenseNodes.denseinfo", typ)
		case 8:
			lats.add(typ, val, v)
		case 9:
			lons.add(typ, val, v)
		case 10:
			keysVals.add(typ, val, v)
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
	nkv, err := keysVals.len()
	if err != nil {
		return fmt.Errorf("DenseNodes.keys_vals: %w", err)
	}
	if nlat != n || nlon != n {
		return fmt.Errorf("DenseNodes: %d ids but %d latitudes and %d longitudes", n, nlat, nlon)
	}
	if err := pb.count(n, n*nodeSize+nkv/2*tagSize); err != nil {
		return err
	}
	var di denseInfo
	if info != nil {
		if err := di.parse(info, n); err != nil {
			return fmt.Errorf("DenseNodes.denseinfo: %w", err)
		}
	}
	tagged := nkv > 0
	var id, lat, lon int64
	for i := range n {
		id += protowire.DecodeZigZag(ids.next())
		lat += protowire.DecodeZigZag(lats.next())
		lon += protowire.DecodeZigZag(lons.next())
		node := pb.newNode()
		node.ID, node.Lat, node.Lon = osm.NodeID(id), pb.degrees(pb.latOff, lat), pb.degrees(pb.lonOff, lon)
		if info != nil {
			if err := pb.denseMeta(&di, node); err != nil {
				return fmt.Errorf("DenseNodes: node %d (number %d of %d): %w", id, i+1, n, err)
			}
		}
		if tagged {
			if node.Tags, err = pb.denseTags(node.Tags, &keysVals, &nkv); err != nil {
				return fmt.Errorf("DenseNodes: node %d (number %d of %d): %w", id, i+1, n, err)
			}
		}
		pb.keepNode(node)
	}
	return nil
}

// denseTags reads one node's tags from keys_vals up to its 0; left counts
// the values not yet read.
func (pb *primitiveBlock) denseTags(dst osm.Tags, kv *packed, left *int) (osm.Tags, error) {
	for {
		if *left == 0 {
			return dst, errors.New("keys_vals ends before this node's tags do")
		}
		*left--
		k := kv.next()
		if k == 0 {
			return dst, nil
		}
		if *left == 0 {
			return dst, fmt.Errorf("keys_vals ends after key index %d, without its value", k)
		}
		*left--
		key, err := pb.str(k, "tag key")
		if err != nil {
			return dst, err
		}
		val, err := pb.str(kv.next(), "tag value")
		if err != nil {
			return dst, err
		}
		dst = append(dst, osm.Tag{Key: key, Value: val})
	}
}

// decodeWay decodes a Way message: tags, delta-coded node refs and, in
// files with LocationsOnWays, delta-coded locations on the refs.
func (pb *primitiveBlock) decodeWay(m []byte) error {
	var id int64
	var keys, vals, refs, lats, lons packed
	var info []byte
	err := eachField(m, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			id = int64(v)
		case 2:
			keys.add(typ, val, v)
		case 3:
			vals.add(typ, val, v)
		case 4:
			info = val
			return wantBytes("Way.info", typ)
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
	if err := pb.count(1, waySize); err != nil {
		return err
	}
	if pb.way == nil {
		pb.way = &osm.Way{}
	}
	w := pb.way
	*w = osm.Way{ID: osm.WayID(id), Visible: true, Tags: w.Tags[:0], Nodes: w.Nodes[:0]}
	if w.Tags, err = pb.tags(w.Tags, &keys, &vals); err != nil {
		return fmt.Errorf("way %d: %w", id, err)
	}
	if info != nil {
		if err := pb.info(info, &w.Version, &w.Timestamp, &w.ChangesetID, &w.UserID, &w.User, &w.Visible); err != nil {
			return fmt.Errorf("way %d: %w", id, err)
		}
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
	if err := pb.count(0, n*wayNodeSize); err != nil {
		return err
	}
	w.Nodes = slices.Grow(w.Nodes, n)[:n]
	var ref, lat, lon int64
	for i := range w.Nodes {
		ref += protowire.DecodeZigZag(refs.next())
		wn := osm.WayNode{ID: osm.NodeID(ref)}
		if located {
			lat += protowire.DecodeZigZag(lats.next())
			lon += protowire.DecodeZigZag(lons.next())
			wn.Lat, wn.Lon = pb.degrees(pb.latOff, lat), pb.degrees(pb.lonOff, lon)
		}
		w.Nodes[i] = wn
	}
	if pb.f.way == nil || pb.f.way(w) {
		if len(w.Tags) == 0 {
			w.Tags = nil
		}
		pb.objs = append(pb.objs, w)
		pb.way = nil
	}
	return nil
}

// relation decodes a Relation message: tags, and members as parallel
// arrays of role string indexes, delta-coded ids and types.
func (pb *primitiveBlock) relation(m []byte) error {
	var id int64
	var keys, vals, roles, memids, types packed
	var info []byte
	err := eachField(m, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			id = int64(v)
		case 2:
			keys.add(typ, val, v)
		case 3:
			vals.add(typ, val, v)
		case 4:
			info = val
			return wantBytes("Relation.info", typ)
		case 8:
			roles.add(typ, val, v)
		case 9:
			memids.add(typ, val, v)
		case 10:
			types.add(typ, val, v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("Relation: %w", err)
	}
	if err := pb.count(1, relSize); err != nil {
		return err
	}
	if pb.rel == nil {
		pb.rel = &osm.Relation{}
	}
	r := pb.rel
	*r = osm.Relation{ID: osm.RelationID(id), Visible: true, Tags: r.Tags[:0], Members: r.Members[:0]}
	if r.Tags, err = pb.tags(r.Tags, &keys, &vals); err != nil {
		return fmt.Errorf("relation %d: %w", id, err)
	}
	if info != nil {
		if err := pb.info(info, &r.Version, &r.Timestamp, &r.ChangesetID, &r.UserID, &r.User, &r.Visible); err != nil {
			return fmt.Errorf("relation %d: %w", id, err)
		}
	}
	n, err1 := memids.len()
	nr, err2 := roles.len()
	nt, err3 := types.len()
	if err := errors.Join(err1, err2, err3); err != nil {
		return fmt.Errorf("relation %d: members: %w", id, err)
	}
	if nr != n || nt != n {
		return fmt.Errorf("relation %d: %d member ids but %d roles and %d types", id, n, nr, nt)
	}
	if err := pb.count(0, n*memberSize); err != nil {
		return err
	}
	r.Members = slices.Grow(r.Members, n)[:n]
	var ref int64
	for i := range r.Members {
		ref += protowire.DecodeZigZag(memids.next())
		role, err := pb.str(roles.next(), "member role")
		if err != nil {
			return fmt.Errorf("relation %d: member %d: %w", id, i+1, err)
		}
		var typ osm.Type
		switch t := types.next(); t {
		case 0:
			typ = osm.TypeNode
		case 1:
			typ = osm.TypeWay
		case 2:
			typ = osm.TypeRelation
		default:
			return fmt.Errorf("relation %d: member %d: type %d, want 0 (node), 1 (way) or 2 (relation)", id, i+1, t)
		}
		r.Members[i] = osm.Member{Type: typ, Ref: ref, Role: role}
	}
	if pb.f.relation == nil || pb.f.relation(r) {
		if len(r.Tags) == 0 {
			r.Tags = nil
		}
		pb.objs = append(pb.objs, r)
		pb.rel = nil
	}
	return nil
}

// timestamp converts a timestamp in date_granularity units to a time, as
// osmpbf does.
func (pb *primitiveBlock) timestamp(v int64) time.Time {
	ms := time.Duration(v*pb.dateGran) * time.Millisecond
	return time.Unix(0, ms.Nanoseconds()).UTC()
}

// info decodes an Info message (the metadata of a plain node, a way or a
// relation) into the element's fields; absent fields are left alone.
func (pb *primitiveBlock) info(m []byte, version *int, ts *time.Time, changeset *osm.ChangesetID, uid *osm.UserID, user *string, visible *bool) error {
	var usid uint64
	hasUser := false
	err := eachField(m, func(num protowire.Number, _ protowire.Type, _ []byte, v uint64) error {
		switch num {
		case 1:
			*version = int(int32(v))
		case 2:
			*ts = pb.timestamp(int64(v))
		case 3:
			*changeset = osm.ChangesetID(int64(v))
		case 4:
			*uid = osm.UserID(int32(v))
		case 5:
			usid, hasUser = uint64(uint32(v)), true
		case 6:
			*visible = v != 0
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("Info: %w", err)
	}
	if hasUser {
		s, err := pb.str(usid, "user name")
		if err != nil {
			return fmt.Errorf("Info: %w", err)
		}
		*user = s
	}
	return nil
}

// denseInfo holds the metadata arrays of a DenseNodes message: each either
// absent or with one value per node; timestamps, changesets, uids and user
// names delta-coded.
type denseInfo struct {
	versions, timestamps, changesets, uids, usids, visibles packed
	has                                                     [6]bool
	timestamp, changeset                                    int64
	uid, usid                                               int32
}

// parse reads a DenseInfo message for n nodes, checking the lengths.
func (d *denseInfo) parse(m []byte, n int) error {
	arrays := []*packed{&d.versions, &d.timestamps, &d.changesets, &d.uids, &d.usids, &d.visibles}
	err := eachField(m, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		if num >= 1 && num <= 6 {
			arrays[num-1].add(typ, val, v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	names := []string{"version", "timestamp", "changeset", "uid", "user_sid", "visible"}
	for i, a := range arrays {
		k, err := a.len()
		if err != nil {
			return fmt.Errorf("%s: %w", names[i], err)
		}
		if k > 0 && k != n {
			return fmt.Errorf("%d values of %s for %d nodes", k, names[i], n)
		}
		d.has[i] = k > 0
	}
	return nil
}

// denseMeta sets the next node's metadata from d.
func (pb *primitiveBlock) denseMeta(d *denseInfo, n *osm.Node) error {
	if d.has[0] {
		n.Version = int(int32(d.versions.next()))
	}
	if d.has[1] {
		d.timestamp += protowire.DecodeZigZag(d.timestamps.next())
		n.Timestamp = pb.timestamp(d.timestamp)
	}
	if d.has[2] {
		d.changeset += protowire.DecodeZigZag(d.changesets.next())
		n.ChangesetID = osm.ChangesetID(d.changeset)
	}
	if d.has[3] {
		d.uid += int32(protowire.DecodeZigZag(d.uids.next()))
		n.UserID = osm.UserID(d.uid)
	}
	if d.has[4] {
		d.usid += int32(protowire.DecodeZigZag(d.usids.next()))
		if d.usid < 0 {
			return fmt.Errorf("user name string index %d is negative", d.usid)
		}
		s, err := pb.str(uint64(d.usid), "user name")
		if err != nil {
			return err
		}
		n.User = s
	}
	if d.has[5] {
		n.Visible = d.visibles.next() != 0
	}
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
