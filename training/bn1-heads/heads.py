"""Shared pieces of the bn1-head recipes: pooling, fitting (softmax, ridge, small MLP),
cross-validation folds and ONNX export (input `bn1` N x 1024 x 7 x 7, as MaskClassifier's).

Poolings of the 1024 x 7 x 7 map, simplest first (ties go to the earlier one):
  average   1024     mean over all 49 cells
  rows      7168     mean over the columns of each row (where along the face: eyes, mouth)
  rowscols 14336     rows and the columns' means side by side
"""
import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

POOLINGS = ["average", "rows", "rowscols"]
SEED = 20261203
torch.set_num_threads(2)


def pooled(rows, cols, pooling):
    """rows, cols: N x 1024 x 7 (float16 from extract.py) -> N x D float32."""
    rows = rows.astype(np.float32)
    if pooling == "average":
        return rows.mean(axis=2)
    if pooling == "rows":
        return rows.reshape(len(rows), -1)
    return np.concatenate([rows.reshape(len(rows), -1), cols.astype(np.float32).reshape(len(cols), -1)], axis=1)


def folds_of(y, k, seed=SEED, stratify=True):
    order = np.random.default_rng(seed).permutation(len(y))
    fold = np.empty(len(y), int)
    if stratify:
        for label in np.unique(y):
            members = order[y[order] == label]
            fold[members] = np.arange(len(members)) % k
    else:
        fold[order] = np.arange(len(y)) % k
    return fold


def standardiser(x):
    return x.mean(0), x.std(0) + 1e-6


