"""Two checks on real masks (issue 18) that need no training: does the masked face match better
when it is aligned on the eyes alone (the detector's nose and mouth points are guesses under a
mask), and does another recogniser, dlib's ResNet (face-recognition-models==0.3.0, run with the
dlib-bin wheel), keep more identity in the upper face than SFace?

Both score every masked photo of ../shared/data/masked-people against every unmasked one
(genuine: same person; impostor: another), from the detections `visage detect --json` gives:

    visage detect --json ../shared/data/masked-people > /tmp/mp-detect.jsonl
    python training/mfsa/alignment_and_dlib.py alignment /tmp/mp-detect.jsonl --models $VISAGE_HOME/models
    python training/mfsa/alignment_and_dlib.py dlib /tmp/mp-detect.jsonl      # pip install dlib-bin face-recognition-models

Needs numpy, opencv-python-headless, onnxruntime, scikit-learn (and dlib-bin,
face-recognition-models for `dlib`). Prints, per variant, the balanced accuracy at the best
threshold, TAR at FAR 1e-2 and 1e-3 of the drawn impostor pairs, and the ROC AUC.
"""
import argparse
import json

import numpy as np
from sklearn.metrics import roc_auc_score

# ArcFace's 112x112 template (SFace's input), eyes, nose, mouth corners.
TEMPLATE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                     [41.5493, 92.3655], [70.7299, 92.2041]], np.float32)


def largest_faces(path):
    """(person, condition, image path, box, landmarks) of the largest face of each photo."""
    faces = []
    for line in open(path):
        row = json.loads(line)
        if not row.get("faces"):
            continue
        face = max(row["faces"], key=lambda f: f["box"][2] * f["box"][3])
        parts = row["image"].split("/")
        faces.append((parts[-3], parts[-2], row["image"], face["box"], np.array(face["landmarks"], np.float32)))
    return faces


def similarity_transform(source, target):
    """Least-squares similarity (Umeyama, no reflection) taking `source` points onto `target`."""
    ms, mt = source.mean(0), target.mean(0)
    s, t = source - ms, target - mt
    u, singular, vt = np.linalg.svd(t.T @ s / len(source))
    d = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[1, 1] = -1
    rotation = u @ d @ vt
    scale = np.trace(np.diag(singular) @ d) / ((s ** 2).sum() / len(source))
    return np.hstack([scale * rotation, (mt - scale * rotation @ ms)[:, None]])


def scores(similarity, same):
    """Balanced accuracy at the best threshold, TAR at FAR 1e-2 and 1e-3, AUC."""
    genuine, impostor = similarity[same], similarity[~same]
    thresholds = np.unique(np.concatenate([genuine, impostor]))
    thresholds = thresholds[::max(1, len(thresholds) // 3000)]
    best = max(((genuine >= t).mean() + (impostor < t).mean()) / 2 for t in thresholds)
    tar = [(genuine > np.quantile(impostor, 1 - far)).mean() for far in (1e-2, 1e-3)]
    auc = roc_auc_score(np.r_[np.ones(len(genuine)), np.zeros(len(impostor))], np.r_[genuine, impostor])
    return f"best {100 * best:.2f}%  TAR@1e-2 {100 * tar[0]:.2f}%  TAR@1e-3 {100 * tar[1]:.2f}%  AUC {auc:.4f}"


def alignment(faces, models):
    import cv2
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    sface = ort.InferenceSession(f"{models}/sface_2021dec.onnx", options)
    # Which landmarks the similarity transform is fitted to: all five (Visage's), the eyes
    # alone, eyes and nose, or all five with the eyes counted four times.
    variants = {"five points": [0, 1, 2, 3, 4], "eyes": [0, 1], "eyes + nose": [0, 1, 2], "eyes x4 + rest": [0, 1] * 4 + [2, 3, 4]}
    people = np.array([f[0] for f in faces])
    masked = np.array([f[1] == "masked" for f in faces])
    embeddings = {}
    for name, points in variants.items():
        crops = []
        for _, _, path, _, landmarks in faces:
            image = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)  # SFace reads RGB
            crops.append(cv2.warpAffine(image, similarity_transform(landmarks[points], TEMPLATE[points]), (112, 112)))
        batch = np.stack(crops).astype(np.float32).transpose(0, 3, 1, 2)
        vectors = np.concatenate([sface.run(["fc1"], {"data": batch[i:i + 32]})[0] for i in range(0, len(batch), 32)])
        embeddings[name] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    for masked_side in variants:
        for bare_side in dict.fromkeys(["five points", masked_side]):
            similarity = embeddings[masked_side][masked] @ embeddings[bare_side][~masked].T
            same = people[masked][:, None] == people[~masked][None, :]
            print(f"masked aligned on {masked_side:15s} vs bare on {bare_side:15s}: {scores(similarity, same)}")


def dlib_resnet(faces):
    import dlib
    import face_recognition_models as frm
    shape = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
    net = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
    vectors = []
    for _, _, path, (x, y, w, h), _ in faces:
        image = dlib.load_rgb_image(path)
        vectors.append(np.array(net.compute_face_descriptor(image, shape(image, dlib.rectangle(int(x), int(y), int(x + w), int(y + h))), 0)))
    vectors = np.array(vectors)
    people = np.array([f[0] for f in faces])
    masked = np.array([f[1] == "masked" for f in faces])
    # dlib compares by Euclidean distance (0.6 is its threshold); minus distance is a similarity.
    distance = np.linalg.norm(vectors[:, None] - vectors[None], axis=2)
    pairs = {"masked vs bare": (masked, ~masked), "bare vs bare": (~masked, ~masked)}
    for name, (a, b) in pairs.items():
        similarity, same = -distance[a][:, b], people[a][:, None] == people[b][None, :]
        # A bare photo is not paired with itself.
        keep = ~np.eye(len(similarity), dtype=bool) if name == "bare vs bare" else np.ones_like(same)
        print(f"dlib ResNet, {name}: {scores(similarity[keep], same[keep])}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("check", choices=["alignment", "dlib"])
    parser.add_argument("detections", help="visage detect --json output for ../shared/data/masked-people")
    parser.add_argument("--models", default="models", help="folder holding sface_2021dec.onnx (for alignment)")
    arguments = parser.parse_args()
    faces = largest_faces(arguments.detections)
    print(f"{len(faces)} photos with a face")
    alignment(faces, arguments.models) if arguments.check == "alignment" else dlib_resnet(faces)
