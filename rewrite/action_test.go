package rewrite

import (
	"errors"
	"net/url"
	"testing"
)

func TestParseActionTarget(t *testing.T) {
	tests := []struct {
		name  string
		query string // of /login
		want  string // the target's path?query; "" when there is none
	}{
		{"a named action names its target path", "/session", "/session"},
		{"the target's own query follows the action key", "/session&next=%2Fx&a=b", "/session?next=%2Fx&a=b"},
		{"the page's own query before the key is not the target's", "lang=en&/session&a=b", "/session?a=b"},
		{"the key's value is ignored", "/session=1&a=b", "/session?a=b"},
		{"a later key starting with / belongs to the target's query", "/session&/other", "/session?/other"},
		{"a key decodes once into the path as sent on the wire", "/a%2520b%2526c%253Dd", "/a%20b%26c%3Dd"},
		{"an escaped slash in the target stays escaped", "/files/a%252Fb", "/files/a%2Fb"},
		{"a key spelled %2F also names an action, like in SvelteKit", "%2Fsession", "/session"},
		{"sub-delimiters and colons are path characters", "/a:b/c;d/e@f/g!$'()*,%2B", "/a:b/c;d/e@f/g!$'()*,+"},
		{"a colon in a segment is still a path on our origin", "/http:/evil.example/", "/http:/evil.example/"},
		{"the root is a target", "/", "/"},
		{"a query without a key starting with / is the default action", "tab=2&x=/y", ""},
		{"no query is the default action", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, ok, err := ParseActionTarget(&url.URL{Path: "/login", RawQuery: tt.query})
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if ok != (tt.want != "") {
				t.Fatalf("ok = %v, want %v", ok, tt.want != "")
			}
			if ok && target.RequestURI() != tt.want {
				t.Errorf("target = %q, want %q", target.RequestURI(), tt.want)
			}
		})
	}
}

func TestParseActionTargetRefusesUncleanPaths(t *testing.T) {
	tests := []struct {
		name  string
		query string // of /login
	}{
		{"another host after //", "//evil.example/x"},
		{"a URL written as a path", "/https://evil.example/x"},
		{"an empty segment", "/a//b"},
		{"an encoded empty segment", "/a/%2Fb"},
		{"another host after //, spelled %2F%2F", "%2F%2Fevil.example"},
		{"another host after an escaped slash", "/%252F/evil.example"},
		{"another host after /\\", "/%5Cevil.example"},
		{"an escaped backslash", "/a%255Cb"},
		{"a dot-dot segment escaping the root", "/.."},
		{"a dot-dot segment further down", "/a/../../etc/passwd"},
		{"a dot-dot segment that does not escape the root", "/a/../b"},
		{"a dot segment", "/a/./b"},
		{"an escaped dot-dot segment", "/%252e%252E/x"},
		{"a dot-dot segment between escaped slashes", "/a%252F..%252Fb"},
		{"a dot-dot segment at the end", "/a/%252e."},
		{"an escaped NUL", "/a%2500b"},
		{"a tab", "/a%09b"},
		{"an escaped DEL", "/a%257Fb"},
		{"a space (a + in a query key)", "/a+b"},
		{"raw non-ASCII instead of its escapes", "/caf%C3%A9"},
		{"a question mark inside the path", "/index.php%3Fx"},
		{"a broken percent-escape", "/a%25zz"},
		{"a cut-off percent-escape", "/a%252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, ok, err := ParseActionTarget(&url.URL{Path: "/login", RawQuery: tt.query})
			if !errors.Is(err, ErrActionTarget) {
				t.Fatalf("target %v, ok %v, error %v; want ErrActionTarget", target, ok, err)
			}
			if !ok || target != nil {
				t.Errorf("ok = %v, target = %v; want true, nil", ok, target)
			}
		})
	}
}

func TestActionKeyRoundTrips(t *testing.T) {
	tests := []struct {
		name  string
		path  string // as sent on the wire
		query string
	}{
		{"a plain path", "/session", ""},
		{"a path with a query", "/session", "next=/x&a=b"},
		{"a path with & = + and ;", "/a&b=c+d;e", "x=1"},
		{"a path with escapes", "/a%20b%23c%25d%3Fe", ""},
		{"a path with UTF-8 escapes", "/caf%C3%A9/%E6%97%A5", "q=%C3%A9"},
		{"a path with an escaped slash", "/a%2Fb", ""},
		{"a path with a quote and a trailing slash", "/it's/", ""},
		{"a query with a key starting with /", "/s", "/t&u=v"},
		{"the root", "/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action := appendActionURL(nil, []byte("/login"), target{path: []byte(tt.path), query: []byte(tt.query), hasQuery: tt.query != ""})
			u, err := url.Parse(string(action))
			if err != nil {
				t.Fatalf("%q: %v", action, err)
			}
			got, ok, err := ParseActionTarget(u)
			if err != nil || !ok {
				t.Fatalf("ParseActionTarget(%q) = %v, %v, %v", action, got, ok, err)
			}
			if got.EscapedPath() != tt.path || got.RawQuery != tt.query {
				t.Errorf("%q gives path %q query %q, want %q %q", action, got.EscapedPath(), got.RawQuery, tt.path, tt.query)
			}
		})
	}
}

func TestActionKeyHasNoValueAndIsPlainForPlainPaths(t *testing.T) {
	got := string(appendActionURL(nil, []byte("/login"), target{path: []byte("/users/42/edit")}))
	if want := "/login?/users/42/edit"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzParseActionTarget checks that whatever query comes in, a target that is
// accepted is clean, and encodes to a key that parses back to it.
func FuzzParseActionTarget(f *testing.F) {
	for _, q := range []string{"/session", "/a%2520b&x=1", "%2F%2Fx", "/%252e%252e", "/a+b", "x=1&/y&z", "/\x00"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		got, ok, err := ParseActionTarget(&url.URL{Path: "/login", RawQuery: query})
		if err != nil || !ok {
			return
		}
		path := got.EscapedPath()
		if problem := wirePathProblem(path); problem != "" {
			t.Fatalf("accepted %q: %s", path, problem)
		}
		action := appendActionURL(nil, []byte("/login"), target{path: []byte(path), query: []byte(got.RawQuery)})
		again, ok, err := ParseActionTarget(&url.URL{Path: "/login", RawQuery: string(action[len("/login?"):])})
		if err != nil || !ok || again.EscapedPath() != path || again.RawQuery != got.RawQuery {
			t.Fatalf("%q → %q → %v %v %v", query, action, again, ok, err)
		}
	})
}
