"""`paperbot doctor`: what is wrong with this install, in plain words.

It checks the configuration, the token's format (never printing it), the database
(reachable, migrated to the newest schema), the digest channels' permissions (through
Discord's REST API, with the token) and the digests that failed lately. Exit code 1
when something is wrong, 0 when everything it could check is fine.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import typer
from pydantic import ValidationError
from rich.markup import escape

from bot import heartbeat
from bot.cli._app import app
from bot.cli._common import out
from bot.formatting import THREAD_PERMISSIONS
from bot.publisher import NEEDED
from recommender.config import Settings
from recommender.storage.db import Database, DatabaseError

DISCORD_API = "https://discord.com/api/v10"
# What a digest channel needs (bot/publisher.py NEEDED), as Discord permission bits.
VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS, ADMINISTRATOR = 1 << 10, 1 << 11, 1 << 14, 1 << 3
REQUIRED = {"View Channel": VIEW_CHANNEL, "Send Messages": SEND_MESSAGES, "Embed Links": EMBED_LINKS}
# What the day's thread needs; without them the papers follow the header in the channel itself.
THREADS = {"Create Public Threads": 1 << 35, "Send Messages in Threads": 1 << 38}
ALL = (1 << 53) - 1
# A bot token: base64 of the bot's id, a timestamp part, an HMAC part, separated by dots.
TOKEN_RE = re.compile(r"^([A-Za-z0-9_-]{17,40})\.([A-Za-z0-9_-]{4,10})\.([A-Za-z0-9_-]{20,})$")
FAILURE_DAYS = 7


@dataclass
class Report:
    problems: int = 0

    def ok(self, text: str) -> None:
        out.print(f"[green]✓[/] {text}", soft_wrap=True)

    def warn(self, text: str) -> None:
        out.print(f"[yellow]![/] {text}", soft_wrap=True)

    def bad(self, text: str) -> None:
        self.problems += 1
        out.print(f"[red]✗[/] {text}", soft_wrap=True)


def token_problem(token: str) -> str | None:
    """Why `token` cannot be a Discord bot token, or None. Never quotes the token."""
    if token != token.strip() or token[:1] in "\"'" or token.lower().startswith("bot "):
        return ("DISCORD_TOKEN has spaces, quotes or a 'Bot ' prefix around it; put only the token itself "
                "after DISCORD_TOKEN=")
    match = TOKEN_RE.match(token)
    if match is None:
        return ("DISCORD_TOKEN does not look like a bot token (three parts separated by dots). Copy it again: "
                "Developer Portal → your application → Bot → Reset Token")
    first = match.group(1)
    try:
        decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if not decoded.isdigit():
        return ("DISCORD_TOKEN's first part is not a bot's id; it may be a client secret or a user token. "
                "Use the token from the Bot tab of the Developer Portal")
    return None


def channel_permissions(guild: dict[str, Any], member: dict[str, Any], channel: dict[str, Any]) -> int:
    """The member's permissions in the channel, as Discord computes them (roles, then overwrites)."""
    user_id = str(member["user"]["id"])
    if str(guild.get("owner_id")) == user_id:
        return ALL
    roles = {str(r["id"]): int(r["permissions"]) for r in guild.get("roles", [])}
    guild_id, mine = str(guild["id"]), [str(r) for r in member.get("roles", [])]
    perms = roles.get(guild_id, 0)
    for role in mine:
        perms |= roles.get(role, 0)
    if perms & ADMINISTRATOR:
        return ALL
    overwrites = {str(o["id"]): o for o in channel.get("permission_overwrites", [])}

    def apply(value: int, allow: int, deny: int) -> int:
        return (value & ~deny) | allow

    if guild_id in overwrites:
        perms = apply(perms, int(overwrites[guild_id]["allow"]), int(overwrites[guild_id]["deny"]))
    allow = deny = 0
    for role in mine:
        if role in overwrites:
            allow, deny = allow | int(overwrites[role]["allow"]), deny | int(overwrites[role]["deny"])
    perms = apply(perms, allow, deny)
    if user_id in overwrites:
        perms = apply(perms, int(overwrites[user_id]["allow"]), int(overwrites[user_id]["deny"]))
    return perms


