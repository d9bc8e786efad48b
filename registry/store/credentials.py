"""A remote store's credentials: a user and password (HTTP basic or digest) or a bearer
token, from arguments, the environment or a file; never shown in messages."""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from registry.errors import StoreError
from registry.store.environment import AUTH_SCHEME_ENV, CREDENTIALS_FILE_ENV, PASSWORD_ENV, TOKEN_ENV, USER_ENV

__all__ = ["Credentials"]


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


@dataclass(frozen=True, repr=False)
class Credentials:
    """Credentials for the store: a user and password (HTTP basic, or digest) or a
    bearer token. Never shown: ``repr`` and ``str`` hide them.

    :param user: the user name, with ``password``.
    :param password: the password.
    :param token: a bearer token (QLever's access token, a GraphDB or proxy token).
    :param scheme: ``basic`` or ``digest``, for a user and password.
    """

    user: str | None = None
    password: str | None = None
    token: str | None = None
    scheme: str = "basic"

    def __post_init__(self) -> None:
        if self.scheme not in ("basic", "digest"):
            raise StoreError(f"unknown authentication scheme {self.scheme!r}: use 'basic' or 'digest'")
        if self.token and self.user:
            raise StoreError("give the store either a user and password or a token, not both")
        if self.password and not self.user:
            raise StoreError("the store's password is given without a user")

    def __repr__(self) -> str:
        return f"Credentials({'token' if self.token else self.scheme if self.user else 'none'}, hidden)"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self.token or self.user)

    @property
    def secrets(self) -> list[str]:
        """The secret strings, to be scrubbed from any message."""
        return [s for s in (self.password, self.token) if s]

    def auth(self) -> httpx.Auth | None:
        """The httpx authentication these credentials give (``None`` when empty)."""
        if self.token:
            return _BearerAuth(self.token)
        if self.user:
            if self.scheme == "digest":
                return httpx.DigestAuth(self.user, self.password or "")
            return httpx.BasicAuth(self.user, self.password or "")
        return None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Credentials from ``ESAP_REGISTRY_STORE_USER``/``_PASSWORD``/``_TOKEN``/``_AUTH``,
        or from the file named by ``ESAP_REGISTRY_CREDENTIALS_FILE``.

        :raises StoreError: when they are contradictory or the file is malformed.
        :raises OSError: when the credentials file cannot be read.
        """
        env = os.environ if environ is None else environ
        if env.get(CREDENTIALS_FILE_ENV):
            return cls.from_file(Path(env[CREDENTIALS_FILE_ENV]))
        return cls(
            user=env.get(USER_ENV) or None,
            password=env.get(PASSWORD_ENV) or None,
            token=env.get(TOKEN_ENV) or None,
            scheme=(env.get(AUTH_SCHEME_ENV) or "basic").lower(),
        )

    @classmethod
    def from_file(cls, path: Path) -> Credentials:
        """Credentials from a file of ``key=value`` lines: ``user``, ``password``,
        ``token``, ``scheme`` (blank lines and ``#`` comments ignored). The
        environment variables' names are accepted as keys too.

        :raises StoreError: when a line is malformed (its content is not shown).
        :raises OSError: when the file cannot be read.
        """
        keys = {"user": "user", "password": "password", "token": "token", "scheme": "scheme", "auth": "scheme"}
        values: dict[str, str] = {}
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            key = key.strip().lower().removeprefix("esap_registry_store_")
            if not sep or key not in keys:
                raise StoreError(f"{path}:{number}: expected user=, password=, token= or scheme= (the line is not shown)")
            values[keys[key]] = value.strip()
        return cls(
            user=values.get("user") or None,
            password=values.get("password") or None,
            token=values.get("token") or None,
            scheme=(values.get("scheme") or "basic").lower(),
        )
