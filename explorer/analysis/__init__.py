"""Analysis of built modules: counting (costs, counting), memory, analytic formulas and latency measurement."""

import logging

# torch's CUDA builds log "No CUDA runtime is found" when torch.utils.benchmark (measure.py) imports
# cpp_extension on a CPU-only machine: a stderr line with nothing to act on, where the CLI promises one
# line per error. Only that logger is quietened.
logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)
