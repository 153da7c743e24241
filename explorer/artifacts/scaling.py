"""Everything the Compound-scaling page shows: EfficientNet's phi, alpha, beta, gamma (https://arxiv.org/abs/1905.11946).

:func:`scaling_artifacts` is the single source for the page and its export; the predicted MACs follow the
paper's rule ``B0 x (alpha beta^2 gamma^2)^phi`` and the counted ones come from the network actually built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.counting import count_network, network_totals
from explorer.artifacts.base import PageArtifacts, value_field
from explorer.figures.networks import (
    compound_figure,
    mac_prediction_figure,
    single_dimension_figure,
)
from explorer.models.networks.tables import (
    BASE_RESOLUTION,
    EFFICIENTNET_PHI,
    EFFICIENTNET_RELEASED,
    NetworkSpec,
    network_spec,
)
from explorer.models.scaling import compound_flops_factor, compound_multipliers

COMPOUND_PHIS = tuple(range(9))


def compound_frame(alpha: float, beta: float, gamma: float) -> pd.DataFrame:
    """Counted MACs of the custom compound-scaled network at phi = 0..8 and of the released B0-B7."""
    base = network_totals(network_spec("efficientnet", phi=0.0))[1]
    factor = compound_flops_factor(alpha, beta, gamma)
    rows = []
    for phi in COMPOUND_PHIS:
        try:
            spec = network_spec("efficientnet", phi=float(phi), alpha=alpha, beta=beta, gamma=gamma)
        except ValueError:
            break  # alpha^phi, beta^phi or gamma^phi beyond what the app builds: the curve stops here
        released = f"efficientnet_b{phi}"
        rows.append({
            "phi": phi, "depth": spec.depth_mult, "width": spec.width_mult, "resolution": spec.resolution,
            "counted MACs": network_totals(spec)[1], "predicted MACs": round(base * factor**phi),
            "2^phi MACs": base * 2**phi,
            "released": released if released in EFFICIENTNET_PHI else None,
            "released MACs": network_totals(network_spec(released))[1] if released in EFFICIENTNET_PHI else None,
        })
    return pd.DataFrame(rows)


def released_frame() -> pd.DataFrame:
    """The released B0-B7 coefficients (rounded by the authors) as multipliers of B0."""
    rows = [
        {"model": name.split("_")[1].upper(), "phi": EFFICIENTNET_PHI[name], "depth": depth, "width": width,
         "resolution": resolution / BASE_RESOLUTION}
        for name, (width, depth, resolution, _) in EFFICIENTNET_RELEASED.items()
        if name in EFFICIENTNET_PHI and EFFICIENTNET_PHI[name] <= 7
    ]
    return pd.DataFrame(rows)


SINGLE_FACTORS = (1.0, 2.0, 3.0, 4.0, 6.0, 8.0)


def _scaled_b0(depth: float, width: float, resolution: int) -> tuple[int, int]:
    return network_totals(NetworkSpec("efficientnet", width_mult=width, depth_mult=depth, resolution=resolution))


def _strategies(budget: float, alpha: float, beta: float, gamma: float) -> dict[str, tuple[float, float, float]]:
    """(depth, width, resolution) multipliers that each strategy needs for a MAC budget of ``budget`` x B0."""
    phi = math.log(budget) / math.log(compound_flops_factor(alpha, beta, gamma))
    return {
        "depth only": (budget, 1.0, 1.0),
        "width only": (1.0, budget**0.5, 1.0),
        "resolution only": (1.0, 1.0, budget**0.5),
        "compound": compound_multipliers(phi, alpha, beta, gamma),
    }


def single_dimension_frame(alpha: float, beta: float, gamma: float) -> pd.DataFrame:
    """B0 scaled to MAC budgets of 1x..8x by depth only, width only, resolution only, or compound.

    Width and resolution enter MACs squared, so a budget of ``f`` needs ``sqrt(f)`` of them,
    depth ``f`` itself, compound ``phi = log(f) / log(alpha * beta**2 * gamma**2)``.
    """
    if compound_flops_factor(alpha, beta, gamma) <= 1.0:
        raise ValueError("alpha: alpha x beta^2 x gamma^2 must exceed 1 for compound scaling to grow the network.")
    rows = []
    for budget in SINGLE_FACTORS:
        for strategy, (depth, width, scale) in _strategies(budget, alpha, beta, gamma).items():
            resolution = int(round(BASE_RESOLUTION * scale))
            params, macs = _scaled_b0(depth, width, resolution)
            rows.append({
                "strategy": strategy, "MAC budget": budget, "depth": round(depth, 4), "width": round(width, 4),
                "resolution": resolution, "params": params, "MACs": macs,
            })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ScalingNumbers:
    """The multipliers of one compound-scaled network and its MACs, predicted and counted."""

    factor: float  # alpha x beta^2 x gamma^2
    depth_mult: float
    width_mult: float
    resolution: int
    base_macs: int  # B0, counted
    predicted_macs: float  # B0 x factor^phi
    rule_of_thumb_macs: float  # B0 x 2^phi
    counted_macs: int

    @property
    def counted_over_predicted(self) -> float:
        return self.counted_macs / self.predicted_macs


def summary_frame(numbers: ScalingNumbers) -> pd.DataFrame:
    """The page's numbers as a quantity / value / note table."""
    return pd.DataFrame(
        [
            ("alpha x beta^2 x gamma^2", f"{numbers.factor:.4f}", "the paper constrains it to about 2"),
            ("depth multiplier alpha^phi", f"{numbers.depth_mult:.4f}", "repeats rounded up per stage"),
            ("width multiplier beta^phi", f"{numbers.width_mult:.4f}", "channels rounded to multiples of 8"),
            ("resolution 224 x gamma^phi", f"{numbers.resolution}", "rounded to whole pixels"),
            ("predicted MACs: B0 x (alpha beta^2 gamma^2)^phi", f"{numbers.predicted_macs:,.0f}",
             f"B0 counts {numbers.base_macs:,} MACs"),
            ("predicted MACs: B0 x 2^phi", f"{numbers.rule_of_thumb_macs:,.0f}", "the paper's rule of thumb"),
            ("counted MACs", f"{numbers.counted_macs:,}", "conv + linear of the network actually built"),
            ("counted / predicted", f"{numbers.counted_over_predicted:.3f}",
             "repeats are rounded up (ceil), widths to multiples of 8"),
        ],
        columns=["quantity", "value", "note"],
    )


