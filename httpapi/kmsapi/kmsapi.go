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

// picker returns the key service that serves a request: its caller's
// account's.
type picker func(ctx context.Context) (*kms.Service, error)

// op adapts a service method to an httpapi.Operation.
func op[I, O any](pick picker, name string, f func(s *kms.Service, region string, in *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			s, err := pick(ctx)
			if err != nil {
				return nil, err
			}
			out, err := f(s, httpapi.Region(ctx), in.(*I))
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
	return service(func(context.Context) (*kms.Service, error) { return svc, nil })
}

// AccountsService returns the KMS service backed by accounts: each
// request is served by its caller's account's keys (with identities;
// the default account's otherwise).
func AccountsService(accounts *kms.Accounts) httpapi.Service {
	return service(func(ctx context.Context) (*kms.Service, error) {
		if c := httpapi.Caller(ctx); c != nil {
			return accounts.Get(c.Account)
		}
		return accounts.Default(), nil
	})
}

func service(pick picker) httpapi.Service {
	return httpapi.Service{
		TargetPrefix:      kp.TargetPrefix,
		SigningName:       kp.SigningName,
		Protocol:          httpapi.ProtocolJSON11,
		StreamOf:          keyOf,
		InternalErrorCode: eddy.CodeKMSInternal,
		Operations: []httpapi.Operation{
			op(pick, "CancelKeyDeletion", (*kms.Service).CancelKeyDeletion),
			op(pick, "CreateAlias", (*kms.Service).CreateAlias),
			op(pick, "CreateKey", (*kms.Service).CreateKey),
			op(pick, "Decrypt", (*kms.Service).Decrypt),
			op(pick, "DeleteAlias", (*kms.Service).DeleteAlias),
			op(pick, "DescribeKey", (*kms.Service).DescribeKey),
			op(pick, "DisableKey", (*kms.Service).DisableKey),
			op(pick, "DisableKeyRotation", (*kms.Service).DisableKeyRotation),
			op(pick, "EnableKey", (*kms.Service).EnableKey),
			op(pick, "EnableKeyRotation", (*kms.Service).EnableKeyRotation),
			op(pick, "Encrypt", (*kms.Service).Encrypt),
			op(pick, "GenerateDataKey", (*kms.Service).GenerateDataKey),
			op(pick, "GenerateDataKeyWithoutPlaintext", (*kms.Service).GenerateDataKeyWithoutPlaintext),
			op(pick, "GetKeyPolicy", (*kms.Service).GetKeyPolicy),
			op(pick, "GetKeyRotationStatus", (*kms.Service).GetKeyRotationStatus),
			op(pick, "ListAliases", (*kms.Service).ListAliases),
			op(pick, "ListKeys", (*kms.Service).ListKeys),
			op(pick, "ListResourceTags", (*kms.Service).ListResourceTags),
			op(pick, "PutKeyPolicy", (*kms.Service).PutKeyPolicy),
			op(pick, "ReEncrypt", (*kms.Service).ReEncrypt),
			op(pick, "RotateKeyOnDemand", (*kms.Service).RotateKeyOnDemand),
			op(pick, "ScheduleKeyDeletion", (*kms.Service).ScheduleKeyDeletion),
			op(pick, "TagResource", (*kms.Service).TagResource),
			op(pick, "UntagResource", (*kms.Service).UntagResource),
			op(pick, "UpdateAlias", (*kms.Service).UpdateAlias),
			op(pick, "UpdateKeyDescription", (*kms.Service).UpdateKeyDescription),
		},
	}
}
