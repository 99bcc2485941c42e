package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report gathers every sample and renders the tables.
type report struct {
	cfg     config
	machine machine
	samples map[string][]sample // by kind/case/gateway
	memory  map[string]hugeResult
}

func newReport(cfg config) *report {
	return &report{
		cfg:     cfg,
		machine: describeMachine(),
		samples: make(map[string][]sample),
		memory:  make(map[string]hugeResult),
	}
}

func sampleKey(kind, name, gateway string) string { return kind + "/" + name + "/" + gateway }

func (r *report) add(kind, name, gateway string, s sample) {
	k := sampleKey(kind, name, gateway)
	r.samples[k] = append(r.samples[k], s)
}

// finish notes the machine's load at the end of the run.
func (r *report) finish() {
	r.machine.loadEnd = loadAverage()
	r.machine.end = time.Now()
}

// comparison is the medians of one case on both gateways.
type comparison struct {
	plain, enhanced summary
	ratio           float64 // median of the per-round enhance/plain req/s
}

type summary struct {
	rps      float64
	p50, p99 time.Duration
	cpu      time.Duration
	errors   int64
}

func (c comparison) p99Delta() time.Duration { return c.enhanced.p99 - c.plain.p99 }
func (c comparison) p50Delta() time.Duration { return c.enhanced.p50 - c.plain.p50 }
func (c comparison) cpuDelta() time.Duration { return c.enhanced.cpu - c.plain.cpu }

func (r *report) compare(kind, name string) comparison {
	p := r.samples[sampleKey(kind, name, "plain")]
	e := r.samples[sampleKey(kind, name, "enhance")]
	var ratios []float64
	for i := range min(len(p), len(e)) {
		if p[i].rps > 0 {
			ratios = append(ratios, e[i].rps/p[i].rps)
		}
	}
	return comparison{plain: summarize(p), enhanced: summarize(e), ratio: median(ratios)}
}

func summarize(ss []sample) summary {
	var out summary
	var rps []float64
	var p50, p99, cpu []time.Duration
	for _, s := range ss {
		rps = append(rps, s.rps)
		p50 = append(p50, s.p50)
		p99 = append(p99, s.p99)
		cpu = append(cpu, s.cpu)
		out.errors += s.errors
	}
	out.rps, out.p50, out.p99, out.cpu = median(rps), median(p50), median(p99), median(cpu)
	return out
}

