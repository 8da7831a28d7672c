"""Builders for FULL, realistic Discord API objects (a superset of what discord.py requires)."""

from __future__ import annotations

import re
from typing import Any

from .util import iso_now, snowflake
from .world import (
    GUILD_CATEGORY,
    PRIVATE_THREAD,
    Channel,
    Guild,
    Member,
    Role,
    User,
    World,
)

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
CDN = "https://cdn.discordapp.com"


def user_obj(user: User) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": str(user.id), "username": user.username, "discriminator": "0", "global_name": user.global_name,
        "avatar": None, "banner": None, "accent_color": None, "public_flags": 0, "flags": 0,
        "avatar_decoration_data": None, "collectibles": None, "primary_guild": None, "clan": None,
    }
    if user.bot:
        obj["bot"] = True
    return obj


def me_obj(user: User) -> dict[str, Any]:
    """GET /users/@me and READY.user: the user object plus the private fields."""
    return {**user_obj(user), "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US",
            "premium_type": 0, "bio": ""}


def role_obj(role: Role) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": str(role.id), "name": role.name, "description": None, "permissions": str(role.permissions),
        "position": role.position, "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False, "managed": role.managed, "mentionable": False, "icon": None, "unicode_emoji": None,
        "flags": 0,
    }
    if role.bot_id is not None:
        obj["tags"] = {"bot_id": str(role.bot_id)}
    return obj


def member_obj(member: Member, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "nick": member.nick, "avatar": None, "banner": None, "roles": [str(r) for r in member.roles],
        "joined_at": member.joined_at, "premium_since": None, "deaf": False, "mute": False, "flags": 0,
        "pending": False, "communication_disabled_until": None, "avatar_decoration_data": None,
    }
    if with_user:
        obj["user"] = user_obj(member.user)
    if permissions is not None:
        obj["permissions"] = str(permissions)
    return obj


def channel_obj(world: World, channel: Channel) -> dict[str, Any]:
    last = str(channel.last_message_id) if channel.last_message_id else None
    if channel.guild_id is None:  # DM
        return {"id": str(channel.id), "type": channel.type, "last_message_id": last, "flags": 0,
                "recipients": [user_obj(u) for u in channel.recipients]}
    obj: dict[str, Any] = {
        "id": str(channel.id), "type": channel.type, "guild_id": str(channel.guild_id), "name": channel.name,
        "position": channel.position, "parent_id": str(channel.parent_id) if channel.parent_id else None,
        "permission_overwrites": list(channel.overwrites), "nsfw": False, "flags": 0,
    }
    if channel.type == GUILD_CATEGORY:
        return obj
    obj.update({"topic": channel.topic, "last_message_id": last, "rate_limit_per_user": 0, "icon_emoji": None,
                "theme_color": None, "default_auto_archive_duration": 1440,
                "default_thread_rate_limit_per_user": 0, "last_pin_timestamp": None})
    if channel.is_thread:
        del obj["permission_overwrites"], obj["position"]
        obj.update({
            "owner_id": str(channel.owner_id), "message_count": channel.message_count,
            "member_count": 1, "total_message_sent": channel.message_count, "applied_tags": [],
            "thread_metadata": {
                "archived": False, "auto_archive_duration": 1440, "archive_timestamp": channel.created_at,
                "locked": False, "create_timestamp": channel.created_at,
                **({"invitable": True} if channel.type == PRIVATE_THREAD else {}),
            },
            "member": {"id": str(channel.id), "user_id": str(world.bot.id), "join_timestamp": channel.created_at,
                       "flags": 0},
        })
    return obj


