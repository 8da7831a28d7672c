"""Which digests this process owns when the bot runs as several processes (shards).

Discord puts a server on shard `(guild_id >> 22) % shard_count`; a process that connects some
shards schedules, scores and delivers the digests of their servers only. DM digests belong to
the shard of the member's id computed the same way, so they are split evenly too
(docs/deployment.md, "Sharding").
"""

from __future__ import annotations

from dataclasses import dataclass

from recommender.config import Settings
from recommender.views import Target


def shard_of(snowflake: int, count: int) -> int:
    """The shard of a Discord id (a server's: Discord's own rule; a member's: the same rule)."""
    return (snowflake >> 22) % count


@dataclass(frozen=True)
class Shards:
    count: int = 1
    ids: tuple[int, ...] = (0,)

    @classmethod
    def of(cls, settings: Settings) -> Shards:
        count, ids = settings.shards
        return cls(count, ids)

    @property
    def sharded(self) -> bool:
        return self.count > 1

    def owns_guild(self, guild_id: int) -> bool:
        return shard_of(guild_id, self.count) in self.ids

    def owns_user(self, user_id: int) -> bool:
        return shard_of(user_id, self.count) in self.ids

    def owns(self, target: Target) -> bool:
        """A channel digest is its server's; a DM digest its member's."""
        if target.kind == "channel":
            return self.owns_guild(target.guild_id) if target.guild_id is not None else 0 in self.ids
        return self.owns_user(target.id)

    def describe(self) -> str:
        return f"shards {','.join(map(str, self.ids))} of {self.count}" if self.sharded else "one shard"
