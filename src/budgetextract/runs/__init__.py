"""The many-files side: which files are read and where each record goes (files), each file in
a worker within its limits (isolation), resumable batches (batch, manifest), the run's tables
(outputs) and one department's documents across years (series)."""
