package analyticsapi

import (
	"reflect"
	"sort"
	"testing"

	"github.com/eddy-streams/eddy/analytics"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/storage/mem"
)

// TestRoutes: every operation of the API (kda.Operations, which
// protocol/kda's tests hold to the SDK's) is routed, once, with the input
// shape protocol/kda validates.
func TestRoutes(t *testing.T) {
	apps, err := analytics.New(analytics.DefaultConfig(), mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	defer apps.Close()
	var routed []string
	for _, op := range Service(apps).Operations {
		routed = append(routed, op.Name)
		if _, ok := op.NewInput().(interface{ Validate() error }); !ok {
			t.Errorf("%s: input %T has no Validate", op.Name, op.NewInput())
		}
	}
	want := kda.Operations()
	sort.Strings(routed)
	sort.Strings(want)
	if !reflect.DeepEqual(routed, want) {
		t.Errorf("routed %q\nwant %q", routed, want)
	}
}
