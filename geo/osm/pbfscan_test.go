package osm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/osm"
	"google.golang.org/protobuf/encoding/protowire"
)

// scanTestStrings is the string table of scanTestBlock.
var scanTestStrings = []string{"", "name", "Rathaus", "amenity", "townhall", "outer", "inner", "type", "multipolygon"}

// scanTestBlock is an OSMData block holding one of each thing the scanner
// decodes: dense nodes with and without tags, a plain node with a tag, a
// way, and a relation with a member of each type.
func scanTestBlock() []byte {
	return primitive(scanTestStrings,
		denseTagged([]int64{10, 1}, []int64{494100000, 10}, []int64{86900000, -10}, []uint64{1, 2, 3, 4, 0, 0}),
		plainNode(12, []uint64{3}, []uint64{4}, 494100020, 86900020),
		way(20, []uint64{1}, []uint64{2}, []int64{10, 1}),
		relation(30, []uint64{7}, []uint64{8}, []uint64{5, 0, 6}, []int64{20, -10, 21}, []uint64{1, 0, 2}))
}

// scanTestObjects is what scanTestBlock holds, worked out by hand.
func scanTestObjects() []osm.Object {
	return []osm.Object{
		&osm.Node{ID: 10, Lat: 49.41, Lon: 8.69, Visible: true, Tags: osm.Tags{{Key: "name", Value: "Rathaus"}, {Key: "amenity", Value: "townhall"}}},
		&osm.Node{ID: 11, Lat: 49.410001, Lon: 8.689999, Visible: true},
		&osm.Node{ID: 12, Lat: 49.410002, Lon: 8.690002, Visible: true, Tags: osm.Tags{{Key: "amenity", Value: "townhall"}}},
		&osm.Way{ID: 20, Visible: true, Tags: osm.Tags{{Key: "name", Value: "Rathaus"}}, Nodes: osm.WayNodes{{ID: 10}, {ID: 11}}},
		&osm.Relation{ID: 30, Visible: true, Tags: osm.Tags{{Key: "type", Value: "multipolygon"}}, Members: osm.Members{
			{Type: osm.TypeWay, Ref: 20, Role: "outer"},
			{Type: osm.TypeNode, Ref: 10},
			{Type: osm.TypeRelation, Ref: 31, Role: "inner"},
		}},
	}
}

// scanBytes runs a scanner with the given set-up over data and returns
// what it hands out.
func scanBytes(ctx context.Context, data []byte, setup func(*pbfScanner)) ([]osm.Object, error) {
	sc := newPBFScanner(ctx, bytes.NewReader(data), "test.osm.pbf")
	defer sc.Close()
	if setup != nil {
		setup(sc)
	}
	var out []osm.Object
	for sc.Scan() {
		out = append(out, sc.Object())
	}
	return out, sc.Err()
}

func TestPBFScannerDecodes(t *testing.T) {
	for _, raw := range []bool{false, true} {
		got, err := scanBytes(context.Background(), craftedBlock("OSMData", pbfOptions{raw: raw}, scanTestBlock()), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := scanTestObjects()
		if len(got) != len(want) {
			t.Fatalf("raw %v: %d objects, want %d", raw, len(got), len(want))
		}
		for i := range want {
			// Coordinates go through nanodegrees, as in osmpbf: compare
			// them to the nanodegree.
			if g, ok := got[i].(*osm.Node); ok {
				w := want[i].(*osm.Node)
				if d := (g.Lat - w.Lat) + (g.Lon - w.Lon); d > 1e-9 || d < -1e-9 {
					t.Errorf("node %d at %v,%v, want %v,%v", g.ID, g.Lat, g.Lon, w.Lat, w.Lon)
				}
				g.Lat, g.Lon = w.Lat, w.Lon
			}
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("raw %v: object %d is\n%#v\nwant\n%#v", raw, i, got[i], want[i])
			}
		}
	}
}

