"""The objects one FieldLine process shares, built once in the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.intake import INTAKE_THREADS, Intake
from bot.processor import SENDERS, Processor
from bot.spool import Spool
from bot.worker import Worker
from handlers.registry import Registry
from handlers.router import build_registry
from line.messenger import Messenger
from runtime.db import make_engine, make_intake_engine, make_session_factory
from runtime.doorbell import Doorbell, doorbell_for
from services.media_store import MediaStore


@dataclass
class Services:
    """Engine, sessions, LINE port, intake, worker and the inbox's doorbell of one process."""

    engine: Engine
    sessions: sessionmaker[Session]
    messenger: Messenger
    registry: Registry
    intake: Intake
    processor: Processor
    worker: Worker
    doorbell: Doorbell

    @classmethod
    def from_config(cls, config: dict) -> Services:
        """Build every service from a config mapping (see runtime.config)."""
        engine = make_engine(config["DATABASE_URL"])
        sessions = make_session_factory(engine)
        messenger = Messenger(
            config["LINE_CHANNEL_ACCESS_TOKEN"], config.get("LINE_API_BASE_URL"), connections=SENDERS + 2
        )  # the lanes' calls, and the deliveries' and media downloads' beside them
        registry = build_registry()
        doorbell = doorbell_for(config["DATABASE_URL"])
        intake = Intake(
            make_intake_engine(config["DATABASE_URL"], connections=INTAKE_THREADS),
            Spool(config["SPOOL_DIR"]),
            config.get("DB_DEADLINE_SECONDS", 1.5),
            on_stored=doorbell.ring,
        )
        media_store = MediaStore(config["MEDIA_DIR"])
        processor = Processor(sessions, registry, messenger, media_store)
        worker = Worker(intake, processor)
        return cls(engine, sessions, messenger, registry, intake, processor, worker, doorbell)

    def close(self) -> None:
        """Stop the worker thread and close every database connection of this process."""
        self.worker.stop()
        self.processor.close()
        self.intake.close()
        self.doorbell.close()
        self.engine.dispose()
