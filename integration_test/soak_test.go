package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakRequest is one kind of request the soak sends, with what a correct
// reply looks like.
type soakRequest struct {
	name   string
	method string
	path   string
	header map[string]string
	body   string
	check  func(resp *http.Response, body []byte) error
}

func wantStatus(resp *http.Response, status int) error {
	if resp.StatusCode != status {
		return fmt.Errorf("HTTP %d, want %d", resp.StatusCode, status)
	}
	return nil
}

// wantResult checks an ActionResult's HTTP status and type.
func wantResult(httpStatus int, typ string) func(*http.Response, []byte) error {
	return func(resp *http.Response, body []byte) error {
		var res struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(body, &res); err != nil || resp.StatusCode != httpStatus || res.Type != typ {
			return fmt.Errorf("HTTP %d %.200s, want %d %s", resp.StatusCode, body, httpStatus, typ)
		}
		return nil
	}
}

func soakMix(gw *gateway) []soakRequest {
	html := map[string]string{"Accept": "text/html,*/*;q=0.8"}
	action := map[string]string{"Accept": "application/json", "X-Sveltekit-Action": "true", "Origin": "http://" + gw.addr, "Content-Type": form}
	binarySum := sha256.Sum256(binaryBody())
	return []soakRequest{
		{"a page", "GET", "/pages/forms", html, "", func(resp *http.Response, body []byte) error {
			if err := wantStatus(resp, 200); err != nil {
				return err
			}
			if len(scriptTag.FindAll(body, -1)) != 1 || !bytes.Contains(body, []byte(`action="/pages/forms?/session"`)) {
				return fmt.Errorf("page not rewritten: %.200s", body)
			}
			return nil
		}},
		{"a page the backend compressed", "GET", "/pages/gzip", html, "", func(resp *http.Response, body []byte) error {
			if err := wantStatus(resp, 200); err != nil {
				return err
			}
			if !scriptTag.Match(body) || !bytes.Contains(body, []byte("action=/pages/gzip?/save>")) {
				return fmt.Errorf("page not rewritten: %.200s", body)
			}
			return nil
		}},
		{"a binary", "GET", "/pages/binary", nil, "", func(resp *http.Response, body []byte) error {
			if err := wantStatus(resp, 200); err != nil {
				return err
			}
			if sha256.Sum256(body) != binarySum {
				return fmt.Errorf("binary changed (%d bytes)", len(body))
			}
			return nil
		}},
		{"a range of a binary", "GET", "/pages/binary", map[string]string{"Range": "bytes=1000-1999"}, "", func(resp *http.Response, body []byte) error {
			if err := wantStatus(resp, 206); err != nil {
				return err
			}
			if !bytes.Equal(body, binaryBody()[1000:2000]) {
				return fmt.Errorf("wrong range")
			}
			return nil
		}},
		{"a failed login", "POST", "/login", action, "email=a%40b.c&password=wrong", wantResult(422, "failure")},
		{"a login", "POST", "/login", action, "email=a%40b.c&password=right", wantResult(200, "redirect")},
		{"a named action", "POST", "/login?/echo&n=1", action, "a=1", wantResult(200, "success")},
		{"a JSON reply", "POST", "/json", action, "", wantResult(200, "success")},
		{"a server error", "POST", "/status/500", action, "", wantResult(500, "error")},
		{"a named action without JavaScript", "POST", "/login?/login", map[string]string{"Content-Type": form}, "password=right",
			func(resp *http.Response, body []byte) error { return wantStatus(resp, 303) }},
	}
}

// soak runs workers that send the mix round-robin until ctx ends, and counts
// requests, bytes and errors.
type soakStats struct {
	requests, bytes, errors atomic.Int64
	mu                      sync.Mutex
	firstErrors             []string
}

func (s *soakStats) fail(format string, args ...any) {
	s.errors.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.firstErrors) < 10 {
		s.firstErrors = append(s.firstErrors, fmt.Sprintf(format, args...))
	}
}

func soak(ctx context.Context, client *http.Client, gw *gateway, workers int, stats *soakStats) {
	mix := soakMix(gw)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ctx.Err() == nil; i++ {
				r := mix[i%len(mix)]
				req, _ := http.NewRequest(r.method, gw.url(r.path), strings.NewReader(r.body))
				for k, v := range r.header {
					req.Header.Set(k, v)
				}
				resp, err := client.Do(req)
				if err != nil {
					stats.fail("%s: %v", r.name, err)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				stats.requests.Add(1)
				stats.bytes.Add(int64(len(body)))
				if err != nil {
					stats.fail("%s: reading the body: %v", r.name, err)
				} else if err := r.check(resp, body); err != nil {
					stats.fail("%s: %v", r.name, err)
				}
			}
		}()
	}
	wg.Wait()
}

// Many clients at once, mixing pages, actions and binaries: no error, and
// Caddy's goroutines and memory come back to where they were.
func TestSoakThroughTheGateway(t *testing.T) {
	duration := 15 * time.Second
	if testing.Short() {
		duration = 5 * time.Second
	}
	const workers = 32
	up := startLegacyApp(t)
	admin := freeAddr(t)
	gw := startCaddyWithAdmin(t, admin, up, "\tencode gzip\n\tenhance\n\treverse_proxy {upstream}")
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// A warm-up at full concurrency fills the connection pools and the heap.
	var warm soakStats
	ctx, cancel := context.WithTimeout(context.Background(), duration/5)
	soak(ctx, client, gw, workers, &warm)
	cancel()
	tr.CloseIdleConnections()
	goroutinesBefore := goroutinesSettle(t, admin, -1)
	rssBefore := residentBytes(t, gw.pid)

	var stats soakStats
	ctx, cancel = context.WithTimeout(context.Background(), duration)
	start := time.Now()
	soak(ctx, client, gw, workers, &stats)
	elapsed := time.Since(start)
	cancel()
	tr.CloseIdleConnections()

	goroutinesAfter := goroutinesSettle(t, admin, goroutinesBefore+10)
	rssAfter := residentBytes(t, gw.pid)
	n := stats.requests.Load()
	t.Logf("%d clients, %v: %d requests (%.0f/s), %.0f MB received, %d errors; goroutines %d → %d; RSS %.1f → %.1f MB",
		workers, elapsed.Round(time.Millisecond), n, float64(n)/elapsed.Seconds(), float64(stats.bytes.Load())/(1<<20),
		stats.errors.Load(), goroutinesBefore, goroutinesAfter, float64(rssBefore)/(1<<20), float64(rssAfter)/(1<<20))
	if e := stats.errors.Load() + warm.errors.Load(); e != 0 {
		t.Errorf("%d errors, the first: %s%s", e, strings.Join(warm.firstErrors, "\n"), strings.Join(stats.firstErrors, "\n"))
	}
	if n < int64(duration.Seconds())*50 {
		t.Errorf("only %d requests in %v", n, elapsed)
	}
	if goroutinesAfter > goroutinesBefore+10 {
		t.Errorf("goroutines grew from %d to %d", goroutinesBefore, goroutinesAfter)
	}
	if rssAfter-rssBefore > 64<<20 {
		t.Errorf("resident memory grew by %d MB", (rssAfter-rssBefore)>>20)
	}
}
