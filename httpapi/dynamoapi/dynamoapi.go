// Package dynamoapi registers the DynamoDB operations of package dynamo
// with the HTTP transport: each X-Amz-Target operation name maps to its
// protocol/ddb input type and engine method, on the JSON 1.0 protocol
// with DynamoDB's error conventions. Inputs with expressions get
// dynamo.Checker, so Validate parses them at the point of DynamoDB's
// order of checks and the engine receives them parsed.
//
//	srv, err := httpapi.New(cfg, kinesisapi.RegionalService(kin), dynamoapi.RegionalService(ddbRegions))
package dynamoapi

import (
	"context"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// picker returns the engine that serves a request.
type picker func(ctx context.Context) (*dynamo.Engine, error)

// op adapts an engine method to an httpapi.Operation. newIn makes the
// input (setting its Checker where it has one).
func op[I, O any](pick picker, name string, newIn func() *I, f func(*dynamo.Engine, context.Context, *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return newIn() },
		Call: func(ctx context.Context, in any) (any, error) {
			e, err := pick(ctx)
			if err != nil {
				return nil, err
			}
			out, err := f(e, ctx, in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

func plain[I any]() *I { return new(I) }

// Service returns the DynamoDB service backed by e alone: every request
// is served in e's region, whatever region its signature names.
func Service(e *dynamo.Engine) httpapi.Service {
	return service(func(context.Context) (*dynamo.Engine, error) { return e, nil })
}

// RegionalService returns the DynamoDB service backed by regions: each
// request is served by the engine of the region its signature is scoped
// to (httpapi.Region), in the caller's account (with identities; the
// default account otherwise).
func RegionalService(regions *dynamo.Regions) httpapi.Service {
	return service(func(ctx context.Context) (*dynamo.Engine, error) {
		region := httpapi.Region(ctx)
		if region == "" {
			return regions.Default(), nil
		}
		if c := httpapi.Caller(ctx); c != nil {
			return regions.GetAccount(c.Account, region)
		}
		return regions.Get(region)
	})
}

var checker dynamo.Checker

func service(pick picker) httpapi.Service {
	return httpapi.Service{
		TargetPrefix:      ddb.TargetPrefix,
		SigningName:       ddb.SigningName,
		Protocol:          httpapi.ProtocolJSON10,
		ErrorType:         ddb.ErrorType,
		MessageKey:        ddb.MessageKey,
		ModelClass:        ddb.ModelClass,
		InternalErrorCode: eddy.CodeInternalServerError,
		MaxBodyBytes:      ddb.MaxRequestBytes,
		StreamOf:          tableOf,
		Operations: []httpapi.Operation{
			op(pick, "BatchGetItem", func() *ddb.BatchGetItemInput { return &ddb.BatchGetItemInput{Checker: checker} }, (*dynamo.Engine).BatchGetItem),
			op(pick, "BatchWriteItem", plain[ddb.BatchWriteItemInput], (*dynamo.Engine).BatchWriteItem),
			op(pick, "CreateTable", plain[ddb.CreateTableInput], (*dynamo.Engine).CreateTable),
			op(pick, "DeleteItem", func() *ddb.DeleteItemInput { return &ddb.DeleteItemInput{Checker: checker} }, (*dynamo.Engine).DeleteItem),
			op(pick, "DeleteTable", plain[ddb.DeleteTableInput], (*dynamo.Engine).DeleteTable),
			op(pick, "DescribeContinuousBackups", plain[ddb.DescribeContinuousBackupsInput], (*dynamo.Engine).DescribeContinuousBackups),
			op(pick, "DescribeEndpoints", plain[ddb.DescribeEndpointsInput], (*dynamo.Engine).DescribeEndpoints),
			op(pick, "DescribeLimits", plain[ddb.DescribeLimitsInput], (*dynamo.Engine).DescribeLimits),
			op(pick, "DescribeTable", plain[ddb.DescribeTableInput], (*dynamo.Engine).DescribeTable),
			op(pick, "DescribeTimeToLive", plain[ddb.DescribeTimeToLiveInput], (*dynamo.Engine).DescribeTimeToLive),
			op(pick, "GetItem", func() *ddb.GetItemInput { return &ddb.GetItemInput{Checker: checker} }, (*dynamo.Engine).GetItem),
			op(pick, "ListTables", plain[ddb.ListTablesInput], (*dynamo.Engine).ListTables),
			op(pick, "ListTagsOfResource", plain[ddb.ListTagsOfResourceInput], (*dynamo.Engine).ListTagsOfResource),
			op(pick, "PutItem", func() *ddb.PutItemInput { return &ddb.PutItemInput{Checker: checker} }, (*dynamo.Engine).PutItem),
			op(pick, "Query", func() *ddb.QueryInput { return &ddb.QueryInput{Checker: checker} }, (*dynamo.Engine).Query),
			op(pick, "Scan", func() *ddb.ScanInput { return &ddb.ScanInput{Checker: checker} }, (*dynamo.Engine).Scan),
			op(pick, "TagResource", plain[ddb.TagResourceInput], (*dynamo.Engine).TagResource),
			op(pick, "TransactGetItems", func() *ddb.TransactGetItemsInput { return &ddb.TransactGetItemsInput{Checker: checker} }, (*dynamo.Engine).TransactGetItems),
			op(pick, "TransactWriteItems", func() *ddb.TransactWriteItemsInput { return &ddb.TransactWriteItemsInput{Checker: checker} }, (*dynamo.Engine).TransactWriteItems),
			op(pick, "UntagResource", plain[ddb.UntagResourceInput], (*dynamo.Engine).UntagResource),
			op(pick, "UpdateContinuousBackups", plain[ddb.UpdateContinuousBackupsInput], (*dynamo.Engine).UpdateContinuousBackups),
			op(pick, "UpdateItem", func() *ddb.UpdateItemInput { return &ddb.UpdateItemInput{Checker: checker} }, (*dynamo.Engine).UpdateItem),
			op(pick, "UpdateTable", plain[ddb.UpdateTableInput], (*dynamo.Engine).UpdateTable),
			op(pick, "UpdateTimeToLive", plain[ddb.UpdateTimeToLiveInput], (*dynamo.Engine).UpdateTimeToLive),
		},
	}
}

// tableOf returns the table a request addresses, for the request log.
func tableOf(in any) string {
	if t, ok := in.(interface{ TableNameOf() string }); ok {
		return t.TableNameOf()
	}
	switch in := in.(type) {
	case *ddb.GetItemInput:
		return str(in.TableName)
	case *ddb.PutItemInput:
		return str(in.TableName)
	case *ddb.UpdateItemInput:
		return str(in.TableName)
	case *ddb.DeleteItemInput:
		return str(in.TableName)
	case *ddb.QueryInput:
		return str(in.TableName)
	case *ddb.ScanInput:
		return str(in.TableName)
	case *ddb.CreateTableInput:
		return str(in.TableName)
	case *ddb.DescribeTableInput:
		return str(in.TableName)
	case *ddb.DeleteTableInput:
		return str(in.TableName)
	case *ddb.UpdateTableInput:
		return str(in.TableName)
	}
	return ""
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
