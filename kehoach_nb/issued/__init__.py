"""Issued plans: provenance that re-runs, the write-once archive (luu_tru), diffs, reproduction.

`provenance` is used by the worker; `store` owns the archive folders; `diff` compares two
versions of a plan; `replay` re-executes and bundles; `cli` is `kehoach archive`.
"""
