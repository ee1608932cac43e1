package sql

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxIdentLen is the longest identifier, in characters (sqlref Identifiers: "All identifiers
// may be up to 128 characters").
const maxIdentLen = 128

// Pos is a 1-based line and column (in bytes) of a token or node in the source.
type Pos struct {
	Line, Column int
}

// Position returns p itself; it makes every node embedding Pos a Node position.
func (p Pos) Position() Pos { return p }

// Error is a syntax error at the offending token.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // unquoted identifier or keyword, folded to upper case
	tQIdent         // "quoted identifier", case kept
	tString         // 'string literal', quotes removed, '' unescaped
	tNumber         // 12, 1.5, .5, 1e3
	tPunct          // operators and punctuation
)

type token struct {
	kind tokKind
	val  string // folded identifier, unescaped string, number text, or punctuation
	raw  string // the source text, for messages
	pos  Pos
}

// describe is how an error message names a found token.
func (t token) describe() string {
	if t.kind == tEOF {
		return "end of input"
	}
	r := t.raw
	if len(r) > 40 {
		r = r[:40] + "..."
	}
	return fmt.Sprintf("%q", r)
}

// lex splits src into tokens. Unquoted identifiers are a letter or underscore followed by
// letters, digits or underscores; quoted ones may hold any character but the control
// characters 0x00-0x1F (sqlref Identifiers). Comments are "-- to end of line" and "/* ... */" (not nested),
// as in the SQL reference's examples.
func lex(src string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	i := 0
	advance := func(n int) {
		for k := 0; k < n && i < len(src); k++ {
			if src[i] == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			i++
		}
	}
	for {
		// skip space and comments
		for i < len(src) {
			c := src[i]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' {
				advance(1)
				continue
			}
			if c == '-' && i+1 < len(src) && src[i+1] == '-' {
				for i < len(src) && src[i] != '\n' {
					advance(1)
				}
				continue
			}
			if c == '/' && i+1 < len(src) && src[i+1] == '*' {
				start := Pos{line, col}
				end := strings.Index(src[i+2:], "*/")
				if end < 0 {
					return nil, &Error{start.Line, start.Column, "unterminated comment"}
				}
				advance(end + 4)
				continue
			}
			break
		}
		pos := Pos{line, col}
		if i >= len(src) {
			toks = append(toks, token{kind: tEOF, pos: pos})
			return toks, nil
		}
		c := src[i]
		start := i
		switch {
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			word := src[i:j]
			if j-i > maxIdentLen {
				return nil, &Error{pos.Line, pos.Column, fmt.Sprintf("identifier longer than %d characters", maxIdentLen)}
			}
			advance(j - i)
			toks = append(toks, token{kind: tIdent, val: strings.ToUpper(word), raw: word, pos: pos})
		case c == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, &Error{pos.Line, pos.Column, "unterminated quoted identifier"}
				}
				if src[j] == '"' {
					if j+1 < len(src) && src[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(src[j])
				j++
			}
			name := b.String()
			switch {
			case name == "":
				return nil, &Error{pos.Line, pos.Column, "empty quoted identifier"}
			case utf8.RuneCountInString(name) > maxIdentLen:
				return nil, &Error{pos.Line, pos.Column, fmt.Sprintf("identifier longer than %d characters", maxIdentLen)}
			case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 }):
				return nil, &Error{pos.Line, pos.Column, "control character in quoted identifier"}
			}
			advance(j + 1 - i)
			toks = append(toks, token{kind: tQIdent, val: name, raw: src[start:i], pos: pos})
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, &Error{pos.Line, pos.Column, "unterminated string literal"}
				}
				if src[j] == '\'' {
					if j+1 < len(src) && src[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(src[j])
				j++
			}
			advance(j + 1 - i)
			toks = append(toks, token{kind: tString, val: b.String(), raw: src[start:i], pos: pos})
		case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j < len(src) && src[j] == '.' {
				j++
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && isDigit(src[k]) {
					for k < len(src) && isDigit(src[k]) {
						k++
					}
					j = k
				}
			}
			text := strings.ToUpper(src[i:j])
			advance(j - i)
			toks = append(toks, token{kind: tNumber, val: text, raw: src[start:i], pos: pos})
		default:
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "<>", "<=", ">=", "!=", "||":
				advance(2)
				toks = append(toks, token{kind: tPunct, val: two, raw: two, pos: pos})
				continue
			}
			if strings.IndexByte("(),;.*+-/=<>", c) >= 0 {
				advance(1)
				toks = append(toks, token{kind: tPunct, val: string(c), raw: string(c), pos: pos})
				continue
			}
			r := src[i:]
			if len(r) > 4 {
				r = r[:4]
			}
			return nil, &Error{pos.Line, pos.Column, fmt.Sprintf("unexpected character %q", []rune(r)[0])}
		}
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || isDigit(c)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
