// Package analytics is Eddy's Kinesis Data Analytics for SQL service: the
// control plane of SQL applications (KinesisAnalytics_20150814): their
// configuration, versions, states and tags, kept in the MetaStore, and
// DiscoverInputSchema over Eddy's own Kinesis streams and S3 objects,
// optionally through a Lambda preprocessor (infer.go says which of its
// type and naming rules are the developer guide's and which Eddy's).
//
// # What the caller provides (Config)
//
//   - Runtime: runs applications (Start, Update, Stop); none leaves them
//     changing state without running.
//   - Kinesis(region): a region's streams (*kinesis.Engine fits), to check
//     stream ARNs and to sample records for DiscoverInputSchema.
//   - Firehose, Functions: existence checks of delivery streams and
//     functions named by inputs and outputs.
//   - Invoke(ctx, functionARN, payload): a synchronous Lambda call, for
//     DiscoverInputSchema's InputProcessingConfiguration.
//   - ReadObject(ctx, bucket, key, max): an S3 object, for
//     DiscoverInputSchema's S3Configuration; missing is ErrNoObject.
//
// Each is optional; what is missing is reported where it is needed. One
// Service serves one account (Config.AccountID), every region.
//
// Running an application is not this package's: it calls a Runtime
// (Config.Runtime) to start, update and stop one. Without a Runtime an
// application still goes through its states (StartApplication leaves it
// RUNNING at once) but nothing reads its input.
//
// # States
//
// A new application is READY. StartApplication moves a READY application to
// STARTING and, once Runtime.Start returned, to RUNNING (or back to READY if
// Start failed); StopApplication moves a RUNNING one to STOPPING and, once
// Runtime.Stop returned, to READY. A change of configuration (UpdateApplication,
// Add*/Delete*) of a RUNNING application makes it UPDATING until
// Runtime.Update returned. DeleteApplication of a RUNNING application makes it
// DELETING until Runtime.Stop returned; a READY one is gone at once. Every
// operation that changes an application answers ResourceInUseException in
// STARTING, STOPPING, UPDATING and DELETING.
//
// # Storage
//
// One MetaStore record per application in table "analytics/applications",
// keyed "<region>/<name>", holding its configuration as JSON (the
// description shapes of protocol/kda). A STARTING application found when the
// service opens stays STARTING until Resume starts it; STOPPING becomes
// READY, UPDATING RUNNING, DELETING is removed.
//
// Usage:
//
//	svc, err := analytics.New(cfg, meta)
//	svc.Resume(ctx) // restart the applications that were running
//	out, err := svc.CreateApplication(ctx, "us-east-1", &kda.CreateApplicationInput{...})
package analytics
