"""Analysis of built modules: counting (costs, counting), memory, analytic formulas and latency measurement."""
