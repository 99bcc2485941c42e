package rewrite

import "testing"

func TestWriterAgreesWithReferenceOnTrickyPages(t *testing.T) {
	for i, page := range trickyPages {
		for _, o := range fuzzOptions {
			checkRewrite(t, []byte(page), uint64(i), o)
		}
	}
}

func TestWriterAgreesWithReferenceOnHTML5libPages(t *testing.T) {
	pages := html5libPages(t)
	if len(pages) == 0 {
		t.Skip("html5lib tests of golang.org/x/net/html not found")
	}
	for i, page := range pages {
		for _, o := range fuzzOptions {
			checkRewrite(t, []byte(page), uint64(i), o)
		}
	}
	t.Logf("%d pages", len(pages))
}