// TestPBFScannerMetadata: versions, timestamps, changesets, users and the
// visible flag of dense nodes (delta-coded arrays) and of ways (an Info
// message), worked out by hand.
func TestPBFScannerMetadata(t *testing.T) {
	info := tDenseInfo{
		versions:   []uint64{3, 1},
		timestamps: []int64{1700000000, 60},
		changesets: []int64{99, 1},
		uids:       []int64{7, -2},
		usids:      []int64{1, 1},
		visibles:   []uint64{0, 1},
	}
	block := primitive(scanTestStrings,
		denseWithInfo([]int64{10, 1}, []int64{494100000, 10}, []int64{86900000, -10}, info.encode()),
		wayWithInfo(20, infoMessage(2, 1600000000, 5, 8, 4, false)))
	got, err := scanBytes(context.Background(), craftedBlock("OSMData", pbfOptions{}, block), nil)
	if err != nil {
		t.Fatal(err)
	}
	type meta struct {
		version   int
		timestamp time.Time
		changeset osm.ChangesetID
		uid       osm.UserID
		user      string
		visible   bool
	}
	want := []meta{
		{3, time.Unix(1700000000, 0).UTC(), 99, 7, "name", false},
		{1, time.Unix(1700000060, 0).UTC(), 100, 5, "Rathaus", true},
		{2, time.Unix(1600000000, 0).UTC(), 5, 8, "townhall", false},
	}
	if len(got) != len(want) {
		t.Fatalf("%d objects, want %d", len(got), len(want))
	}
	for i, o := range got {
		var m meta
		switch o := o.(type) {
		case *osm.Node:
			m = meta{o.Version, o.Timestamp, o.ChangesetID, o.UserID, o.User, o.Visible}
		case *osm.Way:
			m = meta{o.Version, o.Timestamp, o.ChangesetID, o.UserID, o.User, o.Visible}
		}
		if m != want[i] {
			t.Errorf("%v: metadata %+v, want %+v", o.ObjectID(), m, want[i])
		}
	}
}

