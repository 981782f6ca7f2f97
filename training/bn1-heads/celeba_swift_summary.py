"""One table of celeba_swift_cv.py runs against a baseline run over the same seeds: per run the
count above the majority answer per seed, its mean, the paired difference from the baseline
(mean, wins, losses), the mean accuracy, and per attribute how many seeds put it above the
majority and its mean accuracy (and, where the inner CV chose among alternatives, how often it
chose each).

  python training/bn1-heads/celeba_swift_summary.py --base base.json C1.json C2.json ... --out summary.json
"""
import argparse
import collections
import json
import os

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("runs", nargs="+")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    base = json.load(open(a.base))["runs"]
    table = {}
    for path in [a.base] + a.runs:
        d = json.load(open(path))
        runs = d["runs"]
        assert sorted(runs) == sorted(base), f"{path}: other seeds than the baseline's"
        seeds = sorted(runs, key=int)
        counts = [runs[s]["above"] for s in seeds]
        diff = [runs[s]["above"] - base[s]["above"] for s in seeds]
        attributes = {}
        for j, r in enumerate(runs[seeds[0]]["results"]):
            if r["accuracy"] is None:
                attributes[r["attribute"]] = {"positives": r["positives"], "attempted": False}
                continue
            acc = [runs[s]["results"][j]["accuracy"] for s in seeds]
            entry = {"positives": r["positives"], "majority": round(r["majority"], 4),
                     "seeds_above": int(sum(x > r["majority"] + 1e-9 for x in acc)), "accuracy": round(float(np.mean(acc)), 4)}
            chosen = collections.Counter(c.split("@")[0] for s in seeds for c in runs[s]["results"][j].get("chosen", []))
            if len(chosen) > 1:
                entry["chosen"] = dict(chosen)
            attributes[r["attribute"]] = entry
        s = d["settings"]
        name = os.path.basename(path).removesuffix(".json")
        table[name] = {"alternatives": s["alternatives"], "threshold": s["threshold"], "minimum": s.get("minimum"),
                       "raw": s.get("raw", False), "seeds": [int(x) for x in seeds], "above": counts,
                       "mean_above": round(float(np.mean(counts)), 2), "paired_difference": round(float(np.mean(diff)), 2),
                       "wins": int(sum(x > 0 for x in diff)), "losses": int(sum(x < 0 for x in diff)),
                       "mean_accuracy": round(float(np.mean([runs[x]["mean"] for x in seeds])), 4), "attributes": attributes}
        print(f"{name:6s} {s['alternatives']:36s} {s['threshold']:10s} min {s.get('minimum')}  mean {np.mean(counts):.2f}  "
              f"diff {np.mean(diff):+.2f} ({table[name]['wins']} up, {table[name]['losses']} down)  accuracy {table[name]['mean_accuracy']:.4f}")
    json.dump(table, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
