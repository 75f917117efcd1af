#!/usr/bin/env bash
# Regenerates the built-in data-model tables (src/device/models/) from the
# Broadband Forum XML in ../shared/bbf (or $CWMP_BBF_DIR). A test fails when
# the committed tables differ from what this produces.
set -euo pipefail
cd "$(dirname "$0")/.."
bbf="${CWMP_BBF_DIR:-../shared/bbf}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
deno run --allow-read --allow-write src/codegen/cli.ts --xml "$bbf/models/tr-181-2-19-1-cwmp-full.xml" \
  --out "$out" --no-stubs --import ../../datamodel/definitions.ts
cp "$out/definitions.ts" src/device/models/tr181.ts
echo "wrote src/device/models/tr181.ts"