// TestPBFScannerFilters: filters drop what they reject, Skip* leave a
// type out, and a rejected object is reused (the filter sees one pointer
// for every node it rejects in a block).
func TestPBFScannerFilters(t *testing.T) {
	data := craftedBlock("OSMData", pbfOptions{}, scanTestBlock())
	var rejected []*osm.Node
	got, err := scanBytes(context.Background(), data, func(sc *pbfScanner) {
		sc.FilterNode = func(n *osm.Node) bool {
			if len(n.Tags) == 0 {
				rejected = append(rejected, n)
				return false
			}
			return n.Tags.Find("name") != ""
		}
		sc.SkipWays = true
		sc.FilterRelation = func(r *osm.Relation) bool { return len(r.Members) == 3 }
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range got {
		ids = append(ids, fmt.Sprintf("%s/%d", o.ObjectID().Type(), o.ObjectID().Ref()))
	}
	if s := strings.Join(ids, " "); s != "node/10 relation/30" {
		t.Errorf("kept %s, want node/10 relation/30", s)
	}
	if len(rejected) != 1 {
		t.Errorf("FilterNode saw %d untagged nodes, want 1", len(rejected))
	}
	got, err = scanBytes(context.Background(), data, func(sc *pbfScanner) {
		sc.SkipNodes, sc.SkipRelations = true, true
	})
	if err != nil || len(got) != 1 || got[0].ObjectID().Type() != osm.TypeWay {
		t.Errorf("skipping nodes and relations: %d objects, err %v; want the way alone", len(got), err)
	}
}

// TestPBFScannerBadBlocks: crafted node tags and relations give an error
// naming the file, the block and what is wrong, never a panic.
func TestPBFScannerBadBlocks(t *testing.T) {
	strs := scanTestStrings
	lat, lon := []int64{494100000}, []int64{86900000}
	tooMany := maxBlockDecoded/memberSize + 1
	cases := []struct {
		name, want string
		block      []byte
	}{
		{"dense tag index", "DenseNodes: node 10 (number 1 of 1): tag value string index 99 outside the block's string table of 9 strings",
			primitive(strs, denseTagged([]int64{10}, lat, lon, []uint64{1, 99, 0}))},
		{"dense tags unended", "DenseNodes: node 11 (number 2 of 2): keys_vals ends before this node's tags do",
			primitive(strs, denseTagged([]int64{10, 1}, []int64{1, 1}, []int64{1, 1}, []uint64{1, 2, 0}))},
		{"dense key without value", "DenseNodes: node 10 (number 1 of 1): keys_vals ends after key index 1, without its value",
			primitive(strs, denseTagged([]int64{10}, lat, lon, []uint64{1}))},
		{"dense negative index", "DenseNodes: node 10 (number 1 of 1): tag key string index 18446744073709551615 outside the block's string table of 9 strings",
			primitive(strs, denseTagged([]int64{10}, lat, lon, []uint64{1<<64 - 1, 2, 0}))},
		{"plain node tags", "node 12: 1 tag keys but 0 values",
			primitive(strs, plainNode(12, []uint64{3}, nil, 1, 1))},
		{"member arrays", "relation 30: 2 member ids but 1 roles and 2 types",
			primitive(strs, relation(30, nil, nil, []uint64{5}, []int64{1, 1}, []uint64{1, 1}))},
		{"role index", "relation 30: member 2: member role string index 9 outside the block's string table of 9 strings",
			primitive(strs, relation(30, nil, nil, []uint64{5, 9}, []int64{1, 1}, []uint64{1, 1}))},
		{"member type", "relation 30: member 1: type 3, want 0 (node), 1 (way) or 2 (relation)",
			primitive(strs, relation(30, nil, nil, []uint64{5}, []int64{1}, []uint64{3}))},
		{"relation tags", "relation 30: tag key string index 40 outside the block's string table of 9 strings",
			primitive(strs, relation(30, []uint64{40}, []uint64{1}, nil, nil, nil))},
		{"dense info length", "DenseNodes.denseinfo: 2 values of version for 1 nodes",
			primitive(strs, denseWithInfo([]int64{10}, lat, lon, tDenseInfo{versions: []uint64{1, 2}}.encode()))},
		{"dense user index", "DenseNodes: node 10 (number 1 of 1): user name string index 99 outside the block's string table of 9 strings",
			primitive(strs, denseWithInfo([]int64{10}, lat, lon, tDenseInfo{usids: []int64{99}}.encode()))},
		{"dense negative user index", "DenseNodes: node 10 (number 1 of 1): user name string index -1 is negative",
			primitive(strs, denseWithInfo([]int64{10}, lat, lon, tDenseInfo{usids: []int64{-1}}.encode()))},
		{"way user index", "way 20: Info: user name string index 50 outside the block's string table of 9 strings",
			primitive(strs, wayWithInfo(20, infoMessage(1, 1, 1, 1, 50, true)))},
		{"date granularity", "date_granularity -5: want a positive number of milliseconds",
			protowire.AppendVarint(protowire.AppendTag(nil, 18, protowire.VarintType), uint64(1<<64-5))},
		{"relation varint", "Relation: unexpected EOF",
			[]byte("\x12\x03\x22\x01\xff")},
		{"too many members", "block decodes to more than 256 MiB of objects (tags, node references, members)",
			primitive(strs, relation(30, nil, nil, make([]uint64, tooMany), make([]int64, tooMany), make([]uint64, tooMany)))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scanBytes(context.Background(), craftedBlock("OSMData", pbfOptions{}, c.block), nil)
			want := "test.osm.pbf: corrupt PBF data: block at byte ...: " + c.want
			if err == nil || !matches(err.Error(), want) {
				t.Errorf("err = %v\nwant %s", err, want)
			}
		})
	}
}

// TestPBFScannerFilterPanic: a panicking filter, on a worker goroutine,
// ends the scan with an error instead of the process.
func TestPBFScannerFilterPanic(t *testing.T) {
	_, err := scanBytes(context.Background(), craftedBlock("OSMData", pbfOptions{}, scanTestBlock()), func(sc *pbfScanner) {
		sc.FilterWay = func(*osm.Way) bool { panic("filter bug") }
	})
	want := "test.osm.pbf: corrupt PBF data: block at byte ...: decoder failure: filter bug"
	if err == nil || !matches(err.Error(), want) {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// TestPBFScannerStops: a cancelled context ends the scan with an error
// wrapping it, and Close in the middle of a file returns, with the workers
// stopped.
func TestPBFScannerStops(t *testing.T) {
	data := craftedBlock("OSMData", pbfOptions{}, scanTestBlock())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := scanBytes(ctx, data, nil); !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "test.osm.pbf: ") {
		t.Errorf("cancelled: err = %v, want one naming the file and wrapping context.Canceled", err)
	}

	sc := openScanner(t, dataFile(t, "heidelberg.osm.pbf"))
	var nodes atomic.Int64
	sc.FilterNode = func(*osm.Node) bool { nodes.Add(1); return true }
	for i := 0; i < 10 && sc.Scan(); i++ {
	}
	sc.Close()
	n := nodes.Load()
	if sc.Scan() {
		t.Error("Scan after Close gave an object")
	}
	if nodes.Load() != n {
		t.Error("a filter ran after Close")
	}
}

// denseTagged encodes a PrimitiveGroup member holding DenseNodes with
// keys_vals (values as given, not delta-coded).
func denseTagged(ids, lats, lons []int64, keysVals []uint64) []byte {
	var m []byte
	m = appendPacked(m, 1, zigzag(ids))
	m = appendPacked(m, 8, zigzag(lats))
	m = appendPacked(m, 9, zigzag(lons))
	m = appendPacked(m, 10, keysVals)
	return protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), m)
}

