#!/usr/bin/env bash
# GUI smoke test: real Krita under Xvfb with the DiffuseJ plugin and a test plugin that drives it (see
# gui_smoke_plugin/): inpaint, close the document during a job, quit Krita during a job. Needs DIFFUSEJ_BRIDGE_URL
# (a running bridge), DIFFUSEJ_SLOW_BRIDGE_URL (the slow test engine) and xvfb-run; $1 = a scratch directory.
# Krita's config and resources go to a separate profile ($DIFFUSEJ_KRITA_PROFILE), never the user's own.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:?scratch directory}
PROFILE=${DIFFUSEJ_KRITA_PROFILE:-${HOME:-/tmp}/.cache/diffusej-krita-test}
PYKRITA="$PROFILE/data/krita/pykrita"
rm -rf "$PYKRITA"
mkdir -p "$PYKRITA" "$PROFILE/config"
# Installed from the zip the project ships by Krita's OWN importer (the code behind Tools > Scripts > Import Python
# Plugin from File), into the profile's resource folder (Krita's getAppDataLocation()).
"${PYTHON:-python3}" "$HERE/build_plugin.py" "$WORK/diffusej_krita.zip" >/dev/null
(cd "$HERE" && "${PYTHON:-python3}" -m tests.krita_import "$WORK/diffusej_krita.zip" "$PROFILE/data/krita")
cp -r "$HERE/tests/gui_smoke_plugin/diffusej_smoke" "$HERE/tests/gui_smoke_plugin/diffusej_smoke.desktop" "$PYKRITA/"
KRITARC="$PROFILE/config/kritarc"
touch "$KRITARC"
if ! grep -q '^\[python\]' "$KRITARC"; then printf '\n[python]\n' >> "$KRITARC"; fi
for p in diffusej_krita diffusej_smoke; do
  grep -q "^enable_$p=true" "$KRITARC" || sed -i "/^\[python\]/a enable_$p=true" "$KRITARC"
done
export DIFFUSEJ_SMOKE_RESULT="$WORK/smoke.txt" DIFFUSEJ_SMOKE_JOB="$WORK/smoke-job.txt"
rm -f "$DIFFUSEJ_SMOKE_RESULT" "$DIFFUSEJ_SMOKE_JOB"
XDG_DATA_HOME="$PROFILE/data" XDG_CONFIG_HOME="$PROFILE/config" timeout "${DIFFUSEJ_KRITA_TIMEOUT:-300}" \
    xvfb-run -a krita --nosplash >"$WORK/krita-gui.log" 2>&1 || status=$?
if ! grep -q '^PASS' "$DIFFUSEJ_SMOKE_RESULT" 2>/dev/null; then
  echo "GUI smoke test failed:"; cat "$DIFFUSEJ_SMOKE_RESULT" 2>/dev/null || tail -40 "$WORK/krita-gui.log"; exit 1
fi
cat "$DIFFUSEJ_SMOKE_RESULT"; echo
if [ "${status:-0}" != 0 ] || grep -q "QThread: Destroyed" "$WORK/krita-gui.log"; then
  echo "GUI smoke test: Krita did not exit cleanly (status ${status:-0})"; tail -20 "$WORK/krita-gui.log"; exit 1
fi
echo "Krita exited cleanly"
# Quitting during the job must have cancelled it on the server, by its id.
(cd "$HERE/plugin" && "${PYTHON:-python3}" -c '
import sys, time
from diffusej_krita.client import BridgeClient
url, job = sys.argv[1], open(sys.argv[2]).read().strip()
for _ in range(50):
    last = BridgeClient(url)._call("GET", "/diffusej/v1/jobs/" + job)
    if last["event"] != "progress" and last["event"] != "queued":
        break
    time.sleep(0.2)
print("job %s after the quit: %s at step %s of %s" % (job, last["event"], last["step"], last["total"]))
sys.exit(0 if last["event"] == "interrupted" else 1)
' "$DIFFUSEJ_SLOW_BRIDGE_URL" "$DIFFUSEJ_SMOKE_JOB")
