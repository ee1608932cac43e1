//go:build testdeps

// Package testdeps pins modules that the API issue's tests and server use,
// so go.mod stays stable while several people write code against them.
package testdeps

import (
	_ "github.com/aws/aws-sdk-go-v2/aws"
	_ "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/credentials"
	_ "github.com/aws/aws-sdk-go-v2/service/kinesis"
	_ "gopkg.in/yaml.v3"
)
