package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles carecircle once for the tests that run it as a
// separate process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "carecircle")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServer runs `carecircle serve` on a free loopback port and returns
// its base URL once it prints it.
func startServer(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				lines <- sc.Text()[i:]
			}
		}
	}()
	select {
	case url := <-lines:
		return cmd, url
	case <-time.After(60 * time.Second):
		t.Fatal("server did not print its address within 60 s")
	}
	return nil, ""
}

func post(t *testing.T, url string, body any) map[string]any {
	t.Helper()
	j, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, raw)
	}
	var v map[string]any
	json.Unmarshal(raw, &v)
	return v
}

// TestEditSurvivesKill9 edits a scenario, kills the server hard, starts it
// again on the same database and finds the edit.
func TestEditSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "scenarios.db")
	cmd, url := startServer(t, bin, "--demo", "tiny", "--db", db)

	var city map[string]any
	resp, err := http.Get(url + "/api/v1/city")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&city)
	resp.Body.Close()
	c := city["center"].([]any)
	sc := post(t, url+"/api/v1/scenarios", map[string]any{"name": "耐久性"})
	id := sc["id"].(string)
	added := post(t, url+"/api/v1/scenarios/"+id+"/facilities",
		map[string]any{"type": "community_station", "lon": c[0], "lat": c[1], "floor_area_m2": 250, "beds": 10})
	fid := added["facility"].(map[string]any)["id"].(string)

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	_, url = startServer(t, bin, "--demo", "tiny", "--db", db)
	resp, err = http.Get(url + "/api/v1/scenarios/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Version int64 `json:"version"`
		Added   []struct {
			ID string `json:"id"`
		} `json:"added"`
	}
	json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != 200 || got.Version != 2 || len(got.Added) != 1 || got.Added[0].ID != fid {
		t.Fatalf("after kill -9: status %d, scenario %+v; want version 2 with facility %s", resp.StatusCode, got, fid)
	}
}

func TestServeRefusesOpenAddressWithoutToken(t *testing.T) {
	t.Setenv("CARECIRCLE_TOKEN", "")
	_, err := run(t, "serve", "--demo", "tiny", "--addr", "0.0.0.0:0")
	if err == nil || !strings.Contains(err.Error(), "--token") {
		t.Fatalf("got %v, want a refusal naming --token", err)
	}
}

// TestServeGuardsReadsAndHosts runs the server binary with a token and a
// reverse proxy's name (from the environment): reads need the token, the
// proxy's Host is served and a foreign one refused.
func TestServeGuardsReadsAndHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := buildBinary(t)
	t.Setenv("CARECIRCLE_TOKEN", "s3cret")
	t.Setenv("CARECIRCLE_ALLOWED_HOSTS", "planner.example.org,other.example.org")
	_, url := startServer(t, bin, "--demo", "tiny", "--db", filepath.Join(t.TempDir(), "s.db"))
	for _, c := range []struct {
		host, token string
		want        int
	}{
		{"", "", 401},
		{"", "s3cret", 200},
		{"planner.example.org", "s3cret", 200},
		{"evil.example", "s3cret", 421},
	} {
		req, _ := http.NewRequest("GET", url+"/api/v1/city", nil)
		if c.host != "" {
			req.Host = c.host
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("Host %q token %q: %d, want %d", c.host, c.token, resp.StatusCode, c.want)
		}
	}
}
