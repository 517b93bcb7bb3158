"""leerpad's grading glue around nbgrader: cohorts, releases, hand-ins, autograde,
feedback. nbgrader stays the core; this package adds preprocessors and configuration."""
