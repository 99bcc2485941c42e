package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Reply is what the upstream answered to an action request, its body already decoded
// from any Content-Encoding (see DecodeBody).
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Options tune Translate.
type Options struct {
	// Target is the URL the request was sent to upstream; relative Locations are
	// resolved against it. Only its path and query matter when it has no host.
	Target *url.URL
	// UpstreamHost is the upstream's host:port, "" if unknown. Locations pointing at it
	// (or at Target's host) become origin-relative, so the client never sees it.
	UpstreamHost string
	// GatewayHost is the Host the client used; Locations pointing at it become
	// origin-relative too.
	GatewayHost string
	// ExposeErrors lets a 5xx carry a message taken from the upstream body (trimmed and
	// bounded) instead of "Internal Error".
	ExposeErrors bool
	// HTMLData builds the data of an HTML body; HTMLPage when nil.
	HTMLData func(body []byte, contentType string) (any, error)
}

// Result is an ActionResult ready to send: Body is its JSON, to be written with
// HTTPStatus and the headers Headers sets.
type Result struct {
	HTTPStatus int
	Type       string // "success", "failure", "redirect" or "error"
	Body       []byte
}

// Messages of the error results the gateway makes; none of them tells anything about the
// upstream beyond what went wrong.
const (
	msgInternal         = "Internal Error"
	msgNoLocation       = "Upstream redirect without Location"
	msgRefusedLocation  = "Upstream redirect to a refused location"
	msgUntranslatable   = "Upstream reply could not be translated"
	maxExposedErrorSize = 500
)

// Translate turns an upstream reply into the ActionResult SvelteKit's client expects:
//
//	2xx                 success, HTTP 200, status 200 with the body as data,
//	                    or status 204 and no data when the body is empty
//	300–308 + Location  redirect, HTTP 200, the upstream status and the normalised Location
//	4xx                 failure with the upstream status, data as for success
//	5xx                 error with the upstream status and the message "Internal Error"
//
// The data of a body depends on its Content-Type: JSON gives the JSON value, HTML gives
// Options.HTMLData's value (HTMLPage by default), other text gives {text}, and anything
// else gives {contentType, size} since it cannot travel as data.
//
// A reply that cannot be translated (a redirect without a usable Location, a body that
// does not parse, an unknown status) gives a non-nil error, for the log, together with
// the error result to send in its place (502).
func Translate(r Reply, o Options) (Result, error) {
	switch {
	case r.Status >= 200 && r.Status <= 299, r.Status >= 400 && r.Status <= 499:
		res, err := dataResult(r, o)
		if err != nil {
			return Error(http.StatusBadGateway, msgUntranslatable), err
		}
		return res, nil
	case r.Status >= 300 && r.Status <= 399:
		return translateRedirect(r, o)
	case r.Status >= 500 && r.Status <= 599:
		msg := msgInternal
		if o.ExposeErrors {
			msg = upstreamErrorMessage(r)
		}
		return Error(r.Status, msg), nil
	}
	return Error(http.StatusBadGateway, msgUntranslatable),
		fmt.Errorf("upstream status %d is not a final HTTP status", r.Status)
}

// dataResult is the success or failure result of a 2xx or 4xx reply.
func dataResult(r Reply, o Options) (Result, error) {
	data, err := replyData(r, o)
	if err != nil {
		return Result{}, err
	}
	if r.Status >= 400 {
		return Failure(r.Status, data)
	}
	return Success(data)
}

func translateRedirect(r Reply, o Options) (Result, error) {
	if r.Status > http.StatusPermanentRedirect {
		return Error(http.StatusBadGateway, msgUntranslatable),
			fmt.Errorf("upstream answered %d, a redirect status SvelteKit does not know", r.Status)
	}
	loc := r.Header.Get("Location")
	if loc == "" {
		return Error(http.StatusBadGateway, msgNoLocation),
			fmt.Errorf("upstream answered %d without a Location to follow", r.Status)
	}
	host := o.UpstreamHost
	if host == "" && o.Target != nil {
		host = o.Target.Host
	}
	norm, err := NormalizeLocation(loc, o.Target, host, o.GatewayHost)
	if err != nil {
		return Error(http.StatusBadGateway, msgRefusedLocation), err
	}
	return Redirect(r.Status, norm), nil
}

// wireResult is an ActionResult as JSON; the field order is the one SvelteKit writes.
type wireResult struct {
	Type     string     `json:"type"`
	Status   int        `json:"status,omitempty"`
	Data     string     `json:"data,omitempty"`
	Location string     `json:"location,omitempty"`
	Error    *wireError `json:"error,omitempty"`
}

