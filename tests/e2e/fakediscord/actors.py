"""Actor side: interaction handles and building INTERACTION_CREATE for slash/autocomplete/click/select."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from . import payloads, visibility
from .interactions import InteractionState
from .util import snowflake
from .world import Channel, Ref, StoredMessage, User, World, ref_id

if TYPE_CHECKING:
    from .server import FakeDiscord

SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10


class InteractionHandle:
    """What a test holds after `fd.slash(...)` / `fd.click(...)`; every wait has a timeout."""

    def __init__(self, fd: FakeDiscord, state: InteractionState) -> None:
        self.fd, self.state = fd, state

    @property
    def id(self) -> int:
        return self.state.id

    @property
    def token(self) -> str:
        """The interaction token (the bot uses it for /interactions/{id}/{token}/callback and webhooks)."""
        return self.state.token

    @property
    def payload(self) -> dict[str, Any]:
        """The INTERACTION_CREATE `d` that was sent to the bot."""
        return self.state.payload

    @property
    def latency(self) -> float | None:
        """Seconds from INTERACTION_CREATE to the bot's callback (None until acknowledged)."""
        return self.state.latency

    @property
    def late(self) -> bool:
        """True if the bot acknowledged after `fd.ack_deadline` (Discord would have dropped it)."""
        return self.state.late

    async def response(self, timeout: float | None = None) -> dict[str, Any]:
        """The callback body the bot POSTed, e.g. {"type": 4, "data": {...}}."""
        wait = timeout if timeout is not None else self.fd.ack_deadline + 2.0
        return await self.fd.wait_until(lambda: self.state.callback or None, wait,
                                        f"callback for interaction {self.state.id} ({self.state.command_name})")

    async def original(self, timeout: float = 5.0) -> StoredMessage:
        """The response message once it is visible (a deferred one after its edit or first followup)."""
        def check() -> StoredMessage | None:
            msg = self.fd.world.messages.get(self.state.original_id or 0)
            return msg if msg is not None and not msg.loading else None
        return await self.fd.wait_until(check, timeout, f"original response of interaction {self.state.id}")

    async def original_edit(self, count: int = 1, timeout: float = 5.0) -> StoredMessage:
        """The original response after at least `count` edits (PATCH @original or followup-on-defer)."""
        def check() -> StoredMessage | None:
            msg = self.fd.world.messages.get(self.state.original_id or 0)
            return msg if msg is not None and len(msg.edits) >= count else None
        return await self.fd.wait_until(check, timeout, f"{count} edit(s) of @original of {self.state.id}")

    async def followup(self, index: int = 0, timeout: float = 5.0) -> StoredMessage:
        """The index-th followup message (after `wait=1` POST /webhooks/{app}/{token})."""
        def check() -> StoredMessage | None:
            ids = self.state.followup_ids
            return self.fd.world.messages[ids[index]] if len(ids) > index else None
        return await self.fd.wait_until(check, timeout, f"followup #{index} of interaction {self.state.id}")

    async def messages(self, count: int = 1, timeout: float = 5.0) -> list[StoredMessage]:
        """Visible, non-deleted messages this interaction produced (original + followups), oldest first."""
        def check() -> list[StoredMessage] | None:
            found = [m for m in self.fd.world.messages.values()
                     if m.interaction_id == self.state.id and not m.loading and not m.deleted]
            return found if len(found) >= count else None
        return await self.fd.wait_until(check, timeout, f"{count} message(s) from interaction {self.state.id}")

    @property
    def target_message(self) -> StoredMessage | None:
        """For clicks/selects: the current state of the message whose component was used."""
        mid = self.state.target_message_id
        return self.fd.world.messages.get(mid) if mid else None

    def __repr__(self) -> str:
        return f"<InteractionHandle {self.state.id} type={self.state.type} acked={self.state.acknowledged}>"


def _find_option(defs: list[dict[str, Any]], name: str, where: str) -> dict[str, Any]:
    for opt in defs:
        if opt["name"] == name:
            return opt
    raise ValueError(f"fakediscord: {where} has no option {name!r} (has {[o['name'] for o in defs]})")


OptionDefs = list[dict[str, Any]]


