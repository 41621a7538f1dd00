"""The transformer training loop as a generator: steps, evaluation and checkpoints passed in (real MiniLM)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import torch
from torch import nn

from customner.ner import finetune
from customner.ner.config import TOKEN_BUDGET, TransformerParams
from customner.ner.data import prepare
from customner.ner.encoder import pretrained_dir
from customner.ner.encoding import SubwordEncoder
from customner.ner.labels import TagScheme
from customner.ner.threads import pinned_torch
from customner.ner.types import LabeledDocument, Span

DOCS = [
    LabeledDocument("cheap sushi near me", [Span(0, 5, "Price"), Span(6, 11, "Dish")]),
    LabeledDocument("pizza in boston", [Span(0, 5, "Dish")]),
    LabeledDocument("any expensive ramen", [Span(4, 13, "Price"), Span(14, 19, "Dish")]),
]


class Recording(finetune.BestInMemory):
    def __init__(self) -> None:
        super().__init__()
        self.saved: list[int] = []

    def save(self, model: nn.Module, epoch: int) -> None:
        super().save(model, epoch)
        self.saved.append(epoch)


@pytest.fixture(scope="module")
def setup() -> Iterator[tuple[finetune.Tagger, SubwordEncoder, list[finetune.TrainItem], TagScheme]]:
    scheme = TagScheme(("Dish", "Price"))
    encoder = SubwordEncoder(pretrained_dir() / "tokenizer.json")
    with pinned_torch(1, 0):
        model = finetune.Tagger(scheme.size, TransformerParams())
    yield model, encoder, finetune.train_items(encoder, prepare(DOCS, scheme), 128), scheme


def test_yields_every_step_then_the_epoch_and_stops_early(setup: tuple) -> None:
    model, encoder, items, _ = setup
    p = TransformerParams(patience=2)
    plan = finetune.Plan(epochs=6, batches=[[0, 1], [2]], total_steps=12, warmup_steps=1)
    scores = iter([0.5, 0.7, 0.7, 0.6, 0.9])  # no gain at epochs 3 and 4: stop after epoch 4
    calls: list[int] = []

    def evaluate() -> float:
        calls.append(len(calls) + 1)
        return next(scores)

    checkpoints = Recording()
    with pinned_torch(1, 0):
        events = list(finetune.training_steps(model, encoder, items, plan, p, 0, evaluate, checkpoints))
    kinds = ["S" if isinstance(e, finetune.Step) else "E" for e in events]
    assert "".join(kinds) == "SSE" * 4
    steps = [e for e in events if isinstance(e, finetune.Step)]
    assert [s.step for s in steps] == list(range(1, 9)) and all(s.total_steps == 12 for s in steps)
    assert all(s.loss > 0 for s in steps)
    ends = [e for e in events if isinstance(e, finetune.EpochEnd)]
    assert [(e.epoch, e.dev_f1, e.improved, e.stop) for e in ends] == [
        (1, 0.5, True, False), (2, 0.7, True, False), (3, 0.7, False, False), (4, 0.6, False, True)]
    assert calls == [1, 2, 3, 4] and checkpoints.saved == [1, 2]
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    assert checkpoints.restore(model) == 2
    changed = [k for k, v in model.state_dict().items() if not torch.equal(v, weights[k])]
    assert changed, "epochs 3-4 trained on, so restoring epoch 2 changes weights"


def test_without_evaluation_all_planned_epochs_run_and_the_caller_can_stop(setup: tuple) -> None:
    model, encoder, items, _ = setup
    plan = finetune.Plan(epochs=3, batches=[[0, 1, 2]], total_steps=3, warmup_steps=1)
    with pinned_torch(1, 0):
        loop = finetune.training_steps(model, encoder, items, plan, TransformerParams(), 0, None, Recording())
        events = list(loop)
        assert [type(e).__name__ for e in events] == ["Step", "EpochEnd"] * 3
        assert all(e.improved and not e.stop and e.dev_f1 is None for e in events if isinstance(e, finetune.EpochEnd))
        # cancellation is the caller ceasing to iterate: nothing runs after the step it stopped at
        loop = finetune.training_steps(model, encoder, items, plan, TransformerParams(), 0, None, Recording())
        assert len(list(itertools.islice(loop, 1))) == 1
        loop.close()


def test_plan_follows_the_document_count() -> None:
    p = TransformerParams()
    items = [(torch.zeros(n).numpy(), torch.zeros(n).numpy(), torch.zeros(n).numpy()) for n in (5, 3, 9, 1)]
    small = finetune.plan(p, 10, items)  # tiny project: 40 epochs scaled by 10/90
    assert small.epochs == 4 and small.batches == [[3, 1, 0, 2]] and small.total_steps == 4
    big = finetune.plan(p, 2000, items)  # ceil(34000 / 2000) epochs, doubled batch size
    assert big.epochs == 17 and big.total_steps == 17 and big.warmup_steps == 1


def _items(lengths: list[int]) -> list[finetune.TrainItem]:
    return [(torch.zeros(n).numpy(), torch.zeros(n).numpy(), torch.zeros(n).numpy()) for n in lengths]


def test_the_token_budget_leaves_short_documents_alone_and_bounds_long_ones() -> None:
    """2026-12-01: training time follows the subwords; a corpus of short queries keeps the 2025-11-01 plan."""
    old, new = TransformerParams(), TransformerParams(**TOKEN_BUDGET)
    queries = _items([14] * 6900)  # MIT Restaurant's shape: ~6,900 queries of ~14 subwords
    assert finetune.plan(new, 6900, queries) == finetune.plan(old, 6900, queries)
    articles = _items([128] * 3400)  # ~1,160 news articles of ~375 subwords, cut into 128-subword windows
    before, after = finetune.plan(old, 1160, articles), finetune.plan(new, 1160, articles)
    assert before.epochs == 30  # ceil(34000 / 1160): 13 million subwords, the hours of training
    assert after.epochs == 2 and 2 * 128 * 3400 <= 1.2 * TOKEN_BUDGET["subword_passes"]
    huge = finetune.plan(new, 20000, _items([128] * 30000))  # far over the budget: still one full pass
    assert huge.epochs == 1


def test_training_windows_follow_the_stride() -> None:
    scheme = TagScheme(("Dish",))
    encoder = SubwordEncoder(pretrained_dir() / "tokenizer.json")
    long_doc = [LabeledDocument(" ".join(["sushi"] * 300), [Span(0, 5, "Dish")])]
    examples = prepare(long_doc, scheme)
    subwords = len(encoder.encode(examples)[0].ids)  # "sushi" is two WordPieces: 600
    halves = finetune.train_items(encoder, examples, 128)
    whole = finetune.train_items(encoder, examples, 128, stride=1.0)
    assert sum(len(item[0]) for item in whole) == subwords  # every subword once
    assert len(whole) == -(-subwords // 128) and len(halves) == -(-(subwords - 128) // 64) + 1
