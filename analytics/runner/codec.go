package runner

import (
	"errors"
	"fmt"

	"github.com/eddy-streams/eddy/analytics/engine"
	"github.com/eddy-streams/eddy/protocol/kda"
)

// NewDecoder makes the decoder of an input's SourceSchema and returns the
// columns of its in-application streams.
func NewDecoder(s *kda.SourceSchema) (*engine.Decoder, []engine.Column, error) {
	if s == nil || s.RecordFormat == nil {
		return nil, nil, errors.New("no InputSchema")
	}
	f := engine.RecordFormat{RecordFormatType: s.RecordFormat.RecordFormatType}
	if mp := s.RecordFormat.MappingParameters; mp != nil {
		if j := mp.JSONMappingParameters; j != nil {
			f.RecordRowPath = kda.Deref(j.RecordRowPath)
		}
		if c := mp.CSVMappingParameters; c != nil {
			f.RecordRowDelimiter = kda.Deref(c.RecordRowDelimiter)
			f.RecordColumnDelimiter = kda.Deref(c.RecordColumnDelimiter)
		}
	}
	cols := make([]engine.RecordColumn, len(s.RecordColumns))
	for i, c := range s.RecordColumns {
		cols[i] = engine.RecordColumn{Name: kda.Deref(c.Name), SqlType: kda.Deref(c.SqlType), Mapping: kda.Deref(c.Mapping)}
	}
	d, err := engine.NewDecoder(f, cols)
	if err != nil {
		return nil, nil, err
	}
	return d, d.Columns(), nil
}

// encoder writes the rows of an in-application stream as records of a
// destination's RecordFormatType.
type encoder struct {
	format string
	cols   []engine.Column
}

func newEncoder(format string, cols []engine.Column) (encoder, error) {
	if format != "JSON" && format != "CSV" {
		return encoder{}, fmt.Errorf("RecordFormatType %q is not JSON or CSV", format)
	}
	if len(cols) == 0 {
		return encoder{}, errors.New("no such in-application stream")
	}
	return encoder{format: format, cols: cols}, nil
}

func (e encoder) encode(row engine.Row) ([]byte, error) {
	return engine.EncodeRecord(e.format, e.cols, row)
}
