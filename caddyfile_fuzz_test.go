package enhance

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

// FuzzCaddyfileOptions feeds random `enhance { ... }` blocks through the path a
// Caddyfile takes: UnmarshalCaddyfile, the JSON config Caddy stores, Provision
// and Validate. Whatever the block says, nothing panics; a block is either
// refused with an error or becomes a handler whose options hold what Validate
// promises.
func FuzzCaddyfileOptions(f *testing.F) {
	for _, seed := range []string{
		"",
		"asset_prefix /assets/enhance/",
		"asset_prefix /x",
		"asset_prefix x",
		"asset_prefix /",
		"asset_prefix /a?b",
		"asset_prefix /a /b",
		"reply_limit 8MB",
		"reply_limit 1.5KiB",
		"reply_limit 1024",
		"reply_limit 0",
		"reply_limit 0.4",
		"reply_limit -1",
		"reply_limit 20EB",
		"reply_limit 9223372036854775808",
		"reply_limit 18446744073709551616",
		"reply_limit 8 MB",
		"reply_limit",
		"expose_errors",
		"expose_errors yes",
		"trusted_origins https://a.example http://b.example:8080",
		"trusted_origins https://a.example/",
		"trusted_origins evil",
		"trusted_origins https://a.example/path",
		"trusted_origins",
		"bogus 1",
		"asset_prefix /e/\nreply_limit 2MB\nexpose_errors\ntrusted_origins https://x.example",
		"reply_limit 1MB\nreply_limit 2MB",
		"{\n}",
		"asset_prefix {\n\tnested\n}",
		"}\nreply_limit -5",
		"trusted_origins \"https://a.example\" `http://b.example`",
		"asset_prefix \"/with space/\"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, block string) {
		tokens, err := caddyfile.Tokenize([]byte("enhance {\n"+block+"\n}\n"), "Caddyfile")
		if err != nil {
			return // not a Caddyfile at all; the lexer's business
		}
		var e Enhance
		if err := e.UnmarshalCaddyfile(caddyfile.NewDispenser(tokens)); err != nil {
			if err.Error() == "" {
				t.Fatalf("refused %q with an empty error", block)
			}
			return
		}
		if e.ReplyLimit < 0 {
			t.Fatalf("reply_limit in %q was read as %d: a size the user wrote came out negative", block, e.ReplyLimit)
		}

		// Caddy adapts the Caddyfile to JSON and loads the handler from it.
		raw, err := json.Marshal(&e)
		if err != nil {
			t.Fatalf("marshalling the options of %q: %v", block, err)
		}
		var loaded Enhance
		if err := json.Unmarshal(raw, &loaded); err != nil {
			t.Fatalf("loading %s: %v", raw, err)
		}
		if !reflect.DeepEqual(loaded, e) {
			t.Fatalf("options of %q changed through JSON: %+v, then %+v", block, e, loaded)
		}

		ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
		defer cancel()
		if err := loaded.Provision(ctx); err != nil {
			return
		}
		if err := loaded.Validate(); err != nil {
			if err.Error() == "" {
				t.Fatalf("Validate refused %q with an empty error", block)
			}
			return
		}
		checkValidOptions(t, block, &loaded)
	})
}

// checkValidOptions asserts what a handler that passed Validate may rely on.
func checkValidOptions(t *testing.T, block string, e *Enhance) {
	t.Helper()
	p := e.AssetPrefix
	if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") || p == "/" || strings.ContainsAny(p, "?#* \t") {
		t.Errorf("%q was accepted with asset_prefix %q", block, p)
	}
	if e.ReplyLimit <= 0 {
		t.Errorf("%q was accepted with reply_limit %d", block, e.ReplyLimit)
	}
	for _, o := range e.TrustedOrigins {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			t.Errorf("%q was accepted with the trusted origin %q", block, o)
		}
		if !e.trusted[normalizeOrigin(o)] {
			t.Errorf("trusted origin %q of %q is not in the trusted set", o, block)
		}
	}
}
