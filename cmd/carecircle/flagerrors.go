package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagParseError matches pflag's message for a value that does not parse:
// `invalid argument "ten" for "--sites" flag: strconv.ParseInt: …`.
var flagParseError = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?(--[\w-]+)" flag: (.*)$`)

// friendlyFlagError says in words what a mistyped flag value should have
// been ("--sites wants a whole number, got 'ten'"), instead of Go's
// strconv message; other flag errors pass through.
func friendlyFlagError(cmd *cobra.Command, err error) error {
	m := flagParseError.FindStringSubmatch(err.Error())
	if m == nil {
		return fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath())
	}
	got, name := m[1], m[2]
	want := "a valid value"
	if f := cmd.Flags().Lookup(strings.TrimPrefix(name, "--")); f != nil {
		want = flagWants(f)
	}
	return fmt.Errorf("%s wants %s, got '%s' (see %s --help)", name, want, got, cmd.CommandPath())
}

// flagWants names, for a person, the kind of value a flag takes.
func flagWants(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "duration":
		return "a duration such as 30s or 5m"
	case "intSlice", "uintSlice":
		return "whole numbers separated by commas"
	case "float64Slice", "float32Slice":
		return "numbers separated by commas"
	}
	return "a valid " + f.Value.Type()
}

// missingFolder names the folder a file cannot be created in because the
// folder does not exist, rather than the temporary file Go tried to make.
func missingFolder(path string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("cannot write %s: the folder %s does not exist", path, filepath.Dir(path))
	}
	return err
}
