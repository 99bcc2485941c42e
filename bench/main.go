// Command bench measures what the enhance gateway costs: it runs two Caddy
// processes that differ only in the `enhance` directive in front of the same
// upstream, loads both alternately with wrk, and prints a Markdown table of
// requests/s, latency and peak memory against the project's targets.
//
//	go run ./bench                            # 5 rounds × 5 s per case
//	go run ./bench -short                     # 1 round × 2 s (CI)
//	go run ./bench -write bench/RESULTS.md    # also record the table
//
// Everything listens on loopback; every child process dies with the program.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/caddy-enhance/enhance/bench/upstream"
)

// config is what one measurement run does.
type config struct {
	rounds      int           // alternating plain/enhance rounds per case
	duration    time.Duration // of each wrk run
	connections int           // wrk -c for the throughput runs
	threads     int           // wrk -t for the throughput runs
	hugeBytes   int64         // size of the /huge page streamed once for memory
	caddyBin    string        // a prebuilt Caddy with enhance; "" builds one
	progress    io.Writer     // one line per run, for the impatient
}

func defaultConfig() config {
	return config{
		rounds:      5,
		duration:    5 * time.Second,
		connections: 32,
		threads:     2,
		hugeBytes:   100 << 20,
		progress:    os.Stderr,
	}
}

func main() {
	cfg := defaultConfig()
	short := flag.Bool("short", false, "one round of 2 s per case (for CI)")
	write := flag.String("write", "", "also write the results, with a description of the machine, to this Markdown file")
	flag.IntVar(&cfg.rounds, "rounds", cfg.rounds, "alternating plain/enhance rounds per case")
	flag.DurationVar(&cfg.duration, "d", cfg.duration, "duration of each wrk run")
	flag.IntVar(&cfg.connections, "c", cfg.connections, "wrk connections for the throughput runs")
	flag.IntVar(&cfg.threads, "t", cfg.threads, "wrk threads for the throughput runs")
	hugeMB := flag.Int64("huge", cfg.hugeBytes>>20, "size in MB of the page streamed once to measure memory")
	flag.StringVar(&cfg.caddyBin, "caddy", "", "use this Caddy binary (built with enhance) instead of building one")
	flag.Parse()
	cfg.hugeBytes = *hugeMB << 20
	if *short {
		cfg.rounds, cfg.duration = 1, 2*time.Second
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	rep, err := run(ctx, cfg)
	if ctx.Err() != nil {
		err = errors.New("interrupted; every process it started has been stopped")
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Print(rep.markdown())
	if *write != "" {
		if err := os.WriteFile(*write, []byte(rep.document()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "bench: wrote", *write)
	}
}

// run does a whole measurement: build, start, verify, memory, load rounds.
// It returns once every process it started has been stopped.
func run(parent context.Context, cfg config) (*report, error) {
	if err := requireWrk(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(parent, cfg.timeLimit())
	defer cancel()

	dir, err := os.MkdirTemp("", "enhance-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	rep := newReport(cfg)
	bin := cfg.caddyBin
	if bin == "" {
		fmt.Fprintln(cfg.progress, "bench: building caddy")
		if bin, err = buildCaddy(ctx, dir); err != nil {
			return nil, err
		}
	}

	up, err := upstream.Start(cfg.hugeBytes)
	if err != nil {
		return nil, err
	}
	defer up.Close()

	plain, err := startCaddy(ctx, bin, dir, "plain", up.Addr, false)
	if err != nil {
		return nil, err
	}
	defer plain.stop()
	enhanced, err := startCaddy(ctx, bin, dir, "enhance", up.Addr, true)
	if err != nil {
		return nil, err
	}
	defer enhanced.stop()

	// A benchmark of a gateway that does nothing would flatter it: check
	// first that each side answers the way it should.
	if err := verify(plain, enhanced); err != nil {
		return nil, fmt.Errorf("the gateways do not answer as expected, nothing measured: %w", err)
	}
	// Memory first, on fresh processes: the load runs raise the peak too.
	for _, g := range []*caddyProcess{plain, enhanced} {
		m, err := measureHuge(ctx, g, cfg.hugeBytes)
		if err != nil {
			return nil, err
		}
		rep.memory[g.name] = m
		fmt.Fprintf(cfg.progress, "bench: %s streamed %s in %v, peak RSS %d → %d kB\n",
			g.name, formatBytes(m.bytes), m.elapsed.Round(time.Millisecond), m.hwmBefore, m.hwmAfter)
	}
	err = runRounds(ctx, cfg, dir, plain, enhanced, rep)
	if parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// A killed wrk says little; say why it was killed.
		return nil, fmt.Errorf("gave up after %v, the time a run may take", cfg.timeLimit())
	}
	if err != nil {
		return nil, err
	}
	rep.finish()
	return rep, nil
}

// timeLimit bounds a run: the build, every wrk run with room to spare, and
// the huge page.
func (cfg config) timeLimit() time.Duration {
	runs := cfg.rounds * 2 * (len(cases) + len(serialCases()))
	return 10*time.Minute + time.Duration(runs)*(cfg.duration+15*time.Second)
}
