package awscbor

import (
	"reflect"
	"slices"
	"strings"
	"sync"
)

// field is one encodable struct field, possibly promoted from an embedded
// struct, named as encoding/json would name it.
type field struct {
	name      string
	index     []int // path for FieldByIndex through embedded structs
	typ       reflect.Type
	tagged    bool // name came from a json tag
	omitEmpty bool
	omitZero  bool
}

type structFields struct {
	list   []field        // in declaration order
	byName map[string]int // exact name -> index in list
}

var fieldCache sync.Map // reflect.Type -> *structFields

func cachedFields(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f, _ := fieldCache.LoadOrStore(t, typeFields(t))
	return f.(*structFields)
}

// lookup finds the field for a map key: an exact match first, then a
// case-insensitive one, as encoding/json does.
func (s *structFields) lookup(key string) *field {
	if i, ok := s.byName[key]; ok {
		return &s.list[i]
	}
	for i := range s.list {
		if strings.EqualFold(s.list[i].name, key) {
			return &s.list[i]
		}
	}
	return nil
}

// typeFields applies encoding/json's visibility rules: exported fields, "-"
// skipped, fields of untagged embedded structs promoted, and on a name clash
// the shallowest field wins, a tagged one breaking a tie, otherwise all
// clashing fields are dropped.
func typeFields(t reflect.Type) *structFields {
	var all []field
	var walk func(t reflect.Type, index []int, visiting map[reflect.Type]bool)
	walk = func(t reflect.Type, index []int, visiting map[reflect.Type]bool) {
		if visiting[t] {
			return
		}
		visiting[t] = true
		defer delete(visiting, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(slices.Clip(index), i)
			if sf.Anonymous {
				ft := sf.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && ft.Kind() == reflect.Struct {
					// An unexported embedded pointer cannot be allocated
					// on decode; encoding/json skips it too.
					if !sf.IsExported() && sf.Type.Kind() == reflect.Pointer {
						continue
					}
					walk(ft, idx, visiting)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			f := field{name: name, index: idx, typ: sf.Type, tagged: name != ""}
			if name == "" {
				f.name = sf.Name
			}
			for o := range strings.SplitSeq(opts, ",") {
				switch o {
				case "omitempty":
					f.omitEmpty = true
				case "omitzero":
					f.omitZero = true
				}
			}
			all = append(all, f)
		}
	}
	walk(t, nil, map[reflect.Type]bool{})

	// Resolve name clashes.
	slices.SortStableFunc(all, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return 0
	})
	var kept []field
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		group := all[i:j]
		dominant := len(group) == 1 ||
			len(group[0].index) < len(group[1].index) ||
			group[0].tagged && !group[1].tagged
		if dominant {
			kept = append(kept, group[0])
		}
		i = j
	}
	slices.SortFunc(kept, func(a, b field) int { return slices.Compare(a.index, b.index) })

	s := &structFields{list: kept, byName: make(map[string]int, len(kept))}
	for i, f := range kept {
		s.byName[f.name] = i
	}
	return s
}

// encodable returns the field's value in struct v and whether Marshal
// writes it: not behind a nil embedded pointer and not omitted.
func (f *field) encodable(v reflect.Value) (reflect.Value, bool) {
	for n, i := range f.index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	if f.omitEmpty && isEmpty(v) {
		return v, false
	}
	if f.omitZero && isZero(v) {
		return v, false
	}
	return v, true
}

// settable returns the field's value in addressable struct v, allocating
// nil embedded pointers on the way.
func (f *field) settable(v reflect.Value) reflect.Value {
	for n, i := range f.index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

type isZeroer interface{ IsZero() bool }

var isZeroerType = reflect.TypeFor[isZeroer]()

// isZero is encoding/json's omitzero test: an IsZero method if the type has
// one, else the zero value.
func isZero(v reflect.Value) bool {
	if v.Type().Implements(isZeroerType) {
		if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
			return true
		}
		return v.Interface().(isZeroer).IsZero()
	}
	return v.IsZero()
}
