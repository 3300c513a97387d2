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


def test_demo_programme_is_ready_for_the_personas(services):
    from bot.emulator import ids, personas
    from models import Chat, Member, RiskUnit, UnitKind, UnitMembership
    from models.workgroup import StaffLineLink
    from services.roles import roles_of

    for _ in range(2):
        with services.sessions.begin() as session:
            demo.load(session)
    with services.sessions() as session:
        chats = {chat.name: chat for chat in session.scalars(select(Chat))}
        for plan in personas.GROUPS:
            chat = chats[plan.name]
            assert chat.line_chat_id == ids.group_id(plan.name) and chat.is_registered and chat.purpose == plan.purpose
        patrol = session.scalar(select(RiskUnit).where(RiskUnit.code == "patrol-phranakhon"))
        assert patrol.kind == UnitKind.PATROL and patrol.district == "พระนคร"
        works = session.scalar(select(RiskUnit).where(RiskUnit.code == "public_works"))
        assert session.get(Chat, patrol.chat_id).name == personas.group_plan("patrol").name
        assert session.get(Chat, works.chat_id).name == personas.group_plan("works").name
        assert {p.patrol_unit_id for p in session.scalars(select(RiskPoint))} == {patrol.id}

        def roles(key):
            line_id = ids.user_id(personas.persona(key).name)
            return roles_of(session, session.scalar(select(Member).where(Member.line_user_id == line_id)))

        assert [u.code for u in roles("patrol").patrol_units] == ["patrol-phranakhon"]
        assert [u.code for u in roles("clerk").departments] == ["public_works"]
        assert roles("secretariat").secretariat and roles("volunteer").member is None
        assert roles("patrol").member.is_friend and roles("patrol").member.menu_wanted == "patrol"
        assert session.scalar(select(func.count()).select_from(UnitMembership)) == 2
        assert session.scalar(select(func.count()).select_from(StaffLineLink)) == 1
        assert session.scalar(select(func.count()).select_from(Member)) == 3
