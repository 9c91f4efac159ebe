package web

import (
	"container/list"
	"sync"
)

// DefaultEvaluationBytes bounds the evaluations the server keeps built:
// about a hundred scenarios of the 10-million-resident city demo.
const DefaultEvaluationBytes = 512 << 20

// evalCache bounds the memory of built scenario evaluations. Each state
// whose evaluation is built is listed, most recently used first; when the
// total passes the bound the least recently used ones drop their
// evaluation, to be rebuilt from their stored scenario when next asked
// for. A scenario in use (its lock held) is never evicted. Safe for
// concurrent use.
type evalCache struct {
	mu    sync.Mutex
	max   int64
	bytes int64
	lru   *list.List // of *scenarioState, front most recent
	at    map[*scenarioState]*list.Element
	size  map[*scenarioState]int64
}

func newEvalCache(max int64) *evalCache {
	return &evalCache{max: max, lru: list.New(), at: map[*scenarioState]*list.Element{}, size: map[*scenarioState]int64{}}
}

// use records that st (its lock held by the caller) was used with an
// evaluation of about bytes, and evicts others past the bound.
func (c *evalCache) use(st *scenarioState, bytes int64) {
	c.mu.Lock()
	if el := c.at[st]; el != nil {
		c.lru.MoveToFront(el)
		c.bytes += bytes - c.size[st]
	} else {
		c.at[st] = c.lru.PushFront(st)
		c.bytes += bytes
	}
	c.size[st] = bytes
	var victims []*scenarioState
	over := c.bytes - c.max
	for el := c.lru.Back(); el != nil && over > 0; el = el.Prev() {
		if v := el.Value.(*scenarioState); v != st {
			victims = append(victims, v)
			over -= c.size[v]
		}
	}
	c.mu.Unlock()
	for _, v := range victims {
		// A victim busy with a request keeps its evaluation, and its place
		// in the list, this time.
		if v.mu.TryLock() {
			v.eval, v.sum = nil, nil
			c.forget(v)
			v.mu.Unlock()
		}
	}
}

// forget stops counting st (its evaluation was dropped or it was deleted).
func (c *evalCache) forget(st *scenarioState) {
	c.mu.Lock()
	c.forgetLocked(st)
	c.mu.Unlock()
}

func (c *evalCache) forgetLocked(st *scenarioState) {
	if el := c.at[st]; el != nil {
		c.lru.Remove(el)
		c.bytes -= c.size[st]
		delete(c.at, st)
		delete(c.size, st)
	}
}

// stats is the number of evaluations kept and their estimated bytes.
func (c *evalCache) stats() (n int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes
}
