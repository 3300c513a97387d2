"""Buddhist Era dates and the October-to-September fiscal year."""

from datetime import UTC, date, datetime

import pytest

from models.timeutil import fiscal_quarter, fiscal_year, fiscal_year_bounds, thai_date, thai_datetime


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
