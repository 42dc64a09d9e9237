#!/usr/bin/env bash
# Builds the documentation of every public module (AutogradCore, AutogradExact,
# Autograd, AutogradTesting) into one static site, failing on any DocC warning
# (a broken symbol link, an undocumented parameter, a snippet that is gone).
#
#     scripts/build-docs.sh [OUTPUT]          # default: .build/docs-site
#     scripts/build-docs.sh --serve [OUTPUT]  # then serve it on http://localhost:8000
#
# The landing page is /documentation/autograd/ (the combined site's root,
# /documentation/, lists the four modules).
set -euo pipefail
cd "$(dirname "$0")/.."
serve=false
if [[ "${1:-}" == "--serve" ]]; then serve=true; shift; fi
output="${1:-.build/docs-site}"
mkdir -p "$output"
swift package --allow-writing-to-directory "$output" generate-documentation \
    --target AutogradCore --target AutogradExact --target Autograd --target AutogradTesting \
    --enable-experimental-combined-documentation --warnings-as-errors \
    --transform-for-static-hosting --output-path "$output"
echo "documentation site: $output (landing page: documentation/autograd/index.html)"
if $serve; then
    echo "serving on http://localhost:8000/documentation/autograd/"
    exec python3 -m http.server 8000 --bind 127.0.0.1 --directory "$output"
fi
