#!/usr/bin/env bash
# Real (coverage-guided) fuzzing runs with Jazzer, one fuzz test per JVM (Jazzer fuzzes one test at a time).
# Usage: tools/fuzz.sh [DURATION [TEST...]]   e.g. tools/fuzz.sh 30s (CI), tools/fuzz.sh 2h (long run),
#        FUZZ_RUNS=1000000 tools/fuzz.sh 30m 'ImageReadFuzzTest#read' (stop at 10^6 executions or 30 min)
# The corpus grows in .cifuzz-corpus/ (git-ignored) and carries over to the next run; a crash is saved under
# src/test/resources/.../<method>/ as a crash-* file, which then replays in every `mvn test` (commit it as a
# regression seed once fixed). libFuzzer writes its statistics to the JVM's native stderr, so they appear in
# target/fuzz-<Class>-<method>.log, not in surefire's report files; the count is its `Done N runs in S second(s)`.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30s}"
shift || true
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=('SafetensorsHeaderFuzzTest#header' 'RequestParsingFuzzTest#jsonRequest'
                                 'RequestParsingFuzzTest#imageAndMask' 'ImageReadFuzzTest#read')
runs=()
[ -z "${FUZZ_RUNS:-}" ] || runs=(-Djazzer.max_executions="$FUZZ_RUNS")
mkdir -p target
for t in "${tests[@]}"; do
  echo "== fuzzing $t for $duration${FUZZ_RUNS:+ or $FUZZ_RUNS runs}"
  log="target/fuzz-${t/\#/-}.log"
  JAZZER_FUZZ=1 mvn -B -ntp -q ${MVN_ARGS:-} test -Dtest="$t" -Djazzer.max_duration="$duration" "${runs[@]}" \
    >"$log" 2>&1 || { tail -40 "$log"; exit 1; }
  grep -E '^Done [0-9]+ runs' "$log" | tail -1 || echo "(no 'Done' line: see $log)"
done
