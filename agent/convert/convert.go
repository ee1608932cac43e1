// Package convert implements the Kinesis Agent's dataProcessingOptions:
// the converters SINGLELINE, CSVTOJSON, LOGTOJSON, ADDMETADATA and
// ADDEC2METADATA, chained in the order the flow lists them, writing the
// bytes the Java agent writes.
//
// A record is what the agent's splitter cuts from a file: one line, or a
// multi-line record (multiLineStartPattern), with its trailing newline or
// without it (the Java converters strip one trailing "\n" before converting
// and the JSON ones put one back, so both give the same output). Every
// converter's output ends with "\n", as the agent's do.
//
//	conv, err := convert.New(flow.DataProcessingOptions)
//	out, err := conv.Convert(buf[:0], line)
//	switch {
//	case errors.Is(err, convert.ErrSkip): // filtered out (LOGTOJSON no match)
//	case err != nil:                      // conversion failed
//	default:                              // send out
//	}
//
// Converters append into a caller-provided buffer and keep scratch buffers of
// their own, so a Converter is not safe for concurrent use: build one per
// goroutine.
//
// The sources are the agent's converters in awslabs/amazon-kinesis-agent,
// src/com/amazon/kinesis/streaming/agent/processing/: processors/
// SingleLineDataConverter.java, CSVToJSONDataConverter.java,
// LogToJSONDataConverter.java, AddMetadataConverter.java,
// AddEC2MetadataConverter.java; parsers/ApacheLogParser.java,
// SysLogParser.java, PatternConstants.java; utils/SimpleJSONPrinter.java.
package convert

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/eddy-streams/eddy/agent/config"
)

// Converter converts one record.
type Converter interface {
	// Convert appends the converted form of rec to dst and returns the
	// extended slice. rec is not retained and not modified. It returns
	// ErrSkip when the record is filtered out (the agent's converters
	// return null: LOGTOJSON on a line its pattern does not match), or an
	// error wrapping ErrFailed when the conversion fails (the agent's
	// DataConversionException: ADDEC2METADATA on a record that is not a
	// JSON object). On error dst's contents past its original length are
	// unspecified.
	Convert(dst, rec []byte) ([]byte, error)
}

var (
	// ErrSkip says the record is filtered out; the agent counts it as
	// skipped and sends nothing.
	ErrSkip = errors.New("convert: record skipped")
	// ErrFailed says the conversion failed.
	ErrFailed = errors.New("convert: conversion failed")
)

// Option changes how New builds converters.
type Option func(*options)

type options struct {
	now    func() time.Time
	getenv func(string) string
}

// WithClock sets the clock ADDMETADATA's "timestamp" and ADDEC2METADATA's
// "metadataTimestamp" read. Default time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithEnv sets how ADDEC2METADATA reads its EDDY_EC2_* variables. Default
// os.Getenv.
func WithEnv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// New builds the chain of converters opts lists, in order. With no options
// it returns a Converter that copies the record unchanged (the agent sends
// records as read when a flow has no dataProcessingOptions). Each option is
// checked as the agent's constructors check it; an option Parse accepted is
// accepted here.
func New(opts []config.ProcessingOption, o ...Option) (Converter, error) {
	op := options{now: time.Now, getenv: os.Getenv}
	for _, f := range o {
		f(&op)
	}
	if len(opts) == 0 {
		return identity{}, nil
	}
	convs := make([]Converter, 0, len(opts))
	for i := range opts {
		c, err := newOne(&opts[i], &op)
		if err != nil {
			return nil, fmt.Errorf("dataProcessingOptions[%d] %s: %w", i, opts[i].OptionName, err)
		}
		convs = append(convs, c)
	}
	if len(convs) == 1 {
		return convs[0], nil
	}
	return &chain{convs: convs}, nil
}

func newOne(o *config.ProcessingOption, op *options) (Converter, error) {
	switch o.OptionName {
	case "SINGLELINE":
		return singleLine{}, nil
	case "CSVTOJSON":
		return newCSV(o)
	case "LOGTOJSON":
		return newLogToJSON(o)
	case "ADDMETADATA":
		return newAddMetadata(o, op)
	case "ADDEC2METADATA":
		return newAddEC2Metadata(o, op), nil
	}
	return nil, fmt.Errorf("unknown optionName %q", o.OptionName)
}

type identity struct{}

func (identity) Convert(dst, rec []byte) ([]byte, error) { return append(dst, rec...), nil }

// chain runs converters in order, each on the previous one's output, as
// AgentDataConverterChain does; a skipped or failed record stops the chain.
type chain struct {
	convs []Converter
	a, b  []byte
}

func (c *chain) Convert(dst, rec []byte) ([]byte, error) {
	cur := rec
	last := len(c.convs) - 1
	for i, conv := range c.convs {
		if i == last {
			return conv.Convert(dst, cur)
		}
		out, err := conv.Convert(c.a[:0], cur)
		if err != nil {
			return dst, err
		}
		c.a, c.b = c.b, out // out becomes cur; the old cur buffer is reused next
		cur = out
	}
	return dst, nil // not reached: len(convs) >= 2
}

// trimNewline removes one trailing "\n", as the converters do.
func trimNewline(rec []byte) []byte {
	if n := len(rec); n > 0 && rec[n-1] == '\n' {
		return rec[:n-1]
	}
	return rec
}
