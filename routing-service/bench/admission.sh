#!/usr/bin/env bash
# Benchmark of the SIP edge's admission and call path with sipp; prints figures, asserts nothing.
# Usage: routing-service/bench/admission.sh [rate-per-second] [calls]     (after ./mvnw -pl routing-service install)
# Runs SipEdgeBench (the edge alone, no Kafka; offered calls are rejected with 486 as if commanded at once) and
# two sipp callers in turn: one from 127.0.0.1 (offered, then 486) and one from 127.0.0.2 (refused by the ACL, 403).
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-200}
calls=${2:-4000}
port=${BENCH_PORT:-25060}
work=$(mktemp -d)
../mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
touch "$work/edge.log"
java -Xmx256m -XX:+UseSerialGC -Dpsip.log.level=WARN -cp "target/test-classes:target/classes:$(cat "$work/cp.txt")" \
  io.psip.routing.sip.SipEdgeBench "$port" >"$work/edge.log" 2>&1 &
edge=$!
trap 'kill $edge 2>/dev/null; wait $edge 2>/dev/null || true' EXIT
until grep -q READY "$work/edge.log"; do sleep 0.2; done

run() { # name, expected code, source address
  sed "s/EXPECTED_CODE/$2/" src/test/resources/sipp/uac-rejected.xml >"$work/$1.xml"
  local start=$(date +%s.%N)
  (cd "$work" && sipp -sf "$1.xml" -nostdin -i "$3" -p $((port + 1)) -s 123 -key domain acme.sip-us.example.com \
      -r "$rate" -m "$calls" -recv_timeout 10000 -timeout 120s -trace_stat -fd 1 127.0.0.1:"$port" >/dev/null 2>&1) || true
  local end=$(date +%s.%N)
  local stat=$(ls "$work"/"$1"_*_.csv | head -1)
  col() { awk -F';' -v name="$1" 'NR==1 {for (i=1;i<=NF;i++) if ($i==name) c=i} END {print $c}' "$stat"; }
  printf '%-8s rate=%s/s calls=%s successful=%s failed=%s mean-call-length=%s wall=%.1fs\n' "$1" "$rate" "$calls" \
      "$(col 'SuccessfulCall(C)')" "$(col 'FailedCall(C)')" "$(col 'CallLength(C)')" "$(echo "$end - $start" | bc)"
}
run offered 486 127.0.0.1
run acl403 403 127.0.0.2
sleep 5
grep 'offered=' "$work/edge.log" | tail -1
