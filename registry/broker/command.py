"""``esap-registry broker``: a client of any IVOA ExecutionBroker.

``broker request FILE`` sends an ExecutionRequest (JSON or YAML) to one broker or
several (``--broker URL``, repeatable; the registry's own service by default),
follows each 303 to the offer set and prints the offers of all of them as one table
(or ``--format json|yaml``), so the offers of a federation of brokers can be
compared side by side. ``broker accept|reject SESSION-URL`` updates an offer's phase
(with the write token of that broker).

Registered on the main command by :mod:`registry.cli.main`; of the CLI it imports
:mod:`registry.cli.common` alone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
import httpx
import yaml

from registry.broker.kinds import UPDATE_KIND
from registry.broker.request import parse_body
from registry.cli.common import EXIT_FAIL, examples, handle_errors
from registry.errors import BrokerUnreachable, InputError
from registry.texttable import table

__all__ = ["BROKER_ENV", "DEFAULT_BROKER", "broker"]

#: The environment variable naming the default broker.
BROKER_ENV = "ESAP_REGISTRY_BROKER"
#: The registry's own service, as ``esap-registry serve`` runs it by default.
DEFAULT_BROKER = "http://127.0.0.1:8000"
_ACCEPT = {"Accept": "application/json"}


def _fail_for(response: httpx.Response, what: str) -> None:
    """Raise the registry's error for a broker's error answer.

    :raises InputError: for a 4xx answer (the request, the update or the token was refused).
    :raises BrokerUnreachable: for a 5xx answer.
    """
    if response.status_code < 400:
        return
    try:
        body = response.json()
        message = body.get("message") if isinstance(body, dict) else None
        path = body.get("path") if isinstance(body, dict) else None
    except ValueError:
        message, path = response.text[:300], None
    text = f"{what}: {response.status_code} {message or response.reason_phrase}" + (f" at {path}" if path else "")
    if response.status_code >= 500:
        raise BrokerUnreachable(text)
    raise InputError(text)


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise BrokerUnreachable(f"{what}: the answer is not JSON") from exc
    if not isinstance(body, dict):
        raise BrokerUnreachable(f"{what}: the answer is not a JSON object")
    return body


def send_request(client: httpx.Client, broker_url: str, body: bytes, content_type: str) -> dict[str, Any]:
    """POST an ExecutionRequest to a broker and follow its 303 to the offer set.

    :raises BrokerUnreachable: when the broker cannot be reached or answers 5xx or no offer set.
    :raises InputError: when it refuses the request (4xx).
    """
    url = broker_url.rstrip("/") + "/requests"
    try:
        response = client.post(url, content=body, headers={"Content-Type": content_type, **_ACCEPT})
        _fail_for(response, url)
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers.get("location")
            if not location:
                raise BrokerUnreachable(f"{url}: a {response.status_code} without a Location")
            offerset_url = str(response.url.join(location))
            response = client.get(offerset_url, headers=_ACCEPT)
            _fail_for(response, offerset_url)
    except httpx.HTTPError as exc:
        raise BrokerUnreachable(f"{url}: {exc}") from exc
    offerset = _json(response, url)
    if offerset.get("result") not in ("YES", "NO"):
        raise BrokerUnreachable(f"{url}: the answer is no offer set (no result YES or NO)")
    return offerset


def update_session(client: httpx.Client, session_url: str, phase: str, token: str | None) -> dict[str, Any]:
    """POST a phase update to a session URL.

    :raises BrokerUnreachable: when the broker cannot be reached or answers 5xx.
    :raises InputError: when it refuses the update (4xx: no token, an expired offer ...).
    """
    headers = {"Content-Type": "application/json", **_ACCEPT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    update = {"kind": UPDATE_KIND, "path": "/phase", "value": phase}
    try:
        response = client.post(session_url, content=json.dumps(update).encode(), headers=headers)
    except httpx.HTTPError as exc:
        raise BrokerUnreachable(f"{session_url}: {exc}") from exc
    _fail_for(response, session_url)
    return _json(response, session_url)


def offer_rows(broker_url: str, offerset: dict[str, Any]) -> list[tuple[str, ...]]:
    """One table row per offer: broker, platform, phase, cores, memory, expires, session URL."""
    rows = []
    for offer in offerset.get("offers") or []:
        compute = offer.get("compute") or {}
        cores = compute.get("cores") or {}
        memory = compute.get("memory") or {}
        rows.append(
            (
                broker_url,
                str((offer.get("meta") or {}).get("name", "")),
                str(offer.get("phase", "")),
                _span(cores),
                _span(memory),
                str(offer.get("expires", "")),
                str((offer.get("meta") or {}).get("url", "")),
            )
        )
    return rows


def _span(block: dict[str, Any]) -> str:
    low, high = block.get("min"), block.get("max")
    if low is None and high is None:
        return "-"
    return str(low) if low == high else f"{low}-{high}"


def _dump(value: Any, fmt: str) -> str:  # noqa: ANN401
    if fmt == "yaml":
        return yaml.safe_dump(value, sort_keys=False, allow_unicode=True).rstrip()
    return json.dumps(value, indent=2, ensure_ascii=False)


def _token(token_file: Path | None) -> str | None:
    if token_file is not None:
        from registry.web.settings import read_token_file

        return read_token_file(token_file)
    return os.environ.get("ESAP_REGISTRY_TOKEN") or None


@click.group(
    epilog=examples(
        "esap-registry broker request tests/data/broker/notebook-request.yaml",
        "esap-registry broker accept http://127.0.0.1:8000/sessions/9a1e... --token-file token.txt",
    )
)
def broker() -> None:
    """A client of IVOA ExecutionBrokers: ask for offers, accept or reject one."""


@broker.command(
    epilog=examples(
        "esap-registry broker request notebook-request.yaml",
        "esap-registry broker request request.json --broker https://broker.example.org --broker http://127.0.0.1:8000",
        "esap-registry broker request request.json --format json",
    )
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--broker",
    "brokers",
    multiple=True,
    metavar="URL",
    help=f"A broker's base URL (repeatable: the offers of all are compared). Default: ${BROKER_ENV}, else {DEFAULT_BROKER}.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "yaml"]), default="table", show_default=True)
@click.option("--timeout", default=30.0, type=click.FloatRange(0.1), show_default=True, help="Seconds to wait for each broker.")
def request(file: Path, brokers: tuple[str, ...], fmt: str, timeout: float) -> None:
    """Send the ExecutionRequest in FILE (JSON, or YAML by its .yaml/.yml ending) to each
    broker and print their offers.

    Exit 0 when some broker offers (YES), 1 when none does (every answer NO, the reasons
    printed) or a broker refuses the request, 2 when a broker cannot be reached.
    """
    @handle_errors
    def run() -> None:
        body = file.read_bytes()
        is_yaml = file.suffix.lower() in (".yaml", ".yml")
        parse_body(body, "yaml" if is_yaml else None, source=str(file))  # refuse a malformed file before sending it
        content_type = "application/yaml" if is_yaml else "application/json"
        urls = list(brokers) or [os.environ.get(BROKER_ENV) or DEFAULT_BROKER]
        answers: list[tuple[str, dict[str, Any]]] = []
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            for url in urls:
                answers.append((url, send_request(client, url, body, content_type)))
        if fmt != "table":
            click.echo(_dump([{"broker": url, "offerset": offerset} for url, offerset in answers], fmt))
        else:
            rows = [row for url, offerset in answers for row in offer_rows(url, offerset)]
            rows.sort(key=lambda r: (r[2] != "OFFERED", _sort_number(r[3]), _sort_number(r[4]), r[1], r[0]))
            if rows:
                click.echo(table(["broker", "platform", "phase", "cores", "memory GiB", "expires", "session"], rows))
            for url, offerset in answers:
                offers = len(offerset.get("offers") or [])
                meta = offerset.get("meta") or {}
                click.echo(f"{url}: {offerset['result']}, {offers} offer(s) - {meta.get('url', '')}")
                if offerset["result"] == "NO":
                    for message in meta.get("messages") or []:
                        click.echo(f"  {message.get('level', '')}: {message.get('message', '')}")
        if all(offerset["result"] != "YES" for _, offerset in answers):
            raise SystemExit(EXIT_FAIL)

    run()


def _sort_number(text: str) -> float:
    try:
        return float(text.split("-")[0])
    except ValueError:
        return float("inf")


def _phase_command(phase: str, verb: str) -> click.Command:
    @click.command(
        name=verb,
        help=f"{verb.capitalize()} the offer at SESSION-URL (sets its phase to {phase}; needs that broker's write token).",
        epilog=examples(
            f"esap-registry broker {verb} http://127.0.0.1:8000/sessions/9a1e... --token-file token.txt",
            f"ESAP_REGISTRY_TOKEN=... esap-registry broker {verb} https://broker.example.org/sessions/9a1e... --format json",
        ),
    )
    @click.argument("session_url", metavar="SESSION-URL")
    @click.option(
        "--token-file",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="A file whose first line is the broker's write token (default: $ESAP_REGISTRY_TOKEN).",
    )
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "yaml"]), default="text", show_default=True)
    @click.option("--timeout", default=30.0, type=click.FloatRange(0.1), show_default=True)
    def command(session_url: str, token_file: Path | None, fmt: str, timeout: float) -> None:
        @handle_errors
        def run() -> None:
            with httpx.Client(timeout=timeout) as client:
                session = update_session(client, session_url, phase, _token(token_file))
            if fmt != "text":
                click.echo(_dump(session, fmt))
                return
            meta = session.get("meta") or {}
            click.echo(f"{meta.get('name', '')}: {session.get('phase')} - {meta.get('url', session_url)}")
            for connector in session.get("connectors") or []:
                click.echo(f"  connector {connector.get('status')} {connector.get('protocol')}: {connector.get('location')}")

        run()

    return command


broker.add_command(_phase_command("ACCEPTED", "accept"))
broker.add_command(_phase_command("REJECTED", "reject"))
