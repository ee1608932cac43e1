package eddy

// MaxRegionLen is the longest region name Eddy accepts. AWS's own region
// names are at most about 20 characters (ap-southeast-5, us-gov-west-1);
// the bound keeps a region-prefixed log id within a file name.
const MaxRegionLen = 64

// ValidRegion reports whether r can name a region: 1 to MaxRegionLen
// lowercase letters, digits and hyphens, neither first nor last a hyphen,
// like "us-east-1". Eddy serves every valid region (the credential scope of a
// request's signature picks one), so the rule is Eddy's, not a list of the
// regions AWS runs: "local" or "eu-test-9" name regions too.
func ValidRegion(r string) bool {
	if r == "" || len(r) > MaxRegionLen || r[0] == '-' || r[len(r)-1] == '-' {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ValidAccountID reports whether a is an AWS account id: 12 digits.
func ValidAccountID(a string) bool {
	if len(a) != 12 {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] < '0' || a[i] > '9' {
			return false
		}
	}
	return true
}
