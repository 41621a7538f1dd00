"""Fine-tuning of the MiniLM token classifier, as a generator of training steps.

The loop owns the arithmetic only (batches, loss, optimizer, learning-rate schedule, early
stopping). The caller passes in how to score the model on the dev slice and where to keep
checkpoints, and drives the loop by iterating it: progress reports, cancellation (stop
iterating) and logging stay with the caller. Imports torch: load this module lazily.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
from torch import nn

from customner.ner.config import TransformerParams
from customner.ner.data import Example
from customner.ner.encoder import pretrained_dir
from customner.ner.encoding import N_CASING, SubwordEncoder

# (subword ids, casing classes, labels) of one training window; labels -100 off first subwords
TrainItem = tuple[np.ndarray, np.ndarray, np.ndarray]
IGNORE = -100


class Tagger(nn.Module):
    """MiniLM encoder + casing embedding (the uncased encoder cannot see case) -> BIO log-probabilities."""

    def __init__(self, n_labels: int, p: TransformerParams) -> None:
        from transformers import BertModel
        from transformers.utils import logging as hf_logging

        super().__init__()
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # the unused pooler weights are expected
        self.encoder = BertModel.from_pretrained(str(pretrained_dir()), add_pooling_layer=False, attn_implementation="eager")
        self.casing = nn.Embedding(N_CASING, p.casing_dim)
        self.dropout = nn.Dropout(p.dropout)
        self.head = nn.Linear(self.encoder.config.hidden_size + p.casing_dim, n_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, casing_ids: torch.Tensor) -> torch.Tensor:
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        x = torch.cat([h, self.casing(casing_ids)], dim=-1)
        return torch.log_softmax(self.head(self.dropout(x)), dim=-1)

    def run(self, ids: np.ndarray, mask: np.ndarray, case: np.ndarray) -> np.ndarray:
        """Inference on numpy batches (an ``encoding.Runner``)."""
        self.eval()
        with torch.inference_mode():
            out: np.ndarray = self(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(case)).numpy()
        return out


def train_items(encoder: SubwordEncoder, examples: Sequence[Example], size: int, stride: float = 0.5) -> list[TrainItem]:
    """Training windows of ``size`` subwords, ``stride * size`` apart; labels on first subwords only."""
    items: list[TrainItem] = []
    for ex, enc in zip(examples, encoder.encode(examples), strict=True):
        if not len(enc.ids):
            continue
        labels = np.full(len(enc.ids), IGNORE, dtype=np.int64)
        has = enc.word_first >= 0
        labels[enc.word_first[has]] = np.asarray(ex.tags, dtype=np.int64)[has]
        for s in range(0, len(enc.ids), max(int(size * stride), 1)):
            e = min(s + size, len(enc.ids))
            items.append((enc.ids[s:e], enc.casing[s:e], labels[s:e]))
            if e == len(enc.ids):
                break
    return items


@dataclass(frozen=True)
class Plan:
    epochs: int
    batches: list[list[int]]  # item indices per batch, similar lengths together
    total_steps: int
    warmup_steps: int


def plan(p: TransformerParams, n_docs: int, items: Sequence[TrainItem]) -> Plan:
    """Epochs from the document count (``doc_passes``) and the token budget, length-sorted batches, warm-up steps.

    Short-document corpora get their epochs from the document count; with ``subword_passes`` set, long documents
    get fewer, so training time follows the number of tokens rather than the number of documents.
    """
    n = max(n_docs, 1)
    epochs = max(p.min_epochs, min(p.max_epochs, math.ceil(p.doc_passes / n)))
    if n < p.full_epochs_from_docs:
        # tiny projects (demos, tests, first labels): fast feedback over the last point of F1
        epochs = max(p.min_epochs, round(epochs * n / p.full_epochs_from_docs))
    if p.subword_passes is not None:
        subwords = max(sum(len(item[0]) for item in items), 1)
        epochs = min(epochs, max(1, round(p.subword_passes / subwords)))
    bs = p.batch_size if n < 1000 else 2 * p.batch_size
    order = sorted(range(len(items)), key=lambda i: (len(items[i][0]), i))
    batches = [order[i : i + bs] for i in range(0, len(order), bs)]
    total = max(epochs * len(batches), 1)
    return Plan(epochs, batches, total, max(1, int(p.warmup * total)))


@dataclass(frozen=True)
class Step:
    """One optimizer step has been taken."""

    epoch: int
    step: int  # 1-based, over all epochs
    total_steps: int
    loss: float


@dataclass(frozen=True)
class EpochEnd:
    """An epoch is over; ``dev_f1`` is None when no evaluation was passed in."""

    epoch: int
    dev_f1: float | None
    improved: bool  # best so far (always True without evaluation: the last epoch is kept)
    stop: bool  # early stopping: no more steps follow


class Checkpoints(Protocol):
    def save(self, model: nn.Module, epoch: int) -> None: ...

    def restore(self, model: nn.Module) -> int | None:
        """Load the saved weights into ``model``; the epoch they come from, None if nothing was saved."""
        ...


class BestInMemory:
    """Keeps a copy of the weights of the best epoch so far."""

    def __init__(self) -> None:
        self._state: dict[str, torch.Tensor] | None = None
        self._epoch: int | None = None

    def save(self, model: nn.Module, epoch: int) -> None:
        self._state, self._epoch = copy.deepcopy(model.state_dict()), epoch

    def restore(self, model: nn.Module) -> int | None:
        if self._state is not None:
            model.load_state_dict(self._state)
        return self._epoch


def training_steps(
    model: Tagger,
    encoder: SubwordEncoder,
    items: Sequence[TrainItem],
    schedule: Plan,
    p: TransformerParams,
    seed: int,
    evaluate: Callable[[], float] | None,
    checkpoints: Checkpoints,
) -> Iterator[Step | EpochEnd]:
    """AdamW with linear warm-up and decay, gradient clipping, early stopping on ``evaluate``.

    ``evaluate`` scores the current model on the dev slice (None: train all planned epochs);
    ``checkpoints`` receives the model whenever the score improves. The caller restores the
    best checkpoint when the iteration ends. Deterministic for a fixed seed and thread count.
    """
    if p.freeze_word_embeddings:
        # keeps pretrained vectors for words unseen in training; halves optimizer work
        model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    named = [(name, q) for name, q in model.named_parameters() if q.requires_grad]
    trainable = [q for _, q in named]
    opt = torch.optim.AdamW(
        [{"params": [q for name, q in named if name.startswith("encoder.")], "lr": p.lr},
         {"params": [q for name, q in named if not name.startswith("encoder.")], "lr": p.head_lr}],
        weight_decay=p.weight_decay,
        foreach=None if p.fused_step else True,
        fused=p.fused_step or None,  # see TransformerParams.fused_step
    )
    total, warm = schedule.total_steps, schedule.warmup_steps
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(total - warm, 1))))
    rng = random.Random(seed)
    batches = list(schedule.batches)  # reshuffled in place every epoch
    best_f1, bad, step = -1.0, 0, 0
    for epoch in range(1, schedule.epochs + 1):
        model.train()
        rng.shuffle(batches)
        for batch in batches:
            ids, mask, case, labels = _tensors(encoder, items, batch)
            out = model(ids, mask, case)
            loss = nn.functional.nll_loss(out.reshape(-1, out.shape[-1]), labels.reshape(-1), ignore_index=IGNORE)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            sched.step()
            step += 1
            yield Step(epoch, step, total, float(loss.detach()))
        if evaluate is None:
            yield EpochEnd(epoch, None, True, False)
            continue
        f1 = evaluate()
        improved = f1 > best_f1 + 1e-6
        if improved:
            best_f1, bad = f1, 0
            checkpoints.save(model, epoch)
        else:
            bad += 1
        yield EpochEnd(epoch, f1, improved, bad >= p.patience)
        if bad >= p.patience:
            return


def _tensors(encoder: SubwordEncoder, items: Sequence[TrainItem], batch: Sequence[int]) -> tuple[torch.Tensor, ...]:
    ids, mask, case = encoder.batch([(items[i][0], items[i][1]) for i in batch])
    labels = np.full(ids.shape, IGNORE, dtype=np.int64)
    for r, i in enumerate(batch):
        labels[r, 1 : len(items[i][2]) + 1] = items[i][2]
    return tuple(torch.from_numpy(a) for a in (ids, mask, case, labels))
