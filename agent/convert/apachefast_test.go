package convert

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
)

// TestApacheFastAgreesWithRegexp compares matchApache with the regular
// expressions on lines made by mutating matching ones: bytes replaced,
// inserted or deleted, drawn from the characters the patterns care about.
func TestApacheFastAgreesWithRegexp(t *testing.T) {
	seeds := []string{
		clfLine,
		clfLine + ` "-" "Mozilla/4.6 [en] (X11; U; OpenBSD 2.8 i386; Nav)" "ANY_RANDOM_DATA"`,
		`lj1036.inktomisearch.com. - frank [7/Mar/2004:16:10:02 +0800] "GET / HTTP/1.1" -200 - "http://a/" "b"`,
		`10.0.0.1 a.b c-d [01/February/2004:6:10:02.123 -0800] "x" +5 -7 "r" "a" trailing`,
		benchCombined,
	}
	alphabet := []byte(" -+.:/,\"[]_0123456789aZJanFeb\n\t\x0b")
	res := []*regexp.Regexp{regexp.MustCompile(`^(?:` + logFormats["COMMONAPACHELOG"].pattern + `)$`),
		regexp.MustCompile(`^(?:` + logFormats["COMBINEDAPACHELOG"].pattern + `)$`)}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 100000
	if testing.Short() {
		n = 10000
	}
	matched := 0
	for i := 0; i < n; i++ {
		b := []byte(seeds[rng.IntN(len(seeds))])
		for m := rng.IntN(3) + 1; m > 0 && len(b) > 0; m-- {
			pos := rng.IntN(len(b))
			c := alphabet[rng.IntN(len(alphabet))]
			switch rng.IntN(3) {
			case 0:
				b[pos] = c
			case 1:
				b = slices.Insert(b, pos, c)
			default:
				b = slices.Delete(b, pos, pos+1)
			}
		}
		for k, re := range res {
			want := re.FindSubmatchIndex(b)
			got, ok := matchApache(b, k == 1, nil)
			if ok != (want != nil) || ok && !slices.Equal(got, want[2:]) {
				t.Fatalf("combined=%v %q: fast %v %v, regexp %v", k == 1, b, ok, got, want)
			}
			if ok {
				matched++
			}
		}
	}
	if matched < n/10 {
		t.Fatalf("only %d of %d mutated lines matched: the test does not exercise the match paths", matched, 2*n)
	}
}

// TestHTTPDateFastPath checks the hand-checked date shape against the
// regular expression, on every value of each position.
func TestHTTPDateFastPath(t *testing.T) {
	base := []byte("07/Mar/2004:16:10:02 -0800")
	for i := range base {
		for c := 0; c < 256; c++ {
			d := append([]byte(nil), base...)
			d[i] = byte(c)
			if got, want := isHTTPDate(d), httpDateRE.Match(d); got != want {
				t.Fatalf("%q: isHTTPDate %v, regexp %v", d, got, want)
			}
		}
	}
	for _, d := range []string{"00/Jan/2004:16:10:02 -0800", "31/Dec/9999:23:59:59 +1400", "32/Jan/2004:16:10:02 -0800",
		"30/Jan/2004:24:10:02 -0800", "30/Jan/0004:16:10:02 -0800", "1/Jan/2004:16:10:02 -0800", "01/January/2004:16:10:02 -0800"} {
		if got, want := isHTTPDate([]byte(d)), httpDateRE.Match([]byte(d)); got != want {
			t.Errorf("%q: isHTTPDate %v, regexp %v", d, got, want)
		}
	}
}
