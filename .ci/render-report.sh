#!/usr/bin/env bash
# Renders the demo report in Debian's headless Chromium and checks that a real page came
# out: the DOM holds the report's sections and the screenshot is not blank. Then checks it
# as a reader meets it (.ci/report-check.mjs): axe-core's WCAG 2.0/2.1 A and AA rules, a
# 390 px phone, and an A4 print to PDF with no table wider than the page.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/coproduction-target}"

# Debian packages: the browser, poppler's pdftotext to read the printed PDF, and Node.js.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages, pinned, into a cache folder outside the clone (nothing is committed).
node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/coproduction-report-check"
npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$node_dir" \
    playwright-core@1.65.2 axe-core@4.14.1 >/dev/null

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo run --quiet --example coprod -- run --out "$out/report" --quiet

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$out/profile")
chromium "${flags[@]}" --dump-dom "file://$out/report/report.html" >"$out/dom.html" 2>/dev/null
chromium "${flags[@]}" --window-size=1280,3000 --screenshot="$out/page.png" \
    "file://$out/report/report.html" >/dev/null 2>&1

for needle in "<h1" "Data quality" "Talking Therapies" "Social value" "<svg"; do
    if ! grep -q "$needle" "$out/dom.html"; then
        echo "report.html rendered without '$needle'" >&2
        exit 1
    fi
done
size=$(stat -c %s "$out/page.png")
if [ "$size" -lt 20000 ]; then
    echo "screenshot is only $size bytes: the page looks blank" >&2
    exit 1
fi
echo "report rendered: $(wc -c <"$out/dom.html") bytes of DOM, screenshot $size bytes"

NODE_PATH="$node_dir/node_modules" node .ci/report-check.mjs "$out/report/report.html" "$out"
