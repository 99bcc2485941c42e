package integration

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// parseDevalue reads the `data` string of an ActionResult back into plain Go
// values (maps, slices, strings, float64, bools, nil; BigInt as "123n").
// It reads only what the gateway emits; the full format is checked against
// the real devalue package in result/.
func parseDevalue(s string) (any, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n == -1 {
			return nil, nil // undefined
		}
		return nil, fmt.Errorf("unexpected bare special %d", n)
	}
	var slots []json.RawMessage
	if err := json.Unmarshal([]byte(s), &slots); err != nil {
		return nil, fmt.Errorf("devalue %q is not a JSON array: %v", s, err)
	}
	var hydrate func(i int) (any, error)
	hydrate = func(i int) (any, error) {
		if i < 0 {
			return nil, nil
		}
		if i >= len(slots) {
			return nil, fmt.Errorf("slot %d out of range", i)
		}
		raw := slots[i]
		switch raw[0] {
		case '{':
			var obj map[string]int
			if err := json.Unmarshal(raw, &obj); err != nil {
				return nil, err
			}
			out := map[string]any{}
			for k, idx := range obj {
				v, err := hydrate(idx)
				if err != nil {
					return nil, err
				}
				out[k] = v
			}
			return out, nil
		case '[':
			var arr []json.RawMessage
			if err := json.Unmarshal(raw, &arr); err != nil {
				return nil, err
			}
			if len(arr) > 0 && arr[0][0] == '"' {
				var tag, val string
				json.Unmarshal(arr[0], &tag)
				json.Unmarshal(arr[1], &val)
				if tag == "BigInt" {
					return val + "n", nil
				}
				return tag + ":" + val, nil
			}
			out := make([]any, len(arr))
			for j, a := range arr {
				idx, err := strconv.Atoi(string(a))
				if err != nil {
					return nil, err
				}
				if out[j], err = hydrate(idx); err != nil {
					return nil, err
				}
			}
			return out, nil
		default:
			var v any
			err := json.Unmarshal(raw, &v)
			return v, err
		}
	}
	return hydrate(0)
}
