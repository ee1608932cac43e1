package dynamo

import (
	"context"
	"errors"
	"github.com/eddy-streams/eddy"
	"math/big"
	"time"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage"
)

// Time to live: UpdateTimeToLive, DescribeTimeToLive and the sweeper.
//
// The rule is DynamoDB's (API reference, UpdateTimeToLive): "TTL compares
// the current time in epoch time format to the time stored in the TTL
// attribute of an item. If the epoch time value stored in the attribute
// is less than the current time, the item is marked as expired and
// subsequently deleted", where the attribute is a top-level Number of
// seconds since 1970-01-01 UTC, no more than five years in the past (see
// expired); an item whose attribute is absent, not a Number, or older
// never expires. DynamoDB deletes expired items "within two days"; Eddy's
// sweeper does every Config.TTLInterval (1 s by default), through the
// same write path as DeleteItem, so indexes and counts follow. Expired
// items not yet swept are still read, as on DynamoDB.
//
// DynamoDB answers a second UpdateTimeToLive within an hour with a
// ValidationException ("Time to live has been modified multiple times
// within a fixed interval"); Eddy does not refuse it.

// Messages of UpdateTimeToLive (ack-api-quirks dynamodb message
// catalogue, DDB-TABLE-442, recorded from DynamoDB).
const (
	msgTTLAlreadyEnabled  = "TimeToLive is already enabled"
	msgTTLAlreadyDisabled = "TimeToLive is already disabled"
	msgTTLOtherAttribute  = "TimeToLive is active on a different AttributeName: current AttributeName is "
)

