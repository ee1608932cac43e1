package analytics

import (
	"errors"
	"fmt"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/analytics/sql"
)

// ParseCode is the default Config.ValidateCode: the code must parse as the
// dialect (analytics/sql.Parse). Empty code is valid (the model's
// ApplicationCode has length 0 to 102400: an application may be created
// before its code is written).
//
// A parse error is CodeValidationException, "User-provided application
// code (query) is invalid. This can be a simple syntax error." (the
// model's documentation of the exception); the message, with the line and
// column of the error, is Eddy's: no recording of AWS's was found.
func ParseCode(code string) error {
	if code == "" {
		return nil
	}
	_, err := sql.Parse(code)
	if err == nil {
		return nil
	}
	var se *sql.Error
	if errors.As(err, &se) {
		return eddy.Errorf(eddy.CodeCodeValidation, "Error in application code at line %d, column %d: %s", se.Line, se.Column, se.Msg)
	}
	return eddy.Errorf(eddy.CodeCodeValidation, "Error in application code: %v", err)
}

// validateCode runs the configured validator, making a plain error
// CodeValidationException.
func (s *Service) validateCode(code *string) error {
	if code == nil {
		return nil
	}
	err := s.cfg.ValidateCode(*code)
	if err == nil {
		return nil
	}
	var e *eddy.Error
	if errors.As(err, &e) {
		return err
	}
	return &eddy.Error{Code: eddy.CodeCodeValidation, Message: fmt.Sprint(err)}
}
