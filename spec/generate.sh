#!/usr/bin/env bash
# Regenerates spec/matrix/ and the API packages under gen/ from the pinned
# upstream Matrix spec. Run from anywhere; `make generate` calls it. The
# output is deterministic: running it twice, or after deleting gen/<api>,
# gives the same bytes.
#
# The upstream checkout defaults to ../shared/matrix-spec beside the
# repository; set MATRIX_SPEC_DIR to import another one (a spec bump). A
# clone without the default checkout keeps the committed spec/matrix/ and
# regenerates gen/ from it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# 1. Upstream data files -> one self-contained OpenAPI document per API.
go run ./cmd/specimport -allow-missing

# 2. OpenAPI documents -> Go packages (types, strict echo servers, clients, embedded specs).
mkdir -p gen/clientserver gen/serverserver gen/appservice gen/pushgateway
go tool oapi-codegen -config oapi-codegen.yaml spec/matrix/client-server.yaml
go tool oapi-codegen -config spec/codegen/server-server.yaml spec/matrix/server-server.yaml
go tool oapi-codegen -config spec/codegen/application-service.yaml spec/matrix/application-service.yaml
go tool oapi-codegen -config spec/codegen/push-gateway.yaml spec/matrix/push-gateway.yaml

# 2b. hearth's own definitions (spec/hearth/): APIs the Matrix spec does not define.
mkdir -p gen/synapseadmin
go tool oapi-codegen -config spec/codegen/synapse-admin.yaml spec/hearth/synapse-admin.yaml
mkdir -p gen/msc3814
go tool oapi-codegen -config spec/codegen/msc3814.yaml spec/hearth/msc3814.yaml
mkdir -p gen/slidingsync
go tool oapi-codegen -config spec/codegen/msc4186.yaml spec/hearth/msc4186.yaml

# 3. What oapi-codegen leaves out: Unimplemented stubs and raw JSON methods.
go run ./cmd/genstubs gen/clientserver gen/serverserver gen/appservice gen/pushgateway gen/synapseadmin gen/msc3814 gen/slidingsync
