"""budgetextract: Chinese department budget explanations → validated, structured JSON.

    import budgetextract
    doc = budgetextract.extract("budget.pdf")           # a BudgetDocument: summary, support, facts, findings
    budgetextract.batch(["budgets/"], "run1")            # records and tables, resumable
    budgetextract.open_run("run1").sql("select * from summary")

See help(budgetextract.extract), help(budgetextract.batch), help(budgetextract.open_run).
"""

__version__ = "0.1.0"

from .api import batch, extract, open_run  # noqa: E402  (after __version__, which the modules it loads read)
from .schema import BudgetDocument  # noqa: E402

__all__ = ["BudgetDocument", "batch", "extract", "open_run"]
