package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/carecircle/carecircle/data"
	"github.com/spf13/cobra"
)

func newStandardsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "standards",
		Short: "List and show standards profiles",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the built-in standards profiles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tTITLE\tLAND m²/RESIDENT\tBEDS/1000 ELDERS\tWALK")
			for _, name := range data.BuiltinProfiles() {
				p, err := data.BuiltinProfile(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "%s\t%s / %s\t%g\t%g\t%g min at %g m/s\n", p.Name, p.Title.ZH, p.Title.EN,
					p.Area.LandPerResident.Value, p.Beds.Per1000Elders.Value,
					p.ServiceCircle.UrbanMinutes.Value, p.Walking.SpeedMPS.Value)
			}
			return w.Flush()
		},
	}, &cobra.Command{
		Use:   "show NAME|FILE",
		Short: "Print a standards profile as YAML, every figure with its source",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := data.Profile(args[0])
			if err != nil {
				return err
			}
			return data.WriteProfile(cmd.OutOrStdout(), p)
		},
	})
	return cmd
}
