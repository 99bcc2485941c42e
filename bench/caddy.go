package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildCaddy builds the project's Caddy (cmd/caddy) into dir.
func buildCaddy(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "caddy")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/caddy")
	cmd.Dir = root
	cmd.SysProcAttr = dieWithParent()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building caddy: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot is the directory of the go.mod this program is run in.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run the benchmark inside the caddy-enhance module (go run ./bench); go env GOMOD said %q", gomod)
	}
	return filepath.Dir(gomod), nil
}

// dieWithParent makes the kernel kill a child when this program dies, even
// by SIGKILL, so no Caddy is left behind.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// caddyProcess is one running Caddy.
type caddyProcess struct {
	name string // "plain" or "enhance"
	addr string
	cmd  *exec.Cmd
	logs *lockedBuffer
	once sync.Once
}

func (g *caddyProcess) url(path string) string { return "http://" + g.addr + path }

// caddyfile is the configuration of one gateway. The two differ only in the
// enhance line; logs are at ERROR and there is no access log, so logging
// costs neither side anything.
func caddyfile(addr, upstream string, enhance bool) string {
	directive := ""
	if enhance {
		directive = "\tenhance\n"
	}
	host, port, _ := net.SplitHostPort(addr)
	return fmt.Sprintf(`{
	admin off
	auto_https off
	persist_config off
	log {
		level ERROR
	}
}

http://%s:%s {
	bind %s
%s	reverse_proxy %s
}
`, host, port, host, directive, upstream)
}

func startCaddy(ctx context.Context, bin, dir, name, upstream string, enhance bool) (*caddyProcess, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	home := filepath.Join(dir, name)
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(home, "Caddyfile")
	if err := os.WriteFile(path, []byte(caddyfile(addr, upstream, enhance)), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "run", "--config", path, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+home, "XDG_CONFIG_HOME="+home)
	cmd.SysProcAttr = dieWithParent()
	cmd.WaitDelay = 2 * time.Second
	g := &caddyProcess{name: name, addr: addr, cmd: cmd, logs: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = g.logs, g.logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting caddy (%s): %v", name, err)
	}
	if err := waitListening(ctx, addr); err != nil {
		g.stop()
		return nil, fmt.Errorf("caddy (%s) did not start: %v\n%s", name, err, g.logs)
	}
	return g, nil
}

func (g *caddyProcess) stop() {
	g.once.Do(func() {
		g.cmd.Process.Kill()
		g.cmd.Wait()
	})
}

// peakRSS is the process's peak resident set size (VmHWM) in kB.
func (g *caddyProcess) peakRSS() (int64, error) {
	return statusField(g.cmd.Process.Pid, "VmHWM")
}

// cpuTime is the CPU time, user and system, the process has used so far.
func (g *caddyProcess) cpuTime() (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", g.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	return parseCPUTime(stat)
}

// clockTicks is USER_HZ, the unit of /proc times: 100 on every Linux
// architecture Go supports.
const clockTicks = 100

// parseCPUTime reads utime and stime (fields 14 and 15) of /proc/PID/stat.
// The command name, field 2, is in parentheses and may hold spaces, so the
// count starts after its closing parenthesis.
func parseCPUTime(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	fields := strings.Fields(string(stat[i+1:]))
	if i < 0 || len(fields) < 13 {
		return 0, fmt.Errorf("unexpected /proc stat %q", stat)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected /proc stat %q: %v", stat, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// statusField reads a "Name:  1234 kB" line of /proc/PID/status.
func statusField(pid int, name string) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusField(status, name)
}

func parseStatusField(status []byte, name string) (int64, error) {
	for line := range strings.Lines(string(status)) {
		value, ok := strings.CutPrefix(line, name+":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected %s line %q", name, strings.TrimSpace(line))
		}
		return strconv.ParseInt(fields[0], 10, 64)
	}
	return 0, fmt.Errorf("no %s in /proc status", name)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitListening(ctx context.Context, addr string) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(30 * time.Millisecond):
		}
	}
}

// lockedBuffer collects a process's output.
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
