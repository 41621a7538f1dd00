"""Export of the trained tagger to ONNX, optional int8 dynamic quantization, and serving."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np

INPUTS = ("input_ids", "attention_mask", "casing_ids")


def export(model: object, path: Path) -> None:
    """TorchScript-based export (no onnxscript dependency), dynamic batch and length."""
    import torch

    dummy = tuple(torch.ones((2, 8), dtype=torch.long) for _ in INPUTS)
    axes = {name: {0: "batch", 1: "length"} for name in (*INPUTS, "log_probs")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on shape-dependent python branches
        torch.onnx.export(
            model,  # type: ignore[arg-type]
            dummy,
            str(path),
            input_names=list(INPUTS),
            output_names=["log_probs"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


def quantize(src: Path, dst: Path, *, per_token: bool = False, symmetric: bool = False) -> None:
    """int8 weights per output channel, activations quantized when the model runs.

    ``per_token``: each token's activations get their own scale (``token_quantization``), so a text's answer does
    not depend on the texts batched with it, and the weights are 7-bit so the integer products are the same on
    every x86-64 kernel. ``symmetric`` (with ``per_token``): around one zero point for every token, which ONNX
    Runtime's integer product applies itself (fewer passes over the products' outputs).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # silence the "consider pre-processing" advice
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True, reduce_range=per_token)
    finally:
        root.setLevel(level)
    if per_token:
        import onnx

        from customner.ner.token_quantization import per_token_activations

        onnx.save(per_token_activations(onnx.load(str(dst)), symmetric=symmetric), str(dst))


class OnnxRunner:
    """Thread-safe ONNX Runtime session (``run`` may be called concurrently)."""

    def __init__(self, path: Path, threads: int = 2, *, spin: bool = True) -> None:
        """``spin=False``: idle pool threads sleep at once instead of busy-waiting (shared cores)."""
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        if not spin:
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

    def __call__(self, ids: np.ndarray, mask: np.ndarray, casing: np.ndarray) -> np.ndarray:
        feeds = dict(zip(INPUTS, (ids, mask, casing), strict=True))
        out: np.ndarray = self.session.run(["log_probs"], feeds)[0]
        return out
