"""Command line: ``python -m explorer <command> ...`` and the ``explorer`` console script."""
