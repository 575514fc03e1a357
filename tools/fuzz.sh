#!/usr/bin/env bash
# Real (coverage-guided) fuzzing runs with Jazzer, one fuzz test per JVM (Jazzer fuzzes one test at a time).
# Usage: tools/fuzz.sh [DURATION]   e.g. tools/fuzz.sh 30s (CI), tools/fuzz.sh 2h (long run)
# The corpus grows in .cifuzz-corpus/ (git-ignored); a crash is saved under src/test/resources/.../<method>/ as a
# crash-* file, which then replays in every `mvn test` (commit it as a regression seed once fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30s}"
for t in 'SafetensorsHeaderFuzzTest#header' 'RequestParsingFuzzTest#jsonRequest' \
         'RequestParsingFuzzTest#imageAndMask' 'ImageReadFuzzTest#read'; do
  echo "== fuzzing $t for $duration"
  JAZZER_FUZZ=1 mvn -B -ntp -q ${MVN_ARGS:-} test -Dtest="$t" -Djazzer.max_duration="$duration"
  out=$(ls -t target/surefire-reports/*"${t%%#*}"-output.txt | head -1)
  grep -E '^Done [0-9]+ runs' "$out" | tail -1 || true
done