// median of the values; for an even count, the mean of the middle two.
func median[T int64 | float64 | time.Duration](v []T) T {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// verdict says whether a case meets its target, and what the target is.
func (c comparison) verdict(t target) (goal string, met bool) {
	switch t {
	case passThrough:
		return fmt.Sprintf("≥ %.2f×", passThroughRatio), c.ratio >= passThroughRatio
	case page:
		return fmt.Sprintf("≥ %.2f×, p99 Δ ≤ %s", pageRatio, ms(pageP99Added)),
			c.ratio >= pageRatio && c.p99Delta() <= pageP99Added
	default:
		return fmt.Sprintf("added ≤ %s", ms(actionAdded)), c.p50Delta() <= actionAdded
	}
}

func (r *report) markdown() string {
	var b strings.Builder
	cfg := r.cfg
	fmt.Fprintf(&b, "### Throughput: %d connections, %d wrk threads, median of %d round(s) × %v\n\n",
		cfg.connections, cfg.threads, cfg.rounds, cfg.duration)
	b.WriteString("| case | plain req/s | enhance req/s | ratio | p50 plain | p50 enhance | p99 plain | p99 enhance | p99 Δ | Caddy CPU/req plain | enhance | added | errors | target | met |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, c := range cases {
		cmp := r.compare("load", c.name)
		goal, met := cmp.verdict(c.target)
		if c.target == action {
			goal, met = "see action table", true
		}
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.3f | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d | %s | %s |\n",
			c.name, cmp.plain.rps, cmp.enhanced.rps, cmp.ratio,
			ms(cmp.plain.p50), ms(cmp.enhanced.p50), ms(cmp.plain.p99), ms(cmp.enhanced.p99), signedMS(cmp.p99Delta()),
			us(cmp.plain.cpu), us(cmp.enhanced.cpu), signedUS(cmp.cpuDelta()),
			cmp.plain.errors, cmp.enhanced.errors, goal, verdictMark(c.target == action, met))
	}

	r.pageBudget(&b)

	fmt.Fprintf(&b, "\n### Action requests: 1 connection, time added per request (median of %d round(s) × %v)\n\n", cfg.rounds, cfg.duration)
	b.WriteString("| case | plain req/s | enhance req/s | p50 plain | p50 enhance | added (p50) | p99 plain | p99 enhance | p99 Δ | Caddy CPU/req added | errors | target | met |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, c := range serialCases() {
		cmp := r.compare("serial", c.name)
		goal, met := cmp.verdict(c.target)
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s | %d/%d | %s | %s |\n",
			c.name, cmp.plain.rps, cmp.enhanced.rps, ms(cmp.plain.p50), ms(cmp.enhanced.p50), signedMS(cmp.p50Delta()),
			ms(cmp.plain.p99), ms(cmp.enhanced.p99), signedMS(cmp.p99Delta()), signedUS(cmp.cpuDelta()),
			cmp.plain.errors, cmp.enhanced.errors, goal, verdictMark(false, met))
	}

	fmt.Fprintf(&b, "\n### Memory: one %s HTML page streamed through each gateway\n\n", formatBytes(r.cfg.hugeBytes))
	b.WriteString("| gateway | peak RSS before | peak RSS after | rise | time | throughput | forms in the expected form | target | met |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, name := range []string{"plain", "enhance"} {
		m := r.memory[name]
		goal, met := "", true
		if name == "enhance" {
			goal, met = fmt.Sprintf("rise < %d MB", hugeRiseKB>>10), m.riseKB() < hugeRiseKB
		}
		fmt.Fprintf(&b, "| %s | %.1f MB | %.1f MB | %.1f MB | %v | %.0f MB/s | %d | %s | %s |\n",
			name, kbToMB(m.hwmBefore), kbToMB(m.hwmAfter), kbToMB(m.riseKB()), m.elapsed.Round(time.Millisecond),
			float64(m.bytes)/(1<<20)/max(m.elapsed.Seconds(), 1e-9), m.forms, goal, verdictMark(name == "plain", met))
	}
	return b.String()
}

// pageBudget says how much CPU the page target leaves the gateway: when the
// load saturates the machine, every request costs nproc/(req/s) of CPU time,
// wrk's and the upstream's shares included, and a ratio of pageRatio allows
// only the difference between that at pageRatio× and at 1×.
func (r *report) pageBudget(b *strings.Builder) {
	for _, c := range cases {
		if c.target != page {
			continue
		}
		cmp := r.compare("load", c.name)
		if cmp.plain.rps <= 0 {
			return
		}
		cpus := float64(runtime.NumCPU())
		perRequest := time.Duration(cpus / cmp.plain.rps * float64(time.Second))
		allowed := time.Duration(cpus/(pageRatio*cmp.plain.rps)*float64(time.Second)) - perRequest
		fmt.Fprintf(b, "\n%s: on %d CPUs at %.0f req/s a plain request costs %s of machine CPU time; "+
			"%.2f× leaves the gateway %s per request, against %s of Caddy CPU it added here.\n",
			c.name, runtime.NumCPU(), cmp.plain.rps, us(perRequest), pageRatio, us(allowed), signedUS(cmp.cpuDelta()))
	}
}

func verdictMark(notApplicable, met bool) string {
	switch {
	case notApplicable:
		return ""
	case met:
		return "yes"
	}
	return "**no**"
}

