"""HTML views: one document's review page and a batch's report."""
