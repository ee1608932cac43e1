package engine

import (
	"github.com/eddy-streams/eddy/analytics/sql"
)

// QueryStream is the stream a program of CompileQuery writes its query's
// rows to.
const QueryStream = "QUERY"

// CompileQuery compiles one SELECT STREAM query over the input streams and
// reference tables, as `eddy sql` runs it: its rows go to QueryStream,
// whose columns are the query's (an item without a name or alias gets the
// name the engine gives it).
func CompileQuery(query string, inputs []InputSchema, refs []RefTable) (*Program, error) {
	q, err := sql.ParseQuery(query)
	if err != nil {
		return nil, err
	}
	c, err := newProgram(inputs, refs, QueryStream)
	if err != nil {
		return nil, err
	}
	p := c.p
	plan, err := c.query(q, true)
	if err != nil {
		return nil, err
	}
	target := p.add(QueryStream, append([]Column(nil), plan.outCols...), false)
	pd := &pumpDef{name: "QUERY_PUMP", pos: q.Pos, src: plan.base(), plan: plan, target: target}
	for i := range plan.outCols {
		pd.mapping = append(pd.mapping, i)
	}
	pd.src.readers = append(pd.src.readers, pd)
	p.pumps = append(p.pumps, pd)
	if err := p.order(); err != nil {
		return nil, err
	}
	return p, nil
}
