"""Hồ sơ kiểm điểm pipeline."""
from .compat import speedups

speedups.install()  # compiled WeasyPrint modules, when built (make), before WeasyPrint is imported
