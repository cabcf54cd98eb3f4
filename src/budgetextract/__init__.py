"""budgetextract: Chinese department budget explanations → validated, structured JSON."""

__version__ = "0.1.0"
