package main

import (
	"fmt"
	"os"

	"github.com/carecircle/carecircle/web"
	"github.com/spf13/cobra"
)

// httpFlags are serve's flags for running behind a reverse proxy.
type httpFlags struct {
	basePath   string
	trustProxy bool
}

func (f *httpFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.basePath, "base-path", "", "URL path prefix to serve under, e.g. /cq/ when a proxy routes cities by path (default: $CARECIRCLE_BASE_PATH, else /)")
	cmd.Flags().BoolVar(&f.trustProxy, "trust-proxy", false, "build public URLs (TileJSON tiles, Location) from X-Forwarded-Proto, -Host and -Prefix; only behind a proxy that sets them")
}

// apply puts the flags into a server's configuration, with the build's
// version.
func (f *httpFlags) apply(cfg *web.Config) error {
	bp := f.basePath
	if bp == "" {
		bp = os.Getenv("CARECIRCLE_BASE_PATH")
	}
	norm, err := web.NormalizeBasePath(bp)
	if err != nil {
		return fmt.Errorf("--base-path: %w", err)
	}
	cfg.BasePath, cfg.TrustProxy, cfg.Version = norm, f.trustProxy, readBuildInfo().short()
	return nil
}