class Discord:
    """The few REST calls doctor makes, with the bot's token."""

    def __init__(self, base: str, token: str) -> None:
        self.http = httpx.Client(base_url=base.rstrip("/"), timeout=10.0, headers={
            "Authorization": f"Bot {token}", "User-Agent": "DiscordBot (https://github.com/paperbot, doctor)"})

    def get(self, path: str) -> tuple[int, Any]:
        response = self.http.get(path)
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
        return response.status_code, body

    def close(self) -> None:
        self.http.close()


def check_configuration(report: Report) -> Settings | None:
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]).upper()
            message = escape(error["msg"].removeprefix("Value error, "))
            report.bad(f"Setting PAPERBOT_{escape(name)}: {message}" if name else f"Settings: {message}")
        return None
    count, ids = settings.shards
    sharding = f"; shards {','.join(map(str, ids))} of {count}" if settings.shard_count else ""
    report.ok(f"Configuration read (data in {escape(str(settings.data_dir))}{sharding})")
    if settings.shard_count and settings.db_url.startswith("sqlite"):
        report.warn("PAPERBOT_SHARD_COUNT is set but the database is SQLite: several bot processes need "
                    "PostgreSQL (PAPERBOT_DATABASE_URL; docs/deployment.md)")
    if settings.discord_api_url:
        report.warn(f"PAPERBOT_DISCORD_API_URL is set ({escape(settings.discord_api_url)}): that is for tests "
                    "only; a real bot must leave it unset")
    return settings


def check_token(report: Report, settings: Settings) -> str | None:
    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    if not token.strip():
        report.warn("No DISCORD_TOKEN: `paperbot run` starts the local console. Set it (environment or .env) "
                    "to connect to Discord")
        return None
    problem = token_problem(token)
    if problem:
        report.bad(problem)
        return None
    report.ok("DISCORD_TOKEN has the form of a bot token")
    return token


def check_database(report: Report, settings: Settings) -> Database | None:
    from sqlalchemy.engine import make_url

    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        report.bad(f"There is no database at {escape(url.database)} yet: run `paperbot db upgrade` "
                   "(`paperbot run` also creates it), or check PAPERBOT_DATA_DIR")
        return None
    db = Database(settings.db_url)
    try:
        current = db.current_revision()
    except DatabaseError as exc:
        report.bad(f"{escape(str(exc))}. Check PAPERBOT_DATABASE_URL and that the database server is running")
        return None
    head = db.head_revision()
    if current == head:
        report.ok(f"Database {escape(db.safe_url)} reachable, schema up to date (revision {head})")
        return db
    if current is None:
        report.bad(f"Database {escape(db.safe_url)} has no paperbot tables yet: run `paperbot db upgrade` "
                   "(`paperbot run` also does it)")
    elif not db.known_revision(current):
        report.bad(f"Database {escape(db.safe_url)} is at revision {current}, which this paperbot does not know: "
                   "it was migrated by a newer version. Upgrade paperbot, or restore a backup (docs/deployment.md)")
    else:
        report.bad(f"Database {escape(db.safe_url)} is at revision {current}, not {head}: run `paperbot db upgrade`")
    return None


def check_channels(report: Report, settings: Settings, db: Database, token: str) -> None:
    from recommender.members import servers

    with db.session() as s:
        confs = servers.scheduled(s)
    api = Discord(settings.discord_api_url or DISCORD_API, token)
    try:
        status, me = api.get("/users/@me")
        if status == 401:
            report.bad("Discord rejected DISCORD_TOKEN (401 Unauthorized): it was reset or mistyped. "
                       "Copy a new one from the Developer Portal's Bot tab")
            return
        if status != 200:
            report.bad(f"Discord answered {status} to the token check; try again later")
            return
        report.ok(f"Discord accepts the token: the bot is {escape(me.get('username', '?'))} ({me['id']})")
        if not confs:
            report.warn("No server has a digest channel yet: an admin runs `/digest channel` in Discord")
        for conf in confs:
            check_channel(report, api, conf.guild_id, conf.channel_id or 0, str(me["id"]))
    except httpx.HTTPError as exc:
        report.bad(f"Cannot reach Discord at {escape(str(api.http.base_url))} ({type(exc).__name__}): "
                   "check the network")
    finally:
        api.close()


