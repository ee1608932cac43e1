package convert

// singleLine is SINGLELINE (SingleLineDataConverter.java): the record is
// split at "\n", every line trimmed as Java's String.trim does (every byte
// <= ' ' at either end), and the lines joined with nothing between them
// (StringUtils.join), then "\n" appended. "  a\n  b  \n" becomes "ab\n".
type singleLine struct{}

func (singleLine) Convert(dst, rec []byte) ([]byte, error) {
	for len(rec) > 0 {
		line := rec
		rest := []byte(nil)
		for i, c := range rec {
			if c == '\n' {
				line, rest = rec[:i], rec[i+1:]
				break
			}
		}
		dst = appendValidUTF8(dst, javaTrim(line))
		rec = rest
	}
	return append(dst, '\n'), nil
}

// javaTrim is String.trim: it removes the characters <= U+0020 at both ends.
func javaTrim(b []byte) []byte {
	for len(b) > 0 && b[0] <= ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] <= ' ' {
		b = b[:len(b)-1]
	}
	return b
}
