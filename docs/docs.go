// Package docs holds the project's documentation; it embeds the API's
// OpenAPI description so the server can serve the very file in docs/.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml, the HTTP API's OpenAPI 3.1 description.
//
//go:embed openapi.yaml
var OpenAPI []byte