// plainNode encodes a PrimitiveGroup member holding one plain Node.
func plainNode(id int64, keys, vals []uint64, lat, lon int64) []byte {
	var m []byte
	m = protowire.AppendVarint(protowire.AppendTag(m, 1, protowire.VarintType), protowire.EncodeZigZag(id))
	m = appendPacked(m, 2, keys)
	m = appendPacked(m, 3, vals)
	m = protowire.AppendVarint(protowire.AppendTag(m, 8, protowire.VarintType), protowire.EncodeZigZag(lat))
	m = protowire.AppendVarint(protowire.AppendTag(m, 9, protowire.VarintType), protowire.EncodeZigZag(lon))
	return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), m)
}

// relation encodes a PrimitiveGroup member holding one Relation (member
// ids as given, so delta-coded by the caller).
func relation(id uint64, keys, vals, roles []uint64, memids []int64, types []uint64) []byte {
	var m []byte
	m = protowire.AppendVarint(protowire.AppendTag(m, 1, protowire.VarintType), id)
	m = appendPacked(m, 2, keys)
	m = appendPacked(m, 3, vals)
	m = appendPacked(m, 8, roles)
	m = appendPacked(m, 9, zigzag(memids))
	m = appendPacked(m, 10, types)
	return protowire.AppendBytes(protowire.AppendTag(nil, 4, protowire.BytesType), m)
}

// tDenseInfo is a DenseInfo message to encode (values as given, so
// delta-coded by the caller; nil arrays are left out).
type tDenseInfo struct {
	versions                            []uint64
	timestamps, changesets, uids, usids []int64
	visibles                            []uint64
}

func (d tDenseInfo) encode() []byte {
	var m []byte
	for i, a := range [][]uint64{d.versions, zigzag(d.timestamps), zigzag(d.changesets), zigzag(d.uids), zigzag(d.usids), d.visibles} {
		if len(a) > 0 {
			m = appendPacked(m, protowire.Number(i+1), a)
		}
	}
	return m
}

// denseWithInfo encodes a PrimitiveGroup member holding DenseNodes with a
// DenseInfo message.
func denseWithInfo(ids, lats, lons []int64, info []byte) []byte {
	var m []byte
	m = appendPacked(m, 1, zigzag(ids))
	m = protowire.AppendBytes(protowire.AppendTag(m, 5, protowire.BytesType), info)
	m = appendPacked(m, 8, zigzag(lats))
	m = appendPacked(m, 9, zigzag(lons))
	return protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), m)
}

// infoMessage encodes an Info message.
func infoMessage(version, timestamp, changeset, uid, usid uint64, visible bool) []byte {
	var m []byte
	for i, v := range []uint64{version, timestamp, changeset, uid, usid} {
		m = protowire.AppendVarint(protowire.AppendTag(m, protowire.Number(i+1), protowire.VarintType), v)
	}
	vis := uint64(0)
	if visible {
		vis = 1
	}
	return protowire.AppendVarint(protowire.AppendTag(m, 6, protowire.VarintType), vis)
}

// wayWithInfo encodes a PrimitiveGroup member holding a Way with no tags
// or nodes and the given Info message.
func wayWithInfo(id uint64, info []byte) []byte {
	var m []byte
	m = protowire.AppendVarint(protowire.AppendTag(m, 1, protowire.VarintType), id)
	m = protowire.AppendBytes(protowire.AppendTag(m, 4, protowire.BytesType), info)
	return protowire.AppendBytes(protowire.AppendTag(nil, 3, protowire.BytesType), m)
}
