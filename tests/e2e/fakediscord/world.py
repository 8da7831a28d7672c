"""Emulator state: users, guilds, roles, members, channels, messages and synced commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .util import iso_now, snowflake

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS | USE_APPLICATION_COMMANDS | CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS
)
BOT_ROLE_PERMS = EVERYONE_PERMS | MANAGE_THREADS | CREATE_PRIVATE_THREADS
MOD_ROLE_PERMS = MANAGE_GUILD | MANAGE_MESSAGES | MANAGE_THREADS | MANAGE_CHANNELS

# Channel types.
GUILD_TEXT, DM, GUILD_CATEGORY, PUBLIC_THREAD, PRIVATE_THREAD = 0, 1, 4, 11, 12
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_open: bool = True  # False -> 403 50007 on DM posts

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: int | None = None


@dataclass
class Member:
    user: User
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)


@dataclass
class Channel:
    id: int
    type: int
    name: str
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    recipients: list[User] = field(default_factory=list)  # DMs
    owner_id: int | None = None  # threads
    created_at: str = field(default_factory=iso_now)
    last_message_id: int | None = None
    message_count: int = 0

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    def base_permissions(self, user_id: int) -> int:
        """Guild-level permissions: @everyone | member roles; owner and admins get everything."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        perms = self.roles[self.id].permissions
        for role_id in member.roles if member else []:
            perms |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def permissions_in(self, user_id: int, channel: Channel, parent: Channel | None = None) -> int:
        """Channel permissions with overwrites applied (threads use their parent's overwrites)."""
        perms = self.base_permissions(user_id)
        if perms & ADMINISTRATOR or perms == ALL_PERMISSIONS:
            return ALL_PERMISSIONS
        source = parent if channel.is_thread and parent is not None else channel
        ows = {int(o["id"]): o for o in source.overwrites}
        member = self.members.get(user_id)

        def apply(ow: dict[str, Any] | None, p: int) -> int:
            return p if ow is None else (p & ~int(ow["deny"])) | int(ow["allow"])

        perms = apply(ows.get(self.id), perms)
        allow = deny = 0
        for role_id in member.roles if member else []:
            if role_id in ows:
                allow, deny = allow | int(ows[role_id]["allow"]), deny | int(ows[role_id]["deny"])
        perms = (perms & ~deny) | allow
        return apply(ows.get(user_id), perms)


@dataclass
class StoredMessage:
    """A message as the emulator knows it: `data` is the full Discord message object."""

    data: dict[str, Any]
    interaction_id: int | None = None
    deleted: bool = False
    loading: bool = False  # deferred "thinking" message not yet resolved
    edits: list[dict[str, Any]] = field(default_factory=list)  # previous versions

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def channel_id(self) -> int:
        return int(self.data["channel_id"])

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.data.get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.data.get("components") or []

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    def iter_components(self) -> list[dict[str, Any]]:
        """All components, flattened (rows, containers, sections, accessories)."""
        out: list[dict[str, Any]] = []
        stack = list(self.components)
        while stack:
            comp = stack.pop(0)
            out.append(comp)
            stack.extend(comp.get("components", []))
            if "accessory" in comp:
                stack.append(comp["accessory"])
        return out

    def find_component(self, custom_id: str) -> dict[str, Any] | None:
        return next((c for c in self.iter_components() if c.get("custom_id") == custom_id), None)

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.iter_components() if "custom_id" in c]


Ref = Any  # an int id, a name, an emulator object or a discord.py object with .id


def ref_id(ref: Ref) -> int:
    """The snowflake of an id / emulator object / discord.py object."""
    value: Any = getattr(ref, "id", ref)
    return int(value)


