package parquet

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// Column is one column of the table a delivery stream converts to: a Glue
// Column's Name and Type (Hive type syntax).
type Column struct {
	Name string
	Type string
}

// SchemaFile is the JSON file Eddy reads in place of a Glue table. Either
// form is accepted:
//
//	{"Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "tags", "Type": "array<string>"}]}
//
// or the output of `aws glue get-table` saved to a file:
//
//	{"Table": {"Name": "...", "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}, ...]}}}
type SchemaFile struct {
	Columns []Column
	Table   *struct {
		StorageDescriptor struct {
			Columns []Column
		}
	}
}

// LoadSchemaFile reads a SchemaFile and returns its columns.
func LoadSchemaFile(path string) ([]Column, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read schema file: %w", err)
	}
	return ParseSchemaFile(b)
}

// ParseSchemaFile parses the contents of a SchemaFile.
func ParseSchemaFile(b []byte) ([]Column, error) {
	var f SchemaFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("schema file: %w", err)
	}
	cols := f.Columns
	if len(cols) == 0 && f.Table != nil {
		cols = f.Table.StorageDescriptor.Columns
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("schema file: no columns (want {\"Columns\": [...]} or a Glue get-table answer)")
	}
	return cols, nil
}

// kind is a Hive type.
type kind int

const (
	kString kind = iota
	kTinyint
	kSmallint
	kInt
	kBigint
	kFloat
	kDouble
	kBoolean
	kTimestamp
	kDate
	kDecimal
	kBinary
	kArray
	kMap
	kStruct
)

// htype is a parsed Hive type.
type htype struct {
	kind             kind
	precision, scale int            // decimal
	elem             *htype         // array
	key, value       *htype         // map
	fields           []hfield       // struct
	leaf             int            // column index of a primitive type
	index            map[string]int // struct: normalized JSON key -> field
	name             string         // the type as written, for messages
}

type hfield struct {
	name string
	typ  *htype
}

// parseType parses a Hive type: string, char(n), varchar(n), tinyint,
// smallint, int (integer), bigint, float, double, boolean, timestamp,
// date, decimal(p,s), binary, array<T>, map<K,V>, struct<name:T,...>.
func parseType(s string) (*htype, error) {
	p := &typeParser{s: s}
	t, err := p.parse()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("type %q: unexpected %q at position %d", s, p.s[p.i:], p.i)
	}
	return t, nil
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *typeParser) word() string {
	p.space()
	j := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			p.i++
			continue
		}
		break
	}
	return p.s[j:p.i]
}

func (p *typeParser) expect(c byte) error {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return fmt.Errorf("type %q: expected %q at position %d", p.s, c, p.i)
	}
	p.i++
	return nil
}

func (p *typeParser) peek(c byte) bool {
	p.space()
	return p.i < len(p.s) && p.s[p.i] == c
}

func (p *typeParser) number() (int, error) {
	w := p.word()
	n, err := strconv.Atoi(w)
	if err != nil {
		return 0, fmt.Errorf("type %q: %q is not a number", p.s, w)
	}
	return n, nil
}

