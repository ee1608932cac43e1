// Package kmsapi registers the KMS operations of package kms with the HTTP
// transport: X-Amz-Target TrentService.<Op>, AWS JSON 1.1, SigV4 signing
// name "kms", each request served in the region its signature is scoped
// to (httpapi.Region).
//
//	srv, err := httpapi.New(cfg, kinesisapi.RegionalService(kin), kmsapi.Service(keys))
package kmsapi

import (
	"context"
	"reflect"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/kms"
	kp "github.com/eddy-streams/eddy/protocol/kms"
)

// op adapts a service method to an httpapi.Operation.
func op[I, O any](name string, f func(region string, in *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			out, err := f(httpapi.Region(ctx), in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// keyOf names the key a request addresses, for the request log.
func keyOf(in any) string {
	if f := reflect.ValueOf(in).Elem().FieldByName("KeyId"); f.IsValid() && !f.IsNil() {
		return f.Elem().String()
	}
	switch v := in.(type) {
	case *kp.CreateAliasInput:
		return kp.Deref(v.AliasName)
	case *kp.UpdateAliasInput:
		return kp.Deref(v.AliasName)
	case *kp.DeleteAliasInput:
		return kp.Deref(v.AliasName)
	}
	return ""
}

// Service returns the KMS service backed by svc. A server fault is
// KMSInternalException, the model's 500.
func Service(svc *kms.Service) httpapi.Service {
	return httpapi.Service{
		TargetPrefix:      kp.TargetPrefix,
		SigningName:       kp.SigningName,
		Protocol:          httpapi.ProtocolJSON11,
		StreamOf:          keyOf,
		InternalErrorCode: eddy.CodeKMSInternal,
		Operations: []httpapi.Operation{
			op("CancelKeyDeletion", svc.CancelKeyDeletion),
			op("CreateAlias", svc.CreateAlias),
			op("CreateKey", svc.CreateKey),
			op("Decrypt", svc.Decrypt),
			op("DeleteAlias", svc.DeleteAlias),
			op("DescribeKey", svc.DescribeKey),
			op("DisableKey", svc.DisableKey),
			op("DisableKeyRotation", svc.DisableKeyRotation),
			op("EnableKey", svc.EnableKey),
			op("EnableKeyRotation", svc.EnableKeyRotation),
			op("Encrypt", svc.Encrypt),
			op("GenerateDataKey", svc.GenerateDataKey),
			op("GenerateDataKeyWithoutPlaintext", svc.GenerateDataKeyWithoutPlaintext),
			op("GetKeyPolicy", svc.GetKeyPolicy),
			op("GetKeyRotationStatus", svc.GetKeyRotationStatus),
			op("ListAliases", svc.ListAliases),
			op("ListKeys", svc.ListKeys),
			op("ListResourceTags", svc.ListResourceTags),
			op("PutKeyPolicy", svc.PutKeyPolicy),
			op("ReEncrypt", svc.ReEncrypt),
			op("RotateKeyOnDemand", svc.RotateKeyOnDemand),
			op("ScheduleKeyDeletion", svc.ScheduleKeyDeletion),
			op("TagResource", svc.TagResource),
			op("UntagResource", svc.UntagResource),
			op("UpdateAlias", svc.UpdateAlias),
			op("UpdateKeyDescription", svc.UpdateKeyDescription),
		},
	}
}
