package rcf

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Limits of the parameters, from the KDA SQL reference page RANDOM_CUT_FOREST
// (sqlref/sqlrf-random-cut-forest.html, "Parameters"): numberOfTrees "between
// 1 and 1,000 (inclusive)", subSampleSize "between 10 and 1,000 (inclusive)"
// and "must be less than the timeDecay parameter", timeDecay "between 1 and
// the maximum integer (that is, 2147483647)", shingleSize "between 1 and 30
// (inclusive)", and "your input stream can have up to 30 numeric columns".
const (
	MinTrees       = 1
	MaxTrees       = 1000
	MinSampleSize  = 10
	MaxSampleSize  = 1000
	MinTimeDecay   = 1
	MaxTimeDecay   = math.MaxInt32
	MinShingleSize = 1
	MaxShingleSize = 30
	MinDimensions  = 1
	MaxDimensions  = 30
)

// Config holds a forest's parameters. The zero value is not valid; start
// from DefaultConfig.
type Config struct {
	// Trees is numberOfTrees: the number of trees, whose scores are
	// averaged. Default 100; 1 to 1,000.
	Trees int
	// SampleSize is subSampleSize: the number of points each tree keeps.
	// Default 256; 10 to 1,000, and less than TimeDecay. The first
	// SampleSize points score 0.
	SampleSize int
	// TimeDecay is timeDecay, in points (shingles): a tree keeps no point
	// that arrived TimeDecay or more points ago, and keeps a point with a
	// weight that decays as exp(-age/TimeDecay). Default 100,000; 1 to
	// 2,147,483,647.
	TimeDecay int64
	// ShingleSize is shingleSize: a point is the last ShingleSize records,
	// oldest first, so a forest's points have Dimensions*ShingleSize
	// coordinates. Default 1; 1 to 30.
	ShingleSize int
	// Dimensions is the number of numeric columns of a record. Default 1;
	// 1 to 30.
	Dimensions int
	// Seed makes the forest deterministic: two forests with the same Config
	// fed the same records return the same scores. Default 0.
	Seed int64
}

// DefaultConfig returns KDA's defaults (numberOfTrees 100, subSampleSize
// 256, timeDecay 100,000, shingleSize 1) for records of one column.
func DefaultConfig() Config {
	return Config{Trees: 100, SampleSize: 256, TimeDecay: 100000, ShingleSize: 1, Dimensions: 1}
}

// ParameterError is a Config value outside its documented range. Parameter
// is the name the KDA reference gives it (numberOfTrees, subSampleSize,
// timeDecay, shingleSize) or "numericColumns" for Dimensions.
type ParameterError struct {
	Parameter string
	Message   string
}

func (e *ParameterError) Error() string { return e.Message }

func rangeError(name string, v, lo, hi int64) error {
	return &ParameterError{Parameter: name, Message: fmt.Sprintf(
		"%s must be between %d and %d (inclusive), got %d", name, lo, hi, v)}
}

// Validate checks every field against the ranges of the KDA reference, in
// the order of the function's parameters. KDA's own error texts for these
// cases are not documented anywhere we could find; these messages name the
// parameter and the documented range.
func (c Config) Validate() error {
	switch {
	case c.Trees < MinTrees || c.Trees > MaxTrees:
		return rangeError("numberOfTrees", int64(c.Trees), MinTrees, MaxTrees)
	case c.SampleSize < MinSampleSize || c.SampleSize > MaxSampleSize:
		return rangeError("subSampleSize", int64(c.SampleSize), MinSampleSize, MaxSampleSize)
	case c.TimeDecay < MinTimeDecay || c.TimeDecay > MaxTimeDecay:
		return rangeError("timeDecay", c.TimeDecay, MinTimeDecay, MaxTimeDecay)
	case int64(c.SampleSize) >= c.TimeDecay:
		return &ParameterError{Parameter: "subSampleSize", Message: fmt.Sprintf(
			"subSampleSize (%d) must be less than timeDecay (%d)", c.SampleSize, c.TimeDecay)}
	case c.ShingleSize < MinShingleSize || c.ShingleSize > MaxShingleSize:
		return rangeError("shingleSize", int64(c.ShingleSize), MinShingleSize, MaxShingleSize)
	case c.Dimensions < MinDimensions || c.Dimensions > MaxDimensions:
		return rangeError("numericColumns", int64(c.Dimensions), MinDimensions, MaxDimensions)
	}
	return nil
}

