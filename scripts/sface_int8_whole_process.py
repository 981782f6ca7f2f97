"""Developer step (not run by scripts/setup): Visage's whole process with float SFace against int8.

`bench/whole-process` times Visage against the Python reference; run once per SFace file, two
runs minutes apart see different load. This alternates the two Visage runs within each round
instead, on bench/whole-process's files (200 held-out UTKFace crops, the 64 pairs-deepface
photos) and `visage analyze --json --no-mask-rescue --attributes age,gender,embedding`:

    mkdir -p /tmp/vh-int8/models && ln -s ~/.cache/visage/{lib,samples,venv,.setup-v3} /tmp/vh-int8/
    ln -s ~/.cache/visage/models/* /tmp/vh-int8/models/ && rm /tmp/vh-int8/models/sface_2021dec.onnx
    ln -s ~/.cache/visage/models/sface_2021dec_int8.onnx /tmp/vh-int8/models/sface_2021dec.onnx
    python3 scripts/sface_int8_whole_process.py /tmp/visage-copy /tmp/vh-int8 ../shared/data 7

The second VISAGE_HOME's sface_2021dec.onnx is the int8 file: the run an int8 default would make.
Only the standard library is needed.
"""
import importlib.machinery
import importlib.util
import os
import statistics
import sys
from pathlib import Path

if len(sys.argv) != 5:
    sys.exit("usage: sface_int8_whole_process.py VISAGE INT8_VISAGE_HOME DATA ROUNDS")
visage, int8_home, data, rounds = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
bench = Path(__file__).resolve().parent.parent / "bench" / "whole-process"
loader = importlib.machinery.SourceFileLoader("whole_process", str(bench))
spec = importlib.util.spec_from_loader("whole_process", loader)
wp = importlib.util.module_from_spec(spec)
loader.exec_module(wp)

homes = {"float": os.environ.get("VISAGE_HOME", os.path.expanduser("~/.cache/visage")), "int8": int8_home}
for name, files in wp.file_sets(data, 200, ["crops", "photos"]).items():
    times = {k: [] for k in homes}
    for r in range(rounds):
        for k in (list(homes) if r % 2 == 0 else list(homes)[::-1]):
            os.environ["VISAGE_HOME"] = homes[k]
            wall, _ = wp.run([visage, "analyze", "--json", "--no-mask-rescue", "--attributes", "age,gender,embedding"] + files)
            times[k].append(wall)
    ratios = [f / i for f, i in zip(times["float"], times["int8"])]
    print(f"{name}: float {wp.spread(times['float'])}, int8 {wp.spread(times['int8'])}, "
          f"float/int8 median of rounds {statistics.median(ratios):.2f} ({' / '.join(f'{x:.2f}' for x in ratios)})", flush=True)
