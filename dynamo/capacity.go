package dynamo

import (
	"math"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// Capacity units as DynamoDB computes them (developer guide, "DynamoDB
// read and write capacity modes" / CapacityUnitCalculations): a read of
// an item costs one unit per 4 KB of its size, rounded up, halved for an
// eventually consistent read and doubled in a transaction; a write one
// unit per 1 KB of the larger of the old and new item, doubled in a
// transaction; a read that finds nothing costs as a read of an empty item
// (one unit, half when eventually consistent). A Query or Scan pays for the
// total size of the items it read, rounded up to 4 KB once. A write to a
// table with global secondary indexes also pays, per index whose entry it
// changes, for the entry it writes (and one more write when an entry moves
// to another key: the delete of the old). The responses' shape follows
// dynalite: CapacityUnits and TableName, with Table (and the indexes) for
// INDEXES.

// readUnits returns the units of reading size bytes.
func readUnits(size int, consistent bool) float64 {
	u := math.Ceil(float64(size) / 4096)
	if u == 0 {
		u = 1
	}
	if !consistent {
		u /= 2
	}
	return u
}

// writeUnits returns the units of writing an item of size bytes.
func writeUnits(size int) float64 {
	u := math.Ceil(float64(size) / 1024)
	if u == 0 {
		u = 1
	}
	return u
}

// capacity accumulates one request's consumption on one table.
type capacity struct {
	table   float64
	indexes map[string]float64 // GSIs
	locals  map[string]float64 // LSIs
}

func (c *capacity) addIndex(ix *index, u float64) {
	m := &c.indexes
	if !ix.global {
		m = &c.locals
	}
	if *m == nil {
		*m = map[string]float64{}
	}
	(*m)[ix.doc.Name] += u
}

// addWrite adds a write that replaced old by item (either may be nil).
func (c *capacity) addWrite(t *table, old, item attr.Item) {
	size := 0
	if old != nil {
		size = attr.ItemSize(old)
	}
	if item != nil {
		size = max(size, attr.ItemSize(item))
	}
	c.table += writeUnits(size)
	for _, ix := range t.indexes {
		oldKey, newKey := t.indexKey(ix, old), t.indexKey(ix, item)
		u := 0.0
		if newKey != "" {
			u += writeUnits(attr.ItemSize(ix.projectItem(item)))
		}
		if oldKey != "" && oldKey != newKey {
			u += writeUnits(attr.ItemSize(ix.projectItem(old)))
		}
		if u > 0 {
			c.addIndex(ix, u)
		}
	}
}

// scale multiplies the consumption (2 for transactions).
func (c *capacity) scale(f float64) {
	c.table *= f
	for k := range c.indexes {
		c.indexes[k] *= f
	}
	for k := range c.locals {
		c.locals[k] *= f
	}
}

// report returns the ConsumedCapacity to send for mode (nil for NONE or
// absent).
func (c *capacity) report(name string, mode *ddb.ReturnConsumedCapacity) *ddb.ConsumedCapacity {
	if mode == nil || (*mode != ddb.ConsumedTotal && *mode != ddb.ConsumedIndexes) {
		return nil
	}
	total := c.table
	for _, u := range c.indexes {
		total += u
	}
	for _, u := range c.locals {
		total += u
	}
	cc := &ddb.ConsumedCapacity{TableName: ptr(name), CapacityUnits: ptr(total)}
	if *mode == ddb.ConsumedIndexes {
		cc.Table = &ddb.Capacity{CapacityUnits: ptr(c.table)}
		if len(c.indexes) > 0 {
			cc.GlobalSecondaryIndexes = map[string]ddb.Capacity{}
			for k, u := range c.indexes {
				cc.GlobalSecondaryIndexes[k] = ddb.Capacity{CapacityUnits: ptr(u)}
			}
		}
		if len(c.locals) > 0 {
			cc.LocalSecondaryIndexes = map[string]ddb.Capacity{}
			for k, u := range c.locals {
				cc.LocalSecondaryIndexes[k] = ddb.Capacity{CapacityUnits: ptr(u)}
			}
		}
	}
	return cc
}

func wantCapacity(mode *ddb.ReturnConsumedCapacity) bool {
	return mode != nil && (*mode == ddb.ConsumedTotal || *mode == ddb.ConsumedIndexes)
}
