package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/carecircle/carecircle/web"
	"github.com/spf13/cobra"
)

func newServeCmd() *cobra.Command {
	var cf cityFlags
	var hf httpFlags
	var addr, db, token string
	var mem memoryFlags
	var allowedHosts []string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web map and the HTTP API (the district demo when no city is given)",
		Long: "Serves the planners' web map and the JSON API (docs/api.md) for one city.\n" +
			"With no arguments it serves the district demo city on http://127.0.0.1:8080.\n" +
			"It binds to loopback unless --addr says otherwise; on any other address it\n" +
			"refuses to start without a token (--token or CARECIRCLE_TOKEN), which the API\n" +
			"and the map tiles then need as 'Authorization: Bearer TOKEN' (the web app asks\n" +
			"for it once). Requests must name this server in Host: loopback, --addr's host,\n" +
			"or --allowed-hosts (a reverse proxy's name). Scenarios are kept in --db.",
		Example: "  carecircle serve\n  carecircle serve --city ./mycity --addr 0.0.0.0:8080 --token s3cret",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cf.args(cmd, args); err != nil {
				return err
			}
			if token == "" {
				token = os.Getenv("CARECIRCLE_TOKEN")
			}
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return fmt.Errorf("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", addr)
			}
			if !isLoopback(host) && token == "" {
				return fmt.Errorf("--addr %s is not a loopback address: give --token (or CARECIRCLE_TOKEN) so that only holders of it can see and change scenarios", addr)
			}
			if len(allowedHosts) == 0 && os.Getenv("CARECIRCLE_ALLOWED_HOSTS") != "" {
				allowedHosts = strings.Split(os.Getenv("CARECIRCLE_ALLOWED_HOSTS"), ",")
			}
			db = scenarioDB(db)
			if err := mem.apply(); err != nil {
				return err
			}
			return serve(cmd.Context(), cmd, &cf, &hf, &mem, web.Config{Addr: addr, Token: token, AllowedHosts: allowedHosts}, db)
		},
	}
	cf.register(cmd)
	hf.register(cmd)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&db, "db", "", dbHelp+defaultDBPath()+")")
	cmd.Flags().StringVar(&token, "token", "", "bearer token required for the API and tiles, reads too; /healthz stays open (default: $CARECIRCLE_TOKEN)")
	cmd.Flags().StringSliceVar(&allowedHosts, "allowed-hosts", nil, "host names requests may name besides loopback and --addr's host, e.g. a reverse proxy's public name (default: $CARECIRCLE_ALLOWED_HOSTS, comma-separated)")
	mem.register(cmd)
	return cmd
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func defaultDBPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "carecircle-scenarios.db"
	}
	return filepath.Join(dir, "carecircle", "scenarios.db")
}

// serve serves the city of cf with what cfg says (the listen address,
// token and allowed hosts; serve fills in the rest, the caches sized by
// mem to the city once loaded),
// hf's HTTP settings and scenarios in db.
func serve(ctx context.Context, cmd *cobra.Command, cf *cityFlags, hf *httpFlags, mem *memoryFlags, cfg web.Config, db string) error {
	b, err := cf.load(ctx)
	if err != nil {
		return err
	}
	m, err := buildModel(ctx, b)
	if err != nil {
		return err
	}
	mem.sizeCaches(&cfg)
	store, err := openStore(ctx, db, b.City.Name, true)
	if err != nil {
		return err
	}
	defer store.Close()
	cfg.Bundle, cfg.Model, cfg.Store, cfg.Logger = b, m, store, slog.Default()
	if err := hf.apply(&cfg); err != nil {
		return err
	}
	slog.Info("starting", "build", readBuildInfo().String(), "base_path", cfg.BasePath, "trust_proxy", cfg.TrustProxy)
	srv, err := web.New(cfg)
	if err != nil {
		return err
	}
	if p := mem.settle(cfg); mem.auto {
		srv.SetOptimiserMemory(p.Optimiser)
	}
	slog.Info("scenario store open", "db", store.String(), "replica", srv.Replica())
	slog.Info("web server ready; service areas are computed in the background")
	srv.WarmUp(ctx)
	slog.Info("listening", "addr", cfg.Addr)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	hs := web.NewHTTPServer(srv.Handler(), web.DefaultTimeouts())
	fmt.Fprintf(cmd.OutOrStdout(), "CareCircle serving %s on http://%s%s\n", b.City.Name, ln.Addr(), strings.TrimSuffix(cfg.BasePath, "/"))
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Close(shutCtx) // first: cancelled optimiser runs end the requests waiting on them
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
