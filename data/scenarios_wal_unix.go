//go:build unix

package data

import (
	"io"
	"os"
	"syscall"
)

// walInUse reports whether another process has the SQLite database at abs
// open: every connection in WAL mode holds a read lock on the "dead man
// switch" byte of the shared-memory file (byte 128 of "-shm" in SQLite's
// unix VFS) while it is open. Locks of this process are not seen, which
// is what is wanted: they are not a crash.
func walInUse(abs string) bool {
	f, err := os.Open(abs + "-shm")
	if err != nil {
		return false
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart, Start: 128, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return false
	}
	return lk.Type != syscall.F_UNLCK
}
