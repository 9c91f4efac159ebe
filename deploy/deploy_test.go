package deploy

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCompose parses compose.yaml: PostGIS with a health check, at least
// two CareCircle replicas on it behind a proxy, each with a base path that
// deploy/nginx.conf routes to an upstream listing it, a token and the
// database from the environment. `docker compose config` checks it too
// where Docker is installed.
func TestCompose(t *testing.T) {
	var c struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   any               `yaml:"depends_on"`
			Healthcheck *struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal([]byte(read(t, "../compose.yaml")), &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	nginx := read(t, "nginx.conf")
	db, ok := c.Services["db"]
	if !ok || !strings.HasPrefix(db.Image, "postgis/postgis:") || db.Healthcheck == nil {
		t.Errorf("compose.yaml: want a db service on a postgis/postgis image with a health check")
	}
	var replicas []string
	for name, s := range c.Services {
		if len(s.Command) == 0 || s.Command[0] != "serve" {
			continue
		}
		replicas = append(replicas, name)
		i := slices.Index(s.Command, "--base-path")
		if i < 0 || i+1 >= len(s.Command) {
			t.Errorf("service %s serves without --base-path", name)
			continue
		}
		base := s.Command[i+1]
		if !strings.Contains(nginx, "location "+base+" ") {
			t.Errorf("service %s serves at %s, which deploy/nginx.conf does not route", name, base)
		}
		if !regexp.MustCompile(`server ` + regexp.QuoteMeta(name) + `:8080\b`).MatchString(nginx) {
			t.Errorf("service %s is in no upstream of deploy/nginx.conf", name)
		}
		if !slices.Contains(s.Command, "--trust-proxy") {
			t.Errorf("service %s is behind the proxy without --trust-proxy: its TileJSON would name the replica", name)
		}
		if !strings.HasPrefix(s.Environment["CARECIRCLE_DB"], "postgres://") || s.Environment["CARECIRCLE_TOKEN"] == "" {
			t.Errorf("service %s: want CARECIRCLE_DB=postgres://… and CARECIRCLE_TOKEN", name)
		}
	}
	if len(replicas) < 2 {
		t.Errorf("compose.yaml has replicas %v, want at least two", replicas)
	}
	proxy, ok := c.Services["proxy"]
	if !ok || !slices.ContainsFunc(proxy.Volumes, func(v string) bool { return strings.HasPrefix(v, "./deploy/nginx.conf:") }) {
		t.Errorf("compose.yaml: want a proxy service mounting deploy/nginx.conf")
	}
	docker, err := exec.LookPath("docker")
	if err == nil && exec.Command(docker, "compose", "version").Run() != nil {
		err = exec.ErrNotFound // docker without its compose plugin
	}
	if err == nil {
		cmd := exec.Command(docker, "compose", "-f", "../compose.yaml", "config", "--quiet")
		cmd.Env = append(os.Environ(), "CARECIRCLE_TOKEN=t", "POSTGRES_PASSWORD=p")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("docker compose config: %v\n%s", err, out)
		}
	} else {
		t.Log("docker compose is not installed: compose.yaml checked by parsing only")
	}
}

// TestDockerfile checks the image is built in two stages, with cgo, the
// version stamped at link time, and the binary run once in the build.
func TestDockerfile(t *testing.T) {
	d := read(t, "../Dockerfile")
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(d, -1)); n != 2 {
		t.Errorf("Dockerfile has %d stages, want 2 (build, run)", n)
	}
	for _, want := range []string{"CGO_ENABLED=1", "-X main.version=", "-X main.commit=", "-X main.buildDate=", "/out/carecircle version", "zlib1g", "ENTRYPOINT [\"carecircle\"]"} {
		if !strings.Contains(d, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	if _, err := os.Stat("../LICENSE"); err != nil {
		t.Errorf("the image copies LICENSE: %v", err)
	}
}

// TestSystemdUnit checks the unit runs serve with flags the server has.
func TestSystemdUnit(t *testing.T) {
	u := read(t, "carecircle@.service")
	exec := regexp.MustCompile(`(?m)^ExecStart=(\S+) serve (.*)$`).FindStringSubmatch(u)
	if exec == nil {
		t.Fatalf("carecircle@.service: no ExecStart=… serve …")
	}
	for _, flag := range regexp.MustCompile(`--[a-z-]+`).FindAllString(exec[2], -1) {
		if !slices.Contains([]string{"--city", "--addr", "--db", "--base-path", "--trust-proxy", "--token", "--profile"}, flag) {
			t.Errorf("carecircle@.service passes %s, which serve does not take", flag)
		}
	}
	for _, want := range []string{"EnvironmentFile=", "Restart=on-failure", "[Install]"} {
		if !strings.Contains(u, want) {
			t.Errorf("carecircle@.service lacks %s", want)
		}
	}
}
