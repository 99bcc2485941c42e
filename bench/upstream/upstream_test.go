package upstream

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPageIsATypicalAdminPage(t *testing.T) {
	page := Page(PageForms)
	tests := []struct {
		name      string
		sub       string
		wantCount int
	}{
		{"it holds one POST form per item", `<form method="post" action="/items/`, PageForms},
		{"each form has a delete button with its own formaction", ` formaction="/items/`, PageForms},
		{"each form carries a CSRF token", `name="csrf_token"`, PageForms},
		{"its inline script carries the CSP nonce", `<script nonce="` + Nonce + `">`, 1},
		{"its search form is a GET form", `method="get"`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := bytes.Count(page, []byte(tt.sub)); n != tt.wantCount {
				t.Errorf("%d of %q, want %d", n, tt.sub, tt.wantCount)
			}
		})
	}
	if len(page) < 48<<10 || len(page) > 52<<10 {
		t.Errorf("the page is %d bytes, want about 50 KB", len(page))
	}
}

func TestRepliesAreTheSameOnEveryRun(t *testing.T) {
	if !bytes.Equal(Page(PageForms), Page(PageForms)) {
		t.Error("Page differs between two calls")
	}
	if !bytes.Equal(Binary(1000), Binary(1000)) {
		t.Error("Binary differs between two calls")
	}
	if bytes.Equal(Binary(1000), make([]byte, 1000)) {
		t.Error("Binary is all zeros, which any transport would compress")
	}
}

func TestWriteHugeStaysWithinItsSize(t *testing.T) {
	for _, size := range []int64{1 << 20, 10 << 20} {
		var out bytes.Buffer
		n, err := WriteHuge(&out, size)
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(out.Len()) || n > size || n < size-int64(len(Page(HugeBlockForms))) {
			t.Errorf("size %d: wrote %d bytes (reported %d), want just under the size", size, out.Len(), n)
		}
		if got, want := bytes.Count(out.Bytes(), []byte(` action="/export/`)), HugeForms(size); got != want {
			t.Errorf("size %d: %d forms, HugeForms says %d", size, got, want)
		}
		if !bytes.HasSuffix(out.Bytes(), []byte("</html>\n")) {
			t.Errorf("size %d: the page is not closed", size)
		}
	}
}

func TestHandlerAnswersLikeALegacyApp(t *testing.T) {
	h := Handler(1 << 20)
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantHeader         string
		wantValue          string
	}{
		{"a binary download is octet-stream", "GET", "/bin", 200, "Content-Type", "application/octet-stream"},
		{"the JSON document is JSON", "GET", "/json", 200, "Content-Type", "application/json"},
		{"the page is HTML", "GET", "/page", 200, "Content-Type", "text/html; charset=utf-8"},
		{"the page sends its policy", "GET", "/page", 200, "Content-Security-Policy", CSP},
		{"the huge page is HTML", "GET", "/huge", 200, "Content-Type", "text/html; charset=utf-8"},
		{"a form post is redirected", "POST", "/action", 303, "Location", RedirectTo},
		{"a form post's redirect sets a flash cookie", "POST", "/action", 303, "Set-Cookie", FlashCookie},
		{"a form post with errors is rendered again", "POST", "/action/render", 200, "Content-Type", "text/html; charset=utf-8"},
		{"a GET to the action is not allowed", "GET", "/action", 405, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader(FormBody)))
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantHeader != "" && rec.Header().Get(tt.wantHeader) != tt.wantValue {
				t.Errorf("%s: %q, want %q", tt.wantHeader, rec.Header().Get(tt.wantHeader), tt.wantValue)
			}
		})
	}
}

func TestStartServesOnLoopback(t *testing.T) {
	s, err := Start(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.Addr, "127.0.0.1:") {
		t.Errorf("listening on %s, want loopback", s.Addr)
	}
	resp, err := http.Get("http://" + s.Addr + "/json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != JSON {
		t.Errorf("GET /json = %q", body)
	}
}
