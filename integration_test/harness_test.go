// Package integration runs the real Caddy binary, built with the enhance
// module, in front of real upstream processes.
package integration

import (
	"bytes"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddy-enhance/enhance/demo"
)

// caddyBin is the Caddy binary under test, built once by TestMain.
var caddyBin string

func TestMain(m *testing.M) {
	if addr := os.Getenv("ENHANCE_TEST_UPSTREAM"); addr != "" {
		serveLegacyApp(addr)
		return
	}
	if addr := os.Getenv("ENHANCE_TEST_DEMO"); addr != "" {
		log.Fatal(http.ListenAndServe(addr, demo.Handler()))
	}
	dir, err := os.MkdirTemp("", "enhance-it-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	caddyBin = filepath.Join(dir, "caddy")
	build := exec.Command("go", "build", "-o", caddyBin, "./cmd/caddy")
	build.Dir = ".."
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building caddy:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// waitListening waits until addr accepts connections.
func waitListening(t testing.TB, addr string, what string, logs fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	t.Fatalf("%s did not start listening on %s; output:\n%s", what, addr, logs)
}

// lockedBuffer collects a process's output safely.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startProcess runs cmd until the test ends.
func startProcess(t testing.TB, cmd *exec.Cmd, name, addr string) *lockedBuffer {
	t.Helper()
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out)
		}
	})
	if addr != "" {
		waitListening(t, addr, name, out)
	}
	return out
}

// startLegacyApp starts the Go legacy-style app (this test binary, re-executed)
// and returns its address.
func startLegacyApp(t testing.TB) string {
	return startSelf(t, "ENHANCE_TEST_UPSTREAM", "legacy app")
}

// startDemoApp starts the demo app that ships in the binary, as its own
// process, and returns its address.
func startDemoApp(t testing.TB) string {
	return startSelf(t, "ENHANCE_TEST_DEMO", "demo app")
}

// startSelf re-executes this test binary as the app TestMain serves when env
// names a listen address, and returns that address.
func startSelf(t testing.TB, env, name string) string {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), env+"="+addr)
	startProcess(t, cmd, name, addr)
	return addr
}

// gateway is a running Caddy.
type gateway struct {
	addr string
	logs *lockedBuffer
	pid  int
}

func (g *gateway) url(path string) string { return "http://" + g.addr + path }

// startCaddy runs the Caddy binary with a Caddyfile whose site block is body;
// {upstream} and {gateway} in body are replaced with the addresses.
func startCaddy(t testing.TB, upstream, body string) *gateway {
	t.Helper()
	return startCaddyWithAdmin(t, "off", upstream, body)
}

// startCaddyWithAdmin is startCaddy with the admin endpoint at admin ("off" for none).
func startCaddyWithAdmin(t testing.TB, admin, upstream, body string) *gateway {
	t.Helper()
	addr := freeAddr(t)
	body = strings.ReplaceAll(body, "{upstream}", upstream)
	body = strings.ReplaceAll(body, "{gateway}", addr)
	caddyfile := fmt.Sprintf("{\n\tadmin %s\n\tauto_https off\n\tpersist_config off\n\tlog {\n\t\tlevel DEBUG\n\t}\n}\n\nhttp://%s {\n%s\n}\n", admin, addr, body)
	dir := t.TempDir()
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(caddyfile), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(caddyBin, "run", "--config", path, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	logs := startProcess(t, cmd, "caddy", addr)
	return &gateway{addr: addr, logs: logs, pid: cmd.Process.Pid}
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{
	Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitLog waits until the process output contains want; logs reach the pipe a
// little after the response.
func waitLog(logs *lockedBuffer, want string) bool {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(logs.String(), want) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