def guild_create(world: World, guild: Guild, *, all_members: bool) -> dict[str, Any]:
    """GUILD_CREATE d: the guild with roles, channels, threads and members."""
    chans = [world.channels[c] for c in guild.channel_ids]
    members = [m for m in guild.members.values() if all_members or m.user.id == world.bot.id]
    text = next((c for c in chans if c.type == 0), None)
    return {
        "id": str(guild.id), "name": guild.name, "icon": None, "splash": None, "discovery_splash": None,
        "banner": None, "description": None, "owner_id": str(guild.owner_id), "region": "deprecated",
        "afk_channel_id": None, "afk_timeout": 300, "verification_level": 1, "default_message_notifications": 1,
        "explicit_content_filter": 2, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
        "premium_subscription_count": 0, "premium_progress_bar_enabled": False, "preferred_locale": "en-US",
        "features": [], "application_id": None, "system_channel_id": str(text.id) if text else None,
        "system_channel_flags": 0, "rules_channel_id": None, "public_updates_channel_id": None,
        "safety_alerts_channel_id": None, "vanity_url_code": None, "max_members": 500000,
        "max_video_channel_users": 25, "max_stage_video_channel_users": 50, "incidents_data": None,
        "hub_type": None, "latest_onboarding_question_id": None, "home_header": None,
        "roles": [role_obj(r) for r in guild.roles.values()], "emojis": [], "stickers": [],
        "joined_at": guild.joined_at, "large": False, "unavailable": False, "lazy": True,
        "member_count": len(guild.members), "members": [member_obj(m) for m in members],
        "channels": [channel_obj(world, c) for c in chans if not c.is_thread],
        "threads": [channel_obj(world, c) for c in chans if c.is_thread],
        "presences": [], "voice_states": [], "stage_instances": [], "guild_scheduled_events": [],
        "soundboard_sounds": [], "embedded_activities": [], "activity_instances": [],
        "application_command_counts": {}, "version": 0,
    }


def guild_obj(world: World, guild: Guild) -> dict[str, Any]:
    """REST GET /guilds/{id}: like GUILD_CREATE minus the gateway-only keys."""
    full = guild_create(world, guild, all_members=False)
    for key in ("joined_at", "large", "unavailable", "lazy", "member_count", "members", "channels", "threads",
                "presences", "voice_states", "stage_instances", "guild_scheduled_events", "soundboard_sounds",
                "embedded_activities", "activity_instances", "application_command_counts"):
        full.pop(key, None)
    return full


def application_obj(world: World) -> dict[str, Any]:
    """GET /oauth2/applications/@me (interactions_endpoint_url must stay null for gateway bots)."""
    return {
        "id": str(world.application_id), "name": world.bot.username, "icon": None,
        "description": "paperbot test application", "summary": "", "type": None, "hook": True,
        "bot_public": True, "bot_require_code_grant": False, "verify_key": "a" * 64, "flags": 0,
        "owner": user_obj(world.app_owner), "team": None, "bot": user_obj(world.bot), "guild_id": None,
        "rpc_origins": [], "tags": [], "redirect_uris": [], "interactions_endpoint_url": None,
        "role_connections_verification_url": None, "terms_of_service_url": None, "privacy_policy_url": None,
        "custom_install_url": None, "install_params": {"scopes": ["bot", "applications.commands"],
                                                        "permissions": "0"},
        "integration_types_config": {"0": {}}, "approximate_guild_count": len(world.guilds),
        "approximate_user_install_count": 0, "event_webhooks_url": None, "event_webhooks_status": 1,
        "event_webhooks_types": [], "cover_image": None, "slug": None,
    }


def ready(world: World, session_id: str, resume_url: str, intents: int) -> dict[str, Any]:
    return {
        "v": 10, "user": me_obj(world.bot), "user_settings": {}, "relationships": [], "private_channels": [],
        "presences": [], "guild_join_requests": [], "geo_ordered_rtc_regions": ["us-east"],
        "guilds": [{"id": str(g), "unavailable": True} for g in world.guilds],
        "session_id": session_id, "session_type": "normal", "resume_gateway_url": resume_url, "shard": [0, 1],
        "application": {"id": str(world.application_id), "flags": 0}, "auth": {},
        "_trace": ['["fakediscord",{"micros":0}]'],
    }


def attachment_obj(channel_id: int, filename: str, size: int, content_type: str | None) -> dict[str, Any]:
    aid = snowflake()
    url = f"{CDN}/attachments/{channel_id}/{aid}/{filename}"
    return {"id": str(aid), "filename": filename, "size": size, "url": url,
            "proxy_url": url.replace(CDN, "https://media.discordapp.net"), "content_type": content_type}


_MENTION = re.compile(r"<@!?(\d+)>")


