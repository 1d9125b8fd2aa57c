"""Running a dataset: plan the tasks, run each school in a fresh kernel on a pool or Dask,
place the artefacts, report progress."""
