package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBenchShort runs the whole benchmark briefly (1 round of 1 s per case,
// a 10 MB huge page) so that the program keeps working: it builds Caddy,
// checks both gateways answer as they should, and fills every row.
func TestBenchShort(t *testing.T) {
	if _, err := exec.LookPath("wrk"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("wrk is missing; apt-get install -y wrk")
		}
		t.Skip("wrk is not installed (apt-get install -y wrk)")
	}
	cfg := defaultConfig()
	cfg.rounds, cfg.duration, cfg.hugeBytes = 1, time.Second, 10<<20
	cfg.progress = testLog{t}
	rep, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	table := rep.markdown()
	t.Log("\n" + table)

	for _, c := range cases {
		if !strings.Contains(table, "| "+c.name+" | ") {
			t.Errorf("no row for %s", c.name)
		}
		checkSamples(t, rep, "load", c.name)
	}
	for _, c := range serialCases() {
		if strings.Count(table, "| "+c.name+" | ") != 2 {
			t.Errorf("%s is not in both the throughput and the action table", c.name)
		}
		checkSamples(t, rep, "serial", c.name)
	}
	for _, g := range []string{"plain", "enhance"} {
		m := rep.memory[g]
		if !strings.Contains(table, "| "+g+" | ") || m.bytes < 9<<20 || m.hwmAfter < m.hwmBefore || m.hwmBefore == 0 {
			t.Errorf("memory row for %s: %+v", g, m)
		}
	}
	if doc := rep.document(); !strings.Contains(doc, "nproc") || !strings.Contains(doc, table) {
		t.Error("the results document lacks the machine or the table")
	}
}

