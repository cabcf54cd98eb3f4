"""The entity layer: a spaCy pipeline (spacy.blank("zh"), character tokens, no model
download) with one component that tags MONEY, PERCENT, COUNT, CHANGE, REASON and
FUNC_CLASS spans from the patterns in patterns/. Spans carry character offsets into
the normalized text and their parsed value, so extractors never re-parse text."""

from __future__ import annotations

import importlib
import sys
import types
from decimal import Decimal
from functools import lru_cache

import regex


def _defer_spacy_cli() -> None:
    """spaCy's package init imports its whole command line (download, project templates:
    requests, httpx, jinja2, rich …) only to re-export `spacy.info`: a fifth of a second of
    every start-up, for nothing used here (explosion/spaCy#12962). A stand-in for
    spacy.cli.info loads the real module the first time `info` is called."""
    if "spacy" in sys.modules or "spacy.cli.info" in sys.modules:
        return

    def info(*args, **kwargs):
        sys.modules.pop("spacy.cli.info", None)
        return importlib.import_module("spacy.cli.info").info(*args, **kwargs)

    stand_in = types.ModuleType("spacy.cli.info")
    stand_in.info = info
    sys.modules["spacy.cli.info"] = stand_in


_defer_spacy_cli()

import spacy  # noqa: E402  (after the stand-in)
from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc, Span  # noqa: E402
from spacy.util import filter_spans  # noqa: E402

from . import vocab
from .amounts import change_sign, parse_number, to_wan
from .normalize import fold

for _name in ("value", "unit", "group"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


@lru_cache(maxsize=1)
def function_class_names() -> dict[str, tuple[str, str]]:
    """Every printed stem (name without 支出) → (code, current name)."""
    names = {}
    for entry in vocab.load("function_classes")["classes"]:
        for printed in [entry["name"], *entry.get("former", [])]:
            stem = printed[:-2] if printed.endswith("支出") else printed
            names[stem] = (entry["code"], entry["name"])
    return names


def _func_class_pattern() -> regex.Pattern:
    stems = sorted(function_class_names(), key=len, reverse=True)
    alternation = "|".join(regex.escape(s) for s in stems)
    # 一般公共服务支出 / 一般公共服务(类)支出 / 一般公共服务支出(类)
    return regex.compile(rf"(?P<stem>{alternation})(?:\(类\))?(?:支出)?(?:\(类\))?")


class BudgetEntities:
    def __init__(self):
        self.patterns = [(p["label"], regex.compile(p["pattern"])) for p in vocab.load("entities")]
        self.patterns.append(("FUNC_CLASS", _func_class_pattern()))
        self.classes = function_class_names()

    def _value(self, label: str, m: regex.Match):
        groups = m.groupdict()
        if label == "MONEY":
            number = parse_number(groups.get("num") or groups.get("cn") or "")
            return (to_wan(number, groups["unit"]), "万元") if number is not None else (None, None)
        if label == "PERCENT":
            return Decimal(groups["num"]), "%"
        if label == "COUNT":
            number = parse_number(groups.get("num") or groups.get("cn") or "")
            return (int(number) if number is not None else None), groups["unit"]
        if label == "CHANGE":
            return change_sign(groups["word"]), None
        if label == "REASON":
            return m.group("reason").strip(" ,:;，：；"), None
        if label == "FUNC_CLASS":
            code, name = self.classes[m.group("stem")]
            return name, code
        return None, None

    def __call__(self, doc: Doc) -> Doc:
        # Doc.text joins every token anew; the tokenizer keeps the string it was given
        text = fold(doc.user_data.get("text") or doc.text)
        spans = []
        for label, pattern in self.patterns:
            for m in pattern.finditer(text):
                span = Span(doc, m.start(), m.end(), label=label)  # one token a character
                span._.value, span._.unit = self._value(label, m)
                if label == "REASON":
                    span._.group = (m.start("reason"), m.end("reason"))
                spans.append(span)
        doc.spans["budget"] = spans
        # "unmodified" leaves untagged tokens as they are instead of visiting every one
        doc.set_ents(filter_spans([s for s in spans if s.label_ != "REASON"]), default="unmodified")
        return doc


@Language.factory("budget_entities")
def _make_budget_entities(nlp: Language, name: str) -> BudgetEntities:
    return BudgetEntities()


class CharTokenizer:
    """One token per character, whitespace included, so every character offset is a
    token boundary. spaCy's own Chinese "char" segmenter gives the same tokens (less the
    whitespace ones) but spends three times as long aligning spaces."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        doc = Doc(self.vocab, words=list(text), spaces=[False] * len(text))
        doc.user_data["text"] = text
        return doc


@lru_cache(maxsize=1)
def pipeline() -> Language:
    nlp = spacy.blank("zh")  # Chinese language data; nothing to download
    nlp.tokenizer = CharTokenizer(nlp.vocab)
    nlp.add_pipe("budget_entities")
    # spaCy's default cap (1,000,000 characters) guards its parsers' memory; ours need
    # none, and a long document is bounded by the per-file memory limit instead
    nlp.max_length = sys.maxsize
    return nlp


def analyse(text: str) -> Doc:
    return pipeline()(text)
