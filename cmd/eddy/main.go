// Command eddy is Eddy's single binary: a Kinesis-compatible streaming data
// platform and its tools, reached through subcommands.
//
// Usage:
//
//	eddy <command> [flags] [args]
//
// Commands:
//
//	version   print the version, commit and Go version
//	put       put records from stdin or files into a stream
//	help      show usage, or a command's flags with "eddy help <command>"
//
// The API server (`eddy serve`) arrives with the Kinesis API.
//
// Only this package knows about flags, environment variables and config
// files; it turns them into the library packages' Config values and wires
// the pieces together.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
