package attr

// MaxItemSize is DynamoDB's item size limit, 400 KB: an item of exactly this
// many bytes (as ItemSize counts them) is stored and one byte more is
// refused (nubo-db/dynamodb-conformance src/item-size.ts, captured against
// DynamoDB: "the comparison DynamoDB makes is size > 409600").
const MaxItemSize = 409600

// ItemSize returns the size DynamoDB counts for an item against
// MaxItemSize and for capacity: the sum over its attributes of the UTF-8
// length of the name and the size of the value (see Size). The rule is the
// developer guide's "DynamoDB item sizes and formats"
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html),
// with numbers sized exactly as DynamoDB stores them (Number.Size).
func ItemSize(it Item) int {
	n := 0
	for k, v := range it {
		n += len(k) + Size(v)
	}
	return n
}

// Size returns the size of one value, without its attribute name:
//
//   - S: its UTF-8 bytes; B: its raw bytes (not base64);
//   - N: Number.Size (1 byte of exponent, 1 per pair of significant digits
//     aligned on the decimal point, 1 more if negative);
//   - BOOL and NULL: 1 byte;
//   - SS, NS, BS: the sum of their members' sizes;
//   - L: 3 bytes, plus for each element 1 byte and its size;
//   - M: 3 bytes, plus for each entry 1 byte, the UTF-8 length of its name
//     and its size.
//
// The per-element byte of lists and maps is in the developer guide ("Each
// List or Map element requires an additional 1 byte") and was measured by
// ExtendDB against DynamoDB (tests/test_list_map_item_size.py). A number
// that does not parse counts its string length.
func Size(v Value) int {
	switch {
	case v.S != nil:
		return len(*v.S)
	case v.N != nil:
		return numberSize(*v.N)
	case v.B != nil:
		return len(v.B)
	case v.BOOL != nil, v.NULL != nil:
		return 1
	case v.SS != nil:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case v.NS != nil:
		n := 0
		for _, s := range v.NS {
			n += numberSize(s)
		}
		return n
	case v.BS != nil:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	case v.L != nil:
		n := 3
		for _, e := range v.L {
			n += 1 + Size(e)
		}
		return n
	case v.M != nil:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + Size(e)
		}
		return n
	}
	return 0
}

func numberSize(s string) int {
	n, err := ParseNumber(s)
	if err != nil {
		return len(s)
	}
	return n.Size()
}
