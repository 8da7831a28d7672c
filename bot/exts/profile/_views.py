"""The confirmation under `/profile reset`: persistent buttons that only the member who asked can use."""

from __future__ import annotations

import discord

from bot.interactions import invoker_from
from bot.registry import invoke

CONSOLE_HINT = "(in the console: /profile reset confirm: yes)"
NOT_YOURS = "This button belongs to someone else's `/profile reset`."


class ConfirmView(discord.ui.View):
    console_hint = CONSOLE_HINT


class ResetButton(discord.ui.DynamicItem[discord.ui.Button], template=r"pb:reset:(?P<choice>yes|no):(?P<uid>\d{1,20})"):
    def __init__(self, choice: str, user_id: int) -> None:
        label, style = ("Yes, forget everything", discord.ButtonStyle.danger) if choice == "yes" else (
            "Cancel", discord.ButtonStyle.secondary)
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"pb:reset:{choice}:{user_id}"))
        self.choice, self.user_id = choice, user_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match) -> ResetButton:  # type: ignore[no-untyped-def, override]
        return cls(match["choice"], int(match["uid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            await interaction.response.send_message(NOT_YOURS, ephemeral=True)
            return
        await interaction.response.defer()  # acknowledged at once; the question is replaced by the answer
        if self.choice == "no":
            content = "Nothing was reset."
        else:
            content = (await invoke(invoker_from(interaction), "profile reset", confirm=True)).content
        await interaction.edit_original_response(content=content, embeds=[], view=None)


def confirm_view(user_id: int) -> discord.ui.View:
    view = ConfirmView(timeout=None)
    view.add_item(ResetButton("yes", user_id))
    view.add_item(ResetButton("no", user_id))
    return view


DYNAMIC_ITEMS = (ResetButton,)
