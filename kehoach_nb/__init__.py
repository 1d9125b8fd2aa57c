"""kehoach_nb: Vietnamese school plans from data, through parameterised notebooks."""

from .report import build_report

__version__ = "0.1.0"
__all__ = ["build_report", "__version__"]
