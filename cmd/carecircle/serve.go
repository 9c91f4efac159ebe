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
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/web"
	"github.com/spf13/cobra"
)

func newServeCmd() *cobra.Command {
	var cf cityFlags
	var addr, db, token string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web map and the HTTP API (the district demo when no city is given)",
		Long: "Serves the planners' web map and the JSON API (docs/api.md) for one city.\n" +
			"With no arguments it serves the district demo city on http://127.0.0.1:8080.\n" +
			"It binds to loopback unless --addr says otherwise; on any other address it\n" +
			"refuses to start without a token (--token or CARECIRCLE_TOKEN), which writes\n" +
			"then need as 'Authorization: Bearer TOKEN'. Scenarios are kept in --db.",
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
				return fmt.Errorf("--addr %s is not a loopback address: give --token (or CARECIRCLE_TOKEN) so that only holders of it can change scenarios", addr)
			}
			if db == "" {
				db = defaultDBPath()
			}
			return serve(cmd.Context(), cmd, &cf, addr, db, token)
		},
	}
	cf.register(cmd)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&db, "db", "", "scenario database (SQLite) (default: "+defaultDBPath()+")")
	cmd.Flags().StringVar(&token, "token", "", "bearer token required for writes (default: $CARECIRCLE_TOKEN)")
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

func serve(ctx context.Context, cmd *cobra.Command, cf *cityFlags, addr, db, token string) error {
	b, err := cf.load(ctx)
	if err != nil {
		return err
	}
	m, err := buildModel(ctx, b)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
		return fmt.Errorf("--db %s: %w", db, err)
	}
	store, err := data.OpenScenarioStore(ctx, db, b.City.Name)
	if err != nil {
		return err
	}
	defer store.Close()
	slog.Info("scenario store open", "db", db)
	srv, err := web.New(web.Config{Bundle: b, Model: m, Store: store, Token: token, Logger: slog.Default()})
	if err != nil {
		return err
	}
	slog.Info("web server ready; service areas are computed in the background")
	srv.WarmUp(ctx)
	slog.Info("listening", "addr", addr)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(cmd.OutOrStdout(), "CareCircle serving %s on http://%s\n", b.City.Name, ln.Addr())
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
