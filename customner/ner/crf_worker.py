"""Child process that trains crfsuite (``python -m customner.ner.crf_worker DATA PARAMS OUT``).

crfsuite cannot be interrupted from Python, a process can; a plain subprocess (not
multiprocessing) avoids re-importing the parent's __main__. Prints one line per iteration.
"""

from __future__ import annotations

import json
import sys

import pycrfsuite

from customner.ner.features import doc_features
from customner.ner.tokenize import Word


class _PrintingTrainer(pycrfsuite.Trainer):  # type: ignore[misc]  # untyped C extension
    def message(self, message: str) -> None:
        if message.startswith("***** Iteration #"):
            sys.stdout.write(message.split("#", 1)[1].split(" ", 1)[0] + "\n")
            sys.stdout.flush()


def main(data_path: str, params_path: str, out_path: str) -> None:
    with open(data_path, encoding="utf-8") as f:
        rows = json.load(f)
    with open(params_path, encoding="utf-8") as f:
        params = json.load(f)
    trainer = _PrintingTrainer(verbose=False)
    for text, words, labels, gazetteer, segments in rows:  # gazetteer tags (leave one out), segments: or None
        trainer.append(doc_features([Word(*w) for w in words], text, gazetteer, segments), labels)
    trainer.set_params(params)
    trainer.train(out_path)


if __name__ == "__main__":
    main(*sys.argv[1:4])
