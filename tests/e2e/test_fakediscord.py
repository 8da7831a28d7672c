"""Tests of the fakediscord emulator itself, driven by a small toy commands.Bot (not paperbot's bot)."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.http import Route
from fakediscord import FakeDiscord  # importable via tests/e2e/conftest.py
from fakediscord.pytest_plugin import BotHarness
from fakediscord.util import EmulatorTimeout
from fakediscord.validate import component_issues

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

FRUITS = ["apple", "apricot", "banana", "cherry"]


class ToyBot(commands.Bot):
    """Slash commands with embeds, views, defer/followup, autocomplete and a subcommand group."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1)
        self.guild_obj = discord.Object(guild_id)
        self.late_error_codes: list[int] = []
        self._add_commands()

    async def setup_hook(self) -> None:
        self.tree.copy_global_to(guild=self.guild_obj)
        await self.tree.sync(guild=self.guild_obj)

    def _add_commands(self) -> None:
        tree = self.tree

        @tree.command(name="hello", description="Say hello with an embed and a button")
        async def hello(interaction: discord.Interaction) -> None:
            embed = discord.Embed(title="Hello", description=f"Hi {interaction.user.display_name}")
            embed.add_field(name="Papers today", value="3")
            await interaction.response.send_message(embed=embed, view=AckView())

        @tree.command(name="slow", description="Defer, then follow up")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done")
            await interaction.edit_original_response(content="done (edited)")

        @tree.command(name="fruit", description="Pick a fruit")
        @app_commands.describe(name="fruit name")
        async def fruit(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"you picked {name}", ephemeral=True)

        @fruit.autocomplete("name")
        async def fruit_ac(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            if current == "long":  # beyond Discord's limits, for the emulator's checks
                return [app_commands.Choice(name="x" * 101, value="x")]
            if current == "many":
                return [app_commands.Choice(name=f"f{i}", value=f"f{i}") for i in range(26)]
            if current == "longvalue":
                return [app_commands.Choice(name="x", value="v" * 101)]
            return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current.lower())]

        @tree.command(name="late", description="Answers after the deadline")
        async def late(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("too late")
            except discord.NotFound as e:
                self.late_error_codes.append(e.code)

        digest = app_commands.Group(name="digest", description="Digest settings")

        @digest.command(name="channel", description="Set the digest channel")
        async def digest_channel(interaction: discord.Interaction, channel: discord.TextChannel,
                                 hour: app_commands.Range[int, 0, 23] = 8, enabled: bool = True) -> None:
            await interaction.response.send_message(
                f"digest -> {channel.mention} at {hour:02d}:00 enabled={enabled}", ephemeral=True)

        tree.add_command(digest)


class AckView(discord.ui.View):
    @discord.ui.button(label="Acknowledge", custom_id="hello:ack", style=discord.ButtonStyle.primary)
    async def ack(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content=f"acknowledged by {interaction.user.name}", view=None)


async def start_toy(h: BotHarness) -> ToyBot:
    bot = ToyBot(h.fd.guild.id)
    await h.start(bot)
    return bot


async def test_login_ready_and_guild_sync(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    assert bot.user is not None and bot.user.id == fd.bot_user.id and bot.application_id == fd.world.application_id
    order = [(c.method, c.path.split("/")[1]) for c in fd.calls()[:3]]
    assert order == [("GET", "users"), ("GET", "oauth2"), ("PUT", "applications")]
    assert {c["name"] for c in fd.commands(fd.guild)} == {"hello", "slow", "fruit", "late", "digest"}
    guild = bot.get_guild(fd.guild.id)
    assert guild is not None and guild.name == "Paper Lab" and guild.me is not None
    announcements = guild.get_channel(fd.channel("announcements").id)
    assert isinstance(announcements, discord.TextChannel)
    assert not announcements.permissions_for(guild.me).send_messages  # overwrites reach discord.py
    assert [f.op for f in fd.frames if f.direction == "in"][:2] == [1, 2]  # heartbeat, then IDENTIFY
    assert fd.gateway_queries[0]["encoding"] == "json"


async def test_slash_embed_button_click_and_double_ack(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    await start_toy(discord_harness)
    h = await fd.slash(fd.member, "general", "hello")
    body = await h.response()
    assert body["type"] == 4 and body["data"]["embeds"][0]["title"] == "Hello"
    assert body["data"]["components"][0]["components"][0]["custom_id"] == "hello:ack"
    assert h.latency is not None and h.latency < 3.0 and not h.late
    msg = await h.original()
    assert msg.embeds[0]["description"] == "Hi Bob" and msg.data["interaction_metadata"]["user"]["username"] == "bob"

    click = await fd.click(fd.admin, msg, "hello:ack")
    assert (await click.response())["type"] == 7
    updated = fd.message(msg.id)
    assert updated.content == "acknowledged by alice" and updated.components == [] and len(updated.edits) == 1

    # A second acknowledgement of the same interaction is rejected like Discord does (40060).
    url = f"https://discord.com/api/v10/interactions/{h.id}/{h.token}/callback"
    async with aiohttp.ClientSession(connector=fd.connector()) as session:
        async with session.post(url, json={"type": 4, "data": {"content": "again"}}) as resp:
            assert resp.status == 400 and (await resp.json())["code"] == 40060
    assert [p.kind for p in fd.take_problems()] == ["double_ack"]


async def test_deferred_followup_and_original_edit(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    await start_toy(discord_harness)
    h = await fd.slash(fd.member, "papers", "slow")
    assert (await h.response())["type"] == 5
    first = await h.followup(0)
    edited = await h.original_edit(count=2)
    assert first.id == edited.id and edited.content == "done (edited)" and not edited.loading
    assert [m.content for m in await h.messages()] == ["done (edited)"]
    assert fd.calls("POST", "/webhooks/*")[0].query["wait"] in ("1", "true", "True")
    assert fd.calls("PATCH", "/webhooks/*/messages/@original")


async def test_autocomplete_then_ephemeral_answer(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    await start_toy(discord_harness)
    choices = await fd.autocomplete(fd.member, "general", "fruit", option="name", value="ap")
    assert choices == [{"name": "apple", "value": "apple"}, {"name": "apricot", "value": "apricot"}]
    h = await fd.slash(fd.member, "general", "fruit", name="apple")
    msg = await h.original()
    assert msg.content == "you picked apple" and msg.ephemeral
    assert fd.messages("general") == []  # ephemeral messages are not in the channel


@pytest.mark.parametrize(("typed", "where"), [("long", "data.choices.0.name"), ("many", "data.choices"),
                                              ("longvalue", "data.choices.0.value")])
async def test_autocomplete_beyond_discords_limits_is_refused(discord_harness: BotHarness, typed: str,
                                                              where: str) -> None:
    fd = discord_harness.fd
    await start_toy(discord_harness)
    with pytest.raises(EmulatorTimeout):  # Discord answers 400 and the member sees no choices
        await fd.autocomplete(fd.member, "general", "fruit", option="name", value=typed, timeout=1.0)
    (problem,) = fd.take_problems("limit")
    assert where in problem.detail and "50035" not in problem.detail
    assert discord_harness.take_errors()  # discord.py logs the 400 of the autocomplete response


async def test_select_option_limits() -> None:
    def issues(**select: Any) -> list[str]:
        comp = {"type": 3, "custom_id": "s", "options": [{"label": "a", "value": "a"}], **select}
        return [".".join(map(str, path)) + " " + code for path, code, _ in component_issues(
            [{"type": 1, "components": [comp]}])]

    assert issues() == []
    assert issues(options=[{"label": "x" * 101, "value": "a"}]) == ["components.0.components.0.options.0.label BASE_TYPE_BAD_LENGTH"]
    assert issues(options=[{"label": "a", "value": "v" * 101}]) == ["components.0.components.0.options.0.value BASE_TYPE_BAD_LENGTH"]
    assert issues(options=[{"label": "a", "value": "a", "description": "d" * 101}])[0].endswith("description BASE_TYPE_MAX_LENGTH")
    assert issues(options=[{"label": "", "value": "a"}])[0].endswith("label BASE_TYPE_BAD_LENGTH")
    assert issues(options=[])[0].endswith("options BASE_TYPE_BAD_LENGTH")
    assert issues(options=[{"label": str(i), "value": str(i)} for i in range(26)])[0].endswith("options BASE_TYPE_BAD_LENGTH")
    assert issues(options=[{"label": "a", "value": "a"}, {"label": "b", "value": "a"}])[0].endswith(
        "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED")
    assert issues(max_values=2)[0].endswith("max_values NUMBER_TYPE_MAX")
    assert issues(min_values=2, max_values=1)[-1].endswith("min_values SELECT_COMPONENT_MIN_VALUES_TOO_HIGH")


async def test_a_select_with_a_long_option_is_refused_like_discord(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    view = discord.ui.View()
    view.add_item(discord.ui.Select(custom_id="s", options=[discord.SelectOption(label="x" * 101, value="x")]))
    with pytest.raises(discord.HTTPException) as caught:
        await bot.get_channel(fd.channel("general").id).send("pick", view=view)  # type: ignore[union-attr]
    assert caught.value.code == 50035 and "options" in str(caught.value)
    assert fd.take_problems("limit")


async def test_files_over_the_upload_limit_are_refused(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    channel = bot.get_channel(fd.channel("general").id)
    big = discord.File(io.BytesIO(b"x" * (10 * 1024 * 1024 + 1)), filename="big.bin")
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send(file=big)  # type: ignore[union-attr]
    assert (caught.value.status, caught.value.code) == (413, 40005)
    assert fd.take_problems("limit")
    message = await channel.send(file=discord.File(io.BytesIO(b"ok"), filename="small.txt"))  # type: ignore[union-attr]
    assert message.attachments[0].filename == "small.txt"


async def test_subcommand_with_channel_integer_and_boolean_options(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    await start_toy(discord_harness)
    papers = fd.channel("papers")
    h = await fd.slash(fd.admin, "general", "digest channel", channel=papers, hour=9, enabled=False)
    msg = await h.original()
    assert msg.content == f"digest -> <#{papers.id}> at 09:00 enabled=False"
    sent = h.payload["data"]
    assert sent["options"][0]["name"] == "channel" and str(papers.id) in sent["resolved"]["channels"]
    with pytest.raises(ValueError):
        await fd.slash(fd.admin, "general", "digest channel", channel=papers, hour=99)  # Range enforced


async def test_channel_post_retried_after_injected_429(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    papers = fd.channel("papers")
    fd.inject_rate_limit("POST", "/channels/*/messages", retry_after=0.05)
    channel = bot.get_channel(papers.id)
    assert isinstance(channel, discord.TextChannel)
    seen = asyncio.create_task(bot.wait_for("message", timeout=5))
    sent = await channel.send(embed=discord.Embed(title="Daily digest", description="3 new papers"))
    assert [c.status for c in fd.calls("POST", f"/channels/{papers.id}/messages")] == [429, 200]
    assert fd.message(sent.id).embeds[0]["title"] == "Daily digest"
    assert (await seen).id == sent.id  # MESSAGE_CREATE dispatched over the gateway
    thread = await sent.create_thread(name="discussion")
    await thread.send("first!")
    await sent.add_reaction("\N{THUMBS UP SIGN}")
    assert fd.messages(thread.id)[0].content == "first!" and fd.message(sent.id).data["reactions"][0]["me"]


async def test_direct_message(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    user = await bot.fetch_user(fd.member.id)
    sent = await user.send("your weekly digest")
    dm = fd.dm_channel(fd.member)
    assert sent.channel.id == dm.id and [m.content for m in fd.messages(dm)] == ["your weekly digest"]
    paths = [c.path for c in fd.calls()[-3:]]
    assert paths == [f"/users/{fd.member.id}", "/users/@me/channels", f"/channels/{dm.id}/messages"]
    fd.member.dms_open = False
    with pytest.raises(discord.Forbidden) as err:
        await user.send("again")
    assert err.value.code == 50007


async def test_forbidden_channel_raises(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    channel = bot.get_channel(fd.channel("announcements").id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as err:
        await channel.send("not allowed here")
    assert err.value.code == 50013 and err.value.text == "Missing Permissions"
    assert fd.messages("announcements") == []


async def test_oversize_embed_rejected_and_recorded(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    channel = bot.get_channel(fd.channel("papers").id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as err:
        await channel.send(embed=discord.Embed(title="t", description="x" * 4097))
    assert err.value.status == 400 and err.value.code == 50035
    problems = fd.take_problems("limit")
    assert len(problems) == 1 and "embeds.0.description" in problems[0].detail


async def test_invalid_command_schema_rejected(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    bad = [{"name": "Bad Name", "description": "", "type": 1, "options": [
        {"type": 3, "name": "b", "description": "b", "required": False},
        {"type": 3, "name": "a", "description": "a", "required": True, "autocomplete": True,
         "choices": [{"name": "x", "value": "x"}]}]}]
    with pytest.raises(discord.HTTPException) as err:
        await bot.http.bulk_upsert_guild_commands(fd.world.application_id, fd.guild.id, bad)
    assert err.value.code == 50035
    assert "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID" in fd.take_problems("invalid_command")[0].detail


async def test_unhandled_route_is_loud(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    with pytest.raises(discord.NotFound):
        await bot.http.request(Route("GET", "/guilds/{guild_id}/bans", guild_id=fd.guild.id))
    [problem] = fd.take_problems("unhandled")
    assert problem.detail == f"unhandled GET /guilds/{fd.guild.id}/bans"


@pytest.mark.fakediscord(ack_deadline=0.0)
async def test_late_acknowledgement_is_rejected(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    h = await fd.slash(fd.member, "general", "late")
    await fd.wait_until(lambda: bot.late_error_codes or None, 5.0, "the bot to see 10062")
    assert bot.late_error_codes == [10062] and h.late and h.latency is not None
    assert len(fd.take_problems("late_ack")) == 1


async def test_gateway_reconnect_resumes(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    bot = await start_toy(discord_harness)
    resumed = asyncio.create_task(bot.wait_for("resumed", timeout=5))
    await fd.send_reconnect()
    await resumed
    assert [f.op for f in fd.frames if f.direction == "in"].count(6) == 1
    h = await fd.slash(fd.member, "general", "hello")  # dispatched on the resumed socket
    assert (await h.response())["type"] == 4


@pytest.mark.fakediscord(transport="plain")
async def test_option_a_patched_urls(discord_harness: BotHarness) -> None:
    fd = discord_harness.fd
    await start_toy(discord_harness)
    assert Route.BASE == f"http://127.0.0.1:{fd.port}/api/v10"
    h = await fd.slash(fd.member, "general", "hello")
    assert (await h.response())["type"] == 4


async def test_patch_is_restored() -> None:
    async with FakeDiscord(transport="plain") as fd:
        before = Route.BASE
        with fd.patch_discord():
            assert Route.BASE.startswith("http://127.0.0.1")
        assert Route.BASE == before == "https://discord.com/api/v10"
