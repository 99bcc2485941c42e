package rewrite

import (
	"bytes"
	"testing"

	"github.com/caddy-enhance/enhance/bench/upstream"
)

// BenchmarkRewriteAdminPage is the 50 KB admin page the bench command serves.
func BenchmarkRewriteAdminPage(b *testing.B) {
	benchmarkRewrite(b, upstream.Page(upstream.PageForms))
}

// BenchmarkFloorFindTags is a floor for any exact rewriter of the admin page:
// it only finds every "<" with bytes.IndexByte and copies the page out, and
// does nothing else.
func BenchmarkFloorFindTags(b *testing.B) {
	page := upstream.Page(upstream.PageForms)
	out := make([]byte, 0, len(page))
	b.SetBytes(int64(len(page)))
	tags := 0
	for b.Loop() {
		tags = 0
		for i := 0; ; i++ {
			j := bytes.IndexByte(page[i:], '<')
			if j < 0 {
				break
			}
			i += j
			tags++
		}
		out = append(out[:0], page...)
	}
	b.ReportMetric(float64(tags), "tags")
}
