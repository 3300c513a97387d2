"""The admin web at /admin: staff sign in to watch the inbox, members and the audit log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the admin blueprint, the error pages and the per-request database session."""
    from bot.admin import (  # noqa: F401 - the view modules add their routes to the blueprint
        audit_views,
        dashboard_views,
        dead_letter_views,
        earlier_evidence,
        errors,
        evidence_views,
        inbox_health_views,
        inbox_views,
        kpi_report_files,
        kpi_reports,
        login_views,
        map_views,
        member_views,
        network_groups,
        network_media,
        network_reports,
        network_settings,
        network_support,
        office_views,
        outbox_views,
        privacy_views,
        riskpoints,
        scheduler,
        staff_views,
        workgroup,
        workgroup_forwards,
        workgroup_kpi,
        workgroup_meetings,
    )
    from bot.admin.blueprint import bp
    from bot.request_session import close_session

    app.teardown_appcontext(close_session)
    errors.register(app)
    app.register_blueprint(bp)