func (p *typeParser) parse() (*htype, error) {
	start := p.i
	w := strings.ToLower(p.word())
	t := &htype{}
	switch w {
	case "string":
		t.kind = kString
	case "char", "varchar":
		t.kind = kString
		if err := p.expect('('); err != nil {
			return nil, err
		}
		if _, err := p.number(); err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
	case "tinyint":
		t.kind = kTinyint
	case "smallint":
		t.kind = kSmallint
	case "int", "integer":
		t.kind = kInt
	case "bigint":
		t.kind = kBigint
	case "float":
		t.kind = kFloat
	case "double":
		t.kind = kDouble
	case "boolean":
		t.kind = kBoolean
	case "timestamp":
		t.kind = kTimestamp
	case "date":
		t.kind = kDate
	case "binary":
		t.kind = kBinary
	case "decimal":
		t.kind = kDecimal
		t.precision, t.scale = 10, 0 // Hive's default for a bare decimal
		if p.peek('(') {
			p.i++
			var err error
			if t.precision, err = p.number(); err != nil {
				return nil, err
			}
			t.scale = 0
			if p.peek(',') {
				p.i++
				if t.scale, err = p.number(); err != nil {
					return nil, err
				}
			}
			if err := p.expect(')'); err != nil {
				return nil, err
			}
		}
		if t.precision < 1 || t.precision > 38 || t.scale < 0 || t.scale > t.precision {
			return nil, fmt.Errorf("type %q: decimal(%d,%d) needs 1 <= precision <= 38 and 0 <= scale <= precision", p.s, t.precision, t.scale)
		}
	case "array":
		t.kind = kArray
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		var err error
		if t.elem, err = p.parse(); err != nil {
			return nil, err
		}
		if err := p.expect('>'); err != nil {
			return nil, err
		}
	case "map":
		t.kind = kMap
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		var err error
		if t.key, err = p.parse(); err != nil {
			return nil, err
		}
		if t.key.kind >= kArray {
			return nil, fmt.Errorf("type %q: a map key must be a primitive type", p.s)
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		if t.value, err = p.parse(); err != nil {
			return nil, err
		}
		if err := p.expect('>'); err != nil {
			return nil, err
		}
	case "struct":
		t.kind = kStruct
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for {
			name := p.word()
			if name == "" {
				return nil, fmt.Errorf("type %q: expected a field name at position %d", p.s, p.i)
			}
			if err := p.expect(':'); err != nil {
				return nil, err
			}
			ft, err := p.parse()
			if err != nil {
				return nil, err
			}
			lname := strings.ToLower(name)
			if seen[lname] {
				return nil, fmt.Errorf("type %q: field %q appears twice", p.s, name)
			}
			seen[lname] = true
			t.fields = append(t.fields, hfield{name: name, typ: ft})
			if p.peek(',') {
				p.i++
				continue
			}
			break
		}
		if err := p.expect('>'); err != nil {
			return nil, err
		}
	case "":
		return nil, fmt.Errorf("type %q: expected a type at position %d", p.s, p.i)
	default:
		return nil, fmt.Errorf("type %q: %q is not a supported Hive type (string, char, varchar, tinyint, smallint, int, bigint, float, double, boolean, timestamp, date, decimal, binary, array, map, struct)", p.s, w)
	}
	t.name = strings.TrimSpace(p.s[start:p.i])
	return t, nil
}

// decimalBytes is the FIXED_LEN_BYTE_ARRAY length Hive's Parquet writer
// uses for a decimal of the precision: the fewest bytes whose signed range
// holds 10^precision - 1.
func decimalBytes(precision int) int {
	for n := 1; ; n++ {
		// largest value of n bytes signed: 2^(8n-1) - 1; compare digits
		if float64(8*n-1)*0.30102999566398120 >= float64(precision) {
			return n
		}
	}
}

// node returns the Parquet node of t as Hive's Parquet SerDe lays it out:
// every column and struct field optional, LIST and MAP in their 3-level
// forms, timestamps INT96, decimals FIXED_LEN_BYTE_ARRAY. It numbers the
// leaves in column order from *next.
func (t *htype) node(next *int, dict bool) pq.Node {
	switch t.kind {
	case kArray:
		return pq.Optional(pq.List(t.elem.node(next, dict)))
	case kMap:
		k := t.key.primitive(next, dict) // pq.Map makes the key required
		return pq.Optional(pq.Map(k, t.value.node(next, dict)))
	case kStruct:
		g := &orderedGroup{}
		for _, f := range t.fields {
			g.fields = append(g.fields, &orderedField{Node: f.typ.node(next, dict), name: f.name})
		}
		return pq.Optional(g)
	}
	return pq.Optional(t.primitive(next, dict))
}

// primitive returns the leaf node of a primitive type and gives it the
// next column index.
func (t *htype) primitive(next *int, dict bool) pq.Node {
	var n pq.Node
	switch t.kind {
	case kString:
		n = pq.String()
	case kBinary:
		n = pq.Leaf(pq.ByteArrayType)
	case kTinyint:
		n = pq.Int(8)
	case kSmallint:
		n = pq.Int(16)
	case kInt:
		n = pq.Leaf(pq.Int32Type)
	case kBigint:
		n = pq.Leaf(pq.Int64Type)
	case kFloat:
		n = pq.Leaf(pq.FloatType)
	case kDouble:
		n = pq.Leaf(pq.DoubleType)
	case kBoolean:
		n = pq.Leaf(pq.BooleanType)
	case kTimestamp:
		n = pq.Leaf(pq.Int96Type)
	case kDate:
		n = pq.Date()
	case kDecimal:
		n = pq.Decimal(t.scale, t.precision, pq.FixedLenByteArrayType(decimalBytes(t.precision)))
	default:
		panic(fmt.Sprintf("parquet: %s is not primitive", t.name))
	}
	t.leaf = *next
	*next++
	if dict && t.kind != kBoolean {
		n = pq.Encoded(n, &pq.RLEDictionary)
	}
	return n
}

// orderedGroup is a Parquet group whose fields keep the table's column
// order (pq.Group sorts them by name).
type orderedGroup struct {
	fields []pq.Field
}

func (g *orderedGroup) ID() int                     { return 0 }
func (g *orderedGroup) String() string              { return pq.Group{}.String() }
func (g *orderedGroup) Type() pq.Type               { return pq.Group{}.Type() }
func (g *orderedGroup) Optional() bool              { return false }
func (g *orderedGroup) Repeated() bool              { return false }
func (g *orderedGroup) Required() bool              { return true }
func (g *orderedGroup) Leaf() bool                  { return false }
func (g *orderedGroup) Fields() []pq.Field          { return g.fields }
func (g *orderedGroup) Encoding() encoding.Encoding { return nil }
func (g *orderedGroup) Compression() compress.Codec { return nil }
func (g *orderedGroup) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }

type orderedField struct {
	pq.Node
	name string
}

func (f *orderedField) Name() string { return f.name }
func (f *orderedField) Value(base reflect.Value) reflect.Value {
	return base.MapIndex(reflect.ValueOf(f.name))
}

// schema is a parsed table.
type schema struct {
	root    *htype // a struct of the columns
	pq      *pq.Schema
	columns int // leaf columns
}

func newSchema(cols []Column, dict bool) (*schema, error) {
	if len(cols) == 0 {
		return nil, fmt.Errorf("the schema has no columns")
	}
	root := &htype{kind: kStruct}
	seen := map[string]bool{}
	for _, c := range cols {
		if c.Name == "" {
			return nil, fmt.Errorf("a column has no name")
		}
		t, err := parseType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %q: %v", c.Name, err)
		}
		if seen[strings.ToLower(c.Name)] {
			return nil, fmt.Errorf("column %q appears twice", c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		root.fields = append(root.fields, hfield{name: c.Name, typ: t})
	}
	next := 0
	g := &orderedGroup{}
	for _, f := range root.fields {
		g.fields = append(g.fields, &orderedField{Node: f.typ.node(&next, dict), name: f.name})
	}
	return &schema{root: root, pq: pq.NewSchema("hive_schema", g), columns: next}, nil
}