def check_channel(report: Report, api: Discord, guild_id: int, channel_id: int, bot_id: str) -> None:
    status, guild = api.get(f"/guilds/{guild_id}")
    if status in (403, 404):
        report.bad(f"The bot is no longer in server {guild_id}, which has a digest channel set. "
                   "Invite it again, or ignore this if the server is gone")
        return
    name = escape(guild.get("name", str(guild_id))) if status == 200 else str(guild_id)
    status, channel = api.get(f"/channels/{channel_id}")
    if status == 404:
        report.bad(f"The digest channel of {name} ({channel_id}) no longer exists: set a new one with "
                   "`/digest channel` there")
        return
    if status == 403:
        report.bad(f"The bot cannot see the digest channel of {name} ({channel_id}): give it {NEEDED} there")
        return
    where = f"#{escape(channel.get('name', str(channel_id)))} in {name}"
    status, member = api.get(f"/guilds/{guild_id}/members/{bot_id}")
    if status != 200:
        report.warn(f"Could not read the bot's roles in {name} (Discord answered {status}); "
                    f"{where}'s permissions not checked")
        return
    perms = channel_permissions(guild, member, channel)
    missing = [label for label, bit in REQUIRED.items() if not perms & bit]
    if missing:
        report.bad(f"The bot may not post the digest in {where}: it lacks {', '.join(missing)}. "
                   f"Give it {NEEDED} there (channel settings → Permissions)")
        return
    no_threads = [label for label, bit in THREADS.items() if not perms & bit]
    if no_threads:
        report.warn(f"The bot can post in {where} but lacks {', '.join(no_threads)}: each day's papers will "
                    f"follow the header in the channel instead of a thread. Give it {THREAD_PERMISSIONS} there")
    else:
        report.ok(f"The bot can post in {where} and open the day's thread")


def check_heartbeat(report: Report, settings: Settings) -> None:
    seconds = heartbeat.age(settings.data_dir)
    if seconds is None:
        report.warn(f"No bot has run on {escape(str(settings.data_dir))} yet (no heartbeat); start it with `paperbot run`")
    elif seconds > heartbeat.STALE:
        report.warn(f"No bot is connected on this data directory now: its last heartbeat was {seconds / 60:.0f} "
                    "minutes ago")
    else:
        report.ok(f"A bot is running and connected to Discord (heartbeat {seconds:.0f} s ago)")


def check_failures(report: Report, db: Database) -> None:
    from recommender.picks import ledger

    with db.session() as s:
        failed = ledger.failures(s, date.today() - timedelta(days=FAILURE_DAYS))
    if not failed:
        report.ok(f"No digest failed in the last {FAILURE_DAYS} days")
    for entry in failed:
        target = (f"channel {entry.target.id} (server {entry.target.guild_id})" if entry.target.kind == "channel"
                  else f"the DM digest of member {entry.target.id}")
        retry = (f"next try {entry.next_retry_at:%Y-%m-%d %H:%M} UTC" if entry.next_retry_at
                 else "not tried again automatically")
        report.bad(f"The {entry.day} digest for {target} failed ({entry.reason}, {entry.attempts} tries, {retry}): "
                   f"{escape(entry.error or 'no detail')}")


@app.command()
def doctor() -> None:
    """Check the configuration, token, database, digest channels and recent failures; say what is wrong."""
    report = Report()
    settings = check_configuration(report)
    if settings is not None:
        token = check_token(report, settings)
        if token:
            check_heartbeat(report, settings)
        db = check_database(report, settings)
        if db is not None:
            if token:
                check_channels(report, settings, db, token)
            check_failures(report, db)
            db.dispose()
    if report.problems:
        out.print(f"\n[red]{report.problems} problem{'s' if report.problems > 1 else ''} found.[/]")
        raise typer.Exit(1)
    out.print("\n[green]Nothing wrong found.[/]")
