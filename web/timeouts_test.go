package web

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shortTimeouts are the server's timeouts shrunk so a test sees them act.
var shortTimeouts = Timeouts{ReadHeader: 300 * time.Millisecond, Read: 500 * time.Millisecond, Write: 500 * time.Millisecond, Idle: 300 * time.Millisecond}

// serveOnLoopback serves h on a real loopback listener with t.
func serveOnLoopback(t *testing.T, h http.Handler, to Timeouts) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := NewHTTPServer(h, to)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// closedBy reads from c until the server closes it, failing if that
// takes until the test's own (generous) deadline.
func closedBy(t *testing.T, c net.Conn, what string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err := io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%s: the server kept the connection open", what)
	}
}

// TestSlowAndIdleConnectionsAreCut: a body trickled in byte by byte
// (slow loris) and a kept-alive connection left idle are closed by the
// server, on a real loopback connection.
func TestSlowAndIdleConnectionsAreCut(t *testing.T) {
	srv, _, _ := testServerOf(t, "")
	addr := serveOnLoopback(t, srv.Handler(), shortTimeouts)

	t.Run("slow body", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		body := `{"name":"` + strings.Repeat("x", 200) + `"}`
		if _, err := io.WriteString(c, "POST /api/v1/scenarios HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\nContent-Length: "+
			strconv.Itoa(len(body))+"\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		sent := 0
		for ; sent < len(body); sent++ {
			if _, err := c.Write([]byte{body[sent]}); err != nil {
				break // cut
			}
			time.Sleep(50 * time.Millisecond)
			c.SetReadDeadline(time.Now().Add(time.Millisecond))
			if _, err := c.Read(make([]byte, 1)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				break // the server answered or closed
			}
		}
		if sent == len(body) {
			t.Fatal("the server read the whole trickled body")
		}
		closedBy(t, c, "slow body")
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 200 || resp.Close {
			t.Fatalf("health check: %v %v", resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		closedBy(t, c, "idle keep-alive")
	})
}

// TestLongAnswersOutliveTheWriteTimeout: a handler that says its answer
// takes long (the optimiser's long poll, a PDF) gets it through although
// the server's write timeout has passed.
func TestLongAnswersOutliveTheWriteTimeout(t *testing.T) {
	for _, extend := range []bool{false, true} {
		addr := serveOnLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if extend {
				// Well past the sleep, so a loaded machine does not
				// race the extended deadline.
				longAnswer(w, 6*shortTimeouts.Write)
			}
			time.Sleep(2 * shortTimeouts.Write)
			writeJSON(w, 200, map[string]string{"status": "done"})
		}), shortTimeouts)
		resp, err := http.Get("http://" + addr + "/")
		if extend && (err != nil || resp.StatusCode != 200) {
			t.Fatalf("extended answer: %v %v", resp, err)
		}
		if !extend && err == nil {
			t.Fatalf("the write timeout did not act: %v", resp.Status)
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
}
