"""kehoach_nb: Vietnamese school plans from data, through parameterised notebooks."""

__version__ = "0.1.0"
__all__ = ["build_report", "__version__"]


def __getattr__(name: str):
    # imported on first use, so the command line starts without pandas/matplotlib
    if name == "build_report":
        from .plans import build_report

        return build_report
    raise AttributeError(name)
