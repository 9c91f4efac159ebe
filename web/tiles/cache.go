package tiles

import (
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// DefaultCacheBytes bounds the tile cache: built tiles, gzipped, of every
// layer and scenario together.
const DefaultCacheBytes = 256 << 20

// entryOverhead is what an entry costs beyond its bytes (key, links, map
// slots), counted against the bound so that many tiny tiles are bounded
// too.
const entryOverhead = 160

// cacheKey names one built tile. Scenario is "" for the basemap, which is
// the same in every scenario.
type cacheKey struct {
	layer    layerID
	scenario string
	z        maptile.Zoom
	x, y     uint32
}

func (k cacheKey) tile() maptile.Tile { return maptile.New(k.x, k.y, k.z) }

type cacheEntry struct {
	key        cacheKey
	data       []byte
	prev, next *cacheEntry // LRU list; the head is the most recent
}

// scenarioState tracks which version of a scenario the cached tiles are
// valid at.
//
// Entries hold no version of their own: every cached entry of a scenario
// is valid at cur. When an edit is announced (Invalidate), the tiles it
// touched are deleted and announced counts it; the next request at a
// newer version then finds the survivors still valid if exactly that many
// versions have passed (each edit is one version, planner.Scenario.With),
// and drops the scenario's whole cache otherwise. While an announcement is
// pending nothing new is stored, and a build that an Invalidate overtook
// is not stored either (epoch), so a tile built from an older evaluation
// can never be filed under a newer version.
type scenarioState struct {
	cur       int64 // version every entry is valid at
	announced int64 // edits announced by Invalidate since cur
	epoch     uint64
	entries   map[cacheKey]*cacheEntry
}

// cache is a byte-bounded LRU of built tiles with per-scenario versions.
// Safe for concurrent use.
type cache struct {
	mu        sync.Mutex
	max       int64
	bytes     int64
	items     map[cacheKey]*cacheEntry
	scenarios map[string]*scenarioState
	head      *cacheEntry // most recently used
	tail      *cacheEntry // least recently used

	hits, misses int64
}

func newCache(max int64) *cache {
	return &cache{max: max, items: map[cacheKey]*cacheEntry{}, scenarios: map[string]*scenarioState{}}
}

// ticket is what get hands to put: whether and under which epoch the
// result may be stored.
type ticket struct {
	store bool
	epoch uint64
}

// get looks k up for a request made at version (ignored for the basemap).
func (c *cache) get(k cacheKey, version int64) ([]byte, ticket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t ticket
	if k.scenario != "" {
		st := c.scenarios[k.scenario]
		switch {
		case st == nil:
			st = &scenarioState{cur: version, entries: map[cacheKey]*cacheEntry{}}
			c.scenarios[k.scenario] = st
		case version > st.cur:
			if st.announced != version-st.cur {
				// Versions passed that were not announced, or were
				// announced differently: nothing cached can be trusted.
				c.dropEntries(st)
			}
			st.cur, st.announced = version, 0
		case version < st.cur:
			// An older evaluation than the cache holds: build it, but
			// neither serve nor store from the cache.
			c.misses++
			return nil, ticket{}
		}
		t = ticket{store: st.announced == 0, epoch: st.epoch}
	} else {
		t = ticket{store: true}
	}
	if e := c.items[k]; e != nil {
		c.hits++
		c.touch(e)
		return e.data, t
	}
	c.misses++
	return nil, t
}

// put stores a tile built for k under a ticket from get.
func (c *cache) put(k cacheKey, data []byte, t ticket) {
	if !t.store {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var st *scenarioState
	if k.scenario != "" {
		st = c.scenarios[k.scenario]
		if st == nil || st.epoch != t.epoch || st.announced != 0 {
			return // dropped or invalidated while building
		}
	}
	if old := c.items[k]; old != nil {
		c.remove(old)
	}
	e := &cacheEntry{key: k, data: data}
	c.items[k] = e
	if st != nil {
		st.entries[k] = e
	}
	c.pushFront(e)
	c.bytes += int64(len(data)) + entryOverhead
	for c.bytes > c.max && c.tail != nil && c.tail != e {
		c.remove(c.tail)
	}
}

// invalidate deletes the scenario's tiles for which drop (given the layer
// and the tile's buffered world bound) says so, and counts one announced
// edit.
func (c *cache) invalidate(scenario string, drop func(l layerID, z maptile.Zoom, b orb.Bound) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.scenarios[scenario]
	if st == nil {
		return // nothing cached: the first request starts afresh
	}
	st.announced++
	st.epoch++
	for k, e := range st.entries {
		if drop(k.layer, k.z, tileWorldBound(k.tile(), bufferUnits)) {
			c.remove(e)
		}
	}
}

// drop forgets a scenario and its tiles.
func (c *cache) drop(scenario string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.scenarios[scenario]; st != nil {
		c.dropEntries(st)
		delete(c.scenarios, scenario)
	}
}

func (c *cache) dropEntries(st *scenarioState) {
	for _, e := range st.entries {
		c.remove(e)
	}
	st.epoch++
}

// remove deletes e from the map, its scenario and the LRU list.
func (c *cache) remove(e *cacheEntry) {
	delete(c.items, e.key)
	if st := c.scenarios[e.key.scenario]; st != nil {
		delete(st.entries, e.key)
	}
	c.unlink(e)
	c.bytes -= int64(len(e.data)) + entryOverhead
}

func (c *cache) touch(e *cacheEntry) {
	if c.head == e {
		return
	}
	c.unlink(e)
	c.pushFront(e)
}

func (c *cache) pushFront(e *cacheEntry) {
	e.prev, e.next = nil, c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

func (c *cache) unlink(e *cacheEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else if c.head == e {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else if c.tail == e {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// CacheStats counts the tile cache's work since the Server was made.
type CacheStats struct {
	Hits    int64 // tiles served from the cache
	Misses  int64 // tiles built
	Entries int   // tiles held now
	Bytes   int64 // their size, with per-entry overhead
}

func (c *cache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits, Misses: c.misses, Entries: len(c.items), Bytes: c.bytes}
}
