//go:build windows

package runtimeapi

import "os/exec"

// ownProcessGroup does nothing on Windows: there are no process groups to
// kill at once, so processes a handler starts outlive a killed instance.
func ownProcessGroup(*exec.Cmd) {}

// killProcessGroup kills cmd's process (not its children, on Windows).
func killProcessGroup(cmd *exec.Cmd) {
	cmd.Process.Kill()
}
