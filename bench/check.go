package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/caddy-enhance/enhance/bench/upstream"
)

// client shows redirects instead of following them, like wrk.
var client = &http.Client{
	Timeout:       2 * time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// reply is what a gateway answered to one request of a case.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func fetch(g *caddyProcess, c benchCase) (reply, error) {
	req, err := http.NewRequest(c.method, g.url(c.pathOn(g.name)), strings.NewReader(c.body()))
	if err != nil {
		return reply{}, err
	}
	for _, h := range c.headers(g) {
		req.Header.Set(h[0], h[1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %v", g.name, c.name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: body}, err
}

// verify sends every case once to both gateways and checks the answers:
// the plain proxy passes the upstream's reply through, enhance rewrites
// pages and answers action requests with ActionResults.
func verify(plain, enhanced *caddyProcess) error {
	for _, c := range cases {
		for _, g := range []*caddyProcess{plain, enhanced} {
			r, err := fetch(g, c)
			if err != nil {
				return err
			}
			if err := c.expect(g.name, r); err != nil {
				return fmt.Errorf("%s through %s: %v", c.name, g.name, err)
			}
		}
	}
	return nil
}

// expectPlain and expectEnhanced say what each gateway must answer to a case.
func expectPassThrough(want []byte) func(reply) error {
	return func(r reply) error {
		if r.status != http.StatusOK || !bytes.Equal(r.body, want) {
			return fmt.Errorf("got status %d and %d bytes, want 200 and the upstream's %d bytes unchanged", r.status, len(r.body), len(want))
		}
		return nil
	}
}

func expectRewrittenPage(r reply) error {
	if r.status != http.StatusOK {
		return fmt.Errorf("status %d", r.status)
	}
	checks := []struct {
		what  string
		count int
		sub   string
	}{
		{"forms made named actions", upstream.PageForms, ` action="/page?/items/`},
		{"buttons made named actions", upstream.PageForms, ` formaction="/page?/items/`},
		{"enhance script tags carrying the page's nonce", 1, `nonce="` + upstream.Nonce + `"></script>`},
	}
	for _, c := range checks {
		if n := bytes.Count(r.body, []byte(c.sub)); n != c.count {
			return fmt.Errorf("%d %s, want %d", n, c.what, c.count)
		}
	}
	return nil
}

func expectStatus(status int, header, value string) func(reply) error {
	return func(r reply) error {
		if r.status != status || r.header.Get(header) != value {
			return fmt.Errorf("got %d with %s %q, want %d with %q", r.status, header, r.header.Get(header), status, value)
		}
		return nil
	}
}

func expectActionResult(fragments ...string) func(reply) error {
	return func(r reply) error {
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			return fmt.Errorf("got %d %q, want 200 application/json", r.status, r.header.Get("Content-Type"))
		}
		for _, f := range fragments {
			if !bytes.Contains(r.body, []byte(f)) {
				return fmt.Errorf("result %.200s lacks %s", r.body, f)
			}
		}
		if r.header.Get("Set-Cookie") == "" && bytes.Contains(r.body, []byte(`"redirect"`)) {
			return fmt.Errorf("the upstream's cookie was lost")
		}
		return nil
	}
}

// hugeResult is what streaming /huge once through a gateway cost.
type hugeResult struct {
	bytes     int64
	forms     int // forms seen with the form of action this gateway should give them
	elapsed   time.Duration
	hwmBefore int64 // kB
	hwmAfter  int64 // kB
}

func (h hugeResult) riseKB() int64 { return h.hwmAfter - h.hwmBefore }

// measureHuge streams /huge once and reads the gateway's peak RSS around
// it. The page is read as it arrives and never held whole.
func measureHuge(ctx context.Context, g *caddyProcess, hugeBytes int64) (hugeResult, error) {
	before, err := g.peakRSS()
	if err != nil {
		return hugeResult{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.url("/huge"), nil)
	if err != nil {
		return hugeResult{}, err
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	// The pattern has a leading space so formaction="…" does not count.
	form := &patternCounter{pattern: []byte(` action="/export/`)}
	if g.name == "enhance" {
		form.pattern = []byte(` action="/huge?/export/`)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return hugeResult{}, fmt.Errorf("streaming /huge through %s: %v", g.name, err)
	}
	n, err := io.Copy(form, resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		return hugeResult{}, fmt.Errorf("streaming /huge through %s: %v after %d bytes", g.name, err, n)
	}
	after, err := g.peakRSS()
	if err != nil {
		return hugeResult{}, err
	}
	res := hugeResult{bytes: n, forms: form.count, elapsed: elapsed, hwmBefore: before, hwmAfter: after}
	if want := upstream.HugeForms(hugeBytes); resp.StatusCode != http.StatusOK || form.count != want {
		return res, fmt.Errorf("/huge through %s: status %d, %d forms in the expected form, want %d", g.name, resp.StatusCode, form.count, want)
	}
	return res, nil
}

// patternCounter counts the occurrences of a pattern in a stream, across
// write boundaries, without keeping the stream.
type patternCounter struct {
	pattern []byte
	tail    []byte // the last len(pattern)-1 bytes seen
	count   int
}

func (c *patternCounter) Write(p []byte) (int, error) {
	keep := len(c.pattern) - 1
	// Only the seam around the previous write can hold a match split by it.
	seam := append(c.tail, p[:min(len(p), keep)]...)
	c.count += bytes.Count(seam, c.pattern)
	c.count += bytes.Count(p, c.pattern)
	if len(p) >= keep {
		c.tail = append(c.tail[:0], p[len(p)-keep:]...)
	} else {
		c.tail = append(c.tail, p...)
		c.tail = c.tail[max(0, len(c.tail)-keep):]
	}
	return len(p), nil
}