type wireError struct {
	Message string `json:"message"`
}

// Success is a success result for data; Undefined data means none (status 204).
func Success(data any) (Result, error) {
	status := http.StatusOK
	if data == Undefined {
		status = http.StatusNoContent
	}
	encoded, err := EncodeDevalue(data)
	if err != nil {
		return Result{}, err
	}
	return build(http.StatusOK, wireResult{Type: "success", Status: status, Data: encoded}), nil
}

// Failure is a failure result with a 4xx status, sent with that status.
func Failure(status int, data any) (Result, error) {
	encoded, err := EncodeDevalue(data)
	if err != nil {
		return Result{}, err
	}
	return build(status, wireResult{Type: "failure", Status: status, Data: encoded}), nil
}

// Redirect is a redirect result to an already normalised location (see NormalizeLocation).
func Redirect(status int, location string) Result {
	return build(http.StatusOK, wireResult{Type: "redirect", Status: status, Location: location})
}

// Error is an error result sent with status, for errors found by the gateway itself
// (a reply too large, a refused request) as well as an upstream's 5xx.
func Error(status int, message string) Result {
	return build(status, wireResult{Type: "error", Error: &wireError{message}})
}

// Unreachable is the error result for an upstream that gave no reply: status is 502, or
// 504 when it timed out. Its message is the generic one, so nothing about the upstream
// leaks.
func Unreachable(status int) Result {
	return Error(status, msgInternal)
}

func build(httpStatus int, w wireResult) Result {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// The body is JSON served as JSON; escaping <, > and & would only make it larger.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		panic(err) // strings and ints always encode
	}
	return Result{HTTPStatus: httpStatus, Type: w.Type, Body: bytes.TrimSuffix(b.Bytes(), []byte("\n"))}
}

