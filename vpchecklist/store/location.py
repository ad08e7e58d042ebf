"""Where the database is: an SQLite file (the single workstation) or a PostgreSQL URL (the
department's shared server). One parse, so the CLI, the app and the store agree.

A URL is never shown or logged with its password: ``label`` is what the sign-in screen, the
admin area and messages print.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

SCHEMES = ("postgresql", "postgres")


def is_postgres_url(target: object) -> bool:
    """``postgresql://…`` or ``postgres://…`` (a Path never is)."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in SCHEMES


@dataclass(frozen=True)
class PostgresTarget:
    """A parsed ``postgresql://user[:password]@host[:port]/dbname[?sslmode=…]``."""

    url: str
    user: str
    host: str
    port: int
    dbname: str
    options: tuple[tuple[str, str], ...]
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> PostgresTarget:
        from vpchecklist.errors import ValidationError

        parts = urlsplit(url)
        if parts.scheme.lower() not in SCHEMES:
            raise ValidationError("db", f"{url!r} is not a postgresql:// URL")
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname or "/" in dbname:
            raise ValidationError(
                "db",
                "the PostgreSQL URL names no database; write postgresql://USER@HOST:PORT/DBNAME",
            )
        try:
            port = parts.port or 5432
        except ValueError:
            raise ValidationError("db", "the port in the PostgreSQL URL is not a number") from None
        user = unquote(parts.username or "") or os.environ.get("PGUSER", "")
        if not user:
            raise ValidationError(
                "db", "the PostgreSQL URL names no user; write postgresql://USER@HOST:PORT/DBNAME"
            )
        options = tuple(parse_qsl(parts.query, keep_blank_values=True))
        allowed = {
            "sslmode",
            "sslrootcert",
            "sslcert",
            "sslkey",
            "connect_timeout",
            "application_name",
            "target_session_attrs",
            "sslcrl",
            "options",
        }
        unknown = [key for key, _ in options if key not in allowed]
        if unknown:
            raise ValidationError(
                "db", f"the PostgreSQL URL has an option this version does not use: {unknown[0]}"
            )
        password = unquote(parts.password) if parts.password is not None else None
        host = parts.hostname or "localhost"
        return cls(url, user, host, port, dbname, options, password)

    def with_password(self, password: str | None) -> PostgresTarget:
        return PostgresTarget(
            self.url, self.user, self.host, self.port, self.dbname, self.options, password
        )

    @property
    def label(self) -> str:
        """``PostgreSQL vp@db.hospital:5432/vpchecklist`` — never the password."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"PostgreSQL {self.user}@{host}:{self.port}/{self.dbname}"

    def connect_params(self) -> dict[str, Any]:
        """Keyword arguments for psycopg; libpq then reads ``PGPASSWORD`` / ``~/.pgpass`` when
        no password is given here, and honours ``sslmode``."""
        params: dict[str, Any] = {
            "user": self.user,
            "host": self.host,
            "port": self.port,
            **dict(self.options),
        }
        params.setdefault("connect_timeout", 10)
        params.setdefault("application_name", "vpchecklist")
        if self.password is not None:
            params["password"] = self.password
        return params


def describe(target: Path | str) -> str:
    """What to print for a database location: the file path or the redacted URL."""
    if is_postgres_url(target):
        try:
            return PostgresTarget.parse(str(target)).label
        except Exception:
            return "PostgreSQL (unreadable URL)"
    return str(target)
