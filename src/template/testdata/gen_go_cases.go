// Fills the expected results of go_cases.json from Go's own text/template, so that
// executor_test.cc checks Berth's templates against Go's behaviour without needing Go:
//
//	cd src/template/testdata && go run gen_go_cases.go   (rewrites go_cases.json)
//
// Each case has "template" and "data" (JSON; integers become Go ints, other numbers float64) or
// "data_ref", the name of an entry of "shared_data";
// the program sets "want" (the output) or "go_error" (Go's error; Berth must fail too).
// The sprig functions are small re-statements of sprig v3's, for the subset Berth has.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type File struct {
	SharedData map[string]json.RawMessage `json:"shared_data"`
	Cases      []Case                     `json:"cases"`
}

type Case struct {
	Name     string          `json:"name"`
	Template string          `json:"template"`
	DataRef  string          `json:"data_ref,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
	Want     *string         `json:"want,omitempty"`
	GoError  string          `json:"go_error,omitempty"`
}

func convert(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil && !strings.ContainsAny(string(x), ".eE") {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case []interface{}:
		for i := range x {
			x[i] = convert(x[i])
		}
		return x
	case map[string]interface{}:
		for k := range x {
			x[k] = convert(x[k])
		}
		return x
	}
	return v
}

func strval(v interface{}) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprintf("%v", v)
}

func empty(v interface{}) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case int:
		return x == 0
	case float64:
		return x == 0
	case string:
		return x == ""
	case []interface{}:
		return len(x) == 0
	case map[string]interface{}:
		return len(x) == 0
	}
	return false
}

var sprig = template.FuncMap{
	"default": func(d interface{}, given ...interface{}) interface{} {
		if len(given) == 0 || empty(given[0]) {
			return d
		}
		return given[0]
	},
	"empty": empty,
	"quote": func(str ...interface{}) string {
		out := []string{}
		for _, s := range str {
			if s != nil {
				out = append(out, fmt.Sprintf("%q", strval(s)))
			}
		}
		return strings.Join(out, " ")
	},
	"squote": func(str ...interface{}) string {
		out := []string{}
		for _, s := range str {
			if s != nil {
				out = append(out, "'"+strval(s)+"'")
			}
		}
		return strings.Join(out, " ")
	},
	"upper":      strings.ToUpper,
	"lower":      strings.ToLower,
	"trim":       strings.TrimSpace,
	"trimPrefix": func(a, b string) string { return strings.TrimPrefix(b, a) },
	"trimSuffix": func(a, b string) string { return strings.TrimSuffix(b, a) },
	"replace":    func(o, n, s string) string { return strings.Replace(s, o, n, -1) },
	"contains":   func(sub, s string) bool { return strings.Contains(s, sub) },
	"hasPrefix":  func(p, s string) bool { return strings.HasPrefix(s, p) },
	"hasSuffix":  func(p, s string) bool { return strings.HasSuffix(s, p) },
	"b64enc":     func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	"b64dec": func(s string) (string, error) {
		b, err := base64.StdEncoding.DecodeString(s)
		return string(b), err
	},
	"toJson": func(v interface{}) string { b, _ := json.Marshal(v); return string(b) },
	"join": func(sep string, v interface{}) string {
		out := []string{}
		switch x := v.(type) {
		case nil:
		case []interface{}:
			for _, e := range x {
				if e != nil {
					out = append(out, strval(e))
				}
			}
		default:
			out = append(out, strval(v))
		}
		return strings.Join(out, sep)
	},
	"splitList": func(sep, s string) []string { return strings.Split(s, sep) },
}

func main() {
	raw, err := os.ReadFile("go_cases.json")
	if err != nil {
		panic(err)
	}
	var file File
	if err := json.Unmarshal(raw, &file); err != nil {
		panic(err)
	}
	cases := file.Cases
	for i := range cases {
		c := &cases[i]
		c.Want, c.GoError = nil, ""
		var data interface{}
		raw := c.Data
		if c.DataRef != "" {
			raw = file.SharedData[c.DataRef]
		}
		if len(raw) > 0 {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&data); err != nil {
				panic(err)
			}
			data = convert(data)
		}
		t, err := template.New(c.Name).Funcs(sprig).Parse(c.Template)
		if err != nil {
			c.GoError = err.Error()
			continue
		}
		var out bytes.Buffer
		if err := t.Execute(&out, data); err != nil {
			c.GoError = err.Error()
			continue
		}
		s := out.String()
		c.Want = &s
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(file); err != nil {
		panic(err)
	}
	if err := os.WriteFile("go_cases.json", buf.Bytes(), 0o644); err != nil {
		panic(err)
	}
}