@dataclass
class World:
    token: str
    bot: User
    app_owner: User
    application_id: int
    users: dict[int, User] = field(default_factory=dict)
    guilds: dict[int, Guild] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    dm_channels: dict[int, int] = field(default_factory=dict)  # user id -> DM channel id
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    nonces: dict[tuple[int, str], tuple[float, int]] = field(default_factory=dict)  # (channel, nonce) -> (when, message)
    commands: dict[int | None, list[dict[str, Any]]] = field(default_factory=dict)  # None = global
    # (guild, command id) -> {user or role id: allowed}: a server's command permission overwrites (visibility.py)
    command_permissions: dict[tuple[int, int], dict[int, bool]] = field(default_factory=dict)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def default(cls, token: str = "fake-bot-token") -> World:
        """One guild "Paper Lab": owner owen, admin alice (Manage Server), member bob, bot paperbot;
        text channels #general, #papers and #announcements (the bot may NOT send there)."""
        bot = User(snowflake(), "paperbot", "PaperBot", bot=True)
        owner = User(snowflake(), "owen", "Owen")
        world = cls(token=token, bot=bot, app_owner=owner, application_id=bot.id)
        guild = world.add_guild("Paper Lab", owner)
        mods = world.add_role(guild, "Moderators", MOD_ROLE_PERMS, position=2)
        world.add_member(guild, User(snowflake(), "alice", "Alice"), roles=[mods.id])
        world.add_member(guild, User(snowflake(), "bob", "Bob"))
        category = world.add_channel(guild, "Research", type=GUILD_CATEGORY)
        world.add_channel(guild, "general", topic="General chat")
        world.add_channel(guild, "papers", parent=category, topic="Daily arXiv digests")
        deny_send = [
            {"id": str(guild.id), "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)},
            {"id": str(mods.id), "type": 0, "allow": str(SEND_MESSAGES), "deny": "0"},
        ]
        world.add_channel(guild, "announcements", overwrites=deny_send, topic="Read-only")
        return world

    def add_guild(self, name: str, owner: User) -> Guild:
        guild = Guild(id=snowflake(), name=name, owner_id=owner.id)
        guild.roles[guild.id] = Role(guild.id, "@everyone", EVERYONE_PERMS)
        self.guilds[guild.id] = guild
        self.add_member(guild, owner)
        bot_role = self.add_role(guild, self.bot.username, BOT_ROLE_PERMS, position=1, managed=True, bot_id=self.bot.id)
        self.add_member(guild, self.bot, roles=[bot_role.id])
        return guild

    def add_role(self, guild: Guild, name: str, permissions: int, **kw: Any) -> Role:
        role = Role(snowflake(), name, permissions, **kw)
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: Guild, user: User, roles: list[int] | None = None) -> Member:
        self.users[user.id] = user
        member = Member(user, list(roles or []))
        guild.members[user.id] = member
        return member

    def add_channel(
        self, guild: Guild, name: str, *, type: int = GUILD_TEXT, parent: Channel | None = None,
        overwrites: list[dict[str, Any]] | None = None, topic: str | None = None, owner_id: int | None = None,
        id: int | None = None,
    ) -> Channel:
        channel = Channel(
            id or snowflake(), type, name, guild.id, position=len(guild.channel_ids),
            parent_id=parent.id if parent else None, topic=topic, overwrites=list(overwrites or []), owner_id=owner_id,
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        return channel

    def dm_channel_for(self, user: User) -> Channel:
        """The (stable) DM channel between the bot and `user`."""
        if user.id not in self.dm_channels:
            channel = Channel(snowflake(), DM, "", recipients=[user])
            self.channels[channel.id] = channel
            self.dm_channels[user.id] = channel.id
        return self.channels[self.dm_channels[user.id]]

    # -- lookups --------------------------------------------------------------------------------
    @property
    def guild(self) -> Guild:
        return next(iter(self.guilds.values()))

    def user(self, ref: Ref) -> User:
        if isinstance(ref, User):
            return ref
        if isinstance(ref, str):
            found = next((u for u in self.users.values() if u.username == ref), None)
        else:
            found = self.users.get(ref_id(ref))
        if found is None:
            raise LookupError(f"fakediscord: unknown user {ref!r}")
        return found

    def channel(self, ref: Ref) -> Channel:
        if isinstance(ref, Channel):
            return ref
        if isinstance(ref, str):
            found = next((c for c in self.channels.values() if c.name == ref.lstrip("#")), None)
        else:
            found = self.channels.get(ref_id(ref))
        if found is None:
            raise LookupError(f"fakediscord: unknown channel {ref!r}")
        return found

    def message(self, ref: Ref) -> StoredMessage:
        if isinstance(ref, StoredMessage):
            return self.messages[ref.id]
        found = self.messages.get(ref_id(ref))
        if found is None:
            raise LookupError(f"fakediscord: unknown message {ref!r}")
        return found

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id else None

    def permissions(self, user_id: int, channel: Channel) -> int:
        """Effective permissions of a user in a channel (DMs: the usual DM set)."""
        guild = self.guild_of(channel)
        if guild is None:
            return VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | ADD_REACTIONS
        parent = self.channels.get(channel.parent_id) if channel.parent_id else None
        return guild.permissions_in(user_id, channel, parent)

    def find_command(self, name: str, guild_id: int | None, type: int = 1) -> dict[str, Any] | None:
        """A synced command by name: guild-scoped first, then global."""
        for scope in ([guild_id] if guild_id else []) + [None]:
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == type:
                    return cmd
        return None
