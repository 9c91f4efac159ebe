package osm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestSizeLimit: Options.MaxFileBytes caps the file and, for compressed
// XML, the data once uncompressed; devices are refused before reading.
func TestSizeLimit(t *testing.T) {
	xmlDoc := town().xmlDoc(false)
	gz := gzipBytes(t, xmlDoc)
	pbf := town().pbf(pbfOptions{})
	for _, c := range []struct {
		name string
		data []byte
		max  int64
		want string
	}{
		{"town.osm.pbf", pbf, 100, fmt.Sprintf("over the size limit: the file is %d bytes, the limit 100 bytes", len(pbf))},
		{"town.osm", xmlDoc, 100, fmt.Sprintf("over the size limit: the file is %d bytes, the limit 100 bytes", len(xmlDoc))},
		// The gzip file is within the limit; what it unzips to is not.
		{"town.osm.gz", gz, int64(len(gz)) + 10, fmt.Sprintf("over the size limit: uncompressed, the data is over the limit of %d bytes", len(gz)+10)},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, c.name, c.data)
			_, err := Load(context.Background(), p, Options{MaxFileBytes: c.max})
			if !errors.Is(err, ErrTooLarge) || err.Error() != p+": "+c.want {
				t.Errorf("err = %v; want %q", err, p+": "+c.want)
			}
			if _, err := Load(context.Background(), p, Options{MaxFileBytes: 1 << 20}); err != nil {
				t.Errorf("within the limit: %v", err)
			}
		})
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := Load(context.Background(), "/dev/zero", Options{})
		if err == nil || !strings.Contains(err.Error(), "/dev/zero: is not a regular file") {
			t.Errorf("/dev/zero: %v", err)
		}
	}
}