// checkSamples wants one sample per gateway with requests, latencies and no errors.
func checkSamples(t *testing.T, rep *report, kind, name string) {
	t.Helper()
	for _, g := range []string{"plain", "enhance"} {
		ss := rep.samples[sampleKey(kind, name, g)]
		if len(ss) != 1 {
			t.Errorf("%s %s %s: %d samples, want 1", kind, name, g, len(ss))
			continue
		}
		if s := ss[0]; s.rps <= 0 || s.requests <= 0 || s.p50 <= 0 || s.p99 < s.p50 || s.errors != 0 {
			t.Errorf("%s %s %s: %+v", kind, name, g, s)
		}
	}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

const wrkGet = `Running 1s test @ http://127.0.0.1:18099/json
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.01ms  452.12us   8.76ms   80.12%
    Req/Sec    15.80k     1.20k   18.00k    70.00%
  Latency Distribution
     50%  950.00us
     75%    1.20ms
     90%    1.50ms
     99%    2.50ms
  31400 requests in 1.00s, 20.00MB read
Requests/sec:  31400.00
Transfer/sec:     20.00MB
`

const wrkErrors = `Running 1s test @ http://127.0.0.1:18099/e
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    81.90us   95.17us   2.73ms   98.73%
    Req/Sec    24.39k     1.65k   27.88k    72.73%
  Latency Distribution
     50%   74.00us
     75%   95.00us
     90%  108.00us
     99%  230.00us
  26677 requests in 1.10s, 6.03MB read
  Socket errors: connect 0, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 26677
Requests/sec:  24250.50
Transfer/sec:      5.48MB
`

func TestParseWrk(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    sample
		wantErr bool
	}{
		{"a clean run gives rate and percentiles", wrkGet,
			sample{requests: 31400, rps: 31400, p50: 950 * time.Microsecond, p99: 2500 * time.Microsecond}, false},
		{"socket errors and non-2xx/3xx replies count as errors", wrkErrors,
			sample{requests: 26677, rps: 24250.5, p50: 74 * time.Microsecond, p99: 230 * time.Microsecond, errors: 7 + 26677}, false},
		{"output without a latency distribution is refused",
			strings.Replace(wrkGet, "  Latency Distribution\n     50%  950.00us\n", "", 1), sample{}, true},
		{"wrk's usage text is refused", "Usage: wrk <options> <url>\n", sample{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWrk(tt.out)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseWrkDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"74.00us", 74 * time.Microsecond},
		{"1.23ms", 1230 * time.Microsecond},
		{"2.00s", 2 * time.Second},
		{"1.50m", 90 * time.Second},
	}
	for _, tt := range tests {
		if got, err := parseWrkDuration(tt.in); err != nil || got != tt.want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseWrkDuration("12 parsecs"); err == nil {
		t.Error("an unknown unit was accepted")
	}
}

func TestWrkSecondsRoundsToWholeSecondsOfAtLeastOne(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Second: "1s", 5 * time.Second: "5s", 300 * time.Millisecond: "1s", 2600 * time.Millisecond: "3s"} {
		if got := wrkSeconds(d); got != want {
			t.Errorf("wrkSeconds(%v) = %s, want %s", d, got, want)
		}
	}
}

func TestPatternCounter(t *testing.T) {
	const pattern = ` action="/x`
	text := `<form action="/x"><button formaction="/x"></button></form><form action="/x">`
	tests := []struct {
		name   string
		chunks []int // sizes of the writes; the rest goes in the last one
	}{
		{"one write", nil},
		{"a match split by a write", []int{9}},
		{"byte by byte", repeat(1, len(text)-1)},
		{"writes shorter than the pattern", repeat(3, len(text)/3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &patternCounter{pattern: []byte(pattern)}
			rest := []byte(text)
			for _, n := range tt.chunks {
				c.Write(rest[:n])
				rest = rest[n:]
			}
			c.Write(rest)
			if c.count != 2 {
				t.Errorf("counted %d, want 2 (formaction does not count)", c.count)
			}
		})
	}
}

func repeat(n, times int) []int {
	out := make([]int, times)
	for i := range out {
		out[i] = n
	}
	return out
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"nothing has a median of zero", nil, 0},
		{"an odd count takes the middle", []float64{5, 1, 3}, 3},
		{"an even count takes the mean of the middle two", []float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("%s: median(%v) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCaddyfilesDifferOnlyInTheEnhanceLine(t *testing.T) {
	plain := caddyfile("127.0.0.1:8080", "127.0.0.1:3000", false)
	enhanced := caddyfile("127.0.0.1:8080", "127.0.0.1:3000", true)
	if got := strings.Replace(enhanced, "\tenhance\n", "", 1); got != plain {
		t.Errorf("the Caddyfiles differ in more than enhance:\n%s\n---\n%s", plain, enhanced)
	}
	for _, want := range []string{"admin off", "auto_https off", "level ERROR", "bind 127.0.0.1", "reverse_proxy 127.0.0.1:3000"} {
		if !strings.Contains(plain, want) {
			t.Errorf("the Caddyfile lacks %q:\n%s", want, plain)
		}
	}
}

func TestParseStatusField(t *testing.T) {
	status := []byte("Name:\tcaddy\nVmPeak:\t 1300000 kB\nVmHWM:\t   61234 kB\nVmRSS:\t   60000 kB\n")
	if got, err := parseStatusField(status, "VmHWM"); err != nil || got != 61234 {
		t.Errorf("VmHWM = %d, %v; want 61234", got, err)
	}
	if _, err := parseStatusField(status, "VmSwap"); err == nil {
		t.Error("a missing field gave no error")
	}
}

func TestComparisonVerdicts(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		cmp    comparison
		target target
		want   bool
	}{
		{"a pass-through at 0.99× meets its target", comparison{ratio: 0.99}, passThrough, true},
		{"a pass-through at 0.97× does not", comparison{ratio: 0.97}, passThrough, false},
		{"a page at 0.92× with p99 0.5 ms higher meets its target",
			comparison{ratio: 0.92, plain: summary{p99: 3 * ms}, enhanced: summary{p99: 3*ms + ms/2}}, page, true},
		{"a page at 0.92× with p99 2 ms higher does not",
			comparison{ratio: 0.92, plain: summary{p99: 3 * ms}, enhanced: summary{p99: 5 * ms}}, page, false},
		{"an action 0.2 ms slower meets its target",
			comparison{plain: summary{p50: ms}, enhanced: summary{p50: ms + 200*time.Microsecond}}, action, true},
		{"an action 0.4 ms slower does not",
			comparison{plain: summary{p50: ms}, enhanced: summary{p50: ms + 400*time.Microsecond}}, action, false},
	}
	for _, tt := range tests {
		if _, met := tt.cmp.verdict(tt.target); met != tt.want {
			t.Errorf("%s: met = %v", tt.name, met)
		}
	}
}

func TestParseCPUTime(t *testing.T) {
	tests := []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{"user and system ticks are added", "4242 (caddy) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 9 0 100 1000000 5000 18446744073709551615", 1750 * time.Millisecond, false},
		{"a command name with spaces and parentheses is skipped", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 1 1", 70 * time.Millisecond, false},
		{"a truncated line is refused", "7 (caddy) S 1 7", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCPUTime([]byte(tt.stat))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %v, %v; want %v (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
