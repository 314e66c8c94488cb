package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
)

// report is the coverage of one API.
type report struct {
	API string
	Ops []operation
}

func (r report) implemented() int {
	n := 0
	for _, op := range r.Ops {
		if op.Implemented {
			n++
		}
	}
	return n
}

// area is the operations of one spec area, in report order.
type area struct {
	Name string
	Ops  []operation
}

// areas groups the operations by area, areas sorted by name.
func (r report) areas() []area {
	byName := map[string][]operation{}
	for _, op := range r.Ops {
		byName[op.Area] = append(byName[op.Area], op)
	}
	out := make([]area, 0, len(byName))
	for name, ops := range byName {
		out = append(out, area{name, ops})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (a area) implemented() int { return report{Ops: a.Ops}.implemented() }

// writeText prints a table per API and the totals.
func writeText(w io.Writer, reports []report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	done, total := 0, 0
	for _, r := range reports {
		fmt.Fprintf(tw, "%s API: %d/%d implemented\n", r.API, r.implemented(), len(r.Ops))
		for _, op := range r.Ops {
			mark := "-"
			if op.Implemented {
				mark = "✓"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", mark, op.Method, op.Path, op.OperationID, op.Area)
		}
		fmt.Fprintln(tw)
		done += r.implemented()
		total += len(r.Ops)
	}
	fmt.Fprintf(tw, "Total: %d/%d implemented\n", done, total)
	return tw.Flush()
}

// writeMarkdown prints totals per API, then each API's operations grouped
// by area in a collapsed section.
func writeMarkdown(w io.Writer, reports []report) error {
	fmt.Fprintln(w, "| API | Implemented |")
	fmt.Fprintln(w, "|---|---|")
	for _, r := range reports {
		fmt.Fprintf(w, "| %s | %d / %d |\n", r.API, r.implemented(), len(r.Ops))
	}
	for _, r := range reports {
		fmt.Fprintf(w, "\n<details><summary>%s API: %d / %d</summary>\n\n", r.API, r.implemented(), len(r.Ops))
		fmt.Fprintln(w, "| Area | Implemented | Operations |")
		fmt.Fprintln(w, "|---|---|---|")
		for _, a := range r.areas() {
			fmt.Fprintf(w, "| %s | %d / %d |", a.Name, a.implemented(), len(a.Ops))
			for i, op := range a.Ops {
				sep := ","
				if i == 0 {
					sep = ""
				}
				mark := "☐"
				if op.Implemented {
					mark = "☑"
				}
				fmt.Fprintf(w, "%s %s `%s`", sep, mark, op.OperationID)
			}
			fmt.Fprintln(w, " |")
		}
		fmt.Fprintln(w, "\n</details>")
	}
	_, err := fmt.Fprintln(w)
	return err
}
