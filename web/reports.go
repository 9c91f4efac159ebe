package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carecircle/carecircle/data"
	"github.com/carecircle/carecircle/planner"
	"github.com/carecircle/carecircle/web/report"
	"github.com/go-chi/chi/v5"
)

// getReport serves GET /api/v1/reports/gap.{format}?scenario=&region=&lang=&table=&inline=:
// the coverage-gap report of a scenario (baseline by default), for the
// whole city or one region, as xlsx, html, pdf, csv, geojson or json,
// with its media type and a download name (Content-Disposition with an
// RFC 5987 UTF-8 file name). inline=1 shows it in the browser instead.
// A PDF needs Chromium on the server: without it the answer is 501 with
// the way to install it. PDFs wait for a turn (pdfqueue.go): when too
// many wait, the answer is 503 with Retry-After.
func (s *Server) getReport(w http.ResponseWriter, r *http.Request) error {
	format := strings.ToLower(chi.URLParam(r, "format"))
	if !slices.Contains(report.Formats(), format) {
		return notFound("no report format %q; want gap.%s", format, strings.Join(report.Formats(), ", gap."))
	}
	q := r.URL.Query()
	opt := data.ReportOptions{Lang: q.Get("lang"), Region: q.Get("region"), Table: q.Get("table"), Date: time.Now()}
	if err := opt.Normalize(); err != nil {
		field := "lang"
		if strings.Contains(err.Error(), "table") {
			field = "table"
		}
		return badRequest(field, "%v", err)
	}
	inline := false
	if v := q.Get("inline"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return badRequest("inline", "inline %q: want 1 or 0", v)
		}
		inline = b
	}
	var browser string
	if format == "pdf" {
		var err error
		if browser, err = report.FindChromium(); err != nil {
			return &apiError{Status: http.StatusNotImplemented, Code: "pdf_unavailable",
				Message: "this server cannot make PDFs: " + err.Error() + "; gap.html prints to PDF from any browser"}
		}
	}
	id := q.Get("scenario")
	if id == "" {
		id = BaselineID
	}
	in, err := s.reportInput(r, id, opt)
	if err != nil {
		return err
	}
	if _, err := in.Assessment.Scope(opt.Region, opt.Regions); err != nil {
		return badRequest("region", "%v", err)
	}
	in.Chromium = browser
	ctx := r.Context()
	if format == "pdf" {
		release, err := s.pdf.turn(ctx, w)
		if err != nil {
			return err
		}
		defer release()
		longAnswer(w, pdfMaxWait+pdfRenderTime)
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, pdfRenderTime)
		defer cancel()
	}
	var buf bytes.Buffer
	if err := report.Write(ctx, &buf, format, in); err != nil {
		return err
	}
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	name := report.FileName(&in, format)
	w.Header().Set("Content-Type", report.ContentType(format))
	w.Header().Set("Content-Disposition", contentDisposition(disposition, name, asciiName(id, opt.Region, in.Options.Date, format)))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if format == "html" {
		// The report is one self-contained file: it loads nothing.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}

// reportInput assesses scenario id and gathers what its report needs:
// the evaluation (a copy, so rendering runs without holding the
// scenario), the proposals' effects and the baseline's figures.
func (s *Server) reportInput(r *http.Request, id string, opt data.ReportOptions) (report.Input, error) {
	st, err := s.state(r.Context(), id)
	if err != nil {
		return report.Input{}, err
	}
	st.mu.Lock()
	e, _, err := s.evaluation(st)
	if err != nil {
		st.mu.Unlock()
		return report.Input{}, err
	}
	e = e.Clone()
	sc := st.sc.Clone()
	st.mu.Unlock()
	a, err := e.Assess(r.Context(), sc.ID)
	if err != nil {
		return report.Input{}, err
	}
	opt.Regions = s.bundle.City.Regions
	opt.Source = s.bundle.Dir
	if opt.Source == "" {
		opt.Source = s.bundle.City.Name
	}
	opt.FromOSM = s.bundle.Config.OSM != ""
	if id != BaselineID {
		opt.Scenario = sc
		if opt.Proposals, err = planner.ProposalEffects(s.model.Baseline(), sc); err != nil {
			return report.Input{}, unprocessable("scenario", "%v", err)
		}
		base, err := s.state(r.Context(), BaselineID)
		if err != nil {
			return report.Input{}, err
		}
		base.mu.Lock()
		_, sum, err := s.evaluation(base)
		base.mu.Unlock()
		if err != nil {
			return report.Input{}, err
		}
		opt.Before = sum
	}
	return report.Input{Assessment: a, Eval: e, Options: opt}, nil
}

// contentDisposition names a download: the ASCII name for old clients
// and the UTF-8 one in RFC 5987 form (filename*) for the rest.
func contentDisposition(kind, name, ascii string) string {
	return fmt.Sprintf("%s; filename=%q; filename*=UTF-8''%s", kind, ascii, rfc5987(name))
}

// rfc5987 percent-encodes s as an RFC 5987 ext-value: every byte but the
// attr-chars (letters, digits and !#$&+-.^_`|~).
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// asciiName is the plain file name of a report: gap-report-<scenario
// id>[-<region code>]-<date>.<format>, with anything but letters, digits,
// dot, dash and underscore dropped.
func asciiName(scenario, region string, date time.Time, format string) string {
	parts := []string{"gap-report", scenario}
	if region != "" {
		parts = append(parts, region)
	}
	parts = append(parts, date.Format("2006-01-02"))
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return -1
	}, strings.Join(parts, "-"))
	return name + "." + format
}
