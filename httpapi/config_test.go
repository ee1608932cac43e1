package httpapi

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if c.Region != "us-east-1" || c.MaxBodyBytes != 32<<20 || c.MaxClockSkew != 15*time.Minute ||
		c.ReadHeaderTimeout != 30*time.Second || c.IdleTimeout != 2*time.Minute ||
		c.Logger == nil || c.Now == nil || len(c.Credentials) != 0 {
		t.Errorf("DefaultConfig() = %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero Config: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // substring of the error; "" for valid
	}{
		{"region", Config{Region: "eu-west-1"}, ""},
		{"bad region", Config{Region: "EU West"}, "region"},
		{"region with trailing hyphen", Config{Region: "us-east-"}, "region"},
		{"negative body", Config{MaxBodyBytes: -1}, "MaxBodyBytes"},
		{"negative skew", Config{MaxClockSkew: -time.Second}, "MaxClockSkew"},
		{"negative header timeout", Config{ReadHeaderTimeout: -time.Second}, "ReadHeaderTimeout"},
		{"negative idle timeout", Config{IdleTimeout: -time.Second}, "IdleTimeout"},
		{"credentials", Config{Credentials: map[string]string{"AKID": "secret/with+chars"}}, ""},
		{"empty key", Config{Credentials: map[string]string{"": "s"}}, "empty access key"},
		{"slash in key", Config{Credentials: map[string]string{"A/B": "s"}}, "contains"},
		{"empty secret", Config{Credentials: map[string]string{"AKID": ""}}, "empty secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Errorf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
			if _, err := New(tt.cfg); err == nil {
				t.Error("New accepted an invalid Config")
			}
		})
	}
}

func TestNewRejectsBadServices(t *testing.T) {
	call := func(context.Context, any) (any, error) { return nil, nil }
	newIn := func() any { return new(struct{}) }
	op := func(name string) Operation { return Operation{Name: name, NewInput: newIn, Call: call} }
	svc := func(prefix, signing string, ops ...Operation) Service {
		return Service{TargetPrefix: prefix, SigningName: signing, Operations: ops}
	}
	tests := []struct {
		name     string
		services []Service
		want     string
	}{
		{"empty prefix", []Service{svc("", "kinesis", op("A"))}, "target prefix"},
		{"dotted prefix", []Service{svc("A.B", "kinesis", op("A"))}, "target prefix"},
		{"no signing name", []Service{svc("K", "", op("A"))}, "signing name"},
		{"same prefix twice", []Service{svc("K", "k", op("A")), svc("K", "k", op("B"))}, "registered twice"},
		{"empty operation name", []Service{svc("K", "k", op(""))}, "operation name"},
		{"operation twice", []Service{svc("K", "k", op("A"), op("A"))}, "registered twice"},
		{"no NewInput", []Service{svc("K", "k", Operation{Name: "A", Call: call})}, "NewInput"},
		{"no Call", []Service{svc("K", "k", Operation{Name: "A", NewInput: newIn})}, "no Call"},
		{"NewInput not a pointer", []Service{svc("K", "k", Operation{Name: "A", NewInput: func() any { return struct{}{} }, Call: call})}, "non-nil pointer"},
		{"NewInput nil pointer", []Service{svc("K", "k", Operation{Name: "A", NewInput: func() any { return (*struct{})(nil) }, Call: call})}, "non-nil pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{}, tt.services...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := New(Config{}, svc("K", "k", op("A")), svc("D", "d", op("A"))); err != nil {
		t.Errorf("two services: %v", err)
	}
}
