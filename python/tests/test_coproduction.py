"""The Python package against the command and against known values.

The command's report is made once per session: by ``$COPROD_BIN`` when set, otherwise by
``cargo run --example coprod`` from the repository (the build CI has made already).
"""

from __future__ import annotations

import csv
import doctest
import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import coproduction

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"
PLAN = DEMO / "plan.toml"


@pytest.fixture(scope="session")
def cli_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's report folder as the `coprod` command writes it."""
    out = tmp_path_factory.mktemp("cli") / "report"
    binary = os.environ.get("COPROD_BIN")
    command = [binary] if binary else ["cargo", "run", "--quiet", "--example", "coprod", "--"]
    subprocess.run([*command, "run", str(PLAN), "--out", str(out), "--quiet"], cwd=REPO, check=True)
    return out


@pytest.fixture(scope="session")
def demo() -> coproduction.Evaluation:
    return coproduction.run(PLAN)


def copy_demo(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    return folder


def neutralised(cell: str) -> str:
    """A cell as the CSV writer protects it against spreadsheet formulas."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


# --- the same figures as the command -------------------------------------------------


def test_results_equal_the_commands_results_json(demo: coproduction.Evaluation, cli_report: Path) -> None:
    expected = json.loads((cli_report / "results.json").read_text(encoding="utf-8"))
    assert demo.results == expected
    # The figure the one-liner prints.
    assert demo.results["social_value"]["sroi_ratio"] == pytest.approx(6.23562235557364, rel=1e-12)


def test_tables_equal_the_commands_csv_files(demo: coproduction.Evaluation, cli_report: Path) -> None:
    files = sorted(p.stem for p in (cli_report / "tables").glob("*.csv"))
    assert sorted(demo.tables) == files
    for name, frame in demo.tables.items():
        with open(cli_report / "tables" / f"{name}.csv", newline="", encoding="utf-8") as f:
            header, *rows = list(csv.reader(f))
        assert [neutralised(c) for c in frame.columns] == header, name
        assert [[neutralised(c) for c in row] for row in frame.rows()] == rows, name
    recovery = demo.tables["tt_talking_therapies"].filter(pl.col("Measure") == "Reliable recovery")
    assert recovery["Count"].to_list() == ["64"]


def test_write_report_writes_the_commands_folder(demo: coproduction.Evaluation, cli_report: Path, tmp_path: Path) -> None:
    files = demo.write_report(tmp_path / "report")
    assert {"report.html", "report.md", "results.json", "rejects.csv"} <= set(files)
    for name in ("results.json", "report.md", "rejects.csv"):
        assert (tmp_path / "report" / name).read_bytes() == (cli_report / name).read_bytes(), name


# --- data from memory ----------------------------------------------------------------


def file_labels_as_files(results: dict) -> dict:
    names = {"participants frame": "participants.csv", "outcomes frame": "outcomes.csv"}
    for f in results["data_quality"]["files"]:
        f["file"] = names.get(f["file"], f["file"])
    return results


def test_polars_frames_give_the_file_based_results(demo: coproduction.Evaluation) -> None:
    people = pl.read_csv(DEMO / "participants.csv", infer_schema=False)
    scores = pl.read_csv(DEMO / "outcomes.csv")  # typed columns: numbers and text
    evaluation = coproduction.run_frames(PLAN, participants=people, outcomes=scores)
    files = evaluation.results["data_quality"]["files"]
    assert [f["file"] for f in files] == ["participants frame", "outcomes frame", "activities.csv", "provision.csv"]
    assert file_labels_as_files(evaluation.results) == demo.results


def test_pandas_frames_and_chunked_frames_give_the_same_results(demo: coproduction.Evaluation) -> None:
    people = pd.read_csv(DEMO / "participants.csv")
    scores = pd.read_csv(DEMO / "outcomes.csv")  # blank items are NaN in pandas
    evaluation = coproduction.run_frames(PLAN, participants=people, outcomes=scores)
    assert file_labels_as_files(evaluation.results) == demo.results
    # A frame of several chunks arrives as several Arrow batches.
    scores = pl.read_csv(DEMO / "outcomes.csv")
    chunked = pl.concat([scores[:1000], scores[1000:]], rechunk=False)
    assert chunked.n_chunks() >= 2
    evaluation = coproduction.run_frames(PLAN, participants=pl.read_csv(DEMO / "participants.csv"), outcomes=chunked)
    assert file_labels_as_files(evaluation.results) == demo.results


def test_frame_rows_are_checked_like_csv_rows() -> None:
    people = pl.read_csv(DEMO / "participants.csv", infer_schema=False)
    scores = pl.read_csv(DEMO / "outcomes.csv", infer_schema=False)
    first_phq9 = scores.with_row_index().filter(pl.col("measure") == "phq9")["index"][0]
    scores = scores.with_columns(
        pl.when(pl.int_range(pl.len()) == first_phq9).then(pl.lit("30")).otherwise(pl.col("score")).alias("score")
    )
    evaluation = coproduction.run_frames(PLAN, participants=people, outcomes=scores)
    reject = evaluation.rejects.row(0, named=True)
    assert evaluation.rejects.height == 1
    assert (reject["file"], reject["row"], reject["column"], reject["value"]) == (
        "outcomes frame",
        first_phq9 + 1,  # frames have no header: the 1-based data row
        "score",
        "30",
    )


# --- errors carry where they are ------------------------------------------------------


def test_a_bad_cell_raises_data_error_with_its_location(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    population = (folder / "population.csv").read_text(encoding="utf-8").splitlines()
    population[2] = population[2].replace(",58000,", ",lots,")
    (folder / "population.csv").write_text("\n".join(population) + "\n", encoding="utf-8")
    with pytest.raises(coproduction.DataError) as caught:
        coproduction.run(folder / "plan.toml")
    error = caught.value
    assert isinstance(error, coproduction.CoproductionError)
    # Rows are numbered as a spreadsheet shows them: the header is row 1.
    assert (Path(error.file).name, error.row, error.column, error.value) == ("population.csv", 3, "population", "lots")
    assert "non-negative number" in str(error)


def test_a_plan_typo_raises_plan_error_naming_the_plan(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    plan = (folder / "plan.toml").read_text(encoding="utf-8").replace("[data]", '[data]\ndate_fromat = "%d/%m/%Y"')
    (folder / "plan.toml").write_text(plan, encoding="utf-8")
    with pytest.raises(coproduction.PlanError) as caught:
        coproduction.run(folder / "plan.toml")
    assert Path(caught.value.file).name == "plan.toml"
    assert "date_fromat" in str(caught.value)


def test_a_missing_column_names_file_and_column(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    frame = pl.read_csv(folder / "outcomes.csv", infer_schema=False).drop("assessed_on")
    frame.write_csv(folder / "outcomes.csv")
    with pytest.raises(coproduction.DataError) as caught:
        coproduction.run(folder / "plan.toml")
    assert (Path(caught.value.file).name, caught.value.column) == ("outcomes.csv", "assessed_on")


def test_a_missing_plan_is_a_coproduction_error() -> None:
    with pytest.raises(coproduction.CoproductionError) as caught:
        coproduction.run("no-such-plan.toml")
    assert caught.value.file == "no-such-plan.toml"


def test_a_panic_in_the_engine_is_an_exception_not_a_crash() -> None:
    with pytest.raises(coproduction.CoproductionError, match="a test of the panic guard"):
        coproduction._native._panic_for_test()
    # The interpreter and the engine are still usable.
    assert coproduction.score("gad7", [0] * 7)["total"] == 0.0


# --- validate ------------------------------------------------------------------------


def test_validate_returns_the_accounting_and_the_rejects(tmp_path: Path) -> None:
    folder = copy_demo(tmp_path)
    lines = (folder / "outcomes.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = next(i for i, line in enumerate(lines) if ",phq9," in line)
    cells = lines[at].split(",")
    cells[header.index("score")] = "30"
    cells[header.index("item_1") : header.index("item_9") + 1] = [""] * 9
    lines[at] = ",".join(cells)
    (folder / "outcomes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = coproduction.validate(folder / "plan.toml")
    assert check.ok
    outcomes = next(f for f in check.files if f["file"] == "outcomes.csv")
    assert (outcomes["rows_read"], outcomes["rows_accepted"], outcomes["rows_rejected"]) == (5498, 5497, 1)
    reject = check.rejects.row(0, named=True)
    # Spreadsheet numbering: the header is row 1.
    assert (reject["file"], reject["row"], reject["column"], reject["value"]) == ("outcomes.csv", at + 1, "score", "30")
    # run lists the same row.
    assert coproduction.run(folder / "plan.toml").rejects.equals(check.rejects)


# --- social value ---------------------------------------------------------------------


def test_an_sroi_what_if_with_the_reports_quantities_gives_the_reports_figure(demo: coproduction.Evaluation) -> None:
    published = demo.results["social_value"]
    quantities = {o["quantity_from"]: o["quantity"] for o in published["outcomes"] if o["quantity_from"]}
    # The inputs valued from volunteer hours, in the map's order.
    links = re.findall(r'hours_from = "([^"]+)"', (DEMO / "impact_map.toml").read_text(encoding="utf-8"))
    quantities |= dict(zip(links, [i["hours"] for i in published["inputs"] if i["hours"] is not None]))
    what_if = coproduction.sroi(DEMO / "impact_map.toml", quantities)
    # Exactly equal: the same engine on the same numbers. (The Monte Carlo and the
    # sensitivity to the quantities' intervals differ: no intervals were given here.)
    for key in ("present_value", "investment", "npv", "sroi_ratio", "net_sroi_ratio", "payback_months"):
        assert what_if[key] == published[key], key
    assert [o["present_value"] for o in what_if["outcomes"]] == [o["present_value"] for o in published["outcomes"]]
    # Twice the recoveries: more value, same investment.
    more = coproduction.sroi(DEMO / "impact_map.toml", quantities | {"tt.reliable_recovery": 128})
    assert more["investment"] == published["investment"]
    assert more["sroi_ratio"] > published["sroi_ratio"]


def test_sroi_of_a_map_given_as_text_follows_the_formula() -> None:
    # social-value.md T3, outcome B alone: 20 × £1,500 × (1 − 0.5), one year, 3.5%.
    text = """
price_year = 2024
discount = 0.035
[[input]]
stakeholder = "Funder"
description = "Grant"
amount = 10000
[[outcome]]
stakeholder = "P"
outcome = "B"
indicator = "i"
quantity_from = "tt.recovery"
value = 1500
value_price_year = 2024
proxy_source = "synthetic"
duration_years = 1
attribution = 0.5
"""
    value = coproduction.sroi(text, {"tt.recovery": {"count": 20, "denominator": 40, "ci_low": 15, "ci_high": 25}})
    assert value["present_value"] == pytest.approx(15_000 / 1.035, rel=1e-12)
    assert value["sroi_ratio"] == pytest.approx(15_000 / 1.035 / 10_000, rel=1e-12)
    assert value["payback_months"] == pytest.approx(8.0, rel=1e-12)
    with pytest.raises(coproduction.PlanError):
        coproduction.sroi(text.replace("attribution = 0.5", "attribution = 1.5"), {"tt.recovery": 20})


# --- scoring and statistics ---------------------------------------------------------------


def test_score_applies_the_instruments_rules() -> None:
    phq9 = coproduction.score("phq9", [2, 2, 1, 3, 1, 2, 1, 0, 1])
    assert phq9 == {"raw_total": 13.0, "total": 13.0, "answered": 9, "prorated": False, "risk_flag": True}
    assert coproduction.score("gad7", [3] * 7)["total"] == 21.0
    with pytest.raises(coproduction.DataError, match="item 1 is 4, outside 0–3") as caught:
        coproduction.score("phq9", [4, 0, 0, 0, 0, 0, 0, 0, 0])
    assert caught.value.column == "phq9"
    with pytest.raises(coproduction.PlanError, match="did you mean 'phq9'"):
        coproduction.score("phq", [0])


def test_load_catalogue_lists_every_instrument_with_its_source() -> None:
    catalogue = coproduction.load_catalogue()
    assert {"phq9", "gad7", "swemwbs", "eq5d3l", "zbi22", "sbp"} <= set(catalogue)
    assert (catalogue["gad7"]["items"], catalogue["gad7"]["total_max"]) == (7, 21.0)
    assert all(instrument["source"] for instrument in catalogue.values())


def test_paired_change_matches_scipy() -> None:
    first = [16, 14, 12, 18, 15, 20, 11, 17, 13, 19]
    last = [10, 9, 11, 12, 14, 13, 8, 10, 12, 15]
    change = coproduction.paired_change(first, last)
    # scipy 1.17.1, numpy 2.4.6: stats.ttest_rel(last, first) and its confidence_interval(),
    # stats.wilcoxon(last - first, method="approx", correction=False) (ties: normal
    # approximation); d_z = mean / sd of the changes, d_av = mean / the mean of the two SDs.
    assert change["n_paired"] == 10
    assert change["mean_change"] == pytest.approx(-4.1, rel=1e-12)
    assert change["t"] == pytest.approx(-5.249512077248734, rel=1e-12)
    assert change["df"] == 9.0
    assert change["p_value"] == pytest.approx(0.000528039635282294, rel=1e-9)
    assert change["ci_low"] == pytest.approx(-5.86680122475946, rel=1e-9)
    assert change["ci_high"] == pytest.approx(-2.3331987752405396, rel=1e-9)
    assert change["wilcoxon_p"] == pytest.approx(0.004892240901835026, rel=1e-9)
    assert change["wilcoxon_method"] == "normal"
    assert change["d_z"] == pytest.approx(-1.6600414768667777, rel=1e-12)
    assert change["d_av"] == pytest.approx(-1.5622734026942595, rel=1e-12)
    with pytest.raises(coproduction.DataError, match="each person needs both"):
        coproduction.paired_change([1, 2], [1])


# --- the GIL ---------------------------------------------------------------------------------


def test_a_run_lets_other_python_threads_work() -> None:
    ticks = 0
    worker = threading.Thread(target=coproduction.run, args=(PLAN,))
    worker.start()
    while worker.is_alive():
        ticks += 1
        time.sleep(0.005)
    worker.join()
    # With the GIL held for the whole run, this thread could not tick during it.
    assert ticks > 20


# --- the examples in the docstrings ----------------------------------------------------------


def test_the_docstring_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # the examples name fixtures/demo/plan.toml
    for module in (coproduction, coproduction._errors):
        failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert tried > 0 and failed == 0, module.__name__
