# Does hiding the lower face of the unmasked photo (or of both) help SFace match real masked
# faces? A training-free idea, tried before training anything on masks. Reads the aligned
# crops `visage dataset crops ../shared/data/masked-people /tmp/lead/mp-crops` writes; every
# masked crop against every unmasked crop (genuine: same person). Results in
# docs/models/masked-threshold.md. Needs numpy, pillow, onnxruntime.
import glob, os, sys, numpy as np, onnxruntime as ort
from PIL import Image
root = sys.argv[1] if len(sys.argv) > 1 else '/tmp/lead/mp-crops'
so = ort.SessionOptions(); so.intra_op_num_threads = 1
sess = ort.InferenceSession(os.path.expanduser('~/.cache/visage/models/sface_2021dec.onnx'), so, providers=['CPUExecutionProvider'])
items = []
for p in sorted(glob.glob(root + '/*/*/*.png')):
    person, cond = p.split('/')[-3], p.split('/')[-2]
    items.append((person, cond, np.asarray(Image.open(p).convert('RGB'), dtype=np.float32)))
def embed(imgs):
    x = np.stack([i.transpose(2, 0, 1) for i in imgs])
    out = []
    for k in range(0, len(x), 16):
        out.append(sess.run(['fc1'], {'data': x[k:k+16]})[0])
    e = np.concatenate(out); return e / np.linalg.norm(e, axis=1, keepdims=True)
def cut(img, y, fill):
    img = img.copy(); img[y:, :, :] = fill; return img
def evaluate(tag, emb):
    masked = [i for i, it in enumerate(items) if it[1] == 'masked']
    unmasked = [i for i, it in enumerate(items) if it[1] == 'unmasked']
    g, im = [], []
    for a in masked:
        for b in unmasked:
            s = float(emb['m'][a] @ emb['u'][b])
            (g if items[a][0] == items[b][0] else im).append(s)
    g, im = np.array(g), np.array(im)
    ts = np.unique(np.concatenate([g, im]))
    # balanced accuracy at best threshold (equal weight genuine/impostor)
    best = max(((g >= t).mean() + (im < t).mean()) / 2 for t in ts)
    t3 = np.sort(im)[int(len(im) * (1 - 1e-3))]
    tar3 = (g > t3).mean()
    t2 = np.sort(im)[int(len(im) * (1 - 1e-2))]
    tar2 = (g > t2).mean()
    print(f'{tag:40s} genuine {len(g)} impostor {len(im)}  best balanced acc {best*100:.2f}%  TAR@1e-2 {tar2*100:.1f}%  TAR@1e-3 {tar3*100:.1f}%  gmean {g.mean():.3f} imean {im.mean():.3f}')
imgs = [it[2] for it in items]
base = embed(imgs)
evaluate('plain SFace', {'m': base, 'u': base})
for y in [56, 62, 68]:
    for fill in [0.0, 127.0]:
        occ = embed([cut(i, y, fill) for i in imgs])
        evaluate(f'unmasked cut y>={y} fill {fill:.0f}', {'m': base, 'u': occ})
        evaluate(f'both cut y>={y} fill {fill:.0f}', {'m': occ, 'u': occ})