def normalise_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Discord numbers every component with an `id`; mimic that."""
    counter = 0

    def walk(comp: dict[str, Any]) -> dict[str, Any]:
        nonlocal counter
        counter += 1
        out = {**comp, "id": comp.get("id") or counter}
        if "components" in out:
            out["components"] = [walk(c) for c in out["components"]]
        if "accessory" in out:
            out["accessory"] = walk(out["accessory"])
        return out

    return [walk(c) for c in components]


def normalise_embeds(embeds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "rich", **{k: v for k, v in e.items() if v is not None}, "content_scan_version": 0}
            for e in embeds]


def message_obj(
    world: World, channel: Channel, author: User, body: dict[str, Any], *, type: int = 0,
    attachments: list[dict[str, Any]] | None = None, webhook_id: int | None = None,
    interaction: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new message object from a bot request body (content/embeds/components/flags/...)."""
    content = body.get("content") or ""
    mentions = [user_obj(world.users[int(u)]) for u in _MENTION.findall(content) if int(u) in world.users]
    msg: dict[str, Any] = {
        "id": str(snowflake()), "type": type, "channel_id": str(channel.id), "author": user_obj(author),
        "content": content, "timestamp": iso_now(), "edited_timestamp": None, "tts": bool(body.get("tts")),
        "mention_everyone": False, "mentions": mentions, "mention_roles": [], "attachments": attachments or [],
        "embeds": normalise_embeds(body.get("embeds") or []),
        "components": normalise_components(body.get("components") or []),
        "pinned": False, "flags": int(body.get("flags") or 0), "reactions": [],
    }
    if body.get("nonce") is not None:
        msg["nonce"] = body["nonce"]
    if webhook_id is not None:
        msg["webhook_id"] = str(webhook_id)
        msg["application_id"] = str(world.application_id)
    ref = body.get("message_reference")
    if ref and ref.get("message_id") and int(ref["message_id"]) in world.messages:
        msg["type"] = 19
        msg["message_reference"] = {"type": 0, "message_id": str(ref["message_id"]), "channel_id": str(channel.id),
                                    **({"guild_id": str(channel.guild_id)} if channel.guild_id else {})}
        msg["referenced_message"] = world.messages[int(ref["message_id"])].data
    if interaction is not None:
        msg["interaction_metadata"] = interaction["metadata"]
        msg["interaction"] = interaction["legacy"]
    return msg


def message_event(world: World, msg: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """MESSAGE_CREATE/UPDATE d: the message plus guild_id and the author's member."""
    event = dict(msg)
    guild = world.guild_of(channel)
    if guild is not None:
        event["guild_id"] = str(guild.id)
        member = guild.members.get(int(msg["author"]["id"]))
        if member is not None and "webhook_id" not in msg:
            event["member"] = member_obj(member, with_user=False)
    return event


def interaction_obj(
    world: World, *, id: int, token: str, type: int, user: User, channel: Channel, data: dict[str, Any],
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """INTERACTION_CREATE d (types 2 command, 3 component, 4 autocomplete, 5 modal submit)."""
    guild = world.guild_of(channel)
    obj: dict[str, Any] = {
        "id": str(id), "application_id": str(world.application_id), "type": type, "token": token, "version": 1,
        "channel_id": str(channel.id), "channel": channel_obj(world, channel), "locale": "en-US",
        "app_permissions": str(world.permissions(world.bot.id, channel)), "entitlements": [],
        "entitlement_sku_ids": [], "attachment_size_limit": ATTACHMENT_SIZE_LIMIT, "data": data,
    }
    if guild is not None:
        obj.update({
            "guild_id": str(guild.id), "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_locale": "en-US", "context": 0, "authorizing_integration_owners": {"0": str(guild.id)},
            "member": member_obj(guild.members[user.id], permissions=world.permissions(user.id, channel)),
        })
    else:
        obj.update({"user": user_obj(user), "context": 1,
                    "authorizing_integration_owners": {"0": str(world.app_owner.id)}})
    if message is not None:
        obj["message"] = message
    return obj


def interaction_metadata(world: World, interaction: dict[str, Any], user: User, name: str | None) -> dict[str, Any]:
    """`interaction_metadata` + deprecated `interaction` for messages created by a response."""
    meta = {"id": interaction["id"], "type": interaction["type"], "user": user_obj(user),
            "authorizing_integration_owners": interaction.get("authorizing_integration_owners", {})}
    if name is not None:
        meta["name"] = name
        meta["command_type"] = 1
    legacy = {"id": interaction["id"], "type": interaction["type"], "name": name or "", "user": user_obj(user)}
    if "member" in interaction:
        legacy["member"] = {k: v for k, v in interaction["member"].items() if k not in ("user", "permissions")}
    return {"metadata": meta, "legacy": legacy}
