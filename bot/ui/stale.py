"""A polite answer to controls nothing handles any more (a `custom_id` from an older version).

discord.py silently drops a component interaction that no `DynamicItem` and no
live `View` claims, and Discord then shows "This interaction failed". The bot
calls `answer_unclaimed` for every interaction; it answers only those discord.py
itself will not, so nothing is acknowledged twice.
"""

from __future__ import annotations

import discord

OUTDATED = ("This button is from an older version of paperbot and no longer works. "
            "Run `/recommend` for fresh picks with working buttons.")


def claimed(interaction: discord.Interaction) -> bool:
    """Whether discord.py dispatches this component interaction to a handler (same lookup as its view store)."""
    data = interaction.data or {}
    custom_id, component_type = str(data.get("custom_id", "")), int(data.get("component_type", 0))
    # discord.py is pinned (2.7.1); its view store has no public lookup, so the lookup is repeated here.
    store = interaction.client._connection._view_store
    if any(pattern.fullmatch(custom_id) for pattern in store._dynamic_items):
        return True
    key = (component_type, custom_id)
    message_id = interaction.message.id if interaction.message is not None else None
    return key in store._views.get(message_id, {}) or key in store._views.get(None, {})


async def answer_unclaimed(interaction: discord.Interaction) -> bool:
    """Answer a click on a control nothing handles; True when it was answered here."""
    if interaction.type is not discord.InteractionType.component or claimed(interaction):
        return False
    if interaction.response.is_done():
        return False
    await interaction.response.send_message(OUTDATED, ephemeral=True)
    return True
