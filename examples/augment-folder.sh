#!/usr/bin/env bash
# Folder augmentation: seeded img2img variants of every image in a folder, written in the source's bit depth
# (16-bit PNG/TIFF stay 16-bit, grey stays grey), with the full parameters in each file (PNG text chunk /
# TIFF ImageDescription) and in a JSON sidecar, so every variant can be reproduced.
#
# Usage:   examples/augment-folder.sh INPUT_DIR OUTPUT_DIR [more diffusej augment options, e.g. --model ...]
# Example: VARIANTS=4 STRENGTH=0.25 SEED=1 examples/augment-folder.sh examples/cells augmented
# Settings (environment): VARIANTS (4), STRENGTH (0.25), SEED (1), PROMPT (empty), DIFFUSEJ (the launcher).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 INPUT_DIR OUTPUT_DIR [diffusej augment options]" >&2
  exit 2
fi
input="$1"
output="$2"
shift 2
diffusej="${DIFFUSEJ:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/diffusej}"
exec "$diffusej" augment "$input" --out "$output" --variants "${VARIANTS:-4}" --strength "${STRENGTH:-0.25}" \
  --seed "${SEED:-1}" --prompt "${PROMPT:-}" "$@"
