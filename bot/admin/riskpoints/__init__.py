"""Risk points in the admin web: registry, import, posters, timelines, today's board, defects, statistics, KPI.

One module per page family: points (registry list, form, retire), imports (CSV/XLSX import and its
template), posters (QR posters and sheets), timeline (a point's history, photos, letters), board (today's
rounds and the monitoring centre's camera checks), defects (defects and work orders), crime (crime
statistics), compliance (the KPI), units (units, their LINE groups and month reports), roster (who belongs to
each unit, invited from here and accepted in LINE); common holds what they share.

Who may do what is bot/auth.py's table: every role may look (VIEW_RISKPOINTS); admin, secretariat and
district officers create, import, edit, retire points and record camera checks (MANAGE_RISKPOINTS), district
officers only in their districts; a broken camera issues a numbered letter (ISSUE_LETTERS); letters are
downloaded with DOWNLOAD_LETTERS; units, work-order resends and crime figures are MANAGE_RISK_UNITS (admin
and secretariat). Timelines and photos show who checked in (VIEW_PATROL_DETAIL, personal data): every such
view is audited.
"""

from bot.admin.riskpoints import (  # noqa: F401 - the page modules add their routes to the blueprint
    board,
    compliance,
    crime,
    defects,
    imports,
    points,
    posters,
    roster,
    submissions,
    timeline,
    units,
)
