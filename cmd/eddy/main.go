// Command eddy is Eddy's single binary: a Kinesis-compatible streaming data
// platform and its tools, reached through subcommands.
//
// Usage:
//
//	eddy <command> [flags] [args]
//
// Commands:
//
//	serve     serve the Kinesis API on local storage until SIGINT or SIGTERM
//	put       put records from stdin or files into a stream
//	tail      print a stream's records as they come (eddy tail STREAM --follow)
//	sql       run a SQL query over a stream and print its rows live (eddy sql "SELECT STREAM ..." --stream S)
//	logs      print a function's log (eddy logs FUNCTION --follow)
//	health    check a running server's admin /health or /ready (for container health checks)
//	version   print the version, commit and Go version (also: eddy --version, eddy -version)
//	help      show usage (also: eddy -h, eddy --help), or a command's flags with
//	          "eddy help <command>" or "eddy <command> -h"
//
// Usage and help go to stdout with exit code 0; a bad command line prints
// its error and the usage to stderr and exits with 2.
//
// Only this package knows about flags, environment variables and config
// files; it turns them into the library packages' Config values and wires
// the pieces together.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
