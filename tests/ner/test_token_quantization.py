"""int8 activations quantized per token: each token's numbers come from its own activations only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from customner.ner.onnx_export import quantize


def _matmul_model(path: Path, weights: np.ndarray, bias: np.ndarray) -> None:
    """A linear layer, as the exporter writes it: MatMul, then Add of the bias."""
    nodes = [helper.make_node("MatMul", ["x", "w"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])]
    graph = helper.make_graph(
        nodes, "one_linear_layer",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "length", weights.shape[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(weights, "w"), numpy_helper.from_array(bias, "b")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def _reference(x: np.ndarray, w: np.ndarray, bias: np.ndarray, *, symmetric: bool = False) -> np.ndarray:
    """Per-token u8 activations times 7-bit symmetric per-column weights, in exact integers

    (255 x 64 x 2 < 2**15: no pair of products saturates the 16-bit sums of an AVX2 kernel). Asymmetric: each
    token's range from its minimum to its maximum (0 included); symmetric: [-m, m] around the zero point 128."""
    hi, lo = np.maximum(x.max(-1, keepdims=True), 0), np.minimum(x.min(-1, keepdims=True), 0)
    if symmetric:
        scale = np.maximum(np.maximum(hi, -lo), 1e-8) / 127
        zero = np.full_like(scale, 128)
    else:
        scale = np.maximum(hi - lo, 1e-8) / 255
        zero = np.clip(np.round(-lo / scale), 0, 255)
    q = np.clip(np.round(x / scale) + zero, 0, 255).astype(np.int64)
    w_scale = np.abs(w).max(0) / 64  # reduce_range: weights in [-64, 64]
    w_q = np.round(w / w_scale).astype(np.int64)
    return ((q - zero.astype(np.int64)) @ w_q) * scale * w_scale + bias


@pytest.mark.parametrize("symmetric", [False, True])
def test_each_token_is_quantized_alone(tmp_path: Path, symmetric: bool) -> None:
    rng = np.random.default_rng(0)
    w, bias = rng.normal(size=(48, 32)).astype(np.float32), rng.normal(size=32).astype(np.float32)
    _matmul_model(tmp_path / "fp32.onnx", w, bias)
    quantize(tmp_path / "fp32.onnx", tmp_path / "int8.onnx", per_token=True, symmetric=symmetric)
    session = ort.InferenceSession(str(tmp_path / "int8.onnx"), providers=["CPUExecutionProvider"])
    x = rng.normal(size=(3, 5, 48)).astype(np.float32)
    x[1, 2] *= 40  # an outlier token: with one scale per tensor it would coarsen every other token's steps
    x[2] += 3  # a one-sided token: its zero point is not the others'
    batched = session.run(None, {"x": x})[0]
    for b in range(3):  # each window alone, and each token alone: the very same numbers
        assert np.array_equal(session.run(None, {"x": x[b : b + 1]})[0], batched[b : b + 1])
        for t in range(5):
            assert np.array_equal(session.run(None, {"x": x[b : b + 1, t : t + 1]})[0], batched[b : b + 1, t : t + 1])
    np.testing.assert_allclose(batched, _reference(x, w, bias, symmetric=symmetric), rtol=1e-4, atol=1e-4)
    exact = x @ w + bias
    step = np.abs(exact).max(-1, keepdims=True)
    assert np.all(np.abs(batched - exact) <= 0.05 * step)  # int8 error stays small for every token, the outlier's too


def test_the_symmetric_product_leaves_the_zero_point_to_onnx_runtime(tmp_path: Path) -> None:
    """Config 2027-01-31's speed: each product is the integer product (zero point 128 applied inside it) and one
    scaling per token, where a zero point per token needs its correction and a subtraction over the whole output."""
    rng = np.random.default_rng(0)
    _matmul_model(tmp_path / "fp32.onnx", rng.normal(size=(48, 32)).astype(np.float32), np.zeros(32, np.float32))
    for symmetric in (False, True):
        quantize(tmp_path / "fp32.onnx", tmp_path / "int8.onnx", per_token=True, symmetric=symmetric)
        model = onnx.load(str(tmp_path / "int8.onnx"))
        ops = [node.op_type for node in model.graph.node]
        (product,) = [node for node in model.graph.node if node.op_type == "MatMulIntegerToFloat"]
        after_product = ops[ops.index("MatMulIntegerToFloat") + 1 :]
        if symmetric:
            assert after_product == ["Mul", "Add"]  # the token's scale, then the bias
            zero_point = next(i for i in model.graph.initializer if i.name == product.input[4])
            assert numpy_helper.to_array(zero_point) == 128
        else:
            assert after_product == ["Mul", "Sub", "Mul", "Add"] and len(product.input) == 4


def test_without_per_token_one_outlier_changes_the_other_tokens(tmp_path: Path) -> None:
    """What the rewrite fixes: plain dynamic quantization (one scale per tensor) mixes tokens."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=(48, 32)).astype(np.float32)
    _matmul_model(tmp_path / "fp32.onnx", w, np.zeros(32, np.float32))
    quantize(tmp_path / "fp32.onnx", tmp_path / "int8.onnx")
    session = ort.InferenceSession(str(tmp_path / "int8.onnx"), providers=["CPUExecutionProvider"])
    x = rng.normal(size=(2, 5, 48)).astype(np.float32)
    x[1] *= 40
    assert not np.array_equal(session.run(None, {"x": x[:1]})[0], session.run(None, {"x": x})[0][:1])
