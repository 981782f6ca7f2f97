"""Evenly spaced frames of every clip in a folder, as JPEG: the detector's validation negatives.

Each clip of ../shared/data/videos shows one person, with shoulders, clothes and background:
any face box that is not that person's face is a false positive. Needs PyAV (`pip install av`)
and pillow.

    python video_frames.py ../shared/data/videos OUT [--per-clip 20]

Frame k of n is taken at (k + 0.5) / n of the clip; files are OUT/<clip>__<k>.jpg.
"""
import argparse, os

import av


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("videos")
    ap.add_argument("out")
    ap.add_argument("--per-clip", type=int, default=20)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in sorted(os.listdir(args.videos)):
        if not name.endswith(".mp4"):
            continue
        with av.open(os.path.join(args.videos, name)) as clip:
            frames = [f.to_image() for f in clip.decode(video=0)]
        n = len(frames)
        for k in range(args.per_clip):
            frame = frames[min(n - 1, int((k + 0.5) / args.per_clip * n))]
            frame.convert("RGB").save(os.path.join(args.out, f"{name[:-4]}__{k}.jpg"), quality=92)
        print(name, n, frames[0].size, flush=True)


if __name__ == "__main__":
    main()