// Forest is a robust random cut forest over a stream of records. It is not
// safe for concurrent use.
type Forest struct {
	cfg     Config
	trees   []*tree
	samples []*sampler
	rngs    []*rand.Rand
	records int64 // records seen
	shingle []float64
	point   []float64
	n       int64 // points (shingles) seen
	attr    attribution
}

// New returns an empty forest, or a *ParameterError if c is not valid.
func New(c Config) (*Forest, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	dims := c.Dimensions * c.ShingleSize
	f := &Forest{
		cfg:     c,
		trees:   make([]*tree, c.Trees),
		samples: make([]*sampler, c.Trees),
		rngs:    make([]*rand.Rand, c.Trees),
		shingle: make([]float64, dims),
		point:   make([]float64, dims),
		attr:    attribution{high: make([]float64, dims), low: make([]float64, dims)},
	}
	for i := range f.trees {
		// One generator per tree, seeded from (Seed, tree index), so a tree's
		// draws do not depend on the other trees.
		f.rngs[i] = rand.New(rand.NewPCG(uint64(c.Seed), uint64(i)))
		f.trees[i] = newTree(dims, c.SampleSize, f.rngs[i])
		f.samples[i] = newSampler(c.SampleSize, c.TimeDecay)
	}
	return f, nil
}

// Config returns the forest's configuration.
func (f *Forest) Config() Config { return f.cfg }

// Update scores record and then learns it: it makes the record's shingle
// (the last ShingleSize records, oldest first), scores it against the
// trees' samples, and offers it to each tree's sample. It returns 0 until
// SampleSize shingles have been seen (KDA: "The algorithm returns zero for
// the first subSampleSize records while the machine learning model is
// trained"), and for the first ShingleSize-1 records, which make no full
// shingle and are only remembered.
//
// The score is the collusive displacement of the shingle (Guha et al. 2016,
// Definition 6), averaged over the trees: 0 or more, larger for points
// farther from the recent sample. A record whose length is not Dimensions,
// or with a NaN or infinite value, is an error and changes nothing.
func (f *Forest) Update(record []float64) (float64, error) {
	return f.update(record, nil)
}

func (f *Forest) update(record []float64, attr *attribution) (float64, error) {
	d := f.cfg.Dimensions
	if len(record) != d {
		return 0, fmt.Errorf("rcf: record has %d numeric values, the forest takes %d", len(record), d)
	}
	for i, v := range record {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("rcf: value %d of the record is %v; only finite numbers can be scored", i+1, v)
		}
	}
	// Slide the shingle: drop the oldest record, append this one.
	copy(f.shingle, f.shingle[d:])
	copy(f.shingle[len(f.shingle)-d:], record)
	f.records++
	if f.records < int64(f.cfg.ShingleSize) {
		return 0, nil
	}
	copy(f.point, f.shingle)
	t := f.n
	f.n++
	scoring := t >= int64(f.cfg.SampleSize)
	sum := 0.0
	for i, tr := range f.trees {
		s := f.samples[i]
		for {
			leaf, ok := s.expire(t)
			if !ok {
				break
			}
			tr.remove(leaf)
		}
		u := 1 - f.rngs[i].Float64() // (0, 1]
		k := s.key(u, t)
		if !s.accepts(k) {
			// Most points, once the sample is full: score without
			// inserting (the same distribution as inserting, scoring
			// and removing, for less work).
			if scoring {
				sum += tr.scoreWithout(f.point, attr)
			}
			continue
		}
		leaf := tr.insert(f.point)
		switch {
		case scoring && attr != nil:
			sum += tr.coDispExplained(leaf, f.point, attr)
		case scoring:
			sum += tr.coDisp(leaf)
		}
		if s.len() == s.capacity {
			tr.remove(s.evictTop())
		}
		s.add(k, t, leaf)
	}
	if !scoring {
		return 0, nil
	}
	return sum / float64(len(f.trees)), nil
}
