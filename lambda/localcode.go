package lambda

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"

	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// Functions whose code is a local directory (an Eddy extension).
//
// CreateFunction with Code.S3Bucket lp.LocalCodeBucket ("hot-reload", the
// convention LocalStack users already script against) and Code.S3Key an
// absolute directory on the Eddy host runs the code from that directory
// in place: nothing is zipped, copied or stored. Every instance started
// after an edit sees the directory as it then is; a warm instance keeps
// what its runtime already loaded (a Python module imported, a Node module
// required, a bootstrap binary running) until it is stopped, which an
// UpdateFunctionConfiguration (any change) or a restart does. No
// UpdateFunctionCode is needed; one with a ZipFile replaces the directory
// by the zip.
//
// AWS computes CodeSha256 and CodeSize over the zip it stores; a directory
// has no such bytes, so Eddy reports CodeSize 0 and CodeSha256 the base64
// SHA-256 of the directory's path: stable for the function, different
// between directories, and never mistaken for a zip's digest by a tool
// that compares it with a local zip.

// localCode checks a local code directory and returns it cleaned with the
// CodeSha256 to report.
func localCode(dir string) (string, string, error) {
	// Eddy's wording: Lambda has no local directories, so no AWS
	// message exists; InvalidParameterValueException is Lambda's
	// exception for a bad member value.
	if !filepath.IsAbs(dir) {
		return "", "", lp.InvalidParameter("Code.S3Key must be the absolute path of a directory on the Eddy host when Code.S3Bucket is %q; got %q", lp.LocalCodeBucket, dir)
	}
	dir = filepath.Clean(dir)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return "", "", lp.InvalidParameter("Code.S3Key %q is not a directory on the Eddy host", dir)
	}
	sum := sha256.Sum256([]byte(dir))
	return dir, base64.StdEncoding.EncodeToString(sum[:]), nil
}

// localCodeLocation is GetFunction's Code for a local directory:
// RepositoryType "Local" (Lambda's own values are "S3" and "ECR"; the
// member is a free string in the model) and a file:// URL of the
// directory.
func localCodeLocation(dir string) *lp.FunctionCodeLocation {
	return &lp.FunctionCodeLocation{RepositoryType: "Local", Location: "file://" + filepath.ToSlash(dir)}
}
