// Package upstream is the fixed backend the gateway is measured against: the
// replies a legacy server-rendered app sends (a binary download, a small
// JSON document, an admin page with forms, a huge streamed export, form
// posts answered with a redirect or a re-rendered page), built the same way
// on every run so that results compare.
package upstream

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
)

const (
	// PageForms is how many POST forms the /page document holds.
	PageForms = 20
	// Nonce is the CSP nonce of /page.
	Nonce = "r4nd0mN0nce+Value/abc=="
	// CSP is the policy a careful legacy app sends with /page: the gateway
	// must find the nonce to let its script run.
	CSP = "default-src 'self'; script-src 'self' 'nonce-" + Nonce + "'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
	// JSON is the /json reply.
	JSON = `{"id":4711,"name":"Widget","price":{"amount":1999,"currency":"EUR"},"tags":["blue","small","sale"],"stock":[{"warehouse":"north","count":12},{"warehouse":"south","count":0}],"updated":"2024-05-01T12:00:00Z"}`
	// FormBody is what a browser posts for one of the page's edit forms.
	FormBody = "csrf_token=7f3e9c1d2b4a58e6f0a1b2c3d4e5f607&name=Item+3&sku=ACME-0003&status=live&price=19.99&notes=Restocked+on+Monday%2C+see+ticket+%2312."
	// RedirectTo is the Location of the answer to POST /action.
	RedirectTo = "/page?saved=1"
	// FlashCookie is set by the answer to POST /action.
	FlashCookie = "flash=saved; Path=/; HttpOnly; SameSite=Lax"
	// RenderedError is the message in the page POST /action/render answers.
	RenderedError = "The price must be a number."
	// BinarySize is the size of /bin.
	BinarySize = 1 << 20
)

// Server is the upstream running on a loopback port.
type Server struct {
	Addr   string
	server *http.Server
}

// Start serves Handler(hugeBytes) on a free loopback port.
func Start(hugeBytes int64) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: Handler(hugeBytes)}
	go srv.Serve(l)
	return &Server{Addr: l.Addr().String(), server: srv}, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.server.Close() }

// Handler serves:
//
//	GET  /bin            1 MB of incompressible bytes
//	GET  /json           a small JSON document
//	GET  /page           a 50 KB admin page with 20 POST forms and a CSP nonce
//	GET  /huge           an HTML page of hugeBytes, streamed block by block
//	POST /action         303 to RedirectTo with a flash cookie
//	POST /action/render  200 with a small page showing a form error
//
// Every reply except /huge is built once, so the upstream costs as little as
// possible and the same on every request.
func Handler(hugeBytes int64) http.Handler {
	bin := Binary(BinarySize)
	json := []byte(JSON)
	page := Page(PageForms)
	rendered := Rendered()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bin", func(w http.ResponseWriter, r *http.Request) {
		serveFixed(w, "application/octet-stream", bin)
	})
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		serveFixed(w, "application/json", json)
	})
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", CSP)
		w.Header().Set("Cache-Control", "private, no-cache")
		serveFixed(w, "text/html; charset=utf-8", page)
	})
	mux.HandleFunc("GET /huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		WriteHuge(w, hugeBytes)
	})
	// Form posts answered the way legacy apps answer them: Post/Redirect/Get
	// with a flash cookie, or the form rendered again with its errors.
	mux.HandleFunc("POST /action", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Set-Cookie", FlashCookie)
		w.Header().Set("Location", RedirectTo)
		w.WriteHeader(http.StatusSeeOther)
	})
	mux.HandleFunc("POST /action/render", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		serveFixed(w, "text/html; charset=utf-8", rendered)
	})
	return mux
}

