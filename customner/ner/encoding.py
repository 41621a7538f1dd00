"""Subword encoding of word-tokenized documents and windowed batch inference.

Words come from ``customner.ner.tokenize`` (exact character offsets); the WordPiece
tokenizer only splits each word further, and a word's score is read at its first subword.
Words the tokenizer drops entirely (e.g. lone control characters) get uniform scores, so
decoding lets their neighbours decide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from customner.ner.data import Doc
from customner.ner.windows import Window, assign, make_windows

# Casing classes fed next to the uncased encoder's output (it cannot see case).
PAD_CASE, LOWER, TITLE, UPPER, MIXED, DIGIT, OTHER = range(7)
N_CASING = 7

Runner = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
# Batches of one call run side by side on one-thread sessions (``workers``); ONNX Runtime releases the GIL.
_BATCH_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="ner-batch")
# Padded subwords per batch. The large cap keeps the batches (and so the numbers) of runners whose answers depend on
# what a window is batched with. For the others, batches this small run faster: they stay in the core's caches
# (ONNX Runtime's int8 MiniLM on one thread took 99 us a subword for one 256-subword window, 147 us for 32 of them)
# and short texts sorted by length into several batches carry less padding. On MIT Restaurant's test queries (one
# thread, Xeon with AMX) 256 against 8,192: 9,155 against 8,272 words/s in one call, 6,608 against 5,163 in calls
# of 25 texts, and a 125,000-character document in 3.25 instead of 4.25 s; caps of 384 to 1,024 fell in between.
MAX_BATCH_TOKENS = 8192
CACHED_BATCH_TOKENS = 256


@lru_cache(maxsize=1 << 16)  # a long document repeats its words: classify each once
def casing_class(word: str) -> int:
    if any(c.isdigit() for c in word):
        return DIGIT
    if not any(c.isalpha() for c in word):
        return OTHER
    if word.islower() or not any(c.isupper() or c.islower() for c in word):
        return LOWER
    if word.isupper():
        return UPPER if len(word) > 1 else TITLE
    if word[0].isupper() and word[1:].islower():
        return TITLE
    return MIXED


@dataclass
class EncodedDoc:
    ids: np.ndarray  # subword ids, no special tokens
    casing: np.ndarray  # casing class of each subword's word
    word_first: np.ndarray  # first subword index per word, -1 if the word has none


@dataclass
class WindowRef:
    doc: int
    window: Window


class SubwordEncoder:
    def __init__(self, tokenizer_file: Path) -> None:
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.cls = self._special("[CLS]")
        self.sep = self._special("[SEP]")
        self.pad = self._special("[PAD]")

    def _special(self, token: str) -> int:
        token_id = self.tokenizer.token_to_id(token)
        if token_id is None:
            raise ValueError(f"the tokenizer has no {token} token")
        return int(token_id)

    def encode(self, docs: Sequence[Doc]) -> list[EncodedDoc]:
        batch = [[w.text for w in d.words] for d in docs]
        encs = self.tokenizer.encode_batch(batch, is_pretokenized=True, add_special_tokens=False)
        out = []
        for doc, enc in zip(docs, encs, strict=True):
            n_words = len(doc.words)
            word_ids = np.array([-1 if w is None else w for w in enc.word_ids], dtype=np.int64)
            first = np.full(n_words, -1, dtype=np.int64)
            # first occurrence of each word id
            valid = word_ids >= 0
            idx = np.nonzero(valid)[0]
            wid = word_ids[valid]
            if len(idx):
                uniq, pos = np.unique(wid, return_index=True)
                first[uniq] = idx[pos]
            word_case = np.array([casing_class(w.text) for w in doc.words] or [0], dtype=np.int64)
            casing = np.where(valid, word_case[np.maximum(word_ids, 0)], OTHER)
            out.append(EncodedDoc(np.asarray(enc.ids, dtype=np.int64), casing, first))
        return out

    def batch(self, items: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
        """[CLS] ids [SEP] rows padded to the longest; returns ids, mask, casing."""
        width = max(len(ids) for ids, _ in items) + 2
        ids_out = np.full((len(items), width), self.pad, dtype=np.int64)
        mask = np.zeros((len(items), width), dtype=np.int64)
        case = np.zeros((len(items), width), dtype=np.int64)
        for r, (ids, cas) in enumerate(items):
            n = len(ids)
            ids_out[r, 0] = self.cls
            ids_out[r, 1 : n + 1] = ids
            ids_out[r, n + 1] = self.sep
            mask[r, : n + 2] = 1
            case[r, 1 : n + 1] = cas
        return ids_out, mask, case


def _run_all(run: Callable[[list[int]], np.ndarray], batches: list[list[int]], costs: list[int],
             workers: int) -> list[np.ndarray]:
    """``run`` on every batch, in order; with workers > 1, the batches split into that many groups of about equal
    cost (largest first, each to the least loaded group), one of them run on the calling thread."""
    if workers <= 1 or len(batches) <= 1:
        return [run(b) for b in batches]
    groups: list[list[int]] = [[] for _ in range(workers)]
    load = [0] * workers
    for i in sorted(range(len(batches)), key=lambda i: -costs[i]):
        k = load.index(min(load))
        groups[k].append(i)
        load[k] += costs[i]

    def run_group(group: list[int]) -> list[np.ndarray]:
        return [run(batches[i]) for i in group]

    pending = [_BATCH_POOL.submit(run_group, group) for group in groups[1:]]
    outputs: dict[int, np.ndarray] = dict(zip(groups[0], run_group(groups[0]), strict=True))
    for group, future in zip(groups[1:], pending, strict=True):
        outputs.update(zip(group, future.result(), strict=True))
    return [outputs[i] for i in range(len(batches))]


def plan_batches(lengths: Sequence[int], max_tokens: int, max_rows: int) -> list[list[int]]:
    """Group items sorted by length so padding is minimal (near-packing without cross-talk)."""
    return _pack(_by_length(lengths), lengths, max_tokens, max_rows)


def plan_side_by_side(lengths: Sequence[int], max_tokens: int, max_rows: int, workers: int) -> list[list[int]]:
    """As ``plan_batches``, but a multiple of ``workers`` batches, as small a token cap as that allows: batches of
    about equal size, so that no worker waits while another runs one batch more. (A long document's 96 windows of
    256 subwords made batches of 31, 31, 31 and 3: one worker ran 62 windows while the other ran 34.)"""
    order = _by_length(lengths)
    total = sum(n + 2 for n in lengths)
    fewest = len(_pack(order, lengths, max_tokens, max_rows))
    count = workers * max(-(-total // (workers * max_tokens)), -(-fewest // workers))
    low, high = -(-total // count), max_tokens
    while low < high:  # the smallest cap that packs into ``count`` batches
        middle = (low + high) // 2
        if len(_pack(order, lengths, middle, max_rows)) <= count:
            high = middle
        else:
            low = middle + 1
    return _pack(order, lengths, low, max_rows)


def _by_length(lengths: Sequence[int]) -> list[int]:
    return sorted(range(len(lengths)), key=lambda i: (lengths[i], i))


def _pack(order: Sequence[int], lengths: Sequence[int], max_tokens: int, max_rows: int) -> list[list[int]]:
    batches: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        width = lengths[i] + 2
        if cur and (len(cur) + 1 > max_rows or (len(cur) + 1) * width > max_tokens):
            batches.append(cur)
            cur = []
        cur.append(i)
    if cur:
        batches.append(cur)
    return batches


def prepare_windowed(
    encoder: SubwordEncoder,
    docs: Sequence[Doc],
    runner: Runner,
    n_labels: int,
    window: int,
    overlap: int,
    max_tokens: int = MAX_BATCH_TOKENS,
    max_rows: int = 128,
    workers: int = 1,
) -> Callable[[], list[np.ndarray]]:
    """Per-word log-probabilities for each doc, batching windows across all documents, in two parts: the subword
    encoding and the batch plan now (Python, under the interpreter lock), the runner's batches and the gathering
    when the returned function is called.

    ``workers`` > 1: at least that many batches, run side by side (one thread each). Only for runners whose
    numbers do not depend on what a window is batched with (fp32, per-token int8): the batches change with it.
    """
    encoded = encoder.encode(docs)
    refs: list[WindowRef] = []
    owners: list[np.ndarray] = []
    first_idx: list[int] = []
    for d, enc in enumerate(encoded):
        has = enc.word_first >= 0
        starts = enc.word_first[has]
        wins = make_windows(starts, len(enc.ids), window, overlap) if len(enc.ids) else []
        first_idx.append(len(refs))
        refs.extend(WindowRef(d, w) for w in wins)
        owners.append(assign(starts, wins) if wins else np.zeros(0, dtype=np.int64))
    lengths = [r.window.end - r.window.start for r in refs]
    if workers > 1 and lengths:
        batches = plan_side_by_side(lengths, max_tokens, max_rows, workers)
    else:
        batches = plan_batches(lengths, max_tokens, max_rows)

    def run(batch: list[int]) -> np.ndarray:
        items = []
        for k in batch:
            r = refs[k]
            enc = encoded[r.doc]
            items.append((enc.ids[r.window.start : r.window.end], enc.casing[r.window.start : r.window.end]))
        return runner(*encoder.batch(items))

    def finish() -> list[np.ndarray]:
        results: list[np.ndarray | None] = [None] * len(refs)
        costs = [len(batch) * (lengths[batch[-1]] + 2) for batch in batches]  # padded tokens: sorted by length
        for batch, out in zip(batches, _run_all(run, batches, costs, workers), strict=True):
            for row, k in enumerate(batch):
                results[k] = out[row, 1 : lengths[k] + 1]
        logps = []
        uniform = -np.log(n_labels)
        for d, enc in enumerate(encoded):
            lp = np.full((len(enc.word_first), n_labels), uniform, dtype=np.float32)
            words = np.nonzero(enc.word_first >= 0)[0]
            for j, word in enumerate(words.tolist()):
                k = first_idx[d] + int(owners[d][j])
                win = refs[k].window
                res = results[k]
                assert res is not None
                lp[word] = res[enc.word_first[word] - win.start]
            logps.append(lp.astype(np.float64))
        return logps

    return finish
