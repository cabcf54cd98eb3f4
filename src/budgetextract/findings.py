"""The one list of finding codes (patterns/checks.json): each code's family, severity and
description, the constructor every step that reports uses (extraction, the checks, support,
the steps across documents), and the user's policy over them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from . import vocab
from .schema import Evidence, Finding

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Check:
    code: str
    family: str
    severity: str
    description: str


@lru_cache(maxsize=1)
def registry() -> dict[str, Check]:
    out = {}
    for code, (family, severity, description) in vocab.load("checks")["checks"].items():
        if severity not in SEVERITIES:
            raise ValueError(f"patterns/checks.json: {code} has severity {severity!r}")
        out[code] = Check(code, family, severity, description)
    return out


def finding(code: str, message: str, *, fields: Iterable[str] = (), evidence: Iterable[Evidence | None] = (),
            difference=None, tolerance=None) -> Finding:
    """A finding of a registered code, at the code's severity."""
    check = registry()[code]  # an unregistered code is a bug, not a finding
    return Finding(code=code, severity=check.severity, message=message, fields=list(fields),
                   evidence=[e for e in evidence if e is not None], difference=difference, tolerance=tolerance)


@dataclass(frozen=True)
class Policy:
    """What the user asked of the checks: codes turned off, severities changed."""

    disabled: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, disable: Iterable[str] = (), severity: Iterable[str] = ()) -> Policy:
        """From --disable-check CODE[,CODE] and --check-severity CODE=LEVEL; ValueError
        names the unknown code or level."""
        known = registry()
        disabled = {c.strip() for item in disable for c in item.split(",") if c.strip()}
        levels: dict[str, str] = {}
        for item in severity:
            code, sep, level = item.partition("=")
            if not sep or level.strip() not in SEVERITIES:
                raise ValueError(f"--check-severity wants CODE=error|warning|info, not {item!r}")
            levels[code.strip()] = level.strip()
        unknown = sorted((disabled | set(levels)) - set(known))
        if unknown:
            raise ValueError(f"unknown check code {', '.join(unknown)} (see: budgetextract checks)")
        return cls(frozenset(disabled), levels)

    def apply(self, findings: list[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            if f.code in self.disabled:
                continue
            if f.code in self.severity:
                f.severity = self.severity[f.code]
            out.append(f)
        return out


def table(markdown: bool = False) -> str:
    """The registry as a plain listing, or as the Markdown of docs/checks.md."""
    checks = sorted(registry().values(), key=lambda c: (c.family, SEVERITIES.index(c.severity), c.code))
    if not markdown:
        width = max(len(c.code) for c in checks)
        return "\n".join(f"{c.code:<{width}}  {c.severity:<7}  {c.family:<16}  {c.description}" for c in checks) + "\n"
    lines = ["# Checks", "",
             "Every finding `budgetextract` can raise. Severity: `error` — the document's figures or words",
             "contradict each other materially; `warning` — probably wrong; `info` — rounding, style, scope.",
             "Turn a code off with `--disable-check CODE`, change its severity with",
             "`--check-severity CODE=LEVEL` (on `extract` and `batch`).",
             "",
             "This page is generated from `patterns/checks.json` by `budgetextract checks --markdown`.",
             "",
             "| code | severity | family | what it means |", "|---|---|---|---|"]
    lines += [f"| `{c.code}` | {c.severity} | {c.family} | {c.description} |" for c in checks]
    return "\n".join(lines) + "\n"
