#!/bin/sh
# serve.sh - `make bench-serve`: quell serve on a loopback port, driven by
# wrk with keep-alive, beside quell_scan in process on the same comments and
# the same number of threads. Prints, in one run:
#   - in-process comments/s (bench/scan_rate.c);
#   - single comments at the peak: requests/s, p50/p99/p99.9 latency;
#   - single comments paced to about 80% of that peak: the same figures
#     (target: p99 under 2 ms);
#   - batches of 100: requests/s and comments/s, as a share of in-process
#     (target: at least 60%);
#   - batches while the rules are reloaded (SIGHUP) several times: every
#     request must succeed.
# Usage: serve.sh BUILD_DIR.
#
# The machine's cores are split in two halves (taskset): the service and
# the in-process yardstick run on one, wrk on the other, as a service and
# its clients would on separate hosts. Sharing cores instead measures the
# scheduler: wrk's threads preempt the server's mid-request and the tail
# grows by a time slice. BENCH_SERVE_PIN=0 turns the split off; on one
# core there is nothing to split.
set -eu
O=${1:-build}
DATA=${QUELL_DATA:-../shared/data}
DURATION=${BENCH_SERVE_SECONDS:-10}
CONNECTIONS=${BENCH_SERVE_CONNECTIONS:-8}

