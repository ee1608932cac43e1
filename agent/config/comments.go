package config

// stripComments returns data with the comments Jackson's
// JsonParser.Feature.ALLOW_COMMENTS accepts ("/* ... */" and "// ..." to the
// end of the line) replaced by spaces, outside string literals. The Kinesis
// Agent reads agent.json with that feature on (Configuration.get in
// awslabs/amazon-kinesis-agent src/com/amazon/kinesis/streaming/agent/config/
// Configuration.java), so Eddy accepts the same files. Byte offsets are kept,
// so a JSON syntax error still points at the right place. An unterminated
// block comment is reported by the caller as a syntax error (the rest of the
// input is blanked, which leaves the JSON incomplete).
func stripComments(data []byte) []byte {
	out := make([]byte, len(data))
	copy(out, data)
	inString := false
	for i := 0; i < len(out); i++ {
		c := out[i]
		if inString {
			switch c {
			case '\\':
				i++ // skip the escaped byte
			case '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			for i < len(out) && out[i] != '\n' {
				out[i] = ' '
				i++
			}
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			out[i], out[i+1] = ' ', ' '
			i += 2
			for ; i < len(out); i++ {
				if out[i] == '*' && i+1 < len(out) && out[i+1] == '/' {
					out[i], out[i+1] = ' ', ' '
					i++
					break
				}
				if out[i] != '\n' {
					out[i] = ' '
				}
			}
			if i >= len(out) {
				// Unterminated: make the document invalid so Parse fails.
				return append(out, '/', '*')
			}
		}
	}
	return out
}
