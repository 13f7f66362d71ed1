"""Data-subject rights and retention: export, erasure, the retention purge, the audit log view."""
