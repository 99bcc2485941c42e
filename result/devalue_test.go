package result

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEncodeDevalue(t *testing.T) {
	shared := []any{"x"}
	cyclic := []any{nil}
	cyclic[0] = cyclic
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"an object keeps its member order and gives each value a slot",
			Object{{"message", "bad"}, {"ok", false}}, `[{"message":1,"ok":2},"bad",false]`},
		{"equal primitives share a slot and children follow their parent",
			Object{{"items", []any{Object{{"id", 1}, {"name", "a"}}}}, {"tags", []any{"x", "y", "x"}}},
			`[{"items":1,"tags":5},[2],{"id":3,"name":4},1,"a",[6,7,6],"x","y"]`},
		{"a number and a string with the same digits do not share", []any{1, "1", 1.0}, `[[1,2,1],1,"1"]`},
		{"undefined as the root is written bare", Undefined, `-1`},
		{"NaN as the root is written bare", math.NaN(), `-3`},
		{"positive infinity as the root is written bare", math.Inf(1), `-4`},
		{"negative infinity as the root is written bare", math.Inf(-1), `-5`},
		{"negative zero as the root is written bare", math.Copysign(0, -1), `-6`},
		{"special values inside an object are references", Object{{"u", Undefined}, {"n", math.NaN()}, {"z", math.Copysign(0, -1)}},
			`[{"u":-1,"n":-3,"z":-6}]`},
		{"a string root is wrapped", "hi", `["hi"]`},
		{"null is wrapped", nil, `[null]`},
		{"an empty object is wrapped", Object{}, `[{}]`},
		{"an empty array is wrapped", []any{}, `[[]]`},
		{"a map's keys are sorted", map[string]any{"b": true, "a": true}, `[{"a":1,"b":1},true]`},
		{"integers of every kind are plain numbers", []any{int8(-8), uint16(16), int64(-1 << 62), uint64(1 << 63)},
			`[[1,2,3,4],-8,16,-4611686018427387904,9223372036854775808]`},
		{"floats are written as JavaScript writes them", []any{0.1, 1e21, 1e20, 1.5e-7, 123.0, float32(0.1)},
			`[[1,2,3,4,5,1],0.1,1e+21,100000000000000000000,1.5e-7,123]`},
		{"a json.Number keeps all its digits", json.Number("12345678901234567890123"), `[12345678901234567890123]`},
		{"a big.Int is a BigInt", big.NewInt(-42), `[["BigInt","-42"]]`},
		{"a time is a Date in UTC with milliseconds",
			time.Date(2024, 1, 2, 4, 4, 5, 678_900_000, time.FixedZone("CET", 3600)), `[["Date","2024-01-02T03:04:05.678Z"]]`},
		{"a year past 9999 uses the extended form", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), `[["Date","+010000-01-01T00:00:00.000Z"]]`},
		{"a year before 0 uses the extended form", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), `[["Date","-000001-01-01T00:00:00.000Z"]]`},
		{"a slice used twice is written once", []any{shared, shared}, `[[1,1],[2],"x"]`},
		{"a slice that contains itself refers to its own slot", cyclic, `[[0]]`},
		{"a nil slice is null", []any(nil), `[null]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeDevalue(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestEncodeDevalueEscapesStrings(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a quote and a backslash", `a"b\c`, `["a\"b\\c"]`},
		{"a less-than sign, so a closing script tag cannot appear", "</script>", `["\u003C/script>"]`},
		{"line breaks and tabs with their short forms", "a\nb\rc\td\be\ff", `["a\nb\rc\td\be\ff"]`},
		{"other control characters in hex", "\x00\x1f", `["\u0000\u001f"]`},
		{"the JavaScript line and paragraph separators", "a\u2028b\u2029c", `["a\u2028b\u2029c"]`},
		{"nothing else, emoji included", "é😀>&'", `["é😀>&'"]`},
		{"invalid UTF-8 as the replacement character", "a\xffb", `["a\ufffdb"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeDevalue(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestEncodeDevalueRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string // in the error
	}{
		{"a type it does not know, naming it", []string{"a"}, "[]string"},
		{"a nested type it does not know", Object{{"f", func() {}}}, "func()"},
		{"a json.Number that is not a number", json.Number("1; alert(1)"), "not a JSON number"},
		{"a json.Number with spaces around it", json.Number(" 1"), "not a JSON number"},
		{"a __proto__ key, which devalue cannot parse", Object{{"__proto__", 1}}, "__proto__"},
		{"a time outside JavaScript's range", time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC), "outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodeDevalue(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestDecodeJSONValue(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"an object keeps its key order", `{"z":1,"a":{"y":true,"b":null}}`,
			Object{{"z", json.Number("1")}, {"a", Object{{"y", true}, {"b", nil}}}}},
		{"a large integer keeps its digits", `[12345678901234567890123, 1.50]`,
			[]any{json.Number("12345678901234567890123"), json.Number("1.50")}},
		{"a repeated key keeps its first place and last value", `{"a":1,"b":2,"a":3}`,
			Object{{"a", json.Number("3")}, {"b", json.Number("2")}}},
		{"a byte order mark is ignored", "\ufeff\"x\"", "x"},
		{"empty containers stay empty, not nil", `[{},[]]`, []any{Object{}, []any{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeJSONValue([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeJSONValueFindsRepeatedKeysInLargeObjects(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{`)
	for i := range 40 {
		fmt.Fprintf(&b, `"k%d":0,`, i)
	}
	b.WriteString(`"k1":"last"}`)
	got, err := DecodeJSONValue([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	obj := got.(Object)
	if len(obj) != 40 || obj[1].Key != "k1" || obj[1].Value != "last" {
		t.Errorf("got %d members, second %v", len(obj), obj[1])
	}
}

func TestDecodeJSONValueRefuses(t *testing.T) {
	tests := []struct{ name, in string }{
		{"an empty body", ``},
		{"a second value after the first", `{} {}`},
		{"a truncated object", `{"a":`},
		{"a bare word", `undefined`},
		{"nesting deeper than the limit", strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v, err := DecodeJSONValue([]byte(tt.in)); err == nil {
				t.Errorf("got %#v and no error", v)
			}
		})
	}
}

func TestDecodedJSONEncodesInItsOriginalOrder(t *testing.T) {
	v, err := DecodeJSONValue([]byte(`{"errors":{"email":"taken"},"id":9007199254740993}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := EncodeDevalue(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"errors":1,"id":3},{"email":2},"taken",9007199254740993]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// FuzzEncodeDevalueString checks that any string encodes to valid JSON that gives the
// string back and never contains a raw '<' or line separator.
func FuzzEncodeDevalueString(f *testing.F) {
	for _, s := range []string{"", "</script>", "\u2028", "\x00", "a\xffb", `"\`, "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := EncodeDevalue(Object{{s, s}})
		if err != nil {
			if s == "__proto__" {
				return
			}
			t.Fatal(err)
		}
		if strings.ContainsAny(out, "<\u2028\u2029") {
			t.Fatalf("unescaped character in %q", out)
		}
		var slots []any
		if err := json.Unmarshal([]byte(out), &slots); err != nil {
			t.Fatalf("invalid JSON %q: %v", out, err)
		}
		want := string([]rune(s)) // each invalid byte becomes U+FFFD
		if len(slots) != 2 || slots[1] != want {
			t.Fatalf("slots %q, want the string %q", slots, want)
		}
	})
}

func BenchmarkEncodeDevalue(b *testing.B) {
	page := Object{
		{"title", "Orders — Example Shop"},
		{"body", strings.Repeat(`<tr><td class="id">1042</td><td>Widget &amp; bolt</td></tr>`+"\n", 50*1024/60)},
		{"bodyAttributes", Object{{"class", "orders"}}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeDevalue(page); err != nil {
			b.Fatal(err)
		}
	}
}
