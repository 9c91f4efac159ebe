package main

import (
	"context"
	"strconv"

	"github.com/carecircle/carecircle/data"
)

// loadGraphForTest returns the OSM id of a node near the middle of the
// walking graph of an extract.
func loadGraphForTest(osm string) (string, error) {
	n, err := data.LoadNetwork(context.Background(), data.NetworkSource{OSM: osm}, nil)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(n.Graph.OSMIDs[n.Graph.NumNodes()/2], 10), nil
}
