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
    EFFICIENTNET_B0_ROWS,
    EFFICIENTNET_PHI,
    EFFICIENTNET_RELEASED,
    NetworkSpec,
    block_specs,
    network_spec,
    network_table,
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
             "repeats rounded up (ceil), widths to multiples of 8, map sizes rounded up by stride-2 convs: see gap_table"),
        ],
        columns=["quantity", "value", "note"],
    )


@dataclass(frozen=True)
class GapFactor:
    """One cause of the gap between counted and predicted MACs.

    ``rule`` is the MAC growth eq. 3 of the paper assumes for this dimension alone (alpha^phi, beta^2phi,
    gamma^2phi; 1 for the rest), ``counted`` the growth of B0 counted with only this dimension scaled, as
    built (repeats rounded up, channels to multiples of 8, whole pixels). ``rounding`` says, with the
    numbers, what the construction rules did.
    """

    dimension: str
    rule_name: str | None  # how the paper writes the assumed growth, e.g. "β^2φ"; None for the rest
    rule: float
    counted: float
    rounding: str

    @property
    def ratio(self) -> float:
        return self.counted / self.rule

    @property
    def explanation(self) -> str:
        """One sentence or two with the numbers, e.g. ``MACs grow × 1.476 where the rule assumes α^φ = 1.200. ...``."""
        if self.rule_name is None:
            return f"{self.rounding}."
        return f"MACs grow × {self.counted:.3f} where the rule assumes {self.rule_name} = {self.rule:.3f}. {self.rounding}."


def _sequence(values) -> str:
    return ", ".join(f"{value:,}" for value in values)


def _depth_rounding(spec: NetworkSpec) -> str:
    base = [row.repeats for row in EFFICIENTNET_B0_ROWS]
    built = [row.repeats for row in network_table(spec).rows]
    return (
        f"Repeats per stage ceil(n × {spec.depth_mult:.4g}): {_sequence(base)} → {_sequence(built)}, "
        f"{sum(built)} blocks where {sum(base)} × {spec.depth_mult:.4g} = {sum(base) * spec.depth_mult:.4g}"
    )


def _widths(spec: NetworkSpec) -> list[int]:
    table = network_table(spec)
    return [table.stem.out_channels, *(row.out_channels for row in table.rows), table.head.conv_channels]


def _width_rounding(spec: NetworkSpec) -> str:
    pairs = zip(_widths(NetworkSpec("efficientnet")), _widths(spec), strict=True)
    return (
        f"Channels c × {spec.width_mult:.4g} to a multiple of 8 (stem, stages, head): "
        + ", ".join(f"{base}→{built}" for base, built in pairs)
    )


def _map_sizes(spec: NetworkSpec) -> list[int]:
    """Feature-map size after the stem and after every stride-2 stage."""
    stages = block_specs(network_table(spec))
    sizes = [stages[0][0].size]
    for stage in stages:
        if stage[-1].output_size != sizes[-1]:
            sizes.append(stage[-1].output_size)
    return sizes


def _resolution_rounding(spec: NetworkSpec, gamma_power: float) -> str:
    exact = BASE_RESOLUTION * gamma_power
    base, built = _map_sizes(NetworkSpec("efficientnet")), _map_sizes(spec)
    return (
        f"224 × {gamma_power:.4g} = {exact:.1f} → {spec.resolution} px; every stride-2 conv rounds an odd size up: "
        f"maps {_sequence(base)} → {_sequence(built)} (× {gamma_power:.4g} would end at {base[-1] * gamma_power:.2f})"
    )


def gap_factors(spec: NetworkSpec) -> tuple[GapFactor, ...]:
    """Why counted MACs differ from B0 x (alpha beta^2 gamma^2)^phi, as factors whose ratios multiply to the gap.

    Depth, width and resolution are each scaled alone (the released rounding rules applied), then "the rest"
    is what acting together adds: counted / (B0 x the three growths alone). So
    ``prod(f.ratio for f in gap_factors(spec)) == counted / predicted`` exactly.
    """
    base = network_totals(NetworkSpec("efficientnet"))[1]
    depth_rule, width_rule, gamma_power = compound_multipliers(spec.phi, spec.alpha, spec.beta, spec.gamma)

    def growth(**options) -> float:
        return network_totals(NetworkSpec("efficientnet", **options))[1] / base

    depth = growth(depth_mult=spec.depth_mult)
    width = growth(width_mult=spec.width_mult)
    resolution = growth(resolution=spec.resolution)
    together = network_totals(spec)[1] / base
    return (
        GapFactor("depth", "α^φ", depth_rule, depth, _depth_rounding(spec)),
        GapFactor("width", "β^2φ", width_rule**2, width, _width_rounding(spec)),
        GapFactor("resolution", "γ^2φ", gamma_power**2, resolution, _resolution_rounding(spec, gamma_power)),
        GapFactor(
            "the rest", None, 1.0, together / (depth * width * resolution),
            "All three scaled at once against the product of the three alone: stem, head and classifier do not grow "
            "with every dimension (never repeated; 3 input channels and the classes fixed; the classifier sees no "
            "map), so their share shifts as the rest grows",
        ),
    )


def gap_frame(factors: tuple[GapFactor, ...]) -> pd.DataFrame:
    """The gap factors as a table: what the rule assumes, what was counted, their ratio, what rounding did."""
    return pd.DataFrame(
        [(f.dimension, f.rule_name or "", round(f.rule, 4), round(f.counted, 4), round(f.ratio, 4), f.rounding)
         for f in factors],
        columns=["dimension", "rule", "MAC growth the rule assumes", "MAC growth counted", "counted / rule", "why"],
    )


@dataclass(frozen=True)
class ScalingArtifacts(PageArtifacts):
    """What the Compound-scaling page shows for the custom ``efficientnet`` spec, in page order."""

    numbers: ScalingNumbers = value_field()
    gap: tuple[GapFactor, ...] = value_field()
    summary: pd.DataFrame
    gap_table: pd.DataFrame
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
    gap = gap_factors(spec)
    return ScalingArtifacts(
        numbers=numbers,
        gap=gap,
        summary=summary_frame(numbers),
        gap_table=gap_frame(gap),
        mac_prediction=mac_prediction_figure(compound, factor, spec.phi, counted, style),
        multipliers=compound_figure(alpha, beta, gamma, released_frame(), spec.phi, style),
        single_dimension=single_dimension_figure(singles, style),
        compound_table=compound,
        single_dimension_table=singles,
    )
