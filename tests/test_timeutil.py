"""Buddhist Era dates and the October-to-September fiscal year."""

from datetime import UTC, date, datetime

import pytest

from models.periods import Period
from models.timeutil import (
    ce_year,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_bounds,
    from_be,
    thai_date,
    thai_datetime,
    to_be,
)


def test_fiscal_year_is_named_by_the_be_year_it_ends_in():
    assert fiscal_year(date(2020, 10, 1)) == 2564
    assert fiscal_year(date(2021, 9, 30)) == 2564
    assert fiscal_year(date(2021, 10, 1)) == 2565
    assert fiscal_year_bounds(2564) == (date(2020, 10, 1), date(2021, 9, 30))


@pytest.mark.parametrize(("month", "quarter"), [(10, 1), (12, 1), (1, 2), (3, 2), (4, 3), (6, 3), (7, 4), (9, 4)])
def test_fiscal_quarters_start_in_october(month, quarter):
    assert fiscal_quarter(date(2021, month, 15)) == quarter


def test_thai_dates_use_the_buddhist_era_and_bangkok_time():
    assert thai_date(date(2021, 7, 2)) == "2 กรกฎาคม 2564"
    # 17:30 UTC on 30 September is already 1 October in Bangkok
    assert thai_datetime(datetime(2026, 9, 30, 17, 30, tzinfo=UTC)) == "1 ต.ค. 2569 00:30 น."


def test_period_constructors_keys_and_labels():
    """One span type covers months, quarters, fiscal years, years to date and any days."""
    q2 = Period.of_quarter(2569, 2)
    assert (q2.first, q2.last, q2.key) == (date(2026, 1, 1), date(2026, 3, 31), "2569-Q2")
    assert Period.parse_quarter("2569-Q2") == q2 and q2.fiscal_year == 2569 and q2.quarter == 2
    march = Period.parse_month("2569-03")
    assert march == Period.of_month(2026, 3) == Period.of_month(2569, 3) and march.label() == "มีนาคม 2569"
    assert march.next().key == "2569-04" and march.previous().key == "2569-02" and march.day(31) == date(2026, 3, 31)
    year = Period.of_fiscal_year(2564)
    assert (year.first, year.last, year.quarter) == (date(2020, 10, 1), date(2021, 9, 30), None)
    ytd = Period.year_to_date(2564, 2)
    assert ytd.label() == "ปีงบประมาณ 2564 ถึงสิ้นไตรมาสที่ 2 (1 ต.ค. 2563 – 31 มี.ค. 2564)"
    assert Period.between(date(2026, 3, 1), date(2026, 3, 10)).days == 10
    assert march.clipped(date(2026, 3, 5)) == Period.between(date(2026, 3, 1), date(2026, 3, 5))
    assert march.ends == Period.of_month(2026, 4).starts


def test_buddhist_era_conversions():
    """Every Buddhist Era conversion goes through models.timeutil."""
    assert (to_be(2026), from_be(2569), ce_year(2569), ce_year(2026)) == (2569, 2026, 2026, 2026)
