"""int8 activations quantized per token, so that a text's answer does not depend on the texts batched with it.

ONNX Runtime's dynamic quantization (``DynamicQuantizeLinear``) takes one scale and zero point for a whole input
tensor: the smallest and largest activation of *every* window in the batch, padding included. So a text's
confidences, and sometimes its entities, depend on which other texts share its batch: on an MIT Restaurant model,
75 of the 1,521 test queries got other entities, and 632 other confidences, when sent one by one instead of together.

This rewrite gives every token (a row of the last axis) its own scale and zero point, computed from that token's
activations alone, and quantizes it with ``QuantizeLinear`` along the tokens. ONNX Runtime's integer products accept
one activation zero point only, so the product is taken with zero point 0 (``MatMulIntegerToFloat``, fused with the
weights' scales) and each token's ``zero_point x the weights' column sums`` is subtracted afterwards, then scaled by
the token's scale. With 7-bit weights (``reduce_range``) no sum of two u8 x s8 products can exceed 16 bits, so the
integer products are the same on AVX2 and on VNNI kernels. On a 128-query batch of MIT Restaurant the rewritten
model takes about 1.25x the time of ONNX Runtime's own fused per-tensor kernels (312 against 250 ms, one thread).

``symmetric`` (config 2027-01-31 on): each token's scale covers ``[-m, m]``, ``m`` its largest absolute activation,
around the zero point 128 shared by every token. ONNX Runtime's integer product applies a shared zero point itself,
so the product's output is only scaled per token: two passes over every product's output fewer (the zero point's
correction and its subtraction): 1.18-1.24x the words per second on MIT Restaurant's test queries and a long
document in 0.88x the time on one thread, the same F1 (benchmarks/inference_speed.py). The integer products stay
exact on every kernel: ``|q - 128| <= 127`` and 7-bit weights keep every pair of products in 16 bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

_ZERO, _ONE, _MAX_U8, _EPS, _FLAT = "token_q_zero", "token_q_one", "token_q_255", "token_q_eps", "token_q_flat"
_MIDDLE, _HALF_RANGE = "token_q_128", "token_q_127"  # the symmetric variant's shared zero point and its levels a side
SYMMETRIC_ZERO_POINT = 128


def per_token_activations(model: onnx.ModelProto, *, symmetric: bool = False) -> onnx.ModelProto:
    """Rewrite a ``quantize_dynamic`` model (symmetric weights) in place; returns it."""
    graph = model.graph
    original = list(graph.node)  # held, so that the id() of each node stays its own while the rewrite runs
    weights = {init.name: init for init in graph.initializer}
    producer = {output: node for node in original for output in node.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in original:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    graph.initializer.extend([
        numpy_helper.from_array(np.array(0.0, np.float32), _ZERO),
        numpy_helper.from_array(np.array(1.0, np.float32), _ONE),
        numpy_helper.from_array(np.array(255.0, np.float32), _MAX_U8),
        numpy_helper.from_array(np.array(1e-8, np.float32), _EPS),
        numpy_helper.from_array(np.array([-1], np.int64), _FLAT),
        numpy_helper.from_array(np.array(SYMMETRIC_ZERO_POINT, np.uint8), _MIDDLE),
        numpy_helper.from_array(np.array(SYMMETRIC_ZERO_POINT - 1, np.float32), _HALF_RANGE),
    ])
    quantized = {node.output[0] for node in original if node.op_type == "DynamicQuantizeLinear"}
    replaced: set[int] = set()  # id() of the nodes a fused product takes over
    added: dict[int, list[onnx.NodeProto]] = {}  # id() of a node -> what replaces it
    for node in original:
        if node.op_type == "DynamicQuantizeLinear":
            added[id(node)] = _quantize_symmetric(node) if symmetric else _quantize_per_token(node)
        elif node.op_type == "MatMulInteger" and node.input[0] in quantized:
            (cast,) = consumers[node.output[0]]
            (dequantize,) = consumers[cast.output[0]]
            scales = producer[next(name for name in dequantize.input if name != cast.output[0])]
            replaced.update({id(cast), id(dequantize), id(scales)})
            product = _symmetric_product if symmetric else _product
            added[id(node)] = product(node, scales, dequantize.output[0], weights)
    nodes = [new for node in original if id(node) not in replaced for new in added.get(id(node), [node])]
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in nodes for name in node.input}
    # the weights' zero points (all 0), and the constants of the other variant
    unused = [init for init in graph.initializer if init.name not in used]
    for init in unused:
        graph.initializer.remove(init)
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))  # MatMulIntegerToFloat: ONNX Runtime's
    onnx.checker.check_model(model)
    return model


def _quantize_per_token(node: onnx.NodeProto) -> list[onnx.NodeProto]:
    """Like DynamicQuantizeLinear (u8, the range widened to include 0), but per token: scale [..., 1].

    Its zero-point output becomes a float per token (the product subtracts it from every token's sums).
    """
    x, (q, scale, zero_point) = node.input[0], node.output
    t = f"{q}_token"  # prefix of the intermediate names
    ops: list[tuple[str, list[str], str, dict[str, Any]]] = [
        ("ReduceMax", [x], f"{t}_max", {"axes": [-1], "keepdims": 1}),
        ("ReduceMin", [x], f"{t}_min", {"axes": [-1], "keepdims": 1}),
        ("Max", [f"{t}_max", _ZERO], f"{t}_hi", {}),
        ("Min", [f"{t}_min", _ZERO], f"{t}_lo", {}),
        ("Sub", [f"{t}_hi", f"{t}_lo"], f"{t}_range", {}),
        ("Max", [f"{t}_range", _EPS], f"{t}_range_eps", {}),
        ("Div", [f"{t}_range_eps", _MAX_U8], scale, {}),
        ("Div", [f"{t}_lo", scale], f"{t}_lo_steps", {}),
        ("Neg", [f"{t}_lo_steps"], f"{t}_zp_exact", {}),
        ("Round", [f"{t}_zp_exact"], f"{t}_zp_round", {}),
        ("Clip", [f"{t}_zp_round", _ZERO, _MAX_U8], zero_point, {}),
        ("Cast", [zero_point], f"{t}_zp_u8", {"to": TensorProto.UINT8}),
    ]
    return _nodes(ops + _quantize_rows(x, scale, f"{t}_zp_u8", q))


def _quantize_symmetric(node: onnx.NodeProto) -> list[onnx.NodeProto]:
    """Per token, ``m`` its largest absolute activation: scale ``m / 127``, zero point 128 (q in 1..255)."""
    x, (q, scale, _) = node.input[0], node.output
    t = f"{q}_token"
    ops: list[tuple[str, list[str], str, dict[str, Any]]] = [
        ("ReduceMax", [x], f"{t}_max", {"axes": [-1], "keepdims": 1}),
        ("ReduceMin", [x], f"{t}_min", {"axes": [-1], "keepdims": 1}),
        ("Neg", [f"{t}_min"], f"{t}_neg_min", {}),
        ("Max", [f"{t}_max", f"{t}_neg_min", _EPS], f"{t}_abs_max", {}),
        ("Div", [f"{t}_abs_max", _HALF_RANGE], scale, {}),
        ("Shape", [scale], f"{t}_scale_shape", {}),
        ("ConstantOfShape", [f"{t}_scale_shape"], f"{t}_zp_u8",
         {"value": numpy_helper.from_array(np.array([SYMMETRIC_ZERO_POINT], np.uint8))}),
    ]
    return _nodes(ops + _quantize_rows(x, scale, f"{t}_zp_u8", q))


def _quantize_rows(x: str, scale: str, zero_point: str, q: str) -> list[tuple[str, list[str], str, dict[str, Any]]]:
    """QuantizeLinear along the tokens as rows: round(x / scale) + zero point, saturated, in one pass."""
    t = f"{q}_token"
    return [
        ("Shape", [x], f"{t}_shape", {}),
        ("Flatten", [x], f"{t}_rows", {"axis": -1}),
        ("Reshape", [scale, _FLAT], f"{t}_scale_rows", {}),
        ("Reshape", [zero_point, _FLAT], f"{t}_zp_rows", {}),
        ("QuantizeLinear", [f"{t}_rows", f"{t}_scale_rows", f"{t}_zp_rows"], f"{t}_q_rows", {"axis": 0}),
        ("Reshape", [f"{t}_q_rows", f"{t}_shape"], q, {}),
    ]


def _nodes(ops: list[tuple[str, list[str], str, dict[str, Any]]]) -> list[onnx.NodeProto]:
    return [helper.make_node(op, inputs, [output], **attrs) for op, inputs, output, attrs in ops]


def _product(node: onnx.NodeProto, scales: onnx.NodeProto, output: str,
             weights: dict[str, onnx.TensorProto]) -> list[onnx.NodeProto]:
    """((q @ W) * w_scale - zero_point * column sums of W * w_scale) * scale: per token, the same as
    ((q - zero_point) @ W) * w_scale * scale. The first product is ONNX Runtime's fused MatMulIntegerToFloat, with
    the per-tensor activation scale it supports set to 1."""
    q, w, zero_point = node.input[0], node.input[1], node.input[2]
    a_scale, w_scale = scales.input
    _check_symmetric_weights(node, weights)
    sums = numpy_helper.to_array(weights[w]).astype(np.int64).sum(axis=0) * numpy_helper.to_array(weights[w_scale])
    offsets = numpy_helper.from_array(sums.astype(np.float32), f"{output}_weight_sums")
    return [
        helper.make_node("Constant", [], [offsets.name], value=offsets),
        helper.make_node("MatMulIntegerToFloat", [q, w, _ONE, w_scale], [f"{output}_raw"], name=node.name,
                         domain="com.microsoft"),
        helper.make_node("Mul", [zero_point, offsets.name], [f"{output}_offset"]),
        helper.make_node("Sub", [f"{output}_raw", f"{output}_offset"], [f"{output}_unscaled"]),
        helper.make_node("Mul", [f"{output}_unscaled", a_scale], [output]),
    ]


def _symmetric_product(node: onnx.NodeProto, scales: onnx.NodeProto, output: str,
                       weights: dict[str, onnx.TensorProto]) -> list[onnx.NodeProto]:
    """((q - 128) @ W) * w_scale * scale: ONNX Runtime's MatMulIntegerToFloat subtracts the shared zero point."""
    q, w = node.input[0], node.input[1]
    a_scale, w_scale = scales.input
    _check_symmetric_weights(node, weights)
    return [
        helper.make_node("MatMulIntegerToFloat", [q, w, _ONE, w_scale, _MIDDLE], [f"{output}_raw"], name=node.name,
                         domain="com.microsoft"),
        helper.make_node("Mul", [f"{output}_raw", a_scale], [output]),
    ]


def _check_symmetric_weights(node: onnx.NodeProto, weights: dict[str, onnx.TensorProto]) -> None:
    if len(node.input) > 3 and node.input[3] and np.any(numpy_helper.to_array(weights[node.input[3]])):
        raise ValueError(f"{node.name}: symmetric weights (zero point 0) expected")
