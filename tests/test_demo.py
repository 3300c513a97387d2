"""The newcomer's demo data loads once, in demo mode only."""

from sqlalchemy import func, select

from bot import demo
from models import RiskPoint, StaffUser
from models.workgroup import Committee


def test_demo_data_loads_once(services):
    with services.sessions.begin() as session:
        first = demo.load(session)
    with services.sessions.begin() as session:
        second = demo.load(session)
    assert {"admin", "secretariat", "RP-0001"} <= set(first)
    assert second == []
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 2
        assert session.scalar(select(func.count()).select_from(RiskPoint)) == 3
        assert session.scalar(select(func.count()).select_from(Committee)) == 1


def test_demo_load_refuses_production(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "FIELDLINE_MODE=demo" in result.output
