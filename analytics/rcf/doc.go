// Package rcf is a robust random cut forest: the anomaly detector behind
// the RANDOM_CUT_FOREST function of Kinesis Data Analytics (KDA) for SQL,
// as published by Guha, Mishra, Roy and Schrijvers, "Robust Random Cut
// Forest Based Anomaly Detection On Streams", ICML 2016
// (http://proceedings.mlr.press/v48/guha16.pdf, the paper the KDA reference
// cites). It is a standalone package: it knows nothing of SQL, streams or
// the rest of Eddy.
//
//	f, err := rcf.New(rcf.Config{Trees: 100, SampleSize: 256, TimeDecay: 100000,
//		ShingleSize: 1, Dimensions: 2, Seed: 1})
//	score, err := f.Update([]float64{x, y}) // score the record, then learn it
//
// # The algorithm
//
// A forest is Trees independent trees. Each keeps a sample of at most
// SampleSize points of the stream and a random cut tree over them: every
// internal node holds the bounding box of the points below it and a cut (a
// dimension, chosen with probability proportional to the box's side
// lengths, and a value uniform along that side). A point is inserted and
// deleted without rebuilding (the paper's Algorithms 2 and 3): insertion
// walks down, drawing a cut over each node's box enlarged by the point, and
// puts the point's leaf beside the first node whose cut would separate it;
// deletion replaces the leaf's parent by its sibling and shrinks the boxes
// above. Points equal to a leaf's point add to that leaf's mass.
//
// Update makes the record's point (see Shingles), scores it in each tree and
// offers it to each tree's sample; the score is the average of the trees'.
//
// # The score
//
// KDA's reference says "the algorithm uses each tree to assign an anomaly
// score. The average of all these scores is the final anomaly score" and
// that a point "distant from other points receives a higher anomaly score",
// but not which score. We use the paper's: the collusive displacement
// (CoDisp, Definition 6) of the point in the tree it would be inserted
// into, the largest over the subtrees C on its path of |sibling of C| / |C|:
// how many points the point and its colluders displace, per colluder. A
// score is 0 or more; for a sample of 256, points inside a cluster score a
// few units and isolated points score up to the sample size. KDA's own
// numbers are on another scale (its developer guide shows normal records
// near 0.7 and an anomaly at 3.9), so thresholds written for KDA need
// adjusting; what keeps its meaning is the ranking of records.
//
// A point the sample takes is inserted and scored from its leaf; a point it
// does not take (most points, once the sample is full) is scored by walking
// the path an insertion would take, with the same random choices, without
// changing the tree.
//
// # Sampling and time decay
//
// KDA: "When the sample reaches subSampleSize records, records are removed
// randomly, with older records having a higher probability of removal than
// newer records"; timeDecay (default 100,000) "determines the maximum
// quantity of recent records kept", the algorithm "uses only the most recent
// 100,000 records" and "exponentially decays the importance of older data".
// Each tree keeps a weighted reservoir sample (Efraimidis and Spirakis 2006)
// with weight exp(t/TimeDecay) for the point that arrived at time t, so a
// point's chance to stay decays as exp(-age/TimeDecay), and a point leaves
// its sample once TimeDecay newer points have arrived. The decay rate
// 1/TimeDecay is our reading of a page that gives no formula. Each tree's
// random draws come from its own generator seeded with (Seed, tree index):
// equal configurations fed equal records give equal scores.
//
// # Warm-up and shingles
//
// KDA: "The algorithm returns zero for the first subSampleSize records
// while the machine learning model is trained." Update returns 0 for the
// first SampleSize points, and learns them. A shingle of size s "at time t
// corresponds to a vector of the last [s] records received up to and
// including time t": a point is the last ShingleSize records' values, oldest
// first, so it has Dimensions*ShingleSize coordinates. The first
// ShingleSize-1 records make no full shingle: they score 0 and are only
// remembered, so the first SampleSize+ShingleSize-1 records score 0 (the
// reference does not say how KDA counts them). TimeDecay counts shingles
// ("100,000 shingles if shingling is used").
//
// # Parameters
//
// Config's fields are the function's parameters, with KDA's defaults and
// ranges (Validate): numberOfTrees 100 (1..1,000), subSampleSize 256
// (10..1,000, and below timeDecay), timeDecay 100,000 (1..2,147,483,647),
// shingleSize 1 (1..30), and up to 30 numeric columns. KDA's error texts for
// values out of range are not documented; ours name the parameter and the
// range.
//
// # Cost
//
// Each tree holds 2*SampleSize+2 nodes of 32 bytes plus a box of
// 16*Dimensions*ShingleSize bytes each: about 100 KB for the defaults and
// two columns, 10 MB for the forest. Update with the defaults on two
// columns takes tens of microseconds (BenchmarkUpdate: 39 to 86 us, 11,700
// to 25,600 rows/s, on the project machine's 2 cores shared with other jobs,
// load average 6).
//
// # Explanations
//
// RANDOM_CUT_FOREST_WITH_EXPLANATION's ANOMALY_EXPLANATION comes from
// UpdateExplained and Explanation.JSON: per column an attribution (the
// columns' attributions add up to the score, as KDA documents), a direction
// (HIGH or LOW) and a strength. In each tree, the score is owed to the
// subtree C holding the point that displaces the most points per point
// (CoDisp's maximum); the tree's score is split over the coordinates in
// proportion to how far the point lies outside the bounding box of the
// displaced points along each, high or low as it lies above or below;
// shingle positions of a column add up, and trees are averaged. KDA gives no
// formula for any of the three (see ColumnExplanation).
//
// A Forest is not safe for concurrent use.
package rcf
