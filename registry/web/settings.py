"""What the operator configures: the write token, limits and time-outs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from registry.errors import InputError

__all__ = ["TOKEN_ENV", "Settings", "read_token_file"]

#: The environment variable holding the bearer token that allows writes.
TOKEN_ENV = "ESAP_REGISTRY_TOKEN"


@dataclass(frozen=True)
class Settings:
    """The web service's settings.

    :param token: the bearer token that allows writes; ``None`` makes the service read-only.
    :param max_body_bytes: the largest request body accepted (413 beyond).
    :param query_timeout: seconds a SPARQL query may run before it is stopped (503).
    :param query_workers: SPARQL queries run at once, each in a worker thread.
    :param plan_workers: plans run at once (the others wait their turn); by default one
        less than the cores, leaving one for the event loop and the SPARQL endpoint (a plan
        is mostly Python holding the GIL: on 2 cores, 2 at once let 16 clients get fewer
        plans a second than 1 client did).
    :param cors: allow reads from pages of other origins.
    :param broker_offers: the most offers an ExecutionBroker offer set holds (``--offers``).
    :param offer_ttl: seconds an offer stays OFFERED (``--offer-ttl``).
    :param offer_retention: seconds an offer set is kept after its offers lapsed.
    :param max_open_offersets: the most open offer sets at once (new requests get 503 beyond).
    """

    token: str | None = field(default=None, repr=False)  # never shown, not even in a traceback's repr
    max_body_bytes: int = 10 * 1024 * 1024
    query_timeout: float = 30.0
    query_workers: int = 4
    plan_workers: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1))
    cors: bool = True
    broker_offers: int = 5
    offer_ttl: float = 300.0
    offer_retention: float = 3600.0
    max_open_offersets: int = 1000

    def __post_init__(self) -> None:
        if self.token is not None and not self.token.strip():
            raise InputError("the write token is empty")
        if self.max_body_bytes < 1:
            raise InputError("the body size limit must be at least 1 byte")
        if self.query_timeout <= 0:
            raise InputError("the query time limit must be positive")
        if self.query_workers < 1:
            raise InputError("at least one query worker is needed")
        if self.plan_workers < 1:
            raise InputError("at least one plan worker is needed")
        if self.broker_offers < 1 or self.offer_ttl <= 0 or self.offer_retention < 0 or self.max_open_offersets < 1:
            raise InputError("the broker needs at least one offer, a positive offer TTL, a retention of 0 or more and a cap of 1 or more")

    @property
    def read_only(self) -> bool:
        """True when no token is configured: every write is refused."""
        return self.token is None

    @classmethod
    def from_env(cls, *, token_file: Path | None = None, **overrides: object) -> Settings:
        """Settings with the token from ``token_file`` when given, else from ``$ESAP_REGISTRY_TOKEN``.

        :raises OSError: when the token file cannot be read.
        :raises InputError: when the token is empty or a limit is out of range.
        """
        token = read_token_file(token_file) if token_file is not None else (os.environ.get(TOKEN_ENV) or None)
        return cls(token=token, **overrides)  # type: ignore[arg-type]


def read_token_file(path: Path) -> str:
    """The token in a file: its first line, without surrounding white space.

    :raises OSError: when the file cannot be read.
    :raises InputError: when the file holds no token.
    """
    lines = path.read_text(encoding="utf-8").strip().splitlines()
    token = lines[0].strip() if lines else ""
    if not token:
        raise InputError(f"the token file {path} is empty")
    return token
