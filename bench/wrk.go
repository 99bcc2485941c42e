package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caddy-enhance/enhance/bench/upstream"
)

// target is the goal a case is held to.
type target int

const (
	// passThrough: non-HTML replies, ≥ 0.98× the plain proxy's requests/s.
	passThrough target = iota
	// page: an HTML page, ≥ 0.90× requests/s and p99 at most 1 ms higher.
	page
	// action: at most 0.3 ms added per request, measured on one connection.
	action
)

const (
	passThroughRatio = 0.98
	pageRatio        = 0.90
	pageP99Added     = time.Millisecond
	actionAdded      = 300 * time.Microsecond
	hugeRiseKB       = 16 << 10
)

// benchCase is one kind of request, sent the same way to both gateways.
type benchCase struct {
	name   string
	method string
	path   string
	// plainPath is where the request goes on the plain proxy when it differs:
	// without the gateway the browser posts a named action's form to its target.
	plainPath string
	accept    string
	target    target
	// expectations for each gateway
	plain, enhanced func(reply) error
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

var cases = []benchCase{
	{
		name: "1 MB binary", method: "GET", path: "/bin", accept: "*/*", target: passThrough,
		plain: expectPassThrough(upstream.Binary(upstream.BinarySize)), enhanced: expectPassThrough(upstream.Binary(upstream.BinarySize)),
	},
	{
		name: "small JSON", method: "GET", path: "/json", accept: "application/json", target: passThrough,
		plain: expectPassThrough([]byte(upstream.JSON)), enhanced: expectPassThrough([]byte(upstream.JSON)),
	},
	{
		name: "50 KB page, 20 forms", method: "GET", path: "/page", accept: browserAccept, target: page,
		plain: expectPassThrough(upstream.Page(upstream.PageForms)), enhanced: expectRewrittenPage,
	},
	{
		name: "action → 303", method: "POST", path: "/action", accept: "application/json", target: action,
		plain:    expectStatus(303, "Location", upstream.RedirectTo),
		enhanced: expectActionResult(`"type":"redirect"`, `"status":303`, `"location":"`+upstream.RedirectTo+`"`),
	},
	{
		name: "named action → 303", method: "POST", path: "/page?/action", plainPath: "/action", accept: "application/json", target: action,
		plain:    expectStatus(303, "Location", upstream.RedirectTo),
		enhanced: expectActionResult(`"type":"redirect"`, `"status":303`, `"location":"`+upstream.RedirectTo+`"`),
	},
	{
		name: "action → 200 HTML", method: "POST", path: "/action/render", accept: "application/json", target: action,
		plain:    expectStatus(200, "Content-Type", "text/html; charset=utf-8"),
		enhanced: expectActionResult(`"type":"success"`, upstream.RenderedError, `/action/render?/items/3/update`),
	},
}

// serialCases are measured a second time on one connection, where the
// latency difference is the time the gateway adds to each request.
func serialCases() []benchCase {
	var out []benchCase
	for _, c := range cases {
		if c.target == action {
			out = append(out, c)
		}
	}
	return out
}

func (c benchCase) pathOn(gateway string) string {
	if gateway == "plain" && c.plainPath != "" {
		return c.plainPath
	}
	return c.path
}

func (c benchCase) body() string {
	if c.method == "POST" {
		return upstream.FormBody
	}
	return ""
}

// headers are what a browser's enhanced form submission (or navigation) sends.
func (c benchCase) headers(g *caddyProcess) [][2]string {
	h := [][2]string{{"Accept", c.accept}}
	if c.method == "POST" {
		h = append(h,
			[2]string{"Content-Type", "application/x-www-form-urlencoded"},
			[2]string{"Origin", "http://" + g.addr},
			[2]string{"x-sveltekit-action", "true"})
	}
	return h
}

func (c benchCase) expect(gateway string, r reply) error {
	if gateway == "plain" {
		return c.plain(r)
	}
	return c.enhanced(r)
}

// luaScript makes wrk send the case's request.
func (c benchCase) luaScript(g *caddyProcess) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = %s\n", luaString(c.method))
	if body := c.body(); body != "" {
		fmt.Fprintf(&b, "wrk.body = %s\n", luaString(body))
	}
	for _, h := range c.headers(g) {
		fmt.Fprintf(&b, "wrk.headers[%s] = %s\n", luaString(h[0]), luaString(h[1]))
	}
	return b.String()
}

func luaString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func requireWrk() error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed; on Debian/Ubuntu: apt-get install -y wrk")
	}
	return nil
}

// load is how hard wrk pushes.
type load struct {
	threads, connections int
	duration             time.Duration
}

