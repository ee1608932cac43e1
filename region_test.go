package eddy

import (
	"strings"
	"testing"
)

func TestValidRegion(t *testing.T) {
	tests := []struct {
		region string
		valid  bool
	}{
		{"us-east-1", true},
		{"eu-central-1", true},
		{"us-gov-west-1", true},
		{"local", true},
		{"a", true},
		{strings.Repeat("a", MaxRegionLen), true},
		{"", false},
		{strings.Repeat("a", MaxRegionLen+1), false},
		{"US-EAST-1", false},
		{"eu_west_1", false},
		{"-us-east-1", false},
		{"us-east-1-", false},
		{"us east 1", false},
		{"us/east", false},
		{"..", false},
	}
	for _, tt := range tests {
		if got := ValidRegion(tt.region); got != tt.valid {
			t.Errorf("ValidRegion(%q) = %v, want %v", tt.region, got, tt.valid)
		}
	}
}
