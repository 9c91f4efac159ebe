//go:build unix

package pgtest

import "syscall"

// detached runs a process in a session of its own, so that it outlives
// signals sent to the test's process group.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
