package dynamo

import (
	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/dynamo/expr"
)

// The checks of keys and items against a table's schema, in dynalite's
// order and with its messages (db/index.js validateKey, validateItem,
// validateUpdates, validateKeyPiece, validateKeyPaths, checkKeySize).

// Key size limits (developer guide, "Service, account, and table quotas":
// a partition key value at most 2048 bytes, a sort key value at most 1024).
const (
	maxHashKeySize  = 2048
	maxRangeKeySize = 1024
)

// keyAttrs lists a schema's key attributes with their types, hash first.
func keyAttrs(ks expr.KeySchema) []struct {
	name string
	kind attr.Kind
	hash bool
} {
	out := []struct {
		name string
		kind attr.Kind
		hash bool
	}{{ks.HashName, ks.HashType, true}}
	if ks.RangeName != "" {
		out = append(out, struct {
			name string
			kind attr.Kind
			hash bool
		}{ks.RangeName, ks.RangeType, false})
	}
	return out
}

// validateKey checks a Key against the table's key schema: exactly its
// key attributes, of their types, not empty, not too large.
func (t *table) validateKey(key attr.Item) error {
	return validateKeyFor(key, t.keys)
}

func validateKeyFor(key attr.Item, ks expr.KeySchema) error {
	n := 1
	if ks.RangeName != "" {
		n = 2
	}
	if len(key) != n {
		return validation(msgKeyMismatch)
	}
	for _, k := range keyAttrs(ks) {
		if err := validateKeyPiece(key, k.name, k.kind, k.hash); err != nil {
			return err
		}
	}
	return nil
}

func validateKeyPiece(key attr.Item, name string, kind attr.Kind, hash bool) error {
	v, ok := key[name]
	if !ok || !hasKind(v, kind) {
		return validation(msgKeyMismatch)
	}
	if emptyKey(v) {
		return validation(msgInvalidParams + "The AttributeValue for a key attribute cannot contain an empty " + emptyWhat(kind) + " value. Key: " + name)
	}
	return checkKeySize(v, hash)
}

func emptyKey(v attr.Value) bool {
	return (v.S != nil && *v.S == "") || (v.B != nil && len(v.B) == 0)
}

func emptyWhat(k attr.Kind) string {
	if k == attr.KindS {
		return "string"
	}
	return "binary"
}

func checkKeySize(v attr.Value, hash bool) error {
	n := 0
	switch {
	case v.S != nil:
		n = len(*v.S)
	case v.B != nil:
		n = len(v.B)
	default:
		return nil // numbers are always fine
	}
	if hash && n > maxHashKeySize {
		// "of2048" (no space) is how DynamoDB words it (dynalite).
		return validation(msgInvalidParams + "Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if !hash && n > maxRangeKeySize {
		return validation(msgInvalidParams + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return nil
}

// validateItem checks an item to put: its key attributes present, of
// their types, not empty, not too large; its index key attributes, when
// present, of their types.
func (t *table) validateItem(item attr.Item) error {
	for _, k := range keyAttrs(t.keys) {
		v, ok := item[k.name]
		if !ok {
			return validation(msgInvalidParams + "Missing the key " + k.name + " in the item")
		}
		if !hasKind(v, k.kind) {
			actual, _ := v.Kind()
			return validation(msgInvalidParams + "Type mismatch for key " + k.name + " expected: " + string(k.kind) + " actual: " + string(actual))
		}
		if emptyKey(v) {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty " +
				emptyWhat(k.kind) + " value. Key: " + k.name)
		}
		if err := checkKeySize(v, k.hash); err != nil {
			return err
		}
	}
	return t.validateIndexKeys(item)
}

// validateIndexKeys checks the index key attributes present in item.
func (t *table) validateIndexKeys(item attr.Item) error {
	for _, ix := range t.indexes {
		for _, k := range keyAttrs(ix.keys) {
			if !ix.global && k.hash {
				continue // an LSI's hash key is the table's
			}
			v, ok := item[k.name]
			if ok && !hasKind(v, k.kind) {
				actual, _ := v.Kind()
				return validation(msgInvalidParams + "Type mismatch for Index Key " + k.name + " Expected: " + string(k.kind) +
					" Actual: " + string(actual) + " IndexName: " + ix.doc.Name)
			}
			if ok && emptyKey(v) {
				// No recording of this case; DynamoDB refuses an empty
				// string or binary as an index key value (developer
				// guide, "Working with items": "empty ... values for
				// ... index key attributes are not allowed") with the
				// wording of the table key's message.
				return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. " +
					"The AttributeValue for a key attribute cannot contain an empty " + emptyWhat(k.kind) + " value. IndexName: " +
					ix.doc.Name + ", IndexKey: " + k.name)
			}
		}
	}
	return nil
}

// validateUpdate checks an update against the keys: it may not touch a
// key attribute, may not write an index key attribute with another type
// (when the type is known before it runs), and no document path may go
// into a key or index key attribute.
func (t *table) validateUpdate(u *expr.Update) error {
	actions := u.Actions()
	for _, k := range keyAttrs(t.keys) {
		for _, a := range actions {
			if a.Path[0].Name == k.name {
				return validation(msgInvalidParams + "Cannot update attribute " + k.name + ". This attribute is part of the key")
			}
		}
	}
	for _, ix := range t.indexes {
		for _, k := range keyAttrs(ix.keys) {
			for _, a := range actions {
				if len(a.Path) == 1 && a.Path[0].Name == k.name && a.ValueType != "" && a.ValueType != k.kind {
					return validation(msgInvalidParams + "Type mismatch for Index Key " + k.name + " Expected: " + string(k.kind) +
						" Actual: " + string(a.ValueType) + " IndexName: " + ix.doc.Name)
				}
			}
		}
	}
	return t.validateKeyPaths(u.Paths())
}

// validateKeyPaths refuses a nested path into a key or index key
// attribute: "Key attributes must be scalars; list random access '[]' and
// map lookup '.' are not allowed: Key: id" (IndexKey: for an index's).
func (t *table) validateKeyPaths(paths []expr.Path) error {
	nested := func(name string) bool {
		for _, p := range paths {
			if len(p) > 1 && p[0].Name == name {
				return true
			}
		}
		return false
	}
	for _, k := range keyAttrs(t.keys) {
		if nested(k.name) {
			return validation("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: " + k.name)
		}
	}
	for _, ix := range t.indexes {
		for _, k := range keyAttrs(ix.keys) {
			if nested(k.name) {
				return validation("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: " + k.name)
			}
		}
	}
	return nil
}

// checkNewIndexKeys checks an updated item's index key attributes: an
// update whose result gives one another type fails (dynalite
// actions/updateItem.js).
func (t *table) checkNewIndexKeys(item attr.Item) error {
	for _, ix := range t.indexes {
		for _, k := range keyAttrs(ix.keys) {
			if v, ok := item[k.name]; ok && !hasKind(v, k.kind) {
				return validation(msgIndexKeyUnsupported)
			}
		}
	}
	return nil
}
