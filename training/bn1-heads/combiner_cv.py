"""Issue 21: which second level to stack the bn1 heads with the package's networks, by 5-fold CV
on UTKFace's training part only (out-of-fold base outputs from stack_age_gender.py's -base.npz).
Age: least squares or least absolute deviations on [head, package] plain, with the package on its
chip's mirror too (ptta), or with both mirrored (tta: a second SFace pass), and piecewise-linear
(hinges at 4 or 9/14 knots); gender: logistic on the two logits. fit_stack.py fits the winner
that costs no second SFace pass (ptta, 9 knots, least absolute deviations).

  python training/bn1-heads/combiner_cv.py stack-cv-base.npz bn1 > results/stack/combiner-cv.txt
"""
import sys

import numpy as np
from heads import logistic
b = np.load(sys.argv[1]); tag = sys.argv[2] if len(sys.argv) > 2 else "bn1"
age, gender, held, fold = b['age'], b['gender'], b['held'], b['fold']
train = ~held; n, m = int(train.sum()), int(held.sum())
I0 = np.arange(n); I1 = np.arange(n, 2*n)
ya = age[train]; yg = gender[train]
h = b[f'age {tag}']; p = b['pkg_age']; hg = b[f'gender {tag}']; pg = b['pkg_gender']
def cvlin(X, y, l1=False):
    oof = np.empty(n)
    for k in range(5):
        tr, te = fold != k, fold == k
        A = np.c_[X[tr], np.ones(tr.sum())]
        c = np.linalg.lstsq(A, y[tr], rcond=None)[0]
        oof[te] = np.c_[X[te], np.ones(te.sum())] @ c
    return oof
def mae(o): return np.abs(np.clip(o, 0, 120) - ya).mean()
hp, hf, pp, pf = h[I0], h[I1], p[I0], p[I1]
ht, pt = (hp+hf)/2, (pp+pf)/2
print('head', mae(hp), 'head tta', mae(ht), 'pkg', mae(pp), 'pkg tta', mae(pt))
for name, X in [('h+p', np.c_[hp, pp]), ('h+ptta', np.c_[hp, pt]), ('htta+ptta', np.c_[ht, pt]), ('h,hf,p,pf', np.c_[hp, hf, pp, pf])]:
    print(name, mae(cvlin(X, ya)))
def hinge(v, knots): return np.c_[[np.maximum(0, v - k) for k in knots]].T
knots = [5, 10, 15, 20, 30, 40, 50, 60, 70]
for name, (a_, c_) in [('plain', (hp, pp)), ('ptta', (hp, pt)), ('tta', (ht, pt))]:
    for kn in [[10, 20, 40, 60], knots]:
        X = np.c_[a_, c_, hinge(a_, kn), hinge(c_, kn)]
        print('hinge', name, len(kn), mae(cvlin(X, ya)))
    # log-space combination
    X = np.c_[np.log1p(np.clip(a_,0,None)), np.log1p(c_)]
    o = cvlin(X, np.log1p(ya)); print('log comb', name, mae(np.expm1(o)))
# gender
def cvlog(X, y):
    oof = np.empty(n)
    for k in range(5):
        tr, te = fold != k, fold == k
        w = logistic(X[tr], y[tr]); oof[te] = np.c_[X[te], np.ones(te.sum())] @ w
    return oof
acc = lambda o: ((o > 0) == (yg == 1)).mean()
ghp, ghf, gpp, gpf = hg[I0], hg[I1], pg[I0], pg[I1]
print('gender head', acc(ghp), 'tta', acc(ghp+ghf), 'pkg', acc(gpp), 'pkg tta', acc(gpp+gpf))
for name, X in [('h+p', np.c_[ghp, gpp]), ('h+ptta', np.c_[ghp, gpp+gpf]), ('tta', np.c_[ghp+ghf, gpp+gpf]), ('4', np.c_[ghp, ghf, gpp, gpf]),
                ('h+p+age', np.c_[ghp, gpp, np.log1p(np.clip(hp,0,None))]), ('h+p+inter', np.c_[ghp, gpp, ghp*np.log1p(np.clip(pp,0,None)), gpp*np.log1p(np.clip(pp,0,None)), np.log1p(np.clip(pp,0,None))])]:
    print('gender', name, acc(cvlog(X, yg)))

# ---- least absolute deviations and more knots
def fit(X, y, l1, ridge=0.0):
    A = np.c_[X, np.ones(len(X))]
    w = np.ones(len(y))
    for it in range(30 if l1 else 1):
        Aw = A * w[:, None]
        R = ridge * np.eye(A.shape[1]); R[-1, -1] = 0
        c = np.linalg.solve(A.T @ Aw + R, Aw.T @ y)
        if l1: w = 1 / np.maximum(np.abs(A @ c - y), 0.5)
    return c
def cv_l1(X, l1, ridge=0.0):
    oof = np.empty(n)
    for k in range(5):
        tr, te = fold != k, fold == k
        c = fit(X[tr], ya[tr], l1, ridge); oof[te] = np.c_[X[te], np.ones(te.sum())] @ c
    return np.abs(np.clip(oof, 0, 120) - ya).mean()
def hinge(v, knots): return np.stack([np.maximum(0, v - k) for k in knots], 1)
hp, hf, pp, pf = h[I0], h[I1], p[I0], p[I1]
ht, pt = (hp+hf)/2, (pp+pf)/2
K9 = [5, 10, 15, 20, 30, 40, 50, 60, 70]; K14 = [3, 6, 10, 14, 18, 22, 26, 30, 35, 40, 50, 60, 70, 80]
for name, (a_, c_) in [('plain', (hp, pp)), ('ptta', (hp, pt)), ('tta', (ht, pt))]:
    for kn in [K9, K14]:
        X = np.c_[a_, c_, hinge(a_, kn), hinge(c_, kn)]
        print(name, len(kn), 'LS', round(cv_l1(X, False), 4), 'L1', round(cv_l1(X, True), 4), 'L1 ridge100', round(cv_l1(X, True, 100.0), 4))
