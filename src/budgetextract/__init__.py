"""budgetextract: Chinese department budget explanations → validated, structured JSON.

    import budgetextract
    doc = budgetextract.extract("budget.pdf")           # a BudgetDocument: summary, support, facts, findings
    budgetextract.batch(["budgets/"], "run1")            # records and tables, resumable
    budgetextract.open_run("run1").sql("select * from summary")

See help(budgetextract.extract), help(budgetextract.batch), help(budgetextract.open_run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["BudgetDocument", "batch", "extract", "open_run"]

if TYPE_CHECKING:
    from .api import batch, extract, open_run
    from .schema import BudgetDocument


def __getattr__(name: str):
    # loaded on first use: the command line's start-up does not pay for them
    if name in ("batch", "extract", "open_run"):
        from . import api

        return getattr(api, name)
    if name == "BudgetDocument":
        from .schema import BudgetDocument

        return BudgetDocument
    raise AttributeError(f"module 'budgetextract' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
