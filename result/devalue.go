// Package result turns an upstream reply to a form action into the ActionResult JSON that
// SvelteKit's client reads, with the result's data encoded the way devalue encodes it.
package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// UndefinedValue is the type of Undefined.
type UndefinedValue struct{}

// Undefined stands for JavaScript's undefined: EncodeDevalue writes it as -1.
var Undefined UndefinedValue

// Object is a JavaScript object whose keys keep the order they were added in.
type Object []Member

// Member is one key and value of an Object.
type Member struct {
	Key   string
	Value any
}

// Special references devalue uses instead of slot indices.
const (
	refUndefined   = -1
	refNaN         = -3
	refPosInfinity = -4
	refNegInfinity = -5
	refNegZero     = -6
)

// EncodeDevalue encodes v the way devalue's stringify does, so devalue's parse (and
// SvelteKit's deserialize) gives back the equal JavaScript value.
//
// Supported: nil (null), Undefined, bool, every int and uint kind, float32, float64
// (NaN, ±Inf and -0 included), string, json.Number (written as given, so large integers
// keep their digits), *big.Int (BigInt), time.Time (Date, UTC, millisecond precision),
// []any, map[string]any (keys sorted) and Object (keys in order). A slice or map that
// appears more than once, cycles included, is written once and referenced.
func EncodeDevalue(v any) (string, error) {
	e := encoder{prims: map[string]int{}}
	root, err := e.flatten(v)
	if err != nil {
		return "", err
	}
	if root < 0 {
		// devalue writes a special root bare instead of a one-slot array.
		return strconv.Itoa(root), nil
	}
	return e.join(), nil
}

// encoder flattens a value into devalue's slots; a parent takes its slot before its
// children, as devalue's does, so the output matches devalue's byte for byte.
type encoder struct {
	slots []string
	prims map[string]int // a primitive's encoding → its slot, so equal primitives share one
	refs  map[any]int    // identity of a slice or map → its slot, which also ends cycles
	buf   []byte
}

// sliceID identifies a slice's backing array and length.
type sliceID struct {
	first any
	n     int
}

// mapID identifies a map.
type mapID uintptr

func (e *encoder) flatten(v any) (int, error) {
	switch v := v.(type) {
	case nil:
		return e.primitive(append(e.buf[:0], "null"...)), nil
	case UndefinedValue:
		return refUndefined, nil
	case bool:
		return e.primitive(strconv.AppendBool(e.buf[:0], v)), nil
	case string:
		return e.primitive(appendString(e.buf[:0], v)), nil
	case float64:
		return e.float(v, 64), nil
	case float32:
		return e.float(float64(v), 32), nil
	case int:
		return e.primitive(strconv.AppendInt(e.buf[:0], int64(v), 10)), nil
	case int8:
		return e.primitive(strconv.AppendInt(e.buf[:0], int64(v), 10)), nil
	case int16:
		return e.primitive(strconv.AppendInt(e.buf[:0], int64(v), 10)), nil
	case int32:
		return e.primitive(strconv.AppendInt(e.buf[:0], int64(v), 10)), nil
	case int64:
		return e.primitive(strconv.AppendInt(e.buf[:0], v, 10)), nil
	case uint:
		return e.primitive(strconv.AppendUint(e.buf[:0], uint64(v), 10)), nil
	case uint8:
		return e.primitive(strconv.AppendUint(e.buf[:0], uint64(v), 10)), nil
	case uint16:
		return e.primitive(strconv.AppendUint(e.buf[:0], uint64(v), 10)), nil
	case uint32:
		return e.primitive(strconv.AppendUint(e.buf[:0], uint64(v), 10)), nil
	case uint64:
		return e.primitive(strconv.AppendUint(e.buf[:0], v, 10)), nil
	case json.Number:
		if !isJSONNumber(string(v)) {
			return 0, fmt.Errorf("devalue: json.Number %q is not a JSON number", string(v))
		}
		return e.primitive(append(e.buf[:0], v...)), nil
	case *big.Int:
		if v == nil {
			return e.flatten(nil)
		}
		b := append(e.buf[:0], `["BigInt","`...)
		return e.primitive(append(v.Append(b, 10), `"]`...)), nil
	case time.Time:
		b, err := appendDate(e.buf[:0], v)
		if err != nil {
			return 0, err
		}
		// devalue gives every Date object its own slot; equal dates may still share one.
		return e.primitive(b), nil
	case []any:
		if v == nil {
			return e.flatten(nil)
		}
		return e.array(v)
	case map[string]any:
		if v == nil {
			return e.flatten(nil)
		}
		return e.goMap(v)
	case Object:
		if v == nil {
			return e.flatten(nil)
		}
		return e.object(v)
	default:
		return 0, fmt.Errorf("devalue: cannot encode a value of type %T", v)
	}
}