# SERVER_CPUS and CLIENT_CPUS: taskset lists from this process's affinity.
split=$(python3 -c '
import os, sys
cpus = sorted(os.sched_getaffinity(0))
pin = sys.argv[1] != "0" and len(cpus) > 1
half = len(cpus) // 2
if pin:
    client, server = cpus[:half], cpus[half:]
else:
    client = server = cpus
print(",".join(map(str, server)), ",".join(map(str, client)), len(server), len(client), int(pin))
' "${BENCH_SERVE_PIN:-1}")
set -- $split
SERVER_CPUS=$1 CLIENT_CPUS=$2
THREADS=${BENCH_SERVE_THREADS:-$3}
WRK_THREADS=$4
PINNED=$5
# (The server is started with taskset itself, not through a function, so
# that $! is its pid and SIGHUP and SIGTERM reach it.)
on_server() { taskset -c "$SERVER_CPUS" "$@"; }
on_client() { taskset -c "$CLIENT_CPUS" "$@"; }
COUNT=20000
RULES=$O/default.qdb

out=$O/bench-serve
mkdir -p "$out"
if [ ! -s "$out/corpus.jsonl" ]; then
    python3 bench/make_corpus.py "$DATA" "$COUNT" "$out/corpus.jsonl" "$out/corpus.txt"
fi
# One comment per request, and 100 per request as a JSON array.
cp "$out/corpus.jsonl" "$out/single.txt"
awk 'NR % 100 == 1 { if (NR > 1) print "]"; printf "[" } NR % 100 != 1 { printf "," }
     { printf "%s", $0 } END { print "]" }' "$out/corpus.jsonl" > "$out/batch100.txt"

tmp=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

cp "$RULES" "$tmp/rules.qdb"
taskset -c "$SERVER_CPUS" "$O/quell" serve --listen 127.0.0.1:0 -j "$THREADS" --max-batch 1000 "$tmp/rules.qdb" \
    2> "$tmp/serve.err" &
pid=$!
port=""
for _ in $(seq 600); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.err")
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    cat "$tmp/serve.err" >&2
    echo "bench-serve: quell serve did not start" >&2
    exit 1
fi
url=http://127.0.0.1:$port

# field NAME LINE: the value of NAME=... in a RESULT line.
field() {
    echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

drive() { # drive CONNECTIONS BODIES [PACE_MS] -> the RESULT line
    on_client wrk -t "$WRK_THREADS" -c "$1" -d "${DURATION}s" -s bench/wrk_check.lua \
        "$url" -- "$2" ${3:-} |
        grep '^RESULT'
}

if [ "$PINNED" = 1 ]; then
    where="server on CPUs $SERVER_CPUS, wrk -t $WRK_THREADS on CPUs $CLIENT_CPUS"
else
    where="server and wrk -t $WRK_THREADS sharing CPUs $SERVER_CPUS"
fi
echo "quell serve -j $THREADS on $url, rules $(basename "$RULES"), $COUNT comments," \
    "${DURATION} s per run; $where"
inproc=$(on_server "$O/scan_rate" "$RULES" "$out/corpus.jsonl" "$THREADS" "$DURATION" |
    sed -n 's/^in-process: \([0-9]*\) .*/\1/p')
printf '%-34s %10s comments/s\n' "in-process quell_scan, $THREADS threads" "$inproc"

# Warm every worker's scanner before measuring.
on_client wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d 2s -s bench/wrk_check.lua "$url" -- \
    "$out/single.txt" >/dev/null

report() { # report LABEL RESULT COMMENTS_PER_REQUEST
    reqs=$(field requests "$2")
    secs=$(field seconds "$2")
    awk -v label="$1" -v r="$reqs" -v s="$secs" -v k="$3" -v p50="$(field p50_ms "$2")" \
        -v p99="$(field p99_ms "$2")" -v p999="$(field p999_ms "$2")" \
        -v e="$(field errors "$2")" -v n="$(field non2xx "$2")" 'BEGIN {
        printf "%-34s %10.0f req/s %10.0f comments/s  p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  errors %d\n",
            label, r / s, r * k / s, p50, p99, p999, e + n }'
}

single=$(drive "$CONNECTIONS" "$out/single.txt")
report "single comments, peak ($CONNECTIONS conns)" "$single" 1
peak=$(awk -v r="$(field requests "$single")" -v s="$(field seconds "$single")" \
    'BEGIN { printf "%.0f", r / s }')

# About 80% of the peak: each connection waits 1 ms (wrk's least pause)
# between requests, so it makes one per 1 ms + the peak's median latency;
# enough connections for 80% between them.
target=$(awk -v p="$peak" 'BEGIN { printf "%.0f", p * 0.8 }')
paced_conns=$(awk -v t="$target" -v p50="$(field p50_ms "$single")" \
    'BEGIN { c = int(t * (1 + p50) / 1000 + 0.5); if (c < 1) c = 1; print c }')
# wrk's timers fire late (its event loop wakes in whole milliseconds), so
# each connection makes fewer requests than the estimate: rescale up to
# five times, until the rate is within 3% of 80%.
near_target() { # near_target RESULT: is its rate within 3% of the target?
    awk -v r="$(field requests "$1")" -v s="$(field seconds "$1")" -v t="$target" \
        'BEGIN { exit !(r / s >= 0.97 * t && r / s <= 1.03 * t) }'
}
paced=$(drive "$paced_conns" "$out/single.txt" 1)
tries=0
while ! near_target "$paced" && [ "$tries" -lt 5 ]; do
    paced_conns=$(awk -v r="$(field requests "$paced")" -v s="$(field seconds "$paced")" \
        -v t="$target" -v c="$paced_conns" 'BEGIN { print int(c * t / (r / s) + 0.5) }')
    paced=$(drive "$paced_conns" "$out/single.txt" 1)
    tries=$((tries + 1))
done
report "single, paced to ~80% ($paced_conns conns)" "$paced" 1
achieved=$(awk -v r="$(field requests "$paced")" -v s="$(field seconds "$paced")" -v p="$peak" \
    'BEGIN { printf "%.0f", 100 * r / s / p }')
echo "  paced rate: ${achieved}% of the peak; p99 target: under 2 ms"

batch=$(drive "$((THREADS * 2))" "$out/batch100.txt")
report "batches of 100 ($((THREADS * 2)) conns)" "$batch" 100
awk -v r="$(field requests "$batch")" -v s="$(field seconds "$batch")" -v i="$inproc" \
    'BEGIN { printf "  batched comments/s: %.0f%% of in-process (target: at least 60%%)\n",
             100 * r * 100 / s / i }'

# Reloads under load: SIGHUP every second while wrk runs.
drive "$((THREADS * 2))" "$out/batch100.txt" > "$tmp/reload.result" &
wrk_pid=$!
reloads=0
sleep 1
while kill -0 "$wrk_pid" 2>/dev/null && [ "$reloads" -lt $((DURATION - 2)) ]; do
    kill -HUP "$pid"
    reloads=$((reloads + 1))
    sleep 1
done
wait "$wrk_pid"
result=$(cat "$tmp/reload.result")
report "batches while reloading" "$result" 100
done_reloads=$(grep -c 'reloaded ' "$tmp/serve.err" || true)
failed=$(($(field errors "$result") + $(field non2xx "$result")))
echo "  reloads: $reloads SIGHUPs sent, $done_reloads done; failed requests: $failed"
if [ "$failed" -ne 0 ] || [ "$done_reloads" -lt 1 ]; then
    echo "bench-serve: requests failed during reloads" >&2
    exit 1
fi
