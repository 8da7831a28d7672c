"""fakediscord: an in-process Discord REST API + Gateway emulator for end-to-end tests.

The real, unmodified discord.py client talks to it over real HTTPS and a real WebSocket:

    async with FakeDiscord() as fd:                      # ephemeral 127.0.0.1 port, TLS
        bot = make_bot(guild_ready_timeout=0.1)          # callers must pass this at construction
        bot.http.connector = fd.connector()              # Option B: resolver + throwaway CA
        ...

Most tests use the pytest fixtures in `fakediscord.pytest_plugin` instead.
"""

from .actors import InteractionHandle
from .members import CannotWrite
from .recorder import Problem, RestCall
from .server import FakeDiscord
from .util import EmulatorTimeout
from .visibility import CommandNotVisible
from .world import Channel, Guild, Member, Role, StoredMessage, User, World

__all__ = [
    "CannotWrite", "Channel", "CommandNotVisible", "EmulatorTimeout", "FakeDiscord", "Guild", "InteractionHandle", "Member", "Problem", "RestCall",
    "Role", "StoredMessage", "User", "World",
]
