package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// A crash leaves committed edits in the write-ahead log (the "-wal" file
// beside the database) until the next process checkpoints them. SQLite's
// recovery stops reading the log at the first frame whose checksum fails
// and silently drops that frame and every later one, so a damaged log
// loses committed edits without a word. checkWAL reads the log as
// recovery would, before SQLite does, and refuses a damaged one.
//
// The log format (https://www.sqlite.org/fileformat2.html#walformat): a
// 32-byte header (magic, version, page size, checkpoint sequence, two
// salts, a checksum of the first 24 bytes), then frames of a 24-byte
// header (page number, database size after a commit or 0, the two salts,
// a running checksum) and a page. Frames whose salts differ from the
// header's are left over from an earlier generation of the log and are
// not read.

const (
	walHeaderSize      = 32
	walFrameHeaderSize = 24
	walMagicLE         = 0x377f0682 // checksums of little-endian words
	walMagicBE         = 0x377f0683 // checksums of big-endian words
)

// walChecksum continues SQLite's WAL checksum s over b (a multiple of 8
// bytes) read as 32-bit words in order.
func walChecksum(order binary.ByteOrder, s [2]uint32, b []byte) [2]uint32 {
	for i := 0; i+8 <= len(b); i += 8 {
		s[0] += order.Uint32(b[i:]) + s[1]
		s[1] += order.Uint32(b[i+4:]) + s[0]
	}
	return s
}

// checkWAL refuses the database at path when its write-ahead log holds
// frames that recovery would drop although they were written whole: a
// damaged header, or a frame of the current log whose checksum fails. A
// frame cut short at the end of the file is a write that a crash
// interrupted, never acknowledged, and is left to SQLite to discard.
// The log is only checked when no other process has the database open
// (walInUse): a live log is being written and is not recovered.
func checkWAL(path, abs string) error {
	f, err := os.Open(abs + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("scenario database %s: its write-ahead log: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("scenario database %s: its write-ahead log: %w", path, err)
	}
	if fi.Size() == 0 {
		return nil
	}
	if walInUse(abs) {
		return nil
	}
	damaged := func(what string) error {
		return fmt.Errorf("scenario database %s: its write-ahead log %s-wal is damaged (%s), and SQLite would silently drop the edits it holds. %s; to give up those edits, move %s-wal aside (keep a copy) and start again", path, path, what, refusal, path)
	}
	var h [walHeaderSize]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil // a header cut short: the log was being started and holds nothing
		}
		return fmt.Errorf("scenario database %s: its write-ahead log: %w", path, err)
	}
	var order binary.ByteOrder
	switch binary.BigEndian.Uint32(h[0:4]) {
	case walMagicLE:
		order = binary.LittleEndian
	case walMagicBE:
		order = binary.BigEndian
	default:
		return damaged(fmt.Sprintf("its header begins %#x; want %#x or %#x", binary.BigEndian.Uint32(h[0:4]), walMagicLE, walMagicBE))
	}
	sum := walChecksum(order, [2]uint32{}, h[:24])
	if sum[0] != binary.BigEndian.Uint32(h[24:28]) || sum[1] != binary.BigEndian.Uint32(h[28:32]) {
		return damaged("the checksum of its header fails")
	}
	pageSize := int64(binary.BigEndian.Uint32(h[8:12]))
	if pageSize < 512 || pageSize > 65536 || pageSize&(pageSize-1) != 0 {
		return damaged(fmt.Sprintf("its header gives a page size of %d", pageSize))
	}
	salt1, salt2 := binary.BigEndian.Uint32(h[16:20]), binary.BigEndian.Uint32(h[20:24])
	frame := make([]byte, walFrameHeaderSize+pageSize)
	for n := 1; ; n++ {
		if _, err := io.ReadFull(f, frame); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil // the end, or a frame a crash cut short
			}
			return fmt.Errorf("scenario database %s: its write-ahead log: %w", path, err)
		}
		if binary.BigEndian.Uint32(frame[8:12]) != salt1 || binary.BigEndian.Uint32(frame[12:16]) != salt2 {
			return nil // left over from an earlier generation of the log
		}
		next := walChecksum(order, sum, frame[:8])
		next = walChecksum(order, next, frame[walFrameHeaderSize:])
		if next[0] != binary.BigEndian.Uint32(frame[16:20]) || next[1] != binary.BigEndian.Uint32(frame[20:24]) {
			return damaged(fmt.Sprintf("the checksum of frame %d, page %d, fails", n, binary.BigEndian.Uint32(frame[0:4])))
		}
		sum = next
	}
}