// document is RESULTS.md: how the numbers were taken, on what, and the tables.
func (r *report) document() string {
	m := r.machine
	var b strings.Builder
	b.WriteString("# Benchmark results\n\n")
	b.WriteString("Written by `go run ./bench -write bench/RESULTS.md`. Two Caddy processes built from\n")
	b.WriteString("`./cmd/caddy` proxy the same upstream (inside the bench program, on loopback); their\n")
	b.WriteString("Caddyfiles differ only in the `enhance` line (`admin off`, `auto_https off`, log level\n")
	b.WriteString("ERROR, no access log). wrk loads them alternately, case by case; the side that goes\n")
	b.WriteString("first swaps every round. Numbers are medians over the rounds; the ratio is the median\n")
	b.WriteString("of each round's enhance/plain requests/s. Action requests post the same form body to\n")
	b.WriteString("both; the plain proxy forwards it unchanged (a named action `POST /page?/action` is\n")
	b.WriteString("compared with the `POST /action` a browser sends without the gateway). Their added\n")
	b.WriteString("time is the p50 difference on a single connection, where latency is service time\n")
	b.WriteString("and not queueing. Memory is the peak RSS (VmHWM) of each fresh Caddy before and after\n")
	b.WriteString("streaming the huge page once, before any load. \"Caddy CPU/req\" is the user+system CPU\n")
	b.WriteString("time of the Caddy process over a wrk run divided by its requests: wrk, the upstream and\n")
	b.WriteString("Caddy share the cores, so requests/s mixes in their costs and whatever else the machine\n")
	b.WriteString("runs, while CPU per request is the gateway's own cost.\n\n")
	b.WriteString("## Machine\n\n")
	fmt.Fprintf(&b, "- date: %s (run took %v)\n", m.start.UTC().Format(time.RFC3339), m.end.Sub(m.start).Round(time.Second))
	fmt.Fprintf(&b, "- CPU: %s, nproc %d\n", m.cpu, m.nproc)
	fmt.Fprintf(&b, "- kernel: %s\n", m.kernel)
	fmt.Fprintf(&b, "- Go: %s\n", m.goVersion)
	fmt.Fprintf(&b, "- wrk: %s\n", m.wrk)
	fmt.Fprintf(&b, "- load average (1 min / 5 min / 15 min) at start: %s, at end: %s\n", m.loadStart, m.loadEnd)
	b.WriteString("  (wrk, both Caddys and the upstream share these cores; a load above nproc means other\n")
	b.WriteString("  work ran at the same time and the absolute numbers are low, ratios less affected)\n")
	fmt.Fprintf(&b, "- settings: %d round(s) × %v per case, %d connections, %d wrk threads; huge page %s\n\n",
		r.cfg.rounds, r.cfg.duration, r.cfg.connections, r.cfg.threads, formatBytes(r.cfg.hugeBytes))
	b.WriteString("## Results\n\n")
	b.WriteString(r.markdown())
	return b.String()
}

type machine struct {
	start, end         time.Time
	cpu                string
	nproc              int
	kernel             string
	goVersion          string
	wrk                string
	loadStart, loadEnd string
}

func describeMachine() machine {
	return machine{
		start:     time.Now(),
		cpu:       cpuModel(),
		nproc:     runtime.NumCPU(),
		kernel:    commandLine("uname", "-sr"),
		goVersion: commandLine("go", "version"),
		wrk:       commandLine("wrk", "--version"),
		loadStart: loadAverage(),
	}
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " / ")
	}
	return "unknown"
}

// commandLine is the first line a command prints (wrk --version exits 1).
func commandLine(name string, args ...string) string {
	out, _ := exec.Command(name, args...).CombinedOutput()
	line, _, _ := strings.Cut(string(out), "\n")
	if line = strings.TrimSpace(line); line == "" {
		return "unknown"
	}
	return line
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func signedMS(d time.Duration) string {
	return fmt.Sprintf("%+.2f ms", float64(d)/float64(time.Millisecond))
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

func signedUS(d time.Duration) string {
	return fmt.Sprintf("%+.0f µs", float64(d)/float64(time.Microsecond))
}

func kbToMB(kb int64) float64 { return float64(kb) / 1024 }

func formatBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}
