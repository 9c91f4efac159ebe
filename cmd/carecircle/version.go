package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Set at link time when the build has no VCS stamp (a Docker build from a
// source tarball, say):
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.commit=abc123 -X main.buildDate=2026-12-07T00:00:00Z"
//
// They are package variables only because -X can set nothing else.
var (
	version   string
	commit    string
	buildDate string
)

// buildInfo says which build this binary is.
type buildInfo struct {
	Version   string // module version, e.g. v1.2.0, or "(devel)"
	Commit    string // VCS revision, "+dirty" when built from a modified tree
	BuildDate string // the commit's time, or the link-time date
	Go        string // the Go toolchain
}

// readBuildInfo takes what the Go toolchain stamped into the binary and
// fills gaps from the link-time variables; link-time values win when set.
func readBuildInfo() buildInfo {
	bi := buildInfo{Version: "(devel)", Go: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			bi.Version = info.Main.Version
		}
		modified := false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				bi.Commit = s.Value
			case "vcs.time":
				bi.BuildDate = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && bi.Commit != "" {
			bi.Commit += "+dirty"
		}
	}
	if version != "" {
		bi.Version = version
	}
	if commit != "" {
		bi.Commit = commit
	}
	if buildDate != "" {
		bi.BuildDate = buildDate
	}
	return bi
}

// String is the one-line form `carecircle version` prints.
func (b buildInfo) String() string {
	or := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	return fmt.Sprintf("carecircle %s (commit %s, built %s, %s)", b.Version, or(b.Commit), or(b.BuildDate), b.Go)
}

// short is the version as /metrics and tile ETags name it: the module
// version with the commit when there is one.
func (b buildInfo) short() string {
	if b.Commit == "" {
		return b.Version
	}
	c, dirty := strings.CutSuffix(b.Commit, "+dirty")
	if len(c) > 12 {
		c = c[:12]
	}
	if dirty {
		c += "-dirty"
	}
	return b.Version + "+" + c
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and Go version of this binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), readBuildInfo())
			return err
		},
	}
}
