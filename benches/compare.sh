#!/usr/bin/env bash
# Side-by-side timing of `coprod run` against the peer scripts that researchers use today
# (../shared/peers: pandas + scipy, polars + scipy) and a plain polars read of the same
# CSV files (the floor), on one generated data set, alternating the commands so that
# machine noise falls on all of them alike. Checks that coprod and the peers agree on the
# Talking Therapies counts.
#
# Usage: benches/compare.sh [PARTICIPANTS] [ROUNDS]     (defaults 100000 and 3)
# Needs: python3 with pandas, polars, scipy (pip install pandas polars scipy).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/coproduction-target}"
n="${1:-100000}"
rounds="${2:-3}"
peers="${PEERS_DIR:-../shared/peers}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release --example coprod
coprod="$CARGO_TARGET_DIR/release/examples/coprod"
"$coprod" generate "$work/data" --participants "$n" --seed 7
# The whole demo plan (equity against the population, delivery, social value with 10,000
# Monte Carlo draws) pointed at the generated tables.
cp fixtures/demo/plan.toml fixtures/demo/impact_map.toml fixtures/demo/population.csv \
    fixtures/demo/activities.csv "$work/data/"

cat >"$work/floor.py" <<'PY'
import sys, polars as pl
pl.read_csv(sys.argv[1], infer_schema=False); pl.read_csv(sys.argv[2], infer_schema=False)
PY

# Prints "seconds peak_kib" (peak resident memory where GNU time is installed, else 0).
time_it() {
    local start end peak=0
    start=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1
        peak=$(tail -1 "$work/rss")
    else
        "$@" >/dev/null 2>&1
    fi
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc -l) $peak"
}

declare -A total rss
names=(coprod pandas polars floor)
for name in "${names[@]}"; do total[$name]=""; rss[$name]=0; done
record() { # name, "seconds peak"
    local seconds=${2% *} peak=${2#* }
    total[$1]+=" $seconds"
    if [ "$peak" -gt "${rss[$1]}" ]; then rss[$1]=$peak; fi
}
for round in $(seq "$rounds"); do
    record coprod "$(time_it "$coprod" run "$work/data/plan.toml" --out "$work/report" --quiet)"
    record pandas "$(time_it python3 "$peers/pandas_pipeline.py" "$work/data/participants.csv" "$work/data/outcomes.csv" "$work/pandas.json")"
    record polars "$(time_it python3 "$peers/polars_pipeline.py" "$work/data/participants.csv" "$work/data/outcomes.csv" "$work/polars.json")"
    record floor "$(time_it python3 "$work/floor.py" "$work/data/participants.csv" "$work/data/outcomes.csv")"
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "participants: $n; rounds: $rounds; machine: $(nproc) cores, $(uname -m); $(date -u +%F)"
c=$(echo "${total[coprod]}" | median)
for name in "${names[@]}"; do
    m=$(echo "${total[$name]}" | median)
    printf '%-8s median %8.3f s   ratio to coprod %6.2f   peak memory %6.0f MiB\n' "$name" "$m" \
        "$(echo "$m / $c" | bc -l)" "$(echo "${rss[$name]} / 1024" | bc -l)"
done

python3 - "$work/report/results.json" "$work/pandas.json" "$work/polars.json" <<'PY'
import json, sys
ours = next(p for p in json.load(open(sys.argv[1]))["pilots"] if p["id"] == "tt")["talking_therapies"]
for peer_file in sys.argv[2:]:
    peer = json.load(open(peer_file))["talking_therapies"]
    assert ours["finished_treatment"]["count"] == peer["finished_treatment"], (ours["finished_treatment"], peer["finished_treatment"])
    for key in ["recovery", "reliable_improvement", "reliable_recovery", "reliable_deterioration"]:
        a, b = ours[key], peer[key]
        assert (a["count"], a["denominator"]) == (b["count"], b["denominator"]), (key, a, b)
print("Talking Therapies counts agree with both peers")
PY
