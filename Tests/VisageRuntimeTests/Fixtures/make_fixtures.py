"""Writes the tiny ONNX models VisageRuntime's tests run, so those tests need no real weights.

Run with the set-up virtualenv (it holds the `onnx` package):
    ~/.cache/visage/venv/bin/python Tests/VisageRuntimeTests/Fixtures/make_fixtures.py
The outputs are committed; rerun only when a fixture changes. Each model pins IR version 8 and
opset 13 so that any ONNX Runtime from 1.14 on loads it, whatever the `onnx` package's defaults.
"""

from pathlib import Path

import onnx
from onnx import TensorProto, helper

HERE = Path(__file__).resolve().parent
OPSET = [helper.make_opsetid("", 13)]


def save(graph: onnx.GraphProto, name: str) -> None:
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="visage-fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model)
    (HERE / name).write_bytes(model.SerializeToString())


def identity() -> None:
    """`x` N×3 float → `y` N×3: a symbolic batch dimension beside a static one."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])
    save(helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "identity", [x], [y]), "identity.onnx")


def add_sub() -> None:
    """`a`, `b` fixed 2×3 float → `sum` and `difference`: two inputs, two outputs, static shapes."""
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, [2, 3])
    total = helper.make_tensor_value_info("sum", TensorProto.FLOAT, [2, 3])
    difference = helper.make_tensor_value_info("difference", TensorProto.FLOAT, [2, 3])
    nodes = [helper.make_node("Add", ["a", "b"], ["sum"]), helper.make_node("Sub", ["a", "b"], ["difference"])]
    save(helper.make_graph(nodes, "add_sub", [a, b], [total, difference]), "add_sub.onnx")


def cast() -> None:
    """`ids` int64 of any length → `values` float: an input a float Tensor cannot feed."""
    ids = helper.make_tensor_value_info("ids", TensorProto.INT64, ["L"])
    values = helper.make_tensor_value_info("values", TensorProto.FLOAT, ["L"])
    node = helper.make_node("Cast", ["ids"], ["values"], to=TensorProto.FLOAT)
    save(helper.make_graph([node], "cast", [ids], [values]), "cast.onnx")


def malformed_twins() -> None:
    """A text file and a cut-off identity model, both named .onnx: ORT must reject them."""
    (HERE / "not-a-model.onnx").write_bytes(b"this is not an ONNX model\n")
    whole = (HERE / "identity.onnx").read_bytes()
    (HERE / "identity-truncated.onnx").write_bytes(whole[: len(whole) // 2])


if __name__ == "__main__":
    identity()
    add_sub()
    cast()
    malformed_twins()
