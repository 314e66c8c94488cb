package main

import (
	"context"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// validate loads the produced bytes with kin-openapi, as the server's request
// validator and oapi-codegen will, and checks the document is valid OpenAPI.
func validate(ctx context.Context, data []byte) error {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return fmt.Errorf("kin-openapi load: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return fmt.Errorf("kin-openapi validate: %w", err)
	}
	return nil
}
