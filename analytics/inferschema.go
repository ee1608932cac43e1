package analytics

import "github.com/eddy-streams/eddy/protocol/kda"

// InferSchema is the schema DiscoverInputSchema gives for records sampled
// from a source (see infer), or nil when none fits; `eddy sql` uses it.
func InferSchema(raw [][]byte) *kda.SourceSchema {
	s, _ := infer(raw)
	return s
}