def fit_softmax(x, y, classes, decay, weights=None, iterations=300):
    """Multinomial logistic regression on standardised x (L-BFGS, L2 `decay` on the weights);
    returns (W, b) on raw x. weights: per-class loss weights (balanced) or None."""
    mean, std = standardiser(x)
    z = torch.tensor((x - mean) / std, dtype=torch.float32)
    t = torch.tensor(y, dtype=torch.long)
    torch.manual_seed(SEED)
    linear = torch.nn.Linear(x.shape[1], classes)
    torch.nn.init.zeros_(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    w = None if weights is None else torch.tensor(weights, dtype=torch.float32)
    opt = torch.optim.LBFGS(linear.parameters(), max_iter=iterations, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(linear(z), t, weight=w) + decay * linear.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    W = linear.weight.detach().numpy() / std
    b = linear.bias.detach().numpy() - W @ mean
    return W.astype(np.float32), b.astype(np.float32)


def fit_ridge(x, y, decay):
    """Ridge regression on standardised x, closed form in whichever of primal or dual is
    smaller; `decay` is the penalty per training sample. Returns (w, b) on raw x."""
    mean, std = standardiser(x)
    z = ((x - mean) / std).astype(np.float64)
    ym = y.mean()
    n, d = z.shape
    lam = decay * n
    if d <= n:
        w = np.linalg.solve(z.T @ z + lam * np.eye(d), z.T @ (y - ym))
    else:
        w = z.T @ np.linalg.solve(z @ z.T + lam * np.eye(n), y - ym)
    w = w / std
    b = ym - w @ mean
    return w.astype(np.float32)[None, :], np.array([b], np.float32)


class MLP(torch.nn.Module):
    def __init__(self, d, hidden, out, dropout):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Dropout(dropout), torch.nn.Linear(d, hidden), torch.nn.ReLU(),
                                       torch.nn.Dropout(dropout), torch.nn.Linear(hidden, out))

    def forward(self, z):
        return self.net(z)


def fit_mlp(x, y, out, loss, hidden=256, dropout=0.5, decay=1e-4, epochs=40, lr=1e-3, batch=128, seed=SEED):
    """One hidden layer on standardised x, AdamW; loss 'ce' (classes) or 'l1' (regression,
    y in the target's units). Returns (mean, std, module)."""
    mean, std = standardiser(x)
    z = torch.tensor((x - mean) / std, dtype=torch.float32)
    t = torch.tensor(y, dtype=torch.long if loss == "ce" else torch.float32)
    torch.manual_seed(seed)
    model = MLP(x.shape[1], hidden, out, dropout)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=decay)
    steps = epochs * ((len(z) + batch - 1) // batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    g = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(z), generator=g).split(batch):
            opt.zero_grad()
            o = model(z[idx])
            l = torch.nn.functional.cross_entropy(o, t[idx]) if loss == "ce" else (o[:, 0] - t[idx]).abs().mean()
            l.backward()
            opt.step()
            schedule.step()
    model.eval()
    return mean.astype(np.float32), std.astype(np.float32), model


def mlp_predict(fitted, x):
    mean, std, model = fitted
    with torch.no_grad():
        return model(torch.tensor((x - mean) / std, dtype=torch.float32)).numpy()


def _pool_nodes(pooling):
    if pooling == "average":
        return [helper.make_node("GlobalAveragePool", ["bn1"], ["pooled4"]),
                helper.make_node("Flatten", ["pooled4"], ["pooled"], axis=1)]
    nodes = [helper.make_node("ReduceMean", ["bn1"], ["rows3"], axes=[3], keepdims=0),
             helper.make_node("Flatten", ["rows3"], ["rows" if pooling == "rowscols" else "pooled"], axis=1)]
    if pooling == "rowscols":
        nodes += [helper.make_node("ReduceMean", ["bn1"], ["cols3"], axes=[2], keepdims=0),
                  helper.make_node("Flatten", ["cols3"], ["cols"], axis=1),
                  helper.make_node("Concat", ["rows", "cols"], ["pooled"], axis=1)]
    return nodes


def export(path, name, pooling, layers, output, out_dim, final):
    """layers: [(W, b)] applied in turn with ReLU between (W: out x in, on the pooled features);
    final: 'softmax', 'expm1' or 'identity'."""
    nodes, inits, current = _pool_nodes(pooling), [], "pooled"
    for k, (w, b) in enumerate(layers):
        inits += [numpy_helper.from_array(np.asarray(w, np.float32), f"weight{k}"),
                  numpy_helper.from_array(np.asarray(b, np.float32), f"bias{k}")]
        last = k == len(layers) - 1
        nodes.append(helper.make_node("Gemm", [current, f"weight{k}", f"bias{k}"], [f"linear{k}"], transB=1))
        current = f"linear{k}"
        if not last:
            nodes.append(helper.make_node("Relu", [current], [f"relu{k}"]))
            current = f"relu{k}"
    if final == "softmax":
        nodes.append(helper.make_node("Softmax", [current], [output], axis=1))
    elif final == "expm1":  # a head fitted on log(1 + y) answers in y's units
        inits.append(numpy_helper.from_array(np.ones(1, np.float32), "one"))
        nodes += [helper.make_node("Exp", [current], ["exp"]), helper.make_node("Sub", ["exp", "one"], [output])]
    else:
        nodes.append(helper.make_node("Identity", [current], [output]))
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("bn1", TensorProto.FLOAT, ["N", 1024, 7, 7])],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["N", out_dim])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="visage training/bn1-heads")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def mlp_layers(fitted):
    """The MLP's two Linear layers with the standardisation folded into the first."""
    mean, std, model = fitted
    first, second = model.net[1], model.net[4]
    w1 = first.weight.detach().numpy() / std
    b1 = first.bias.detach().numpy() - w1 @ mean
    return [(w1, b1), (second.weight.detach().numpy(), second.bias.detach().numpy())]


def centred_kernel_ridge(gram, y, tr, te, decay):
    """Kernel ridge on a precomputed Gram matrix, centred on the training rows; returns the
    predictions for the rows `te` from a fit on the rows `tr` (penalty per training row)."""
    K, Kt = gram[np.ix_(tr, tr)], gram[np.ix_(te, tr)]
    rm, am = K.mean(0), K.mean()
    Kc = K - rm[None, :] - rm[:, None] + am
    Ktc = Kt - Kt.mean(1)[:, None] - rm[None, :] + am
    ym = y.mean()
    alpha = np.linalg.solve(Kc + decay * len(tr) * np.eye(len(tr)), y - ym)
    return Ktc @ alpha + ym


def logistic(x, y, decay=1e-3, iterations=50):
    """Two-class logistic regression by Newton's method; x: N x d (a column of ones added, not
    penalised). Returns the d + 1 weights, bias last."""
    X = np.c_[x, np.ones(len(x))]
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-X @ w))
        g = X.T @ (p - y) + decay * np.r_[w[:-1], 0]
        hessian = X.T @ (X * (p * (1 - p))[:, None]) + decay * np.diag(np.r_[np.ones(X.shape[1] - 1), 0])
        w -= np.linalg.solve(hessian, g)
    return w
