// Command carecircle plans elder-care services around where elders live and
// walk: it builds walking networks, judges cities against standards
// profiles, serves the planners' web map and writes coverage-gap reports.
//
// Run "carecircle help" for the subcommands.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "carecircle:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	var level string
	root := &cobra.Command{
		Use:           "carecircle",
		Short:         "Plan elder-care services around where elders walk",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var l slog.Level
			if err := l.UnmarshalText([]byte(level)); err != nil {
				return fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: l})))
			return nil
		},
	}
	root.PersistentFlags().StringVar(&level, "log-level", "info", "log level: debug, info, warn, error")
	root.AddCommand(newNetworkCmd(), newStandardsCmd(), newReportCmd(), newGenCmd(), newServeCmd(), newOptimizeCmd(), newBenchCmd(), newImportCmd(), newVersionCmd())
	root.SetFlagErrorFunc(friendlyFlagError) // inherited by every subcommand
	return root
}
