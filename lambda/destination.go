package lambda

import (
	"errors"

	"github.com/eddy-streams/eddy"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/storage"
)

// checkDestination refuses, with InvalidParameterValueException, an
// on-failure destination Eddy cannot write to: a function that does not
// exist (in this account), or an S3 bucket when no S3-compatible server
// is configured (Config.S3Destinations). Both messages are Eddy's: Lambda
// takes no function as a mapping's destination, and always has S3. The
// ARN's form was checked by the protocol package; a Kinesis stream is
// not looked up (it may be created later, and a failed put is logged).
func (s *Service) checkDestination(tx storage.MetaTx, d *lp.DestinationConfig) error {
	if d == nil || d.OnFailure == nil || d.OnFailure.Destination == "" {
		return nil
	}
	arn := d.OnFailure.Destination
	dest, err := lp.ParseDestination(arn)
	if err != nil {
		return err
	}
	switch dest.Kind {
	case lp.DestinationFunction:
		if dest.Account != s.cfg.AccountID {
			return lp.InvalidParameter("The OnFailure destination function %s does not exist.", arn)
		}
		if _, err := s.load(tx, dest.Region, dest.Name); err != nil {
			var ee *eddy.Error
			if errors.As(err, &ee) && ee.Code == lp.CodeResourceNotFound {
				return lp.InvalidParameter("The OnFailure destination function %s does not exist.", arn)
			}
			return err
		}
	case lp.DestinationS3:
		if !s.cfg.S3Destinations {
			return lp.InvalidParameter("Unsupported OnFailure destination: %s. Eddy writes S3 destinations to an S3-compatible server, and none is configured (start eddy with --s3-endpoint).", arn)
		}
	}
	return nil
}
