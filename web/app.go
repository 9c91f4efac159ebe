package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"io/fs"
	"net/http"
)

// app is the web map: static files, vendored libraries included, so it
// works on an intranet with no internet.
//
//go:embed all:app
var app embed.FS

// appHandler serves the embedded web app (static.go).
func appHandler() http.Handler {
	sub, err := fs.Sub(app, "app")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	sf, err := newStaticFiles(sub)
	if err != nil {
		panic(err) // reading embedded files cannot fail
	}
	return sf
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
