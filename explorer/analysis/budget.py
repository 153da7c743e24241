"""The memory a real forward pass adds to the process, estimated on meta tensors before anything is allocated.

:mod:`explorer.analysis.memory` models one sequential execution exactly (weights, the tensors live at
each layer). A real run on the CPU takes more, for three reasons measured here with ``ru_maxrss``
(``tests/unit/test_memory_budgets.py`` runs the largest configuration of every path in a fresh process):

- the caller keeps the input alive for the whole pass (the model frees it after its last reader);
- oneDNN copies a convolution's weights into its own blocked layout while that convolution runs, so the
  largest layer's weights are there twice (a 4096 -> 4096 3x3 conv: 2.04 x its weights);
- glibc's allocator does not give every freed block back at once (its mmap threshold rises to 32 MiB
  after the first large free, so smaller tensors come from a heap that fragments): measured peaks were
  1.2 to 1.65 times the modelled weights + activations + input (EfficientNet-B7 at 600 pixels, timed
  stage by stage: 1.64).

Hence ``ALLOCATOR_FACTOR x (weights + peak activations + input + held tensors) + the largest layer's
weights``. A budget bounds what the work adds to a process that already holds torch: importing this
CUDA build of torch alone takes about 0.7 GB, the explorer with its dependencies about 0.9 GB, so a
budget of 896 MiB keeps the whole process under 2 GB.
"""

from __future__ import annotations

from explorer.analysis.memory import MemoryReport

ALLOCATOR_FACTOR = 1.7
DEFAULT_MEMORY_BUDGET = 896 * 2**20


def forward_bytes(memory: MemoryReport, held_bytes: int = 0) -> int:
    """Bytes one real forward pass (batch 1, inference) adds to the process; ``held_bytes`` are tensors
    kept aside meanwhile (captured inputs, a second copy of the weights)."""
    modelled = memory.parameter_bytes + memory.peak_activation_bytes + memory.input_bytes + held_bytes
    largest_layer = max((layer.weight_bytes for layer in memory.layers), default=0)
    return int(ALLOCATOR_FACTOR * modelled) + largest_layer


def mib(size: float) -> str:
    """``1,234.5 MiB``: the unit every budget message uses."""
    return f"{size / 2**20:,.1f} MiB"


def check_memory(memory: MemoryReport, memory_budget: int, hint: str, held_bytes: int = 0,
                 what: str = "this configuration") -> int:
    """:func:`forward_bytes`, or ValueError naming the parts, the budget and ``hint`` (what to lower) when over it."""
    needed = forward_bytes(memory, held_bytes)
    if needed > memory_budget:
        activations = memory.peak_activation_bytes + memory.input_bytes
        parts = [f"weights {mib(memory.parameter_bytes)}", f"activations {mib(activations)}"]
        parts += [f"tensors held aside {mib(held_bytes)}"] if held_bytes else []
        raise ValueError(
            f"memory: {what} needs about {needed / 2**20:,.0f} MiB ({' + '.join(parts)}, times {ALLOCATOR_FACTOR:g} "
            f"for the allocator, and a copy of the largest layer's weights), over the {memory_budget / 2**20:,.0f} MiB "
            f"memory budget; {hint}."
        )
    return needed
