"""Gunicorn settings for the Procfile's web process (read from the working directory)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
graceful_timeout = 10
accesslog = None  # request lines carry nothing useful and could grow with query strings


def post_worker_init(worker):
    """Start this worker's background event processor once the app is loaded."""
    app = worker.wsgi
    services = getattr(app, "extensions", {}).get("fieldline")
    if services is not None and app.config.get("BACKGROUND_WORKER"):
        services.worker.start()