// Headers readies h, usually the upstream reply's header so its Set-Cookie lines pass
// through, for an ActionResult body: it sets the JSON content type and no-store caching,
// and removes the headers that described the upstream body, or that a browser would act
// on (Location, Refresh) although the redirect now travels inside the result.
func Headers(h http.Header) {
	for _, name := range []string{
		"Content-Length", "Content-Encoding", "Content-Range", "Content-Disposition",
		"Content-Location", "Content-Language", "Transfer-Encoding", "Accept-Ranges",
		"Etag", "Last-Modified", "Expires", "Age", "Location", "Refresh",
	} {
		h.Del(name)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

// bodyKind is how a body becomes data.
type bodyKind int

const (
	kindJSON bodyKind = iota
	kindHTML
	kindText
	kindBinary
)

// classify tells how a body of the given Content-Type becomes data; a missing type is
// sniffed from the body, as a browser would.
func classify(contentType string, body []byte) bodyKind {
	if strings.TrimSpace(contentType) == "" {
		contentType = http.DetectContentType(body)
	}
	mt := mediaType(contentType)
	switch {
	case mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json"):
		return kindJSON
	case mt == "text/html" || mt == "application/xhtml+xml":
		return kindHTML
	case strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "/xml") || strings.HasSuffix(mt, "+xml") ||
		mt == "application/javascript" || mt == "application/x-www-form-urlencoded":
		return kindText
	}
	return kindBinary
}

func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

// replyData is the data a 2xx or 4xx reply carries, Undefined for none.
func replyData(r Reply, o Options) (any, error) {
	if r.Status == http.StatusNoContent || len(bytes.TrimSpace(r.Body)) == 0 {
		return Undefined, nil
	}
	ct := r.Header.Get("Content-Type")
	switch classify(ct, r.Body) {
	case kindJSON:
		v, err := DecodeJSONValue(r.Body)
		if err != nil {
			return nil, fmt.Errorf("upstream JSON body: %w", err)
		}
		return v, nil
	case kindHTML:
		page := o.HTMLData
		if page == nil {
			page = HTMLPage
		}
		return page(r.Body, ct)
	case kindText:
		text, err := utf8Text(r.Body, ct)
		if err != nil {
			return nil, err
		}
		return Object{{"text", text}}, nil
	}
	return Object{{"contentType", mediaType(ct)}, {"size", len(r.Body)}}, nil
}

// upstreamErrorMessage is the message of an exposed 5xx: a JSON body's "message", an
// HTML page's title or a text body, trimmed and bounded.
func upstreamErrorMessage(r Reply) string {
	ct := r.Header.Get("Content-Type")
	var msg string
	switch classify(ct, r.Body) {
	case kindJSON:
		if v, err := DecodeJSONValue(r.Body); err == nil {
			if obj, ok := v.(Object); ok {
				if m, ok := obj.Get("message"); ok {
					msg, _ = m.(string)
				}
			}
		}
		if msg == "" {
			msg = string(r.Body)
		}
	case kindHTML:
		if doc, err := utf8Document(r.Body, ct); err == nil {
			msg = scanPage(doc).title
		}
	case kindText:
		msg, _ = utf8Text(r.Body, ct)
	}
	msg = strings.Join(strings.Fields(strings.ToValidUTF8(msg, "\uFFFD")), " ")
	if msg == "" {
		return msgInternal
	}
	return truncate(msg, maxExposedErrorSize)
}

// truncate cuts s to at most n bytes on a character boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// NormalizeLocation makes an upstream redirect's Location safe to hand to the client:
// a relative one is resolved against target; an absolute one pointing at upstreamHost or
// gatewayHost becomes origin-relative (path, query and fragment kept); any other http or
// https URL stays absolute. Control characters (CR and LF among them), schemes other
// than http and https, and URLs without a host are refused. The result never starts
// with "//", so a browser cannot read it as another host.
func NormalizeLocation(loc string, target *url.URL, upstreamHost, gatewayHost string) (string, error) {
	loc = strings.Trim(loc, " ")
	for i := 0; i < len(loc); i++ {
		if loc[i] < 0x20 || loc[i] == 0x7f {
			return "", fmt.Errorf("location %q has a control character", loc)
		}
	}
	if loc == "" {
		return "", errors.New("location is empty")
	}
	u, err := url.Parse(slashBackslashes(loc))
	if err != nil {
		return "", fmt.Errorf("location: %w", err)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("location %q has the refused scheme %q", loc, u.Scheme)
	}
	if u.Opaque != "" || u.Scheme != "" && u.Host == "" {
		return "", fmt.Errorf("location %q has no host", loc)
	}
	if u.Host != "" && !validHost(u.Host) {
		return "", fmt.Errorf("location %q names no valid host", loc)
	}
	if u.Host == "" || sameHost(u, upstreamHost) || sameHost(u, gatewayHost) {
		base := target
		if base == nil {
			base = &url.URL{Path: "/"}
		}
		// Resolving also removes dot segments from an absolute URL's path.
		return originRelative(base.ResolveReference(u)), nil
	}
	if u.Scheme == "" {
		// A scheme-relative URL to another host: give it a scheme so it cannot be
		// mistaken for a path.
		u.Scheme = "https"
		if target != nil && target.Scheme != "" {
			u.Scheme = target.Scheme
		}
	}
	return u.String(), nil
}

// validHost accepts host[:port] where host is a name or an IP literal and
// port a number up to 65535: what a browser can follow.
func validHost(hostport string) bool {
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 || net.ParseIP(hostport[1:end]) == nil {
			return false
		}
		host, port = hostport[1:end], hostport[end+1:]
		if port != "" && port[0] != ':' {
			return false
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i+1:]
	}
	if host == "" || (!strings.HasPrefix(hostport, "[") && strings.ContainsAny(host, ":[] ")) {
		return false
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 {
			return false
		}
	}
	return true
}

// slashBackslashes turns backslashes before the query into slashes, as browsers do for
// http URLs, so "/\evil.example" is seen for the host it names.
func slashBackslashes(loc string) string {
	end := strings.IndexAny(loc, "?#")
	if end < 0 {
		end = len(loc)
	}
	return strings.ReplaceAll(loc[:end], `\`, "/") + loc[end:]
}

// sameHost tells whether u's host is host, ports compared with their defaults filled in.
func sameHost(u *url.URL, host string) bool {
	return host != "" && hostPort(u.Host, u.Scheme) == hostPort(host, u.Scheme)
}

func hostPort(host, scheme string) string {
	h, port, err := net.SplitHostPort(host)
	if err != nil { // no port: the scheme's default
		h, port = strings.Trim(host, "[]"), "80"
		if scheme == "https" {
			port = "443"
		}
	}
	return strings.ToLower(net.JoinHostPort(h, port))
}

// originRelative writes u's path, query and fragment, keeping a path that starts with
// "//" from being read as a host.
func originRelative(u *url.URL) string {
	path := u.EscapedPath()
	switch {
	case path == "":
		path = "/"
	case strings.HasPrefix(path, "//"):
		path = "/." + path // "/.//x" is the path "//x" on this origin
	case path[0] != '/':
		path = "/" + path
	}
	var b strings.Builder
	b.WriteString(path)
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteByte('?')
		b.WriteString(u.RawQuery)
	}
	if u.Fragment != "" {
		b.WriteByte('#')
		b.WriteString(u.EscapedFragment())
	}
	return b.String()
}
