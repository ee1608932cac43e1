package jetstream

import (
	"os"
	"testing"

	"github.com/eddy-streams/eddy/internal/natstest"
)

func TestMain(m *testing.M) {
	natstest.Main()
	os.Exit(m.Run())
}
