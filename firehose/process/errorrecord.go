package process

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// AppendErrorRecord appends f as the JSON document Firehose writes for a
// record that failed processing, one per line in the error output:
//
//	{"rawData":"<base64>","errorCode":"Lambda.FunctionError","errorMessage":"...",
//	 "attemptsMade":4,"arrivalTimestamp":1741088912364,"attemptEndingTimestamp":1741089007666,
//	 "lambdaARN":"arn:aws:lambda:..."}
//
// The members are those of Firehose's "Handle failure in data
// transformation" page (attemptsMade, arrivalTimestamp, errorCode,
// errorMessage, attemptEndingTimestamp, rawData, lambdaArn), in the order
// and spelling of error records users have published from their buckets:
// the page writes lambdaArn, the records carry "lambdaARN". lambdaARN is
// left out for failures of other processors. No newline is appended.
func AppendErrorRecord(dst []byte, f Failure) []byte {
	dst = append(dst, `{"rawData":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, f.Record.Data)
	dst = append(dst, `","errorCode":`...)
	dst = appendJSONString(dst, f.ErrorCode)
	dst = append(dst, `,"errorMessage":`...)
	dst = appendJSONString(dst, f.ErrorMessage)
	dst = append(dst, `,"attemptsMade":`...)
	dst = strconv.AppendInt(dst, int64(f.AttemptsMade), 10)
	dst = append(dst, `,"arrivalTimestamp":`...)
	dst = strconv.AppendInt(dst, millis(f.Record.ApproximateArrival), 10)
	dst = append(dst, `,"attemptEndingTimestamp":`...)
	dst = strconv.AppendInt(dst, millis(f.AttemptEnding), 10)
	if f.LambdaARN != "" {
		dst = append(dst, `,"lambdaARN":`...)
		dst = appendJSONString(dst, f.LambdaARN)
	}
	return append(dst, '}')
}

func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}
