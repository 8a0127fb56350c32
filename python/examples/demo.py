"""The bundled demo from Python: figures, tables, a what-if on the social value, and
scores and statistics of your own.

    pip install ./python
    python python/examples/demo.py          # from the repository's folder
"""

from pathlib import Path

import polars as pl

import coproduction

demo = Path(__file__).resolve().parents[2] / "fixtures" / "demo"

# One call runs the plan: the same figures as `coprod run`.
evaluation = coproduction.run(demo / "plan.toml")
value = evaluation.results["social_value"]
print(f"SROI: £{value['sroi_ratio']:.2f} per £1 invested")

# Any report table as a polars DataFrame (`.to_pandas()` for pandas).
print(evaluation.tables["tt_talking_therapies"])

# Who was reached, by ethnicity, in the talking therapies pilot.
print(evaluation.tables["equity_tt_ethnicity"].select(pl.all().head(5)))

# What if the programme had brought twice as many people to reliable recovery?
quantities = {o["quantity_from"]: o["quantity"] for o in value["outcomes"] if o["quantity_from"]}
hours = ["tt.volunteer_hours", "cv.volunteer_hours", "dem.volunteer_hours", "wb.volunteer_hours"]
quantities |= dict(zip(hours, [i["hours"] for i in value["inputs"] if i["hours"] is not None]))
quantities["tt.reliable_recovery"] *= 2
what_if = coproduction.sroi(demo / "impact_map.toml", quantities)
print(f"With twice the recoveries: £{what_if['sroi_ratio']:.2f} per £1")

# Scoring and paired change, as the report computes them.
print(coproduction.score("phq9", [2, 2, 1, 3, 1, 2, 1, 0, 1]))
change = coproduction.paired_change([16, 14, 12, 18, 15], [10, 9, 11, 12, 14])
print(f"mean change {change['mean_change']:.1f}, p = {change['p_value']:.3f}, d_z = {change['d_z']:.2f}")

# Rows the engine refused, with their reasons (none in the demo).
print(evaluation.rejects)
