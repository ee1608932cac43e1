package main

import (
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/eddy-streams/eddy/kinesis"
)

// The config file (eddy serve --config) is read key by key, so that a
// mistake is reported in the file's terms: which key, what it wants in
// words, what it got, and on which line. For example:
//
//	config eddy.yaml: key "limits": want a string (off or aws), got a list (line 3)
//	config eddy.yaml: unknown key "shard-limt" (line 2); known keys: listen, data-dir, ...
//	config eddy.yaml: key "streams[0].shards": want a whole number, got the string "two" (line 6)
//
// The keys are the yaml tags of serveConfig and of the types it holds
// (bootstrapStream, kinesis.FaultRule); deploy/eddy.yaml shows every one.

// configChoices names the values a string key accepts, for its error
// message. Keys are paths as configKeys gives them.
var configChoices = map[string]string{
	"sync":           "always, interval or none",
	"backend":        "segment, memory or jetstream",
	"log-level":      "debug, info, warn or error",
	"limits":         "off or aws",
	"admin-listen":   "host:port, or off",
	"s3-listen":      "host:port, or off",
	"listen":         "host:port",
	"streams[].mode": "PROVISIONED or ON_DEMAND",
}

// configNouns names the element of a list key, for its error message.
var configNouns = map[reflect.Type]string{
	reflect.TypeFor[bootstrapStream]():   "stream",
	reflect.TypeFor[bootstrapFunction](): "function",
	reflect.TypeFor[kinesis.FaultRule](): "fault rule",
}

var (
	durationType        = reflect.TypeFor[time.Duration]()
	engineDurationType  = reflect.TypeFor[kinesis.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decodeConfigFile decodes the YAML document data, read from path, into
// cfg: the keys it has replace cfg's values, the rest are left alone. An
// empty file changes nothing.
func decodeConfigFile(path string, data []byte, cfg *serveConfig) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// A syntax error: yaml's own message names the line.
		return fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil // empty, or only comments
	}
	if err := decodeNode(doc.Content[0], reflect.ValueOf(cfg).Elem(), ""); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// decodeNode decodes n into v, whose key path in the file is key ("" for
// the whole document).
func decodeNode(n *yaml.Node, v reflect.Value, key string) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	t := v.Type()
	switch {
	case isScalarType(t):
		if n.Kind != yaml.ScalarNode {
			return wrongType(n, t, key)
		}
		if n.Tag == "!!null" {
			return nil // "key:" with no value leaves the default, as yaml does
		}
		if isInteger(t) && n.Tag != "!!int" {
			return wrongType(n, t, key) // yaml would truncate 1.5 to 1
		}
		if err := n.Decode(v.Addr().Interface()); err != nil {
			return wrongType(n, t, key)
		}
		return nil
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return nil
			}
			return wrongType(n, t, key)
		}
		return decodeMapping(n, v, key)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				v.SetZero()
				return nil
			}
			return wrongType(n, t, key)
		}
		if len(n.Content) == 0 {
			v.SetZero() // [] is no list, as an absent key
			return nil
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := decodeNode(item, s.Index(i), fmt.Sprintf("%s[%d]", key, i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
	// Only a new field of a type not handled above gets here.
	return fmt.Errorf("key %q: cannot read a %s from a config file", key, t)
}

// decodeMapping decodes the mapping n into the struct v, field by field,
// refusing keys v has no field for and keys given twice.
func decodeMapping(n *yaml.Node, v reflect.Value, key string) error {
	fields := yamlFields(v.Type())
	seen := map[string]int{} // key -> line
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		name := k.Value
		path := joinKey(key, name)
		idx, ok := fields[name]
		if !ok || k.Kind != yaml.ScalarNode {
			return fmt.Errorf("unknown key %q (line %d); %s", path, k.Line, knownKeys(v.Type(), key))
		}
		if line, dup := seen[name]; dup {
			return fmt.Errorf("key %q given twice (lines %d and %d)", path, line, k.Line)
		}
		seen[name] = k.Line
		if err := decodeNode(val, v.FieldByIndex(idx), path); err != nil {
			return err
		}
	}
	return nil
}

// yamlFields maps a struct's yaml keys to its fields.
func yamlFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		out[name] = f.Index
	}
	return out
}

