package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/carecircle/carecircle/docs"
	"go.yaml.in/yaml/v3"
)

// readyProbeID is a scenario id no store makes: asking for it is the
// cheapest round trip that proves the store answers.
const readyProbeID = "readyz-probe"

// readyz answers 200 when the replica can serve: its city is loaded (it
// is, once the server exists) and its scenario store answers within two
// seconds; 503 otherwise, so a proxy or orchestrator sends no traffic.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	_, err := s.store.Get(ctx, readyProbeID)
	err = notFoundIsOK(err)
	if err != nil {
		s.log.WarnContext(r.Context(), "not ready: scenario store does not answer", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "city": s.bundle.City.Name, "store": "unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "city": s.bundle.City.Name, "store": "ok"})
}

// apiSpec is docs/openapi.yaml read once: as JSON for /openapi.json and
// as a list of operations for /api/docs.
type apiSpec struct {
	json []byte
	doc  map[string]any
}

// loadAPISpec converts the embedded docs/openapi.yaml to JSON.
func loadAPISpec() (*apiSpec, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(docs.OpenAPI, &doc); err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml as JSON: %w", err)
	}
	return &apiSpec{json: b, doc: doc}, nil
}

// serveOpenAPI answers /openapi.json with docs/openapi.yaml as JSON.
func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(s.spec.json)
}

// apiOperation is one line of the /api/docs page.
type apiOperation struct {
	Method, Path, ID, Summary string
	Secured                   bool
}

// operations lists the spec's operations in path order.
func (sp *apiSpec) operations() []apiOperation {
	paths, _ := sp.doc["paths"].(map[string]any)
	var ops []apiOperation
	for p, v := range paths {
		item, _ := v.(map[string]any)
		for method, o := range item {
			op, ok := o.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			id, _ := op["operationId"].(string)
			sum, _ := op["summary"].(string)
			sec, hasSec := op["security"].([]any)
			ops = append(ops, apiOperation{Method: strings.ToUpper(method), Path: p, ID: id, Summary: sum, Secured: hasSec && len(sec) > 0})
		}
	}
	order := map[string]int{"GET": 0, "POST": 1, "PATCH": 2, "PUT": 3, "DELETE": 4}
	slices.SortFunc(ops, func(a, b apiOperation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return order[a.Method] - order[b.Method]
	})
	return ops
}

// apiDocsPage is the API's reference page: self-contained, no script, no
// fonts or styles from elsewhere, so it reads on an intranet.
var apiDocsPage = template.Must(template.New("api-docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#212529}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dee2e6;padding:.3em .5em;text-align:left;vertical-align:top}
code{font:13px ui-monospace,monospace}.m{font-weight:bold}.GET{color:#1971c2}.POST{color:#2f9e44}.PATCH{color:#e67700}.DELETE{color:#c92a2a}
</style></head><body>
<h1>{{.Title}} <small>{{.Version}}</small></h1>
<p>{{.Description}}</p>
<p>The full description: <a href="{{.SpecURL}}">openapi.json</a> (OpenAPI {{.OpenAPI}}). 🔒 marks operations that need
<code>Authorization: Bearer TOKEN</code> when the server has a token.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Operation</th><th>What it does</th></tr></thead><tbody>
{{range .Ops}}<tr><td class="m {{.Method}}">{{.Method}}</td><td><code>{{.Path}}</code></td><td><code>{{.ID}}</code>{{if .Secured}} 🔒{{end}}</td><td>{{.Summary}}</td></tr>
{{end}}</tbody></table></body></html>
`))

// serveAPIDocs answers /api/docs with the operations of the spec.
func (s *Server) serveAPIDocs(w http.ResponseWriter, r *http.Request) {
	info, _ := s.spec.doc["info"].(map[string]any)
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	apiDocsPage.Execute(w, map[string]any{
		"Title": str(info, "title"), "Version": str(info, "version"), "Description": str(info, "description"),
		"OpenAPI": str(s.spec.doc, "openapi"), "SpecURL": s.publicPath(r, "openapi.json"), "Ops": s.spec.operations(),
	})
}
