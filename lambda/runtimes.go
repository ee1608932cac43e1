package lambda

import (
	"embed"
	"os"
	"path/filepath"
)

// The runtime clients Eddy ships for interpreted runtimes, written to
// DataDir/runtimes at start.
const (
	pythonClient = "python_bootstrap.py"
	nodeClient   = "node_bootstrap.js"
)

//go:embed runtimes/python_bootstrap.py runtimes/node_bootstrap.js
var runtimeFiles embed.FS

func writeRuntimeClients(dir string) error {
	for _, name := range []string{pythonClient, nodeClient} {
		b, err := runtimeFiles.ReadFile("runtimes/" + name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