// configKeys returns every key the config file takes, nested ones as
// "streams[].name", in field order.
func configKeys() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			path := joinKey(prefix, name)
			out = append(out, path)
			ft := f.Type
			if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && !isScalarType(ft.Elem()) {
				walk(ft.Elem(), path+"[]")
			} else if ft.Kind() == reflect.Struct && !isScalarType(ft) {
				walk(ft, path)
			}
		}
	}
	walk(reflect.TypeFor[serveConfig](), "")
	return out
}

// knownKeys lists the keys a mapping of type t takes, for an error.
func knownKeys(t reflect.Type, key string) string {
	names := keyNames(t)
	if key == "" {
		return "known keys: " + strings.Join(names, ", ")
	}
	return fmt.Sprintf("a %s takes %s", nounFor(t), strings.Join(names, ", "))
}

// keyNames lists the yaml keys of struct type t in field order.
func keyNames(t reflect.Type) []string {
	fields := yamlFields(t)
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return fields[a][0] - fields[b][0] })
	return names
}

func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// isScalarType reports whether values of t are written as one YAML scalar.
func isScalarType(t reflect.Type) bool {
	if t == durationType || t == engineDurationType || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// isInteger reports whether t is an integer type written as a number (a
// duration is an integer written as a string).
func isInteger(t reflect.Type) bool {
	if t == durationType || t == engineDurationType {
		return false
	}
	k := t.Kind()
	return (k >= reflect.Int && k <= reflect.Int64) || (k >= reflect.Uint && k <= reflect.Uint64)
}

// wrongType is the error for a value of key that is not what type t takes.
func wrongType(n *yaml.Node, t reflect.Type, key string) error {
	if key == "" {
		return fmt.Errorf("want %s, got %s (line %d)", want(t, key), got(n), n.Line)
	}
	return fmt.Errorf("key %q: want %s, got %s (line %d)", key, want(t, key), got(n), n.Line)
}

// want describes in words what a value of type t at key must be.
func want(t reflect.Type, key string) string {
	if key == "" {
		return "a mapping of keys to values (key: value, one a line)"
	}
	choices := configChoices[indexless(key)]
	with := func(s string) string {
		if choices != "" {
			return s + " (" + choices + ")"
		}
		return s
	}
	switch {
	case t == durationType || t == engineDurationType:
		return "a duration such as 250ms, 30s or 5m"
	case t.Kind() == reflect.String:
		return with("a string")
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return "a whole number"
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64:
		return "a whole number, 0 or more"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return "a list of strings"
	case t.Kind() == reflect.Slice:
		return fmt.Sprintf("a list of %ss, each a mapping (- %s: ...)", nounFor(t.Elem()), keyNames(t.Elem())[0])
	case t.Kind() == reflect.Struct:
		return fmt.Sprintf("a %s, a mapping with keys %s", nounFor(t), strings.Join(keyNames(t), ", "))
	}
	return "a " + t.String()
}

func nounFor(t reflect.Type) string {
	if n, ok := configNouns[t]; ok {
		return n
	}
	return "mapping"
}

// indexless turns "streams[2].mode" into "streams[].mode".
func indexless(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		b.WriteByte(key[i])
		if key[i] == '[' {
			for i+1 < len(key) && key[i+1] != ']' {
				i++
			}
		}
	}
	return b.String()
}

// got describes a YAML value in words.
func got(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping (key: value)"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing"
		case "!!bool":
			return n.Value
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!timestamp":
			return "the timestamp " + n.Value
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}
