package rewrite

import (
	"testing"

	"github.com/caddy-enhance/enhance/bench/upstream"
)

// BenchmarkRewriteAdminPage is the 50 KB admin page the bench command serves.
func BenchmarkRewriteAdminPage(b *testing.B) {
	benchmarkRewrite(b, upstream.Page(upstream.PageForms))
}
