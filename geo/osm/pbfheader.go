package osm

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// errShortHeader means the data ends inside the first PBF block.
var errShortHeader = errors.New("file ends inside the OSMHeader block")

// pbfRequiredFeatures decodes the OSMHeader block at the start of br, without
// consuming it, and returns its required features.
//
// The header is read here rather than by osmpbf because the osmpbf scanner
// starts decoding the following blocks on its own goroutines the moment it
// reads the header, and a block it cannot handle makes it panic where no
// recover can reach; refusing such a file must happen before it starts.
func pbfRequiredFeatures(br *bufio.Reader) ([]string, error) {
	b, err := br.Peek(4)
	if err != nil {
		return nil, errShortHeader
	}
	headerSize := int(binary.BigEndian.Uint32(b))
	if 4+headerSize > bufSize {
		return nil, fmt.Errorf("BlobHeader of %d bytes is implausibly large", headerSize)
	}
	if b, err = br.Peek(4 + headerSize); err != nil {
		return nil, errShortHeader
	}
	var blobType string
	dataSize := -1
	err = eachField(b[4:], func(num protowire.Number, val []byte, v uint64) {
		switch num {
		case 1:
			blobType = string(val)
		case 3:
			dataSize = int(int32(v))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("BlobHeader: %w", err)
	}
	if blobType != "OSMHeader" || dataSize < 0 {
		return nil, fmt.Errorf("first block is %q of %d bytes, want an OSMHeader", blobType, dataSize)
	}
	// Real header blocks are a few hundred bytes; the read buffer holds
	// bufSize, which is all Peek can see.
	if 4+headerSize+dataSize > bufSize {
		return nil, fmt.Errorf("OSMHeader block of %d bytes is implausibly large", dataSize)
	}
	if b, err = br.Peek(4 + headerSize + dataSize); err != nil {
		return nil, errShortHeader
	}
	var raw, zdata []byte
	var compression string
	err = eachField(b[4+headerSize:], func(num protowire.Number, val []byte, _ uint64) {
		switch num {
		case 1:
			raw = val
		case 3:
			zdata = val
		case 4:
			compression = "lzma"
		case 5:
			compression = "bzip2"
		case 6:
			compression = "lz4"
		case 7:
			compression = "zstd"
		}
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("Blob: %w", err)
	case zdata != nil:
		zr, err := zlib.NewReader(bytes.NewReader(zdata))
		if err != nil {
			return nil, fmt.Errorf("OSMHeader: %w", err)
		}
		if raw, err = io.ReadAll(io.LimitReader(zr, bufSize)); err != nil {
			return nil, fmt.Errorf("OSMHeader: %w", err)
		}
	case raw == nil && compression != "":
		return nil, fmt.Errorf("blocks are %s-compressed; only zlib and uncompressed blocks can be read", compression)
	case raw == nil:
		return nil, errors.New("OSMHeader block holds no data")
	}
	var required []string
	err = eachField(raw, func(num protowire.Number, val []byte, _ uint64) {
		if num == 4 {
			required = append(required, string(val))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("HeaderBlock: %w", err)
	}
	return required, nil
}

// eachField calls fn for each field of a protobuf message with its bytes
// (length-delimited fields) or its value (varints); other wire types are
// skipped.
func eachField(b []byte, fn func(num protowire.Number, val []byte, v uint64)) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		switch typ {
		case protowire.BytesType:
			val, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			fn(num, val, 0)
			n = m
		case protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			fn(num, nil, v)
			n = m
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return protowire.ParseError(n)
			}
		}
		b = b[n:]
	}
	return nil
}