func serveFixed(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// Binary is n bytes of incompressible noise, the same on every run.
func Binary(n int) []byte {
	rng := rand.NewChaCha8([32]byte{'e', 'n', 'h', 'a', 'n', 'c', 'e'})
	b := make([]byte, n)
	rng.Read(b)
	return b
}

// Page is a page as a legacy admin app renders it: a head with styles and
// an inline nonce'd script, navigation, a GET search form, and per item a
// section with a table and a POST form to /items/N/update (CSRF token,
// fields, a save button and a delete button with its own formaction).
// About 2.5 KB per form, 50 KB in all for 20.
func Page(forms int) []byte {
	var b bytes.Buffer
	writeHead(&b, "Inventory — Acme Admin")
	b.WriteString(`<main class="container">
<h1>Inventory</h1>
<form class="search" action="/page" method="get"><input type="search" name="q" placeholder="Search…"><button>Search</button></form>
`)
	for i := range forms {
		writeItem(&b, i, "/items")
	}
	b.WriteString("</main>\n")
	writeTail(&b)
	return b.Bytes()
}

// Rendered is the small page an app sends back when a form has errors: the
// form again (posting to /items/3/update) with RenderedError above it.
func Rendered() []byte {
	var b bytes.Buffer
	writeHead(&b, "Edit item 3 — Acme Admin")
	fmt.Fprintf(&b, "<main class=\"container\">\n<p class=\"error\" role=\"alert\">%s</p>\n", RenderedError)
	writeItem(&b, 3, "/items")
	b.WriteString("</main>\n")
	writeTail(&b)
	return b.Bytes()
}

func writeHead(b *bytes.Buffer, title string) {
	fmt.Fprintf(b, `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<link rel="stylesheet" href="/assets/app.css?v=1739">
<link rel="icon" href="/favicon.ico">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 }
.item { border-bottom: 1px solid #ddd; padding: 1em 0 }
.table td > a { color: #333 }
.btn-danger { background: #c00; color: #fff }
</style>
<script nonce="%s">window.App = {user: 42, locale: "en", csrf: "7f3e9c1d2b4a58e6f0a1b2c3d4e5f607"};</script>
</head>
<body class="admin">
<nav id="top"><ul>
`, title, Nonce)
	for _, s := range []string{"Dashboard", "Orders", "Inventory", "Customers", "Reports", "Settings"} {
		fmt.Fprintf(b, "<li><a href=\"/%s\">%s</a></li>\n", strings.ToLower(s), s)
	}
	b.WriteString("</ul></nav>\n")
}

func writeItem(b *bytes.Buffer, i int, base string) {
	fmt.Fprintf(b, `<section class="item" id="item-%[1]d" data-sku="ACME-%04[1]d">
<h2>Item %[1]d <small>ACME-%04[1]d</small></h2>
<table class="table">
<tr><th>Warehouse</th><th>Stock</th><th>Updated</th></tr>
`, i)
	for r, wh := range []string{"north", "south", "east", "west", "harbour", "airport"} {
		fmt.Fprintf(b, "<tr><td><a href=\"/warehouses/%s\">%s</a></td><td>%d &times; 12</td><td><time datetime=\"2024-05-%02d\">May %d</time></td></tr>\n", wh, wh, (i*7+r)%50, r+1, r+1)
	}
	fmt.Fprintf(b, `</table>
<form method="post" action="%[2]s/%[1]d/update" class="edit">
<input type="hidden" name="csrf_token" value="7f3e9c1d2b4a58e6f0a1b2c3d4e5f607">
<label>Name <input type="text" name="name" value="Item %[1]d" required maxlength="80"></label>
<label>SKU <input type="text" name="sku" value="ACME-%04[1]d" pattern="[A-Z]+-[0-9]+"></label>
<label>Status <select name="status"><option value="draft">Draft</option><option value="live" selected>Live</option><option value="gone">Gone</option></select></label>
<label>Price <input type="number" name="price" value="19.99" step="0.01" min="0"></label>
<label>Notes <textarea name="notes" rows="2">Restocked on Monday &amp; counted twice.</textarea></label>
<button type="submit" class="btn">Save</button>
<button type="submit" formaction="%[2]s/%[1]d/delete" class="btn btn-danger">Delete</button>
</form>
<p>Ships in 2&ndash;3 working days from the nearest warehouse with stock. Prices exclude VAT; bulk orders of more than 50 units get the <a href="/pricing#bulk">bulk rate</a> automatically at checkout.</p>
<p>Last changed by <a href="/users/7">jdoe</a>. Items below the reorder level are ordered on Monday; <em>gone</em> items stay listed for 30 days; <a href="/items/%[1]d/history">history</a>.</p>
<ul class="audit">
<li>2024-04-30 jdoe: price 17.99 &rarr; 19.99</li>
<li>2024-04-12 asmith: status draft &rarr; live</li>
<li>2024-03-28 bwu: stock north 10 &rarr; 12</li>
<li>2024-02-11 asmith: price 15.49 &rarr; 17.99</li>
<li>2024-03-02 jdoe: created</li>
</ul>
</section>
`, i, base)
}

func writeTail(b *bytes.Buffer) {
	b.WriteString(`<footer><p>&copy; 2024 Acme Corp · <a href="/help">Help</a></p></footer>
<script src="/assets/app.js" defer></script>
</body>
</html>
`)
}

// HugeBlockForms is how many forms each repeated block of /huge holds; they
// post to /export/N/update.
const HugeBlockForms = 8

// hugeParts are the head, the block repeated, and the tail of /huge.
func hugeParts() (head, block, tail []byte) {
	var h, bl, t bytes.Buffer
	writeHead(&h, "Export — Acme Admin")
	h.WriteString("<main class=\"container\">\n")
	for i := range HugeBlockForms {
		writeItem(&bl, i, "/export")
	}
	t.WriteString("</main>\n")
	writeTail(&t)
	return h.Bytes(), bl.Bytes(), t.Bytes()
}

// HugeForms is how many forms a /huge page of size bytes holds.
func HugeForms(size int64) int {
	head, block, tail := hugeParts()
	return hugeBlocks(size, head, block, tail) * HugeBlockForms
}

func hugeBlocks(size int64, head, block, tail []byte) int {
	n := (size - int64(len(head)) - int64(len(tail))) / int64(len(block))
	return int(max(n, 1))
}

// WriteHuge writes an HTML page of at most size bytes (at least one block),
// block by block, as an app streams a big export: a gateway never sees it whole.
func WriteHuge(w io.Writer, size int64) (int64, error) {
	head, block, tail := hugeParts()
	cw := &countingWriter{w: w}
	cw.put(head)
	for range hugeBlocks(size, head, block, tail) {
		cw.put(block)
	}
	cw.put(tail)
	return cw.n, cw.err
}

// countingWriter counts what it writes and stops at the first error, the
// client having gone away.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) put(p []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
}