def resolve_command(world: World, command: str, channel: Channel) -> tuple[dict[str, Any], OptionDefs, list[str]]:
    """"digest channel" -> (command "digest", the leaf's option defs, ["channel"] subcommand path)."""
    root, *path = command.split()
    cmd = world.find_command(root, channel.guild_id)
    if cmd is None:
        known = sorted({c["name"] for cs in world.commands.values() for c in cs})
        raise LookupError(f"fakediscord: /{root} was never synced (synced: {known})")
    defs = cmd.get("options") or []
    for part in path:
        opt = _find_option(defs, part, f"/{root}")
        if opt["type"] not in (SUBCOMMAND, GROUP):
            raise ValueError(f"fakediscord: {part!r} is not a subcommand of /{root}")
        defs = opt.get("options") or []
    if any(o["type"] in (SUBCOMMAND, GROUP) for o in defs):
        raise ValueError(f"fakediscord: /{command} needs a subcommand ({[o['name'] for o in defs]})")
    return cmd, defs, path


def build_options(fd: FakeDiscord, user: User, channel: Channel, defs: list[dict[str, Any]], values: dict[str, Any],
                  *, focused: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Typed option values + data.resolved, checked the way the Discord client would check them."""
    world = fd.world
    options: list[dict[str, Any]] = []
    resolved: dict[str, Any] = {}
    for name, raw in values.items():
        d = _find_option(defs, name, "command")
        otype, value = d["type"], raw
        if name == focused:
            options.append({"name": name, "type": otype, "value": str(raw), "focused": True})
            continue
        if otype == STRING:
            value = str(raw)
        elif otype == INTEGER:
            value = int(raw)
        elif otype == NUMBER:
            value = float(raw)
        elif otype == BOOLEAN:
            value = bool(raw)
        elif otype in (USER, MENTIONABLE) and not _is_role(world, channel, raw):
            target = world.user(raw)
            value = str(target.id)
            resolved.setdefault("users", {})[value] = payloads.user_obj(target)
            guild = world.guild_of(channel)
            if guild and target.id in guild.members:
                resolved.setdefault("members", {})[value] = payloads.member_obj(
                    guild.members[target.id], with_user=False, permissions=world.permissions(target.id, channel))
        elif otype in (ROLE, MENTIONABLE):
            guild = world.guild_of(channel)
            if guild is None:
                raise ValueError("fakediscord: role options need a guild channel")
            role = guild.roles[ref_id(raw)]
            value = str(role.id)
            resolved.setdefault("roles", {})[value] = payloads.role_obj(role)
        elif otype == CHANNEL:
            target_ch = world.channel(raw)
            if d.get("channel_types") and target_ch.type not in d["channel_types"]:
                raise ValueError(f"fakediscord: channel #{target_ch.name} not allowed for option {name!r}")
            value = str(target_ch.id)
            resolved.setdefault("channels", {})[value] = {
                **payloads.channel_obj(world, target_ch), "permissions": str(world.permissions(user.id, target_ch))}
        else:
            raise NotImplementedError(f"fakediscord: option type {otype} ({name!r})")
        _check_value(d, value)
        options.append({"name": name, "type": otype, "value": value})
    if focused is None:
        missing = [o["name"] for o in defs if o.get("required") and o["name"] not in values]
        if missing:
            raise ValueError(f"fakediscord: missing required option(s) {missing}")
    return options, resolved


def _is_role(world: World, channel: Channel, raw: Any) -> bool:
    guild = world.guild_of(channel)
    rid = getattr(raw, "id", raw)
    return guild is not None and isinstance(rid, int) and rid in guild.roles


def _check_value(d: dict[str, Any], value: Any) -> None:
    """Discord's client enforces choices and min/max before sending; so does the emulator."""
    choices = [c["value"] for c in d.get("choices") or []]
    if choices and value not in choices:
        raise ValueError(f"fakediscord: {value!r} is not a choice of {d['name']!r}: {choices}")
    for key, low in (("min_value", True), ("max_value", False), ("min_length", True), ("max_length", False)):
        if d.get(key) is None:
            continue
        actual = len(value) if key.endswith("length") else value
        if (actual < d[key]) if low else (actual > d[key]):
            raise ValueError(f"fakediscord: {value!r} violates {key}={d[key]} of option {d['name']!r}")


def nest(path: list[str], cmd: dict[str, Any], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wrap leaf options in their subcommand group / subcommand options."""
    defs = cmd.get("options") or []
    chain = []
    for part in path:
        d = _find_option(defs, part, cmd["name"])
        chain.append(d)
        defs = d.get("options") or []
    for d in reversed(chain):
        options = [{"name": d["name"], "type": d["type"], "options": options}]
    return options


# -- the actions themselves (FakeDiscord.slash/autocomplete/click/select delegate here) ----------------------

def command_data(cmd: dict[str, Any], path: list[str], opts: OptionDefs, resolved: dict[str, Any]) -> dict[str, Any]:
    """INTERACTION_CREATE data for a chat-input command (data.guild_id only for guild-scoped commands)."""
    data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": cmd.get("type", 1),
                            "options": nest(path, cmd, opts)}
    if resolved:
        data["resolved"] = resolved
    if cmd.get("guild_id"):
        data["guild_id"] = cmd["guild_id"]
    return data


async def slash(fd: FakeDiscord, user: Ref, channel: Ref, command: str, options: dict[str, Any]) -> InteractionHandle:
    u, ch = fd.world.user(user), fd.world.channel(channel)
    cmd, defs, path = resolve_command(fd.world, command, ch)
    visibility.check(fd.world, u, ch, cmd)
    opts, resolved = build_options(fd, u, ch, defs, options)
    return await interact(fd, 2, u, ch, command_data(cmd, path, opts, resolved), command_name=command)


async def autocomplete(fd: FakeDiscord, user: Ref, channel: Ref, command: str, option: str, value: str,
                       options: dict[str, Any], timeout: float | None) -> list[dict[str, Any]]:
    u, ch = fd.world.user(user), fd.world.channel(channel)
    cmd, defs, path = resolve_command(fd.world, command, ch)
    visibility.check(fd.world, u, ch, cmd)
    if not _find_option(defs, option, f"/{command}").get("autocomplete"):
        raise ValueError(f"fakediscord: option {option!r} of /{command} is not an autocomplete option")
    opts, resolved = build_options(fd, u, ch, defs, {**options, option: value}, focused=option)
    handle = await interact(fd, 4, u, ch, command_data(cmd, path, opts, resolved), command_name=command)
    body = await handle.response(timeout)
    return list((body.get("data") or {}).get("choices") or [])


async def component(fd: FakeDiscord, user: Ref, message: Ref, custom_id: str,
                    values: list[str] | None) -> InteractionHandle:
    u, msg = fd.world.user(user), fd.world.message(message)
    comp = msg.find_component(custom_id)
    if comp is None:
        raise LookupError(f"fakediscord: message {msg.id} has no component {custom_id!r} (has {msg.custom_ids})")
    if comp.get("disabled"):
        raise ValueError(f"fakediscord: component {custom_id!r} is disabled")
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"], "id": comp.get("id")}
    if values is not None:
        data["values"] = list(values)
    return await interact(fd, 3, u, fd.world.channels[msg.channel_id], data, message=msg)


async def interact(fd: FakeDiscord, itype: int, user: User, channel: Channel, data: dict[str, Any], *,
                   command_name: str | None = None, message: StoredMessage | None = None) -> InteractionHandle:
    """Register the interaction, send INTERACTION_CREATE and start the acknowledgement clock."""
    session = await fd.wait_until_connected()
    iid = snowflake()
    token = f"aW50ZXJhY3Rpb24{iid}{secrets.token_urlsafe(24)}"
    payload = payloads.interaction_obj(fd.world, id=iid, token=token, type=itype, user=user, channel=channel,
                                       data=data, message=message.data if message else None)
    state = InteractionState(iid, token, itype, payload, user, channel, fd.loop_time(),
                             command_name=command_name, target_message_id=message.id if message else None)
    fd.interactions[iid] = state
    fd.interactions_by_token[token] = state
    await session.dispatch("INTERACTION_CREATE", payload)
    return InteractionHandle(fd, state)
