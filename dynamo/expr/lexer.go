package expr

import (
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token. The set follows DynamoDB's own
// grammar (DynamoDbGrammar.g4, whose token names DynamoDB Local's
// DynamoDbGrammarParser lists): punctuation, comparators, + and -, the
// keywords IN BETWEEN NOT AND OR SET ADD DELETE REMOVE (case-insensitive, and
// reserved in every kind of expression), list indexes, identifiers, #name
// and :value substitutions, and UNKNOWN for any other single character.
// Whitespace (space, tab, CR, LF) separates tokens and is otherwise ignored.
type tokKind uint8

const (
	tEOF      tokKind = iota
	tComma            // ,
	tLParen           // (
	tRParen           // )
	tDot              // .
	tLBracket         // [
	tRBracket         // ]
	tEQ               // =
	tNE               // <>
	tLT               // <
	tLE               // <=
	tGT               // >
	tGE               // >=
	tPlus             // +
	tMinus            // -
	tIn               // IN
	tBetween          // BETWEEN
	tNot              // NOT
	tAnd              // AND
	tOr               // OR
	tSet              // SET
	tAdd              // ADD
	tDelete           // DELETE
	tRemove           // REMOVE
	tIndex            // [0-9]+
	tIdent            // [A-Za-z][A-Za-z0-9_]*
	tName             // #[A-Za-z0-9_]+
	tValue            // :[A-Za-z0-9_]+
	tUnknown          // any other character
)

var keywords = map[string]tokKind{
	"IN": tIn, "BETWEEN": tBetween, "NOT": tNot, "AND": tAnd, "OR": tOr,
	"SET": tSet, "ADD": tAdd, "DELETE": tDelete, "REMOVE": tRemove,
}

// token is one lexical token: its kind, its text and its byte offsets in the
// expression. The last token of every expression is tEOF at its end.
type token struct {
	kind     tokKind
	text     string
	pos, end int
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' || c == '_' }
func isSpace(c byte) bool      { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// lex splits src into tokens. It never fails: a character no token starts
// with becomes a one-character tUnknown token, which the parser then
// reports as a syntax error (as DynamoDB reports "_" in "AND __").
func lex(src string) []token {
	toks := make([]token, 0, len(src)/3+2)
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			return append(toks, token{kind: tEOF, pos: len(src), end: len(src)})
		}
		start := i
		c := src[i]
		kind := tUnknown
		switch {
		case isIdentStart(c):
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			kind = tIdent
			if i-start <= len("BETWEEN") {
				if k, ok := keywords[strings.ToUpper(src[start:i])]; ok {
					kind = k
				}
			}
		case c >= '0' && c <= '9':
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
			kind = tIndex
		case c == '#' || c == ':':
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			if j > i+1 {
				i = j
				kind = tName
				if c == ':' {
					kind = tValue
				}
			} else {
				i++
			}
		case c == '<':
			i++
			kind = tLT
			if i < len(src) && src[i] == '=' {
				i++
				kind = tLE
			} else if i < len(src) && src[i] == '>' {
				i++
				kind = tNE
			}
		case c == '>':
			i++
			kind = tGT
			if i < len(src) && src[i] == '=' {
				i++
				kind = tGE
			}
		default:
			i++
			switch c {
			case ',':
				kind = tComma
			case '(':
				kind = tLParen
			case ')':
				kind = tRParen
			case '.':
				kind = tDot
			case '[':
				kind = tLBracket
			case ']':
				kind = tRBracket
			case '=':
				kind = tEQ
			case '+':
				kind = tPlus
			case '-':
				kind = tMinus
			default:
				// One whole character, however many bytes it takes.
				_, size := utf8.DecodeRuneInString(src[start:])
				i = start + size
			}
		}
		toks = append(toks, token{kind: kind, text: src[start:i], pos: start, end: i})
	}
}
