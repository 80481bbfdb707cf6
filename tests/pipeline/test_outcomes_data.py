"""The outcomes, costs and group-definition extracts: valid files pass; every bad input is rejected with the
rule it breaks, at its row and column, by `validate` and by `publish` (exit 2, the store exactly as it was)."""
from __future__ import annotations

from datetime import date

import pytest

from leadsf.pipeline import cli, contract, extracts
from leadsf.pipeline.store import Store
from tests.bad_inputs import BASE, COHORT_BAD_INPUTS, COST_BAD_INPUTS, OUTCOME_BAD_INPUTS, to_csv, valid
from tests.pipeline.test_cli import check_message, state, write_case


def test_enough_bad_inputs_for_each_kind():
    assert len(OUTCOME_BAD_INPUTS) >= 20 and len(COST_BAD_INPUTS) >= 20
    assert len({c.case_id for c in COHORT_BAD_INPUTS}) == len(COHORT_BAD_INPUTS)


@pytest.mark.parametrize("kind", sorted(contract.TABLE_KINDS))
def test_valid_base_files_pass(kind):
    ex = extracts.read_extract(valid(kind), f"{kind}.csv")
    assert ex.kind == kind and ex.boundary_set == "" and ex.rows == len(BASE[kind]) - 1


@pytest.mark.parametrize("case", COHORT_BAD_INPUTS, ids=[c.case_id for c in COHORT_BAD_INPUTS])
def test_rejected_for_its_rule_where_it_is(case):
    with pytest.raises(extracts.ExtractRejected) as info:
        extracts.read_extract(case.data, case.filename)
    problems = info.value.problems
    assert case.rule in {p.rule for p in problems}, [str(p) for p in problems]
    hit = next(p for p in problems if p.rule == case.rule)
    if case.row is not None:
        assert any(p.row == case.row for p in problems if p.rule == case.rule), [str(p) for p in problems]
    if case.column is not None:
        assert hit.column == case.column, str(hit)
    if case.secret:
        assert all(case.secret not in str(p) for p in problems)


@pytest.mark.parametrize("case", COHORT_BAD_INPUTS, ids=[c.case_id for c in COHORT_BAD_INPUTS])
def test_publish_rejects_and_store_unchanged(case, tmp_path, capsys, store):
    before = state(store.root)
    log_before = store.log_file.read_text(encoding="utf-8")
    path = write_case(tmp_path, case)
    code = cli.main(["publish", str(path)])
    _, err = capsys.readouterr()
    assert code == 2, f"{case.case_id}: exit code {code}, stderr {err!r}"
    check_message(case, err)
    assert state(store.root) == before, f"{case.case_id}: the store changed"
    assert Store(store.root).current() == 1
    log_after = store.log_file.read_text(encoding="utf-8")
    assert log_after.startswith(log_before)
    if case.secret:
        assert case.secret not in log_after


def test_data_through_must_be_a_past_month():
    # 2024-12 is complete on 2025-01-02 but not on 2024-12-15: data through a month not yet over is refused.
    with pytest.raises(extracts.ExtractRejected) as info:
        extracts.read_extract(valid("outcomes"), "outcomes.csv", today=date(2024, 12, 15))
    assert {p.rule for p in info.value.problems} == {"month"}


def test_quoted_source_with_commas_is_text():
    rows = [list(r) for r in BASE["costs"]]
    rows[5][4] = "Santa Fe County, FY2024 budget, page 12"
    ex = extracts.read_extract(to_csv(rows).encode(), "costs.csv")
    assert ex.frame.loc[ex.frame["item"] == "jail_day", "source"].iat[0] == rows[5][4]
    assert ex.frame["amount"].dtype == "float64"


def test_staff_preview_of_revised_outcomes_and_costs(store):
    """The staff preview (nothing written) shows which cohorts and fiscal years a revision touches."""
    from leadsf.config import SAMPLE_DIR
    from leadsf.pipeline.store import Upload
    from leadsf.site import staff

    before = state(store.root)
    outcomes = (SAMPLE_DIR / "outcomes.csv").read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(outcomes) if ",2016-Q2,lead,pre_6m,housed," in line)
    head, value = outcomes[i].rsplit(",", 1)
    outcomes[i] = f"{head},{int(value) + 1}"
    costs = (SAMPLE_DIR / "costs.csv").read_text(encoding="utf-8").replace("2024,jail_day,county,87.00",
                                                                            "2024,jail_day,county,95.00")
    uploads = [Upload("outcomes.csv", ("\n".join(outcomes) + "\n").encode()), Upload("costs.csv", costs.encode())]
    p = staff.preview(store, uploads)
    assert p.kinds == ["costs", "outcomes"]
    assert p.months_revised == {"costs": ["2024"], "outcomes": ["2016-Q2"]}
    changes = p.changes.set_index("kind")
    assert changes.loc["outcomes", "rows_changed"] == 1 and changes.loc["costs", "rows_changed"] == 1
    assert {"outcomes", "costs"} <= set(p.withheld["kind"]) and p.audit["passed"]
    assert any(r.startswith("outcomes:") for r in p.refusals)
    assert state(store.root) == before