// UpdateTimeToLive enables or disables TTL on a table.
func (e *Engine) UpdateTimeToLive(ctx context.Context, in *ddb.UpdateTimeToLiveInput) (*ddb.UpdateTimeToLiveOutput, error) {
	spec := in.TimeToLiveSpecification
	enable, name := *spec.Enabled, *spec.AttributeName
	err := e.changeTable(*in.TableName, func(doc *tableDoc) error {
		switch {
		case enable && doc.TTLAttribute == name:
			return validation(msgTTLAlreadyEnabled)
		case enable && doc.TTLAttribute != "":
			return validation(msgTTLOtherAttribute + doc.TTLAttribute)
		case !enable && doc.TTLAttribute == "":
			return validation(msgTTLAlreadyDisabled)
		case !enable && doc.TTLAttribute != name:
			return validation(msgTTLOtherAttribute + doc.TTLAttribute)
		}
		if enable {
			doc.TTLAttribute = name
		} else {
			doc.TTLAttribute = ""
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ddb.UpdateTimeToLiveOutput{TimeToLiveSpecification: &ddb.TimeToLiveSpecification{Enabled: &enable, AttributeName: &name}}, nil
}

// DescribeTimeToLive tells whether TTL is enabled on a table, and on
// which attribute.
func (e *Engine) DescribeTimeToLive(ctx context.Context, in *ddb.DescribeTimeToLiveInput) (*ddb.DescribeTimeToLiveOutput, error) {
	t, err := e.fresh(*in.TableName)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errTableNotFound(*in.TableName)
	}
	d := &ddb.TimeToLiveDescription{TimeToLiveStatus: ptr(ddb.TTLDisabled)}
	if t.doc.TTLAttribute != "" {
		d.TimeToLiveStatus = ptr(ddb.TTLEnabled)
		d.AttributeName = ptr(t.doc.TTLAttribute)
	}
	return &ddb.DescribeTimeToLiveOutput{TimeToLiveDescription: d}, nil
}

// changeTable applies fn to the definition of the table named name and
// stores it. fn must not change the indexes.
func (e *Engine) changeTable(name string, fn func(doc *tableDoc) error) error {
	for attempt := 0; ; attempt++ {
		err := e.changeTableOnce(name, fn)
		if !errors.Is(err, errStale) || attempt == 10 {
			return err
		}
	}
}

// changeTableOnce is changeTable made from the table's definition as read
// (errStale: it changed through another node meanwhile).
func (e *Engine) changeTableOnce(name string, fn func(doc *tableDoc) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.fresh(name)
	if err != nil {
		return err
	}
	if t == nil {
		return errTableNotFound(name)
	}
	doc := t.doc
	doc.Tags = append([]tag(nil), doc.Tags...)
	if err := fn(&doc); err != nil {
		return err
	}
	nt := newTable(doc, e.cfg.Region, e.cfg.AccountID)
	b, err := nt.marshal()
	if err != nil {
		return err
	}
	nt.stored = b
	err = e.meta.Update(func(tx storage.MetaTx) error {
		if err := checkStored(tx, t); err != nil {
			return err
		}
		return tx.Put(bucketTables, name, b)
	})
	if errors.Is(err, errTableGone) {
		e.publishLocked(name, nil)
		return errTableNotFound(name)
	}
	if err != nil {
		return err
	}
	e.publishLocked(name, nt)
	return nil
}

// expired reports whether item's TTL attribute is a number of seconds
// before now, and not more than five years before (developer guide,
// "Using DynamoDB Time to Live": "The TTL attribute value must be a
// datetimestamp with an expiration of no more than five years in the
// past ... the TTL processes will not expire that item").
func expired(item attr.Item, name string, now time.Time) bool {
	v, ok := item[name]
	if !ok || v.N == nil {
		return false
	}
	n, err := attr.ParseNumber(*v.N)
	if err != nil {
		return false
	}
	f, ok := new(big.Float).SetString(n.String())
	if !ok {
		return false
	}
	nowF := new(big.Float).SetFloat64(float64(now.UnixNano()) / 1e9)
	oldest := new(big.Float).SetInt64(now.AddDate(-5, 0, 0).Unix())
	return f.Cmp(nowF) < 0 && f.Cmp(oldest) >= 0
}

// scheduleTTL arms the sweeper's next pass.
func (e *Engine) scheduleTTL() {
	e.bg.Lock()
	defer e.bg.Unlock()
	if e.bg.closing {
		return
	}
	e.bg.stopTTL = e.cfg.Clock.AfterFunc(e.cfg.TTLInterval, func() {
		e.bg.Lock()
		if e.bg.closing {
			e.bg.Unlock()
			return
		}
		e.bg.wg.Add(1)
		e.bg.Unlock()
		defer e.bg.wg.Done()
		if e.cfg.Leader != nil && !e.cfg.Leader("dynamodb/"+e.cfg.AccountID+"/"+e.cfg.Region+"/ttl") {
			e.scheduleTTL() // another node sweeps
			return
		}
		if err := e.SweepExpired(); err != nil {
			e.log.Error("ttl sweep", "err", err)
		}
		e.scheduleTTL()
	})
}

// sweepChunk is how many expired items one transaction deletes (and a
// tenth of the items one read transaction looks at); sweepBudget how many
// items a pass reads of one table. Variables for the tests.
var (
	sweepChunk  = 500
	sweepBudget = 50000
)

// SweepExpired deletes the expired items of every table with TTL enabled,
// as the background sweeper does every Config.TTLInterval.
func (e *Engine) SweepExpired() error {
	now := e.cfg.Clock.Now()
	for _, name := range e.tableNames() {
		t := e.lookup(name)
		if t == nil || t.doc.TTLAttribute == "" {
			continue
		}
		if err := e.sweepTable(t, now); err != nil {
			return err
		}
	}
	return e.sweepTokens(now)
}

func (e *Engine) sweepTable(t *table, now time.Time) error {
	// A pass reads at most sweepBudget items of a table, going on from
	// where the last pass stopped: a table of n items is swept every
	// n/sweepBudget passes, and a pass over a large table stays short.
	e.bg.Lock()
	after := e.bg.ttlAfter[t.doc.ID]
	e.bg.Unlock()
	read := 0
	for read < sweepBudget {
		var keys []string
		last := ""
		end := true
		n := 0
		err := e.meta.View(func(tx storage.MetaTx) error {
			n = 0
			return tx.Scan(t.bucket, "", after, func(k string, v []byte) (bool, error) {
				last = k
				n++
				item, err := decodeItem(v)
				if err != nil {
					return false, err
				}
				if expired(item, t.doc.TTLAttribute, now) {
					keys = append(keys, k)
				}
				if n >= 10*sweepChunk || len(keys) >= sweepChunk {
					end = false
					return false, nil
				}
				return true, nil
			})
		})
		if err != nil {
			return err
		}
		read += n
		if len(keys) > 0 {
			err := e.writeItems(t.doc.Name, func(w *writer) error {
				for _, k := range keys {
					old, err := w.get(k)
					if err != nil {
						return err
					}
					// Read again in the transaction: a write since the
					// scan may have renewed it.
					if old == nil || !expired(old, w.t.doc.TTLAttribute, now) {
						continue
					}
					if err := w.write(k, old, nil); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				if eddy.CodeOf(err) == eddy.CodeResourceNotFound {
					return nil // the table went away
				}
				return err
			}
		}
		if end {
			after = ""
			break
		}
		after = last
	}
	e.bg.Lock()
	if e.bg.ttlAfter == nil {
		e.bg.ttlAfter = map[string]string{}
	}
	e.bg.ttlAfter[t.doc.ID] = after
	e.bg.Unlock()
	return nil
}
