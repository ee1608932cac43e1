// Package sketch holds the summaries behind two analytics functions of
// Kinesis Data Analytics (KDA) for SQL: TOP_K_ITEMS_TUMBLING (TopK) and
// COUNT_DISTINCT_ITEMS_TUMBLING (CountDistinct). Both take string keys (the
// SQL engine turns a column's value into a canonical string) and know
// nothing of windows: the engine keeps one per tumbling window, reads it
// when the window closes and Resets it for the next. It is a standalone
// package: it imports only the standard library.
//
//	top, err := sketch.NewTopK(5) // K
//	top.Add("AMZN")
//	for _, it := range top.Top() { ... it.Key, it.Count ... }
//
//	cd := sketch.NewCountDistinct()
//	cd.Add("AMZN")
//	n := cd.Estimate()
//
// # TOP_K_ITEMS_TUMBLING
//
// KDA (sqlref/top-k.html): the function "returns the most frequently
// occurring values in the specified in-application stream column over a
// tumbling window"; K "must be greater than or equal to one and cannot
// exceed 100,000" (NewTopK checks it; windowSize, 1 to 3,600 seconds, is
// the engine's); "counting each incoming record on your streaming source is
// not efficient, therefore the function approximates the most frequently
// occurring values. For example, when seeking the three most traded stocks,
// the function may return three of the five most traded stocks." The
// reference's example output has the key column and a count column
// (MOST_FREQUENT_VALUES, BIGINT).
//
// TopK is the Space-Saving summary of Metwally, Agrawal and El Abbadi
// (ICDT 2005) with CapacityFor(K) = max(10K, 1000) counters (KDA does not
// document its summary's size): counts are exact, and the top K the exact
// top K, whenever a window holds at most that many distinct values; beyond,
// each reported count is an upper bound with a known error, every value
// more frequent than n/capacity is reported, and Item.Guaranteed marks the
// values certainly in the top K. Top orders by count, then by key (KDA does
// not say how it orders ties). Add is O(log capacity).
//
// # COUNT_DISTINCT_ITEMS_TUMBLING
//
// KDA (sqlref/count-distinct-items.html): "The resulting count is
// approximate; the function uses the HyperLogLog algorithm"; "When there
// are less than or equal to 10,000 items in the window, the function
// returns an exact count"; "if there are 100,000 distinct items, the
// algorithm may return 99,700". CountDistinct counts exactly (a set of
// 64-bit hashes) up to DefaultExactLimit = 10,000 distinct keys, then
// switches to a HyperLogLog sketch (Flajolet, Fusy, Gandouet and Meunier,
// AofA 2007) of 2^17 one-byte registers, relative standard error 0.29%, the
// size of KDA's example error (KDA does not give its precision). The
// estimate from the registers is Ertl's improved estimator (2017), which
// has no bias where the paper's estimate leaves its small-range correction
// (see CountDistinct). Keys are hashed by Hash: fixed, not per process, so
// estimates are the same on every run.
package sketch
