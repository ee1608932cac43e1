package kinesis

import (
	"context"
	"fmt"
	"testing"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// TestTagCharacters reproduces the service's answers recorded by
// kinesalite (mhart/kinesalite test/addTagsToStream.js,
// removeTagsFromStream.js) to tags with characters Kinesis refuses, and to
// a stream over its tag limit (recorded when the limit was 10).
func TestTagCharacters(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	ctx := context.Background()
	e.createStream("s", 1, ModeProvisioned, nil)
	add := func(stream string, tags map[string]string) error {
		_, err := e.AddTagsToStream(ctx, &kds.AddTagsToStreamInput{StreamName: ptr(stream), Tags: tags})
		return err
	}
	remove := func(stream string, keys ...string) error {
		_, err := e.RemoveTagsFromStream(ctx, &kds.RemoveTagsFromStreamInput{StreamName: ptr(stream), TagKeys: keys})
		return err
	}
	const invalid = "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."
	percent := func(verb string) string {
		return "Failed to " + verb + " stream s under account " + acct +
			" because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."
	}
	ia := eddy.CodeInvalidArgument
	for _, c := range []struct {
		name      string
		err       error
		code, msg string
	}{
		{"; in key", add("s", map[string]string{"abc;def": "1"}), ia, invalid},
		{"tab in key", add("s", map[string]string{"abc\tdef": "1"}), ia, invalid},
		{"newline in key", add("s", map[string]string{"abc\ndef": "1"}), ia, invalid},
		{"comma in key", add("s", map[string]string{"abc,def": "1"}), ia, invalid},
		{"% in key", add("s", map[string]string{"abc%def": "1"}), ia, percent("add tags to")},
		{"; in value", add("s", map[string]string{"a": "abc;def"}), ia, invalid},
		{"tab in value", add("s", map[string]string{"a": "abc\tdef"}), ia, invalid},
		{"newline in value", add("s", map[string]string{"a": "abc\ndef"}), ia, invalid},
		{"comma in value", add("s", map[string]string{"a": "abc,def"}), ia, invalid},
		{"% in value", add("s", map[string]string{"a": "abc%def"}), ia, percent("add tags to")},
		{"% and ;", add("s", map[string]string{"a%": "b;"}), ia, invalid},
		{"unknown stream first", add("nope", map[string]string{"abc;def": "1"}), eddy.CodeResourceNotFound, "Stream nope under account " + acct + " not found."},
		{"remove ;", remove("s", "abc;def"), ia, invalid},
		{"remove tab", remove("s", "abc\tdef"), ia, invalid},
		{"remove newline", remove("s", "abc\ndef"), ia, invalid},
		{"remove comma", remove("s", "abc,def"), ia, invalid},
		{"remove %", remove("s", "abc%def"), ia, percent("remove tags from")},
		{"remove unknown stream first", remove("nope", ";"), eddy.CodeResourceNotFound, "Stream nope under account " + acct + " not found."},
		{"valid characters", add("s", map[string]string{"a": "a", "ü0 _.": "a", "/=+-@": "a", "b": "ü0 _./=+-@", "c": "", "k:v": "x\u00a0y"}), "", ""},
		{"remove valid characters", remove("s", "ü0 _.", "/=+-@", "missing"), "", ""},
	} {
		t.Run(c.name, func(t *testing.T) { wantErr(t, c.err, c.code, c.msg) })
	}
	tags := e.lookup("s").view.Load().meta.Tags
	if len(tags) != 4 || tags["b"] != "ü0 _./=+-@" || tags["k:v"] != "x\u00a0y" {
		t.Fatalf("tags %v", tags)
	}

	// At most 50 tags on a stream.
	many := map[string]string{}
	for i := len(tags); i < maxTags; i++ {
		many[fmt.Sprint("t", i)] = ""
	}
	wantErr(t, add("s", many), "", "")
	wantErr(t, add("s", map[string]string{"a": "overwritten"}), "", "")
	wantErr(t, add("s", map[string]string{"one-more": ""}), ia,
		"Failed to add tags to stream s under account "+acct+" because a given stream cannot have more than 50 tags associated with it.")
}