// sample is one wrk run's result.
type sample struct {
	requests int64
	rps      float64
	p50, p99 time.Duration
	errors   int64 // socket errors and replies other than 2xx/3xx
	// cpu is the gateway's CPU time per request: unlike requests/s it does
	// not depend on how much of the machine wrk and the upstream take.
	cpu time.Duration
}

func runWrk(ctx context.Context, dir string, g *caddyProcess, c benchCase, l load) (sample, error) {
	script := filepath.Join(dir, "request.lua")
	if err := os.WriteFile(script, []byte(c.luaScript(g)), 0o644); err != nil {
		return sample{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, l.duration+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wrk", "--latency",
		"-t", strconv.Itoa(l.threads), "-c", strconv.Itoa(l.connections),
		"-d", wrkSeconds(l.duration), "--timeout", "10s",
		"-s", script, g.url(c.pathOn(g.name)))
	cmd.SysProcAttr = dieWithParent()
	cpuBefore, err := g.cpuTime()
	if err != nil {
		return sample{}, err
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return sample{}, fmt.Errorf("wrk %s through %s: %v\n%s", c.name, g.name, err, out)
	}
	cpuAfter, err := g.cpuTime()
	if err != nil {
		return sample{}, err
	}
	s, err := parseWrk(string(out))
	if err != nil {
		return sample{}, fmt.Errorf("wrk %s through %s: %v\n%s", c.name, g.name, err, out)
	}
	if s.requests > 0 {
		s.cpu = (cpuAfter - cpuBefore) / time.Duration(s.requests)
	}
	return s, nil
}

// wrkSeconds is a duration as wrk takes it: whole seconds, at least one.
func wrkSeconds(d time.Duration) string {
	return fmt.Sprintf("%ds", max(1, int(d.Round(time.Second)/time.Second)))
}

// parseWrk reads the summary wrk --latency prints.
func parseWrk(out string) (sample, error) {
	var s sample
	var haveRPS, haveP50, haveP99 bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		var err error
		switch {
		case fields[0] == "Requests/sec:" && len(fields) == 2:
			s.rps, err = strconv.ParseFloat(fields[1], 64)
			haveRPS = true
		case fields[0] == "50%" && len(fields) == 2:
			s.p50, err = parseWrkDuration(fields[1])
			haveP50 = true
		case fields[0] == "99%" && len(fields) == 2:
			s.p99, err = parseWrkDuration(fields[1])
			haveP99 = true
		case len(fields) >= 3 && fields[1] == "requests" && fields[2] == "in":
			s.requests, err = strconv.ParseInt(fields[0], 10, 64)
		case fields[0] == "Socket" && len(fields) == 10:
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for _, i := range []int{3, 5, 7, 9} {
				n, perr := strconv.ParseInt(strings.TrimSuffix(fields[i], ","), 10, 64)
				s.errors += n
				err = errors.Join(err, perr)
			}
		case strings.HasPrefix(sc.Text(), "  Non-2xx or 3xx responses:"):
			var n int64
			n, err = strconv.ParseInt(fields[len(fields)-1], 10, 64)
			s.errors += n
		}
		if err != nil {
			return s, fmt.Errorf("reading %q: %v", sc.Text(), err)
		}
	}
	if !haveRPS || !haveP50 || !haveP99 {
		return s, errors.New("no Requests/sec or latency distribution in wrk's output")
	}
	return s, nil
}

// parseWrkDuration reads wrk's "74.00us", "1.23ms", "2.00s", "1.50m".
func parseWrkDuration(v string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, err
			}
			return time.Duration(f * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("unknown duration %q", v)
}

// runRounds loads both gateways alternately, case by case; the side that
// goes first swaps each round so neither always meets a warmer machine.
func runRounds(ctx context.Context, cfg config, dir string, plain, enhanced *caddyProcess, rep *report) error {
	busy := load{threads: cfg.threads, connections: cfg.connections, duration: cfg.duration}
	serial := load{threads: 1, connections: 1, duration: cfg.duration}
	for round := range cfg.rounds {
		order := []*caddyProcess{plain, enhanced}
		if round%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		phases := []struct {
			kind  string
			cases []benchCase
			load  load
		}{{"load", cases, busy}, {"serial", serialCases(), serial}}
		for _, ph := range phases {
			for _, c := range ph.cases {
				for _, g := range order {
					s, err := runWrk(ctx, dir, g, c, ph.load)
					if err != nil {
						return err
					}
					rep.add(ph.kind, c.name, g.name, s)
					fmt.Fprintf(cfg.progress, "bench: round %d/%d %-6s %-22s %-7s %9.0f req/s  p50 %s  p99 %s  CPU/req %s\n",
						round+1, cfg.rounds, ph.kind, c.name, g.name, s.rps, ms(s.p50), ms(s.p99), us(s.cpu))
				}
			}
		}
	}
	return nil
}
