// Package process applies a delivery stream's record processors to a
// buffered batch of records, as Firehose does between buffering and
// delivery: Decompression and CloudWatchLogProcessing, RecordDeAggregation
// (and KPL deaggregation for a Kinesis stream source), a Lambda function,
// MetadataExtraction with jq, AppendDelimiterToRecord.
//
// A Chain is built from a ProcessingConfiguration (the field names are
// Firehose's: Enabled, Processors[{Type, Parameters[{ParameterName,
// ParameterValue}]}]) and run on a batch:
//
//	chain, err := process.New(process.Config{
//		ProcessingConfiguration: cfg,
//		DeliveryStreamARN:       arn,
//		Region:                  "us-east-1",
//		Invoker:                 lambdaService, // for a Lambda processor
//	})
//	out, err := chain.Process(ctx, batch)
//	// out.Records go to the destination, out.Failed to the error output
//	// (ErrorOutputPrefix, !{firehose:error-output-type} = Failure.OutputType).
//
// # Order
//
// Whatever order the processors are listed in, a Chain applies them in the
// order Firehose documents and users have observed:
//
//	KPL deaggregation (Kinesis stream sources only)
//	Decompression -> CloudWatchLogProcessing
//	RecordDeAggregation
//	Lambda
//	MetadataExtraction
//	AppendDelimiterToRecord
//
// "Data coming into Firehose is processed in the following order:
// Deaggregation → Data Transformation via Lambda → Partitioning Keys"
// (docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-multirecord-deaggergation.html).
// Decompression comes first: Firehose's decompression troubleshooting page
// speaks of "the processing steps after decompression like Dynamic
// Partitioning and Data Format Conversion" (decomp-faq.html), and
// deaggregation cannot split compressed bytes; users configure the CloudWatch
// Logs path as Decompression -> CloudWatchLogProcessing ->
// RecordDeAggregation. The delimiter is appended last so that jq and the
// Lambda function see each record as it was put.
//
// # Nothing is lost
//
// Every record of the input comes out exactly once: delivered (possibly
// replaced by its deaggregated sub-records or by the Lambda function's data),
// counted as Dropped (the Lambda function's "Dropped", a CloudWatch Logs
// CONTROL_MESSAGE), or in Failed with Firehose's error code. A processor
// returns an error only when the context ends; the caller then retries the
// batch.
//
// This package is a service package: it serves no HTTP and imports no other
// Eddy firehose package; the Lambda function is called through the Invoker
// interface declared here (lambda.Invoker satisfies it).
package process
