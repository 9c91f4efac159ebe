// Package pgtest gives tests a real PostgreSQL database with PostGIS.
//
// It uses the server named by CARECIRCLE_TEST_PG (a URL of a role that
// may create databases, e.g. postgres://postgres@127.0.0.1:5432/postgres)
// or else starts a throwaway cluster of its own with Debian's initdb and
// pg_ctl (/usr/lib/postgresql/*/bin) in a temporary folder on a free
// port of 127.0.0.1, run as the "postgres" user when the tests run as
// root (PostgreSQL refuses root). Without either, tests skip with a
// message saying what to install.
//
// A package using it calls Main from its TestMain, so that a cluster it
// started is stopped when its tests end.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable with the URL of a server to use.
const EnvURL = "CARECIRCLE_TEST_PG"

var (
	once     sync.Once
	admin    string // URL of a database of the server, as a role that may create databases
	template string // a database with PostGIS that new ones copy
	skip     string // why there is no server
	stop     func() // stops a cluster this process started
)

// Main runs the tests and then stops a cluster they started; call it
// from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if stop != nil {
		stop()
	}
	return code
}

// URL returns the URL of a new, empty database with PostGIS, dropped when
// the test ends, or skips the test when there is no PostgreSQL.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(setUp)
	if skip != "" {
		t.Skip(skip)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(ctx)
	name := "cc_test_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if conn, err := pgx.Connect(ctx, admin); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	return withDatabase(admin, name)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withDatabase is u with its database set to name.
func withDatabase(u, name string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Path = "/" + name
	return p.String()
}

// setUp finds or starts a server and makes the template database.
func setUp() {
	if u := os.Getenv(EnvURL); u != "" {
		admin = u
	} else if err := startCluster(); err != nil {
		skip = fmt.Sprintf("no PostgreSQL for this test: %v. Set %s to a server's URL, or install PostgreSQL and PostGIS (Debian: apt-get install postgresql postgresql-15-postgis-3)", err, EnvURL)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		skip = fmt.Sprintf("no PostgreSQL for this test: cannot connect to %s: %v", redacted(admin), err)
		return
	}
	defer conn.Close(ctx)
	template = "cc_template_" + randomHex(4)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+template); err != nil {
		skip = fmt.Sprintf("no PostgreSQL for this test: creating a database on %s: %v", redacted(admin), err)
		return
	}
	tconn, err := pgx.Connect(ctx, withDatabase(admin, template))
	if err == nil {
		_, err = tconn.Exec(ctx, "CREATE EXTENSION postgis")
		tconn.Close(ctx)
	}
	if err != nil {
		skip = fmt.Sprintf("no PostGIS on %s: %v; install it (Debian: apt-get install postgresql-15-postgis-3)", redacted(admin), err)
		return
	}
	prev := stop
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if conn, err := pgx.Connect(ctx, admin); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+template+" WITH (FORCE)")
			conn.Close(ctx)
		}
		if prev != nil {
			prev()
		}
	}
}

func redacted(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	return "the server"
}

// startCluster starts a throwaway cluster in a temporary folder.
func startCluster() error {
	bin, err := postgresBin()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "carecircle-pg-")
	if err != nil {
		return err
	}
	// runAs runs a PostgreSQL program, as "postgres" when we are root.
	var runAs func(name string, args ...string) *exec.Cmd
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return fmt.Errorf("running as root and there is no postgres user to run the server as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return err
		}
		runAs = func(name string, args ...string) *exec.Cmd {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
		}
	} else {
		runAs = exec.Command
	}
	data := filepath.Join(dir, "data")
	if out, err := runAs(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("initdb: %v: %s", err, lastLine(out))
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=200", port, dir)
	if out, err := runAs(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return fmt.Errorf("pg_ctl start: %v: %s %s", err, lastLine(out), lastLine(log))
	}
	admin = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	stopCmd := runAs(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
	stop = func() {
		stopCmd.Run()
		os.RemoveAll(dir)
	}
	// A test binary killed by a timeout never reaches Main's stop: a
	// watcher of its own stops the cluster once this process is gone.
	script := fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 1; done; %s >/dev/null 2>&1; rm -rf %s",
		os.Getpid(), shellQuote(stopCmd.Args), shellQuote([]string{dir}))
	reaper := exec.Command("sh", "-c", script)
	reaper.SysProcAttr = detached()
	if err := reaper.Start(); err == nil {
		go reaper.Wait()
	}
	return nil
}

// shellQuote quotes words for sh.
func shellQuote(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// postgresBin is the newest /usr/lib/postgresql/N/bin with initdb.
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(dirs) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", fmt.Errorf("no initdb in /usr/lib/postgresql/*/bin or on PATH")
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) < version(dirs[j]) })
	return filepath.Dir(dirs[len(dirs)-1]), nil
}

func version(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
