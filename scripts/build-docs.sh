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
# Links between modules are written as site paths, [`Tensor`](/documentation/autogradcore/tensor),
# so that each module's documentation also builds alone; DocC cannot check
# them, so every one must name a page of the site just built.
python3 - "$output" Sources/*/*.docc <<'CHECK'
import pathlib, re, sys
site, catalogs = pathlib.Path(sys.argv[1]), sys.argv[2:]
# A link's destination: a site path whose parentheses balance, as in withnograd(_:).
link = re.compile(r"\]\((/(?:documentation|tutorials)/(?:[^()\s]|\([^()\s]*\))*)\)")
broken = [(str(page), target)
          for catalog in catalogs for page in pathlib.Path(catalog).rglob("*")
          if page.suffix in (".md", ".tutorial")
          for target in link.findall(page.read_text())
          if not (site / target.strip("/") / "index.html").is_file()]
for page, target in broken:
    print(f"error: {page}: the link {target} names no page of the site", file=sys.stderr)
sys.exit(1 if broken else 0)
CHECK
echo "documentation site: $output (landing page: documentation/autograd/index.html)"
if $serve; then
    echo "serving on http://localhost:8000/documentation/autograd/"
    exec python3 -m http.server 8000 --bind 127.0.0.1 --directory "$output"
fi
