// Package expr is DynamoDB's expression language: condition, filter,
// key-condition, projection and update expressions, parsed, checked with
// DynamoDB's exact ValidationException messages, and evaluated over
// attr.Item values; and the legacy parameters (Expected, AttributeUpdates,
// KeyConditions, QueryFilter, ScanFilter, AttributesToGet) converted to the
// same forms.
//
// Every error a caller should send to the client is an *eddy.Error with
// Code ValidationException and DynamoDB's words. Parsed values (Condition,
// Update, Projection, KeyConditionExpr, KeyCondition) are immutable and
// safe for concurrent use; Params is not.
//
// # Using it
//
// What the engine does for one request, in DynamoDB's order (dynalite's
// validations/index.js validateExpressions, which follows DynamoDB's):
//
//  1. p, err := NewParams(ExpressionAttributeNames, ExpressionAttributeValues):
//     the maps' own checks (empty, bad keys, malformed values).
//  2. Parse every expression of the request with that same p, in this
//     order, stopping at the first error: ParseUpdate (UpdateExpression),
//     ParseCondition (ConditionExpression), ParseKeyCondition
//     (KeyConditionExpression), ParseFilter (FilterExpression),
//     ParseProjection (ProjectionExpression). Each resolves #names and
//     :values and records which it used. Requests with the legacy
//     parameters call FromExpected, FromAttributeUpdates,
//     FromKeyConditions, FromFilter (QueryFilter, ScanFilter) and
//     FromAttributesToGet instead; they return the same types.
//  3. p.Unused(): a name or value none of the expressions used is an error
//     (DynamoDB checks the union over the request's expressions).
//  4. For a Query: kc.Validate() (what a key condition may not express,
//     whatever the table), then, with the table or index found,
//     kc.Resolve(KeySchema) gives the KeyCondition (hash value, optional
//     range condition) the engine scans with.
//  5. With the item read: Condition.Eval(item) (nil item: no such item),
//     Update.Apply(item) → the new item (then Item.CheckUpdatedSize and
//     Item.CheckDepth on it, and the key checks against Update.Actions),
//     Projection.Apply(item). ReturnValues UPDATED_OLD and UPDATED_NEW are
//     Update.Projection() applied to the old and the new item.
//
// # Grammar
//
// In EBNF (ISO 14977 style; keywords are case-insensitive, function names
// are not: DynamoDB refuses BEGINS_WITH, as moto's pull request 3800
// records):
//
//	condition   = disjunct , { "OR" , disjunct } ;
//	disjunct    = conjunct , { "AND" , conjunct } ;
//	conjunct    = "NOT" , conjunct
//	            | "(" , condition , ")"
//	            | comparison
//	            | function ;                       (* a boolean function *)
//	comparison  = operand , comparator , operand
//	            | operand , "BETWEEN" , operand , "AND" , operand
//	            | operand , "IN" , "(" , operand , { "," , operand } , ")" ;
//	comparator  = "=" | "<>" | "<" | "<=" | ">" | ">=" ;
//	operand     = path | value | function | "(" , operand , ")" ;
//	function    = identifier , "(" , operand , { "," , operand } , ")" ;
//
//	update      = section , { section } ;          (* each keyword at most once *)
//	section     = "SET" , set-action , { "," , set-action }
//	            | "REMOVE" , path , { "," , path }
//	            | "ADD" , path , value , { "," , path , value }
//	            | "DELETE" , path , value , { "," , path , value } ;
//	set-action  = path , "=" , set-value ;
//	set-value   = arithmetic | operand ;
//	arithmetic  = operand , ( "+" | "-" ) , operand
//	            | "(" , arithmetic , ")" ;
//
//	projection  = path , { "," , path } ;
//
//	path        = path-name , { "." , path-name | "[" , index , "]" } ;
//	path-name   = identifier | name ;
//	identifier  = letter , { letter | digit | "_" } ;   (* not a reserved word *)
//	name        = "#" , ( letter | digit | "_" ) , { letter | digit | "_" } ;
//	value       = ":" , ( letter | digit | "_" ) , { letter | digit | "_" } ;
//	index       = digit , { digit } ;
//
// A key condition is a condition. Spaces, tabs, CR and LF separate tokens
// and are otherwise ignored, so "remove a", "a=:v", ")AND(" all parse. The
// keywords (IN, BETWEEN, NOT, AND, OR, SET, ADD, DELETE, REMOVE) and the
// ~570 words of DynamoDB's reserved-word list cannot be path names; #names
// stand in for them.
//
// Precedence, tightest first: function calls and parentheses; comparators,
// BETWEEN and IN (which do not chain); NOT; AND; OR. AND and OR are
// left-associative: "a OR b AND NOT c" is "a OR (b AND (NOT c))".
// Redundant parentheses ("((a = b))") are refused, as DynamoDB refuses
// them. In update expressions + and - take exactly two operands
// ("a + b - c" is a syntax error).
//
// Functions: conditions have attribute_exists(path),
// attribute_not_exists(path), attribute_type(path, :type),
// begins_with(path, operand), contains(path, operand) and size(path), the
// last only as an operand; updates have if_not_exists(path, operand) and
// list_append(operand, operand) as SET values.
//
// Limits: 4 KB of expression text, 300 operators, 100 IN operands, paths of
// 32 levels, 255-byte #name and :value keys.
//
// # Evaluation
//
// Conditions and filters (Condition.Eval):
//   - = and <> compare values of any type: equal types and equal values
//     (numbers by value, sets as sets, lists and maps member by member);
//     different types are unequal. <, <=, >, >= and BETWEEN compare S
//     (UTF-8 bytes), N (value) and B (unsigned bytes) of the same type;
//     anything else, including a type mismatch, is false, not an error.
//   - An absent attribute fails every comparison except <>.
//   - IN is true when the operand equals one of the list.
//   - size() is a string's length in UTF-16 code units, a binary's bytes,
//     a set's, list's or map's member count; numbers, booleans and nulls
//     have no size (a comparison with it is false).
//   - contains(a, b): substring of a string, byte sequence of a binary,
//     member of a set of b's type, element of a list equal to b.
//   - begins_with: prefix of a string or a binary of the same type.
//   - attribute_type(a, :t) compares a's type with the string :t.
//
// Updates (Update.Apply): every SET value is computed from the item as it
// was before the update; then all actions apply. SET writes; past the end
// of a list it appends (in index order). REMOVE deletes attributes and list
// elements (the indexes given refer to the old list; the rest shift down;
// past the end is nothing). ADD adds a number to a number (an absent one is
// 0) or unites a set with a set of its type (an absent one is empty). DELETE
// removes a set's members and the attribute when none is left. + and -
// are exact to 38 digits. A path through something absent or of the wrong
// kind is "The document path provided in the update expression is invalid
// for update"; reading an absent attribute (outside if_not_exists) is "The
// provided expression refers to an attribute that does not exist in the
// item"; a wrong operand type is "An operand in the update expression has
// an incorrect data type".
//
// Projections (Projection.Apply) keep the paths that exist, nested as in
// the item; lists keep the projected elements in order, without gaps.
//
// # Caching parsed expressions
//
// The benchmarks (bench_test.go; go test -bench . on a shared 2-core
// machine, Go 1.26) measure what a cache of parsed expressions keyed by
// the request string could save:
//
//	lease condition, NewParams+Parse+Unused+Eval   ~5.0 µs  37 allocs
//	lease condition, Eval of a parsed one          ~0.17 µs  0 allocs
//	the same as Expected (FromExpected + Eval)     ~2.1 µs  20 allocs
//	update (3 SET, ADD, REMOVE), parse + Apply     ~20-25 µs 107 allocs
//	update, Apply of a parsed one                  ~6-8 µs  46 allocs
//	AttributeUpdates (2 PUT), convert + Apply      ~5-7 µs  45 allocs
//
// Parsing costs 5 µs for a condition and about 15 µs for an update: a
// few percent of a request that also decodes JSON, reads the item and
// makes a durable commit, and a lease table sees a few requests per
// second per shard. A cache would also have to separate the parsed tree
// from the :values bound into it (the KCL's values change with every
// renewal) and bound its memory. Eddy does not cache; revisit if a
// profile of UpdateItem under load shows parsing.
package expr