// primitive returns the slot of an encoded primitive, adding it if it is new.
func (e *encoder) primitive(encoded []byte) int {
	e.buf = encoded[:0]
	if i, ok := e.prims[string(encoded)]; ok {
		return i
	}
	s := string(encoded)
	i := e.add(s)
	e.prims[s] = i
	return i
}

func (e *encoder) add(s string) int {
	e.slots = append(e.slots, s)
	return len(e.slots) - 1
}

func (e *encoder) float(f float64, bits int) int {
	switch {
	case math.IsNaN(f):
		return refNaN
	case math.IsInf(f, 1):
		return refPosInfinity
	case math.IsInf(f, -1):
		return refNegInfinity
	case f == 0 && math.Signbit(f):
		return refNegZero
	}
	return e.primitive(appendNumber(e.buf[:0], f, bits))
}

// reserve takes a slot for a container before its children are flattened, and tells
// whether the container was already written. A nil id (an empty slice) is never shared.
func (e *encoder) reserve(id any) (slot int, seen bool) {
	if id == nil {
		return e.add(""), false
	}
	if e.refs == nil {
		e.refs = map[any]int{}
	}
	if i, ok := e.refs[id]; ok {
		return i, true
	}
	i := e.add("")
	e.refs[id] = i
	return i, false
}

func (e *encoder) array(a []any) (int, error) {
	var id any
	if len(a) > 0 {
		id = sliceID{&a[0], len(a)}
	}
	slot, seen := e.reserve(id)
	if seen {
		return slot, nil
	}
	refs := make([]int, len(a))
	for i, item := range a {
		r, err := e.flatten(item)
		if err != nil {
			return 0, err
		}
		refs[i] = r
	}
	b := []byte{'['}
	for i, r := range refs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(r), 10)
	}
	e.slots[slot] = string(append(b, ']'))
	return slot, nil
}

func (e *encoder) object(o Object) (int, error) {
	var id any
	if len(o) > 0 {
		id = sliceID{&o[0], len(o)}
	}
	slot, seen := e.reserve(id)
	if seen {
		return slot, nil
	}
	return slot, e.fillObject(slot, len(o), func(i int) (string, any) { return o[i].Key, o[i].Value })
}

func (e *encoder) goMap(m map[string]any) (int, error) {
	slot, seen := e.reserve(mapID(reflect.ValueOf(m).Pointer()))
	if seen {
		return slot, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return slot, e.fillObject(slot, len(keys), func(i int) (string, any) { return keys[i], m[keys[i]] })
}

// fillObject writes the n members that member(i) yields into slot.
func (e *encoder) fillObject(slot, n int, member func(i int) (string, any)) error {
	keys := make([]string, n)
	refs := make([]int, n)
	for i := range n {
		k, v := member(i)
		if k == "__proto__" {
			// devalue's parse refuses such a key, so no encoding of it could be read.
			return errors.New("devalue: cannot encode an object key named __proto__")
		}
		r, err := e.flatten(v)
		if err != nil {
			return err
		}
		keys[i], refs[i] = k, r
	}
	b := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(refs[i]), 10)
	}
	e.slots[slot] = string(append(b, '}'))
	return nil
}

func (e *encoder) join() string {
	n := 1 + len(e.slots)
	for _, s := range e.slots {
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, s := range e.slots {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s)
	}
	b.WriteByte(']')
	return b.String()
}

