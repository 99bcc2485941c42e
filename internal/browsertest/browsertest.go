// Package browsertest starts the headless Chromium that the browser tests
// drive, and holds the chromedp steps they share.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ExecPath finds the browser. Without one the test is skipped, or fails under
// CI=true, where a missing browser is a broken machine.
func ExecPath(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (apt-get install -y chromium)")
	}
	t.Skip("no Chromium found (apt-get install -y chromium)")
	return ""
}

// Start launches headless Chromium at path with a fresh profile. stop ends the
// browser, waits for it to exit and removes the profile.
func Start(path string) (ctx context.Context, stop func(), err error) {
	profile, err := os.MkdirTemp("", "enhance-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		// This machine has no network: without these, Chromium keeps
		// dialling out and failing.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	stop = func() {
		cancel()
		cancelAlloc() // waits for the browser to exit, so its profile can go
		os.RemoveAll(profile)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int]("1")); err != nil {
		stop()
		return nil, nil, fmt.Errorf("starting Chromium: %w", err)
	}
	return ctx, stop, nil
}

// Until waits up to timeout for a JavaScript condition to hold. A native
// submission may replace the page meanwhile, so a failed evaluation is tried
// again until the time is up.
func Until(expr string, timeout time.Duration) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		deadline := time.Now().Add(timeout)
		for {
			ok, err := chromedp.Evaluate[bool]("!!("+expr+")")(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			if time.Now().After(deadline) {
				return chromedp.Void{}, fmt.Errorf("waiting for %s: gave up (last error: %v)", expr, err)
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(25 * time.Millisecond):
			}
		}
	}
}

// Do runs a JavaScript statement in the page.
func Do(statement string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[chromedp.Void]("void ("+statement+")")(ctx, t)
		if err != nil && !errors.Is(err, chromedp.ErrJSUndefined) {
			return chromedp.Void{}, fmt.Errorf("%s: %w", statement, err)
		}
		return chromedp.Void{}, nil
	}
}
