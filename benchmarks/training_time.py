"""Training time against token count: short queries and long articles, under the 2025-11-01 and 2026-12-01 schedules.

Long articles are CoNLL-2002 Dutch newspaper sentences joined 20 at a time in their original order (about 250 tokens
each, 240,000 tokens in all: the shape of the news project in issue 13), trained with the English transformer recipe
so the time is the transformer's. For each corpus and schedule the table gives the plan (epochs, steps, subwords
seen); the 2026-12-01 schedule is trained for real, and the 2025-11-01 one is projected from the measured seconds per
step of the same windows (the old plan on long articles runs for hours). It also replays the progress the service
would show and compares the end it would have estimated, at 10%, 25% and 50% of the run, with the real end.

  .venv/bin/python -m benchmarks.training_time                  # long articles (about 15 minutes on 2 idle cores)
  .venv/bin/python -m benchmarks.training_time --corpora mit,articles,articles-300k

``articles-300k`` repeats the first articles until the training set holds 300,000 tokens: the largest project the
15-minute bound of the 2026-12-01 schedule promises to cover.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.mit_data import categories, load_dutch, load_split
from customner import ner
from customner.ner import finetune
from customner.ner.config import TransformerConfig, build_config
from customner.ner.data import prepare, split_dev
from customner.ner.encoder import pretrained_dir
from customner.ner.encoding import SubwordEncoder
from customner.ner.labels import TagScheme
from customner.ner.metrics import evaluate
from customner.ner.types import LabeledDocument, Span, TrainingRequest
from customner.services.training.progress import estimated_remaining

SENTENCES_PER_ARTICLE = 20
BOUND_TOKENS = 300_000


def articles(sentences: list[LabeledDocument]) -> list[LabeledDocument]:
    out = []
    for i in range(0, len(sentences), SENTENCES_PER_ARTICLE):
        text, spans = "", []
        for sentence in sentences[i : i + SENTENCES_PER_ARTICLE]:
            offset = len(text) + (1 if text else 0)
            text = f"{text} {sentence.text}" if text else sentence.text
            spans += [Span(s.start + offset, s.end + offset, s.category) for s in sentence.spans]
        out.append(LabeledDocument(text, spans, "en"))
    return out


def corpus(name: str) -> tuple[list[LabeledDocument], list[LabeledDocument]]:
    if name == "mit":
        return load_split("train"), load_split("test")
    train = articles(load_dutch("train"))
    if name == "articles-300k":
        train += train[:_short_of(train, BOUND_TOKENS)]
    return train, articles(load_dutch("test"))


def _short_of(docs: list[LabeledDocument], tokens: int) -> int:
    """How many of ``docs``, from the first, bring their token count up to ``tokens``."""
    missing, n = tokens - sum(len(d.text.split()) for d in docs), 0
    while missing > 0:
        missing -= len(docs[n].text.split())
        n += 1
    return n


def config_for(version: str, train: list[LabeledDocument]) -> TransformerConfig:
    config = build_config(TrainingRequest(train, categories(train), "en", False, Path("unused"), version))
    assert isinstance(config, TransformerConfig)
    return config


def plan_of(config: TransformerConfig, train: list[LabeledDocument]) -> tuple[finetune.Plan, int]:
    """The fine-tuning plan ``ner.train`` will follow (same dev split, same windows), and the subwords it sees."""
    p = config.params.transformer
    examples, _ = split_dev(prepare(train, TagScheme(tuple(config.categories))), config.seed, config.dev_fraction)
    items = finetune.train_items(SubwordEncoder(pretrained_dir() / "tokenizer.json"), examples, p.train_window,
                                 p.train_stride)
    plan = finetune.plan(p, len(examples), items)
    return plan, plan.epochs * sum(len(item[0]) for item in items)


def train_and_time(config: TransformerConfig, train: list[LabeledDocument],
                   test: list[LabeledDocument]) -> dict[str, Any]:
    marks: list[tuple[float, float]] = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        request = TrainingRequest(train, config.categories, "en", False, Path(folder),
                                  on_progress=lambda f: marks.append((time.monotonic() - t0, f)))
        report = ner.train_from_config(config, request)
        seconds = time.monotonic() - t0
        predictions = ner.load(Path(folder)).predict([d.text for d in test])
    f1 = evaluate([d.spans for d in test], predictions, [d.text for d in test]).micro.f1
    estimates = {}
    for share in (0.10, 0.25, 0.50):
        elapsed, fraction = next((e, f) for e, f in marks if e >= share * seconds)
        remaining = estimated_remaining(elapsed, fraction)
        estimates[share] = None if remaining is None else elapsed + remaining
    return {"seconds": seconds, "f1": f1, "estimates": estimates, "details": report.details}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", default="articles")
    args = parser.parse_args()
    rows = []
    for name in args.corpora.split(","):
        train, test = corpus(name)
        tokens = sum(len(d.text.split()) for d in train)
        old, new = config_for("2025-11-01", train), config_for("2026-12-01", train)
        old_plan, new_plan = plan_of(old, train), plan_of(new, train)
        run = train_and_time(new, train, test)
        steps = run["details"]["steps"]
        per_step = run["details"]["transformer_seconds"] / max(steps, 1)
        other = run["seconds"] - run["details"]["transformer_seconds"]
        print(f"{name}: {len(train)} documents, {tokens} tokens; trained in {run['seconds']:.0f} s "
              f"(CRF {run['details']['crf_seconds']:.0f} s, fine-tuning {run['details']['transformer_seconds']:.0f} s "
              f"for {steps} steps), test F1 {run['f1']:.4f}", flush=True)
        for version, (plan, seen) in (("2025-11-01", old_plan), ("2026-12-01", new_plan)):
            measured = version == "2026-12-01"
            total = run["seconds"] if measured else other + per_step * plan.total_steps
            rows.append([name, len(train), tokens, version, plan.epochs, plan.total_steps,
                         seen, f"{total:.0f}" + ("" if measured else " (projected)"),
                         f"{run['f1']:.4f}" if measured else "-"])
        rows.append([name, "", "", "estimated end at 10/25/50% of the run", "", "", "",
                     " / ".join("-" if v is None else f"{v:.0f}" for v in run["estimates"].values()),
                     f"real end {run['seconds']:.0f}"])
    head = ["corpus", "documents", "tokens", "schedule", "epochs", "steps", "subwords seen", "seconds", "test F1"]
    print("\n| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


if __name__ == "__main__":
    main()
