#!/usr/bin/env bash
# Measures one detector file with one visage binary: every figure of the card.
#   training/detector/evaluate.sh VISAGE_BINARY DETECTOR.onnx OUT_DIR [proposer]
# The detector is tried under YuNet's file name in a models folder whose other files are
# links to $VISAGE_HOME/models, so the same binary measures old and new. With `proposer`, YuNet
# stays and the file is the masked-face student (yunet-masked.onnx) whose masked boxes the
# rescue adds (the union cascade); without it the folder holds no student, so passing YuNet's
# own file measures YuNet + rescue.
set -euo pipefail
BIN=$1; MODEL=$2; OUT=$3; MODE=${4:-replace}
DATA=${VISAGE_DATA:-../shared/data}
HOME_MODELS=${VISAGE_HOME:-$HOME/.cache/visage}/models
SAMPLES=${VISAGE_HOME:-$HOME/.cache/visage}/samples
mkdir -p "$OUT/models"
for f in "$HOME_MODELS"/*.onnx; do ln -sf "$f" "$OUT/models/"; done
rm -f "$OUT/models/yunet-masked.onnx"
if [[ $MODE == proposer ]]; then cp "$MODEL" "$OUT/models/yunet-masked.onnx"
else rm -f "$OUT/models/yunet_2023mar.onnx"; cp "$MODEL" "$OUT/models/yunet_2023mar.onnx"; fi
M="--models $OUT/models --threads 1"
# Photos with at least one face, and all faces, from `visage detect --json` lines.
count() { python3 -c '
import json, sys
n = found = faces = 0
for line in sys.stdin:
    r = json.loads(line); n += 1; k = len(r.get("faces", [])); faces += k; found += k > 0
print(f"{found}/{n} photos with a face ({100*found/max(n,1):.2f}%), {faces} faces")'; }
{
echo "== mask-boxes, visage eval detection (defaults: rescue on)"
"$BIN" eval detection $M --voc "$DATA/mask-boxes" --output "$OUT/eval-detection" 2>>"$OUT/progress.log"
echo "== mask-boxes, visage eval detection --no-mask-rescue"
"$BIN" eval detection $M --no-mask-rescue --voc "$DATA/mask-boxes" --output "$OUT/eval-detection-alone" 2>>"$OUT/progress.log"
run() { # label, flags, paths...
  local label=$1 flags=$2; shift 2
  local file="$OUT/detect-$(tr -c 'A-Za-z0-9\n' _ <<<"$label${flags:+-alone}").jsonl"   # every box, for diffs
  printf '%-42s %s\n' "$label" "$("$BIN" detect --json $M $flags "$@" 2>/dev/null | tee "$file" | count)"
}
for mode in "" "--no-mask-rescue"; do
  echo "== faces found, visage detect --json ${mode:-(defaults)}"
  run "masks/with_mask" "$mode" "$DATA/masks/with_mask"
  run "masked-people masked" "$mode" "$DATA"/masked-people/*/masked
  run "masked-people unmasked" "$mode" "$DATA"/masked-people/*/unmasked
  run "masks/without_mask (in training)" "$mode" "$DATA/masks/without_mask"
  run "pairs-deepface" "$mode" "$DATA/pairs-deepface/images"
  run "utkface (3,000)" "$mode" "$DATA/utkface"
  run "cfp frontal 10.jpg (500, not in training)" "$mode" "$DATA"/cfp/Data/Images/*/frontal/10.jpg
  run "cfp profile 01.jpg (500)" "$mode" "$DATA"/cfp/Data/Images/*/profile/01.jpg
  run "samples t1.jpg (6 faces expected)" "$mode" "$SAMPLES/t1.jpg"
  run "samples mask_*.jpg (no face expected)" "$mode" "$SAMPLES"/mask_*.jpg
done
} 2>&1 | tee "$OUT/figures.txt"
