#!/usr/bin/env python3
"""Time the 15-minute bounded Dijkstra of BenchmarkBoundedDijkstraHeidelberg
(package data) with networkx and with scipy, on the same graph and sources.

Export the graph first (Heidelberg OSM extract from the shared test data):

    CARECIRCLE_COMPARE_DIR=/tmp/cmp go test ./data/ -run TestExportHeidelbergForComparison
    python3 docs/bench/dijkstra_compare.py /tmp/cmp

edges.csv holds each walkway's two source node ids and an elder's walking
seconds; sources.csv the 1,000 start nodes and how many nodes CareCircle's
search settles from each, which both libraries must match (a node counts when
its time is at most 900 s). Needs Debian's python3-networkx and python3-scipy.
"""
import csv
import sys
import time

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

BUDGET = 900.0  # seconds: 15 minutes, 810 m at 0.9 m/s


def main(folder):
    with open(f"{folder}/edges.csv", newline="") as f:
        rows = [(int(r["u"]), int(r["v"]), float(r["seconds"])) for r in csv.DictReader(f)]
    with open(f"{folder}/sources.csv", newline="") as f:
        sources = [(int(r["source"]), int(r["settled"])) for r in csv.DictReader(f)]

    g = nx.Graph()
    g.add_weighted_edges_from(rows, weight="s")

    index = {n: i for i, n in enumerate(g.nodes)}
    u = np.array([index[a] for a, _, _ in rows] + [index[b] for _, b, _ in rows])
    v = np.array([index[b] for _, b, _ in rows] + [index[a] for a, _, _ in rows])
    # A zero-length walkway would vanish from a sparse matrix: give it the
    # smallest positive time instead, which changes no count.
    w = np.array([max(s, 5e-324) for _, _, s in rows] * 2)
    m = csr_matrix((w, (u, v)), shape=(len(index), len(index)))
    print(f"graph: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges; {len(sources)} searches")

    def check(name, counts):
        bad = [(s, want, got) for (s, want), got in zip(sources, counts) if want != got]
        if bad:
            print(f"{name}: {len(bad)} searches disagree with CareCircle, e.g. {bad[:3]}")

    t = time.perf_counter()
    counts = [len(nx.single_source_dijkstra_path_length(g, s, cutoff=BUDGET, weight="s")) for s, _ in sources]
    nx_us = (time.perf_counter() - t) / len(sources) * 1e6
    check("networkx", counts)

    t = time.perf_counter()
    counts = [int(np.isfinite(dijkstra(m, directed=True, indices=index[s], limit=BUDGET)).sum()) for s, _ in sources]
    sp_us = (time.perf_counter() - t) / len(sources) * 1e6
    check("scipy", counts)

    print(f"networkx {nx.__version__}: {nx_us:.0f} µs per search")
    print(f"scipy {__import__('scipy').__version__}: {sp_us:.0f} µs per search")
    print(f"mean settled: {sum(n for _, n in sources) / len(sources):.0f} nodes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