// appendNumber writes f as JavaScript's Number#toString would, which JSON also accepts:
// plain decimals from 1e-6 up to 1e21, exponent form outside.
func appendNumber(b []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// Go pads the exponent to two digits (1e-07); JavaScript does not (1e-7).
		n := len(b)
		if n-start >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendDate writes a Date as devalue does, with Date#toISOString's text.
func appendDate(b []byte, t time.Time) ([]byte, error) {
	// JavaScript dates reach ±8.64e15 ms around the epoch; the year test comes first
	// because UnixMilli overflows far outside that.
	const limit = 8.64e15
	if y := t.Year(); y < -271821 || y > 275760 || t.UnixMilli() > limit || t.UnixMilli() < -limit {
		return nil, fmt.Errorf("devalue: time %v is outside JavaScript's Date range", t)
	}
	t = t.UTC()
	b = append(b, `["Date","`...)
	switch year := t.Year(); {
	case year >= 0 && year <= 9999:
		b = t.AppendFormat(b, "2006")
	case year < 0:
		b = fmt.Appendf(b, "-%06d", -year)
	default:
		b = fmt.Appendf(b, "+%06d", year)
	}
	b = t.AppendFormat(b, "-01-02T15:04:05.000Z")
	return append(b, `"]`...), nil
}

// asciiEscapes holds, for each ASCII byte, how a JSON string that is also safe inside an
// HTML script writes it, or "" when it stands for itself. devalue escapes the same bytes.
var asciiEscapes = func() (t [utf8.RuneSelf]string) {
	const hex = "0123456789abcdef"
	for c := range 0x20 {
		t[c] = `\u00` + string(hex[c>>4]) + string(hex[c&0xf])
	}
	t['\n'], t['\r'], t['\t'], t['\b'], t['\f'] = `\n`, `\r`, `\t`, `\b`, `\f`
	t['"'], t['\\'], t['<'] = `\"`, `\\`, `\u003C`
	return t
}()

// appendString writes s as a JSON string that is also safe inside an HTML script: it
// escapes what devalue escapes (quote, backslash, control characters, '<', U+2028,
// U+2029) and replaces each byte of invalid UTF-8 with U+FFFD.
func appendString(b []byte, s string) []byte {
	b = slices.Grow(b, len(s)+2)
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if esc := asciiEscapes[c]; esc != "" {
				b = append(append(b, s[start:i]...), esc...)
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == utf8.RuneError && size == 1:
			esc = `\ufffd`
		case r == '\u2028':
			esc = `\u2028`
		case r == '\u2029':
			esc = `\u2029`
		}
		if esc != "" {
			b = append(append(b, s[start:i]...), esc...)
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// isJSONNumber tells whether s is exactly one JSON number, nothing around it.
func isJSONNumber(s string) bool {
	if s == "" || !(s[0] == '-' || '0' <= s[0] && s[0] <= '9') || !('0' <= s[len(s)-1] && s[len(s)-1] <= '9') {
		return false
	}
	return json.Valid([]byte(s))
}

// maxJSONDepth bounds nesting in DecodeJSONValue, as encoding/json bounds its own.
const maxJSONDepth = 10000

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DecodeJSONValue decodes one JSON text into the values EncodeDevalue takes: objects
// become Object in their key order, arrays []any, numbers json.Number with their exact
// digits, and strings, booleans and null as usual. A repeated key keeps its first
// position and its last value, as JSON.parse does. A leading byte order mark is ignored.
func DecodeJSONValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	dec.UseNumber()
	v, err := decodeJSON(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("json: data after the top-level value")
		}
		return nil, err
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth >= maxJSONDepth {
		return nil, errors.New("json: nesting too deep")
	}
	if d == '[' {
		return decodeJSONArray(dec, depth+1)
	}
	return decodeJSONObject(dec, depth+1)
}

func decodeJSONArray(dec *json.Decoder, depth int) (any, error) {
	a := []any{}
	for dec.More() {
		v, err := decodeJSON(dec, depth)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
	_, err := dec.Token() // ]
	return a, err
}

func decodeJSONObject(dec *json.Decoder, depth int) (any, error) {
	o := Object{}
	var index map[string]int // built only for objects large enough to need it
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // the decoder allows nothing else here
		v, err := decodeJSON(dec, depth)
		if err != nil {
			return nil, err
		}
		if i := o.find(key, &index); i >= 0 {
			o[i].Value = v
			continue
		}
		o = append(o, Member{key, v})
		if index != nil {
			index[key] = len(o) - 1
		}
	}
	_, err := dec.Token() // }
	return o, err
}

// find returns the position of key in o or -1; past a few members it keeps an index.
func (o Object) find(key string, index *map[string]int) int {
	if *index == nil && len(o) > 16 {
		*index = make(map[string]int, len(o))
		for i, m := range o {
			(*index)[m.Key] = i
		}
	}
	if *index != nil {
		if i, ok := (*index)[key]; ok {
			return i
		}
		return -1
	}
	for i, m := range o {
		if m.Key == key {
			return i
		}
	}
	return -1
}

// Get returns the value of the first member named key.
func (o Object) Get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}