@dataclass(frozen=True)
class ScalingArtifacts(PageArtifacts):
    """What the Compound-scaling page shows for the custom ``efficientnet`` spec, in page order."""

    numbers: ScalingNumbers = value_field()
    summary: pd.DataFrame
    mac_prediction: go.Figure
    multipliers: go.Figure
    single_dimension: go.Figure
    compound_table: pd.DataFrame
    single_dimension_table: pd.DataFrame


def scaling_artifacts(spec: NetworkSpec, style: str) -> ScalingArtifacts:
    """Every table and figure of the Compound-scaling page for the custom ``efficientnet`` spec."""
    alpha, beta, gamma = spec.alpha, spec.beta, spec.gamma
    compound = compound_frame(alpha, beta, gamma)
    base = int(compound.loc[0, "counted MACs"])
    factor = compound_flops_factor(alpha, beta, gamma)
    counted = count_network(spec).macs
    numbers = ScalingNumbers(
        factor, spec.depth_mult, spec.width_mult, spec.resolution, base, base * factor**spec.phi, base * 2**spec.phi, counted
    )
    singles = single_dimension_frame(alpha, beta, gamma)
    return ScalingArtifacts(
        numbers=numbers,
        summary=summary_frame(numbers),
        mac_prediction=mac_prediction_figure(compound, factor, spec.phi, counted, style),
        multipliers=compound_figure(alpha, beta, gamma, released_frame(), spec.phi, style),
        single_dimension=single_dimension_figure(singles, style),
        compound_table=compound,
        single_dimension_table=singles,
    )
