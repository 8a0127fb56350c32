#!/usr/bin/env bash
# Renders the demo report in Debian's headless Chromium and checks that a real page came
# out: the DOM holds the report's sections and the screenshot is not blank.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/coproduction-target}"

if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi

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
