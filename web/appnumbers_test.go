package web_test

import (
	"os/exec"
	"testing"
)

// TestAppNumbers runs the web app's number rules (web/app/numbers.js: a
// change is computed from the values as shown) under node's test runner.
func TestAppNumbers(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed (.ci/run installs it)")
	}
	out, err := exec.Command(node, "--test", "app/numbers.test.mjs").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test app/numbers.test.mjs: %v\n%s", err, out)
	}
}
