package expr

import (
	"strings"

	"github.com/eddy-streams/eddy"
)

// The expression kinds, as DynamoDB names them in "Invalid <kind>: ...".
const (
	kindCondition    = "ConditionExpression"
	kindFilter       = "FilterExpression"
	kindKeyCondition = "KeyConditionExpression"
	kindUpdate       = "UpdateExpression"
	kindProjection   = "ProjectionExpression"
)

// validation returns a ValidationException with the message as given.
func validation(msg string) *eddy.Error {
	return &eddy.Error{Code: eddy.CodeValidation, Message: msg}
}

// detail formats a message the way DynamoDB's expression validator does
// (DynamoDB Local's DbEnv.throwValidationError, and every message dynalite's
// tests record): the message, a semicolon, then "key: value" pairs joined by
// ", ". "The expression can not be empty;" is a message with no pairs.
func detail(msg string, kv ...string) string {
	var b strings.Builder
	b.WriteString(msg)
	b.WriteByte(';')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte(' ')
		b.WriteString(kv[i])
		b.WriteString(": ")
		b.WriteString(kv[i+1])
	}
	return b.String()
}

// Messages of DynamoDB's expression validator. The texts are DynamoDB
// Local's DbValidationError enum (decompiled in public repositories), which
// agree with the answers dynalite's tests record from DynamoDB.
const (
	msgSyntax           = "Syntax error"
	msgRedundantParens  = "The expression has redundant parentheses"
	msgReserved         = "Attribute name is a reserved keyword"
	msgFunctionName     = "Invalid function name"
	msgNotInCondition   = "The function is not allowed in a condition expression"
	msgNotInUpdate      = "The function is not allowed in an update expression"
	msgMisusedFunction  = "The function is not allowed to be used this way in an expression"
	msgAttrTypeName     = "Invalid attribute type name found"
	msgNameUndefined    = "An expression attribute name used in the document path is not defined"
	msgValueUndefined   = "An expression attribute value used in expression is not defined"
	msgOperandCount     = "Incorrect number of operands for operator or function"
	msgOperandType      = "Incorrect operand type for operator or function"
	msgNeedsPath        = "Operator or function requires a document path"
	msgDistinct         = "The first operand must be distinct from the remaining operands for this operator or function"
	msgPathOverlap      = "Two document paths overlap with each other; must remove or rewrite one of these paths"
	msgPathConflict     = "Two document paths conflict with each other; must remove or rewrite one of these paths"
	msgPathTooDeep      = "The document path has too many nesting levels"
	msgTooManyOperators = "The expression contains too many operators"
	msgTooManyInOperand = "The IN operator is provided with too many operands"
	msgEmptyExpression  = "The expression can not be empty"
	msgExpressionSize   = "Expression size has exceeded the maximum allowed size"
	msgBetweenTypes     = "The BETWEEN operator requires same data type for lower and upper bounds"
	msgBetweenOrder     = "The BETWEEN operator requires upper bound to be greater than or equal to lower bound"
)

// Limits of DynamoDB's expression validator (DynamoDB Local's DbConfig and
// LocalDBUtils constants; the developer guide's "Expression parameters"
// quotas state the same 4 KB, 300 operators and 100 IN operands).
const (
	maxExpressionSize = 4096
	maxOperators      = 300
	maxInOperands     = 100
	maxPathDepth      = 32
	maxParamKeySize   = 255
)

// syntaxError builds DynamoDB's syntax error for the token at index i: the
// token ("<EOF>" at the end) and the text around it, from the previous
// token to the next one, whitespace between them included. That is how
// DynamoDB Local's ExpressionErrorListener builds "near", and it matches
// DynamoDB's answers: "SET" gives token "<EOF>", near "SET"; "INVALID SYNTAX
// HERE" gives token "INVALID", near "INVALID SYNTAX"; "... AND __typename"
// gives token "_", near "AND __".
func syntaxError(src string, toks []token, i int) string {
	cur := toks[i]
	text := cur.text
	if cur.kind == tEOF {
		text = "<EOF>"
	}
	start := 0
	if i > 0 {
		start = toks[i-1].pos
	}
	end := len(src)
	if cur.kind != tEOF && toks[i+1].kind != tEOF {
		end = toks[i+1].end
	}
	return detail(msgSyntax, "token", `"`+text+`"`, "near", `"`+src[start:end]+`"`)
}
