"""A PostgreSQL deployment of the round-2 release upgrades too: revisions 0005-0007 convert its rows in place.

The release-2 fixture's rows (SQLite, revision 0004) are copied into a fresh PostgreSQL database at revision 0004,
the current code starts on it (Alembic upgrades it under its advisory lock), and every answer that release recorded
comes back byte for byte.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, create_engine
from sqlalchemy.pool import NullPool

from customner.store.database import MIGRATIONS_DIR
from tests.e2e.test_upgrade import RELEASE_2, assert_byte_for_byte
from tests.scale.services import postgres_database
from tests.server import run_server


def copy_rows(sqlite_file: Path, url: str) -> int:
    """Every row of every table but alembic_version, parents first; returns how many."""
    source, target = create_engine(f"sqlite:///{sqlite_file}"), create_engine(url, poolclass=NullPool)
    old, new = MetaData(), MetaData()
    old.reflect(source)
    new.reflect(target)
    copied = 0
    with source.connect() as reading, target.begin() as writing:
        for table in new.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [dict(row._mapping) for row in reading.execute(old.tables[table.name].select())]
            if rows:
                writing.execute(table.insert(), rows)
                copied += len(rows)
    source.dispose()
    target.dispose()
    return copied


def test_a_postgresql_database_of_the_round_2_release_upgrades_and_answers_byte_for_byte(tmp_path: Path) -> None:
    shutil.copytree(RELEASE_2 / "data", tmp_path / "data")
    answers = json.loads((RELEASE_2 / "answers.json").read_text("utf-8"))["answers"]
    with postgres_database() as url:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", url)
        command.upgrade(config, "0004")  # the release's schema
        assert copy_rows(tmp_path / "data" / "customner.db", url) > 100
        with run_server(tmp_path / "data", database_url=url) as server:
            assert_byte_for_byte(server, answers)
