package result

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// oracleDir is where the real devalue packages are installed for the oracle test.
const oracleDir = "testdata/oracle"

// oracleCase is a Go value and the JavaScript value devalue's parse must give for its
// encoding; exact cases must also be what devalue's own stringify writes.
type oracleCase struct {
	name     string
	value    any
	expected string // a JavaScript expression
	exact    bool
}

func oracleCases(t *testing.T) []oracleCase {
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	shared := Object{{"id", 7}}
	cyclic := Object{{"name", "loop"}, {"self", nil}}
	cyclic[1].Value = cyclic
	decoded, err := DecodeJSONValue([]byte(`{"z":[1.5,-2e-8,12345678901234567890],"a":{"":null,"ü":"\u00e9"}}`))
	if err != nil {
		t.Fatal(err)
	}
	controls := make([]byte, 0, 33)
	for c := byte(0); c < 0x20; c++ {
		controls = append(controls, c)
	}
	controls = append(controls, 0x7f)
	deepArray, deepArrayJS := any([]any{}), "[]"
	deepObject, deepObjectJS := any(Object{}), "{}"
	for range 500 {
		deepArray, deepArrayJS = []any{deepArray}, "["+deepArrayJS+"]"
		deepObject, deepObjectJS = Object{{"next", deepObject}}, "{next:"+deepObjectJS+"}"
	}

	return []oracleCase{
		{"the first PROTOCOL example", Object{{"message", "bad"}, {"ok", false}}, `{message:'bad',ok:false}`, true},
		{"the second PROTOCOL example", Object{{"items", []any{Object{{"id", 1}, {"name", "a"}}}}, {"tags", []any{"x", "y", "x"}}},
			`{items:[{id:1,name:'a'}],tags:['x','y','x']}`, true},
		{"a string root", "hi", `"hi"`, true},
		{"an empty string", "", `""`, true},
		{"null", nil, `null`, true},
		{"true and false", []any{true, false, true}, `[true,false,true]`, true},
		{"undefined as the root", Undefined, `undefined`, true},
		{"undefined as a member and an item", Object{{"u", Undefined}, {"a", []any{Undefined, 1}}}, `{u:undefined,a:[undefined,1]}`, true},
		{"an empty object", Object{}, `{}`, true},
		{"an empty array", []any{}, `[]`, true},
		{"accented letters and other scripts", "héllo wörld — Ελληνικά 日本語", `"héllo wörld — Ελληνικά 日本語"`, true},
		{"emoji outside the basic plane", "👍🏽 😀 👨‍👩‍👧", `"👍🏽 😀 👨‍👩‍👧"`, true},
		{"a less-than sign", "a<b", `"a<b"`, true},
		{"a closing script tag", "</script><script>alert(1)</script>", `"</script><script>alert(1)</script>"`, true},
		{"the line and paragraph separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`, true},
		{"every control character and DEL", string(controls), jsString(string(controls)), true},
		{"quotes and backslashes", `"\'`, `"\"\\'"`, true},
		{"invalid UTF-8 as the replacement character", "a\xc3(b", `"a\ufffd(b"`, false},
		{"a key that needs escaping", Object{{"<a \"b\"\n>", 1}}, `{"<a \"b\"\n>":1}`, true},
		{"zero and negative zero", []any{0, math.Copysign(0, -1)}, `[0,-0]`, true},
		{"NaN and the infinities", []any{math.NaN(), math.Inf(1), math.Inf(-1)}, `[NaN,Infinity,-Infinity]`, true},
		{"negative zero as the root", math.Copysign(0, -1), `-0`, true},
		{"NaN as the root", math.NaN(), `NaN`, true},
		{"fractions and exponents", []any{0.1, -1.5e-7, 1e21, 1e20, math.MaxFloat64, math.SmallestNonzeroFloat64},
			`[0.1,-1.5e-7,1e21,1e20,Number.MAX_VALUE,Number.MIN_VALUE]`, true},
		{"the largest integers", []any{int64(math.MaxInt64), uint64(math.MaxUint64), int64(math.MinInt64)},
			`[9223372036854775807,18446744073709551615,-9223372036854775808]`, false},
		{"a float32 as its shortest decimal", float32(0.1), `0.1`, false},
		{"a big integer as BigInt", []any{huge, big.NewInt(0)}, `[-123456789012345678901234567890n,0n]`, true},
		{"dates", []any{time.UnixMilli(0), time.UnixMilli(1704164645678), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
			`[new Date(0),new Date(1704164645678),new Date("-000001-01-01T00:00:00.000Z"),new Date("+010000-01-01T00:00:00.000Z")]`, true},
		{"a map with its keys sorted", map[string]any{"b": 2, "a": []any{1}}, `{a:[1],b:2}`, true},
		{"decoded JSON in its key order with exact numbers", decoded,
			`{z:[1.5,-2e-8,12345678901234567890],a:{"":null,"ü":"é"}}`, false},
		{"the same object in two places", []any{shared, Object{{"again", shared}}},
			`(() => { const s = {id:7}; return [s,{again:s}]; })()`, true},
		{"an object that contains itself", cyclic, `(() => { const o = {name:'loop'}; o.self = o; return o; })()`, true},
		{"arrays nested 500 deep", deepArray, deepArrayJS, true},
		{"objects nested 500 deep", deepObject, deepObjectJS, true},
		{"a page", Object{{"title", "Orders & more"}, {"body", "<main>\n<h1 class=\"x\">Ü</h1>\n</main>"}, {"bodyAttributes", Object{}}},
			`{title:"Orders & more",body:"<main>\n<h1 class=\"x\">Ü</h1>\n</main>",bodyAttributes:{}}`, true},
	}
}

// jsString writes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestEncodeDevalueParsesWithDevalue(t *testing.T) {
	script := installOracle(t)
	type wireCase struct {
		Name     string `json:"name"`
		Encoded  string `json:"encoded"`
		Expected string `json:"expected"`
		Exact    bool   `json:"exact"`
	}
	var wire []wireCase
	for _, c := range oracleCases(t) {
		enc, err := EncodeDevalue(c.value)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		wire = append(wire, wireCase{c.name, enc, c.expected, c.exact})
	}
	input, _ := json.Marshal(wire)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var results []struct {
		Name     string   `json:"name"`
		Problems []string `json:"problems"`
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("oracle output: %v\n%s", err, out)
	}
	if len(results) != len(wire) {
		t.Fatalf("oracle answered %d cases of %d", len(results), len(wire))
	}
	for i, r := range results {
		t.Run(r.Name, func(t *testing.T) {
			for _, p := range r.Problems {
				t.Errorf("encoded %s: %s", shorten(wire[i].Encoded), p)
			}
		})
	}
}

func shorten(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// installOracle makes sure node and the devalue packages are there, installing the
// packages with npm when they are missing, and returns the oracle script's path. Without
// node the test is skipped, except in CI where it must run.
func installOracle(t *testing.T) string {
	t.Helper()
	unavailable := t.Skipf
	if os.Getenv("CI") == "true" {
		unavailable = t.Fatalf
	}
	if _, err := exec.LookPath("node"); err != nil {
		unavailable("node is not installed: %v", err)
	}
	for _, pkg := range []string{"devalue5", "devalue6"} {
		if _, err := os.Stat(filepath.Join(oracleDir, "node_modules", pkg, "package.json")); err == nil {
			continue
		}
		if _, err := exec.LookPath("npm"); err != nil {
			unavailable("npm is not installed to fetch devalue: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--no-package-lock")
		cmd.Dir = oracleDir
		if out, err := cmd.CombinedOutput(); err != nil {
			unavailable("npm install in %s: %v\n%s", oracleDir, err, strings.TrimSpace(string(out)))
		}
		break
	}
	return filepath.Join(oracleDir, "oracle.mjs")
}
