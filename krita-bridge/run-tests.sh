#!/usr/bin/env bash
# Tests of the Krita plugin (called by the repository's ./run-tests):
#  1. unit tests of the plugin core with a fake `krita` module (stdlib unittest, any python3);
#  2. the same core against the REAL Java bridge (started here from the Maven build: KritaTestServer with its test
#     engine, and with the real pipeline on the tiny sd1-inpaint-tiny fixture);
#  3. inside REAL Krita, against the real pipeline (kritarunner, offscreen): document + selection -> Inpaint -> new layers and pixels checked;
#  4. a GUI smoke test under xvfb-run krita, the plugin installed by Krita's own importer from the zip: docker present,
#     action triggers, layers added; closing the document and quitting Krita during a job cancel it (clean exit).
# 3 and 4 need Debian's krita, python3-pyqt5, xvfb, xauth: required when CI=true, skipped with a message otherwise.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
PY=${PYTHON:-python3}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== Krita plugin: unit tests (fake krita)"
"$PY" -m unittest discover -s tests -t . -p 'test_*.py'

echo "== Krita plugin: starting the Java bridges for the end-to-end tests"
(cd .. && mvn -B -q -ntp test-compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/classpath.txt" -Dmdep.includeScope=test)
CLASSPATH_BRIDGE="../target/classes:../target/test-classes:$(cat "$WORK/classpath.txt")"
start_bridge() {  # NAME ARGS... : starts KritaTestServer, waits for its URL in $WORK/NAME.url
  local name=$1; shift
  java -Dai.djl.offline=true -cp "$CLASSPATH_BRIDGE" org.diffusej.bridge.KritaTestServer "$WORK/$name.url" "$@" \
      >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
# The test engine (exact pixels, slow steps for cancel tests), the same at 100 ms a step (jobs that last while the
# GUI test closes a document or quits Krita) and the real pipeline on the tiny inpainting fixture.
start_bridge test test 5
start_bridge slow test 100
start_bridge real model "$HERE/../src/test/resources/fixtures/sd1-inpaint-tiny/diffusers"
# sd1-tiny with TAESD previews in the job events and the LoRA fixtures as its LoRA folder (diffusej serve --taesd --loras)
FIXTURES="$HERE/../src/test/resources/fixtures"
start_bridge preview model "$FIXTURES/sd1-tiny/diffusers" "$FIXTURES/taesd" "$FIXTURES/lora"
for name in test slow real preview; do
  for _ in $(seq 1 240); do [ -s "$WORK/$name.url" ] && break; sleep 0.5; done
  if [ ! -s "$WORK/$name.url" ]; then echo "the $name bridge did not start:"; cat "$WORK/$name.log"; exit 1; fi
done
export DIFFUSEJ_BRIDGE_URL
DIFFUSEJ_BRIDGE_URL=$(cat "$WORK/test.url")
REAL_BRIDGE_URL=$(cat "$WORK/real.url")
export DIFFUSEJ_SLOW_BRIDGE_URL
DIFFUSEJ_SLOW_BRIDGE_URL=$(cat "$WORK/slow.url")
export DIFFUSEJ_PREVIEW_BRIDGE_URL
DIFFUSEJ_PREVIEW_BRIDGE_URL=$(cat "$WORK/preview.url")
echo "bridges: test engine at $DIFFUSEJ_BRIDGE_URL, real pipeline (sd1-inpaint-tiny) at $REAL_BRIDGE_URL, sd1-tiny with TAESD and LoRAs at $DIFFUSEJ_PREVIEW_BRIDGE_URL"

echo "== Krita plugin: core against the real bridge (test engine, then real pipeline)"
"$PY" -m unittest tests.test_live_server
DIFFUSEJ_BRIDGE_URL=$REAL_BRIDGE_URL "$PY" -m unittest tests.test_live_server.LiveServerTest.test_inpaint_selection_end_to_end \
    tests.test_live_server.LiveServerTest.test_non_default_inpaint_modes_run_on_the_server

if ! command -v kritarunner >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then echo "kritarunner missing although CI=true (.ci/run installs krita)"; exit 1; fi
  echo "== SKIPPED real-Krita tests: kritarunner not found (apt-get install krita python3-pyqt5 xvfb xauth)"
  exit 0
fi

# Inside Krita the plugin talks to the real pipeline.
DIFFUSEJ_BRIDGE_URL=$REAL_BRIDGE_URL
echo "== Krita plugin: inside real Krita (kritarunner, offscreen)"
export DIFFUSEJ_E2E_RESULT="$WORK/e2e.txt"
# The first Krita start on a machine builds its resource database (about a minute on 2 cores).
# Krita's config and resources go to a separate profile, never the user's own.
PROFILE=${DIFFUSEJ_KRITA_PROFILE:-${HOME:-/tmp}/.cache/diffusej-krita-test}
mkdir -p "$PROFILE/data" "$PROFILE/config"
XDG_DATA_HOME="$PROFILE/data" XDG_CONFIG_HOME="$PROFILE/config" \
PYTHONPATH="$HERE/plugin:$HERE" QT_QPA_PLATFORM=offscreen timeout 300 \
    kritarunner -s tests.krita_e2e -f main >"$WORK/kritarunner.log" 2>&1 || true
if ! grep -q '^PASS' "$DIFFUSEJ_E2E_RESULT" 2>/dev/null; then
  echo "real-Krita test failed:"; cat "$DIFFUSEJ_E2E_RESULT" 2>/dev/null || tail -40 "$WORK/kritarunner.log"; exit 1
fi
cat "$DIFFUSEJ_E2E_RESULT"; echo

if [ -x tests/gui_smoke.sh ]; then
  echo "== Krita plugin: GUI smoke test (xvfb-run krita)"
  tests/gui_smoke.sh "$WORK"
fi
echo "== Krita plugin: all tests passed"
