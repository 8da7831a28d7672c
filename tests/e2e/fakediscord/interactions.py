"""Interaction state, the callback endpoint and the interaction webhook endpoints.

Rules enforced like Discord: unknown/expired interaction -> 404 10062; acknowledgement later than
`fd.ack_deadline` (3 s) -> 10062 and a `late_ack` problem; second acknowledgement -> 400 40060;
webhook token older than `fd.token_ttl` (15 min) -> 401 50027.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import payloads
from .messaging import check_message, create_message, delete_message, edit_message
from .recorder import RestCall
from .rest import Params, Router, body_dict
from .util import ApiError, Reply
from .validate import autocomplete_issues, describe, form_error
from .world import Channel, StoredMessage, User

if TYPE_CHECKING:
    from .server import FakeDiscord

# Callback types allowed per interaction type (2 command, 3 component, 4 autocomplete, 5 modal submit).
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
EPHEMERAL, LOADING = 64, 128


@dataclass
class InteractionState:
    id: int
    token: str
    type: int
    payload: dict[str, Any]  # the INTERACTION_CREATE d
    user: User
    channel: Channel
    dispatched_at: float  # loop.time()
    command_name: str | None = None
    target_message_id: int | None = None  # component interactions
    callback: dict[str, Any] | None = None  # the body the bot POSTed
    callback_call: RestCall | None = None
    latency: float | None = None  # seconds from dispatch to the (first) callback
    late: bool = False
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    ack_attempts: int = 0

    @property
    def acknowledged(self) -> bool:
        return self.callback is not None


def _interaction_for(fd: FakeDiscord, iid: str, token: str) -> InteractionState:
    state = fd.interactions.get(int(iid)) if iid.isdigit() else None
    if state is None or state.token != token:
        raise ApiError(404, 10062, "Unknown interaction")
    return state


def _by_token(fd: FakeDiscord, call: RestCall, app_id: str, token: str) -> InteractionState:
    state = fd.interactions_by_token.get(token)
    if app_id != str(fd.world.application_id) or state is None:
        raise ApiError(404, 10015, "Unknown Webhook")
    if fd.loop_time() - state.dispatched_at > fd.token_ttl:
        raise ApiError(401, 50027, "Invalid Webhook Token")
    if not state.acknowledged:
        fd.recorder.problem("followup_before_ack", f"webhook call for interaction {state.id} before its callback",
                            call)
        raise ApiError(404, 10015, "Unknown Webhook")
    return state


def _meta(fd: FakeDiscord, state: InteractionState) -> dict[str, Any]:
    return payloads.interaction_metadata(fd.world, state.payload, state.user, state.command_name)


def _message_type(state: InteractionState) -> int:
    return 20 if state.type == 2 else 0


async def callback(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    state = _interaction_for(fd, p["interaction_id"], p["token"])
    state.ack_attempts += 1
    if state.acknowledged:
        fd.recorder.problem("double_ack", f"interaction {state.id} acknowledged twice", call)
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    latency = call.t - state.dispatched_at
    if latency > fd.ack_deadline:
        state.late, state.latency = True, latency
        fd.recorder.problem("late_ack", f"interaction {state.id} acknowledged after {latency:.2f}s "
                                        f"(> {fd.ack_deadline:.1f}s)", call)
        fd.signal.bump()
        raise ApiError(404, 10062, "Unknown interaction")
    body = body_dict(call)
    ctype, data = body.get("type"), body.get("data") or {}
    if ctype not in ALLOWED_CALLBACKS.get(state.type, set()):
        fd.recorder.problem("invalid_callback", f"callback type {ctype} for interaction type {state.type}", call)
        raise form_error([(("type",), "INTERACTION_CALLBACK_TYPE_INVALID", "Invalid interaction callback type")])
    if ctype in (4, 7):
        check_message(fd, call, data, creating=ctype == 4)
    if ctype == 8 and (issues := autocomplete_issues(data)):
        fd.recorder.problem("limit", describe(issues), call)
        raise form_error(issues)

    resource: dict[str, Any] | None = {"type": ctype}
    message: StoredMessage | None = None
    if ctype in (4, 5):
        flags = int(data.get("flags") or 0)
        loading = ctype == 5
        body_for_msg = dict(data, flags=(flags & EPHEMERAL) | (LOADING if loading else 0)) if loading else data
        message = await create_message(
            fd, state.channel, body_for_msg, call=call, type=_message_type(state), webhook_id=fd.world.application_id,
            interaction_id=state.id, interaction=_meta(fd, state), loading=loading)
        state.original_id = message.id
    elif ctype in (6, 7) and state.target_message_id is not None:
        message = fd.world.messages[state.target_message_id]
        if ctype == 7:
            await edit_message(fd, message, data, call=call)
    elif ctype in (8, 9):
        resource = None

    state.callback, state.callback_call, state.latency = body, call, latency
    fd.signal.bump()
    info: dict[str, Any] = {"id": str(state.id), "type": state.type, "activity_instance_id": None,
                            "response_message_id": str(message.id) if message else None,
                            "response_message_loading": bool(message and message.loading),
                            "response_message_ephemeral": bool(message and message.ephemeral)}
    if resource is not None and message is not None:
        resource["message"] = message.data
    return Reply(200, {"interaction": info, **({"resource": resource} if resource else {})})


async def followup(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    state = _by_token(fd, call, p["app_id"], p["token"])
    body = body_dict(call)
    check_message(fd, call, body, creating=True)
    original = fd.world.messages.get(state.original_id or 0)
    if original is not None and original.loading and not state.followup_ids:
        # Like Discord: the first followup after a "thinking" defer replaces the loading message.
        body = {**body, "flags": original.flags & EPHEMERAL}
        msg = await edit_message(fd, original, body, call=call)
    else:
        msg = await create_message(fd, state.channel, body, call=call, type=_message_type(state),
                                   webhook_id=fd.world.application_id, interaction_id=state.id,
                                   interaction=_meta(fd, state))
    state.followup_ids.append(msg.id)
    fd.signal.bump()
    if call.query.get("wait", "").lower() not in ("1", "true"):
        return Reply(204)
    return Reply(200, msg.data)


def _webhook_message(fd: FakeDiscord, state: InteractionState, message_id: str) -> StoredMessage:
    if message_id == "@original":
        mid = state.original_id if state.original_id is not None else state.target_message_id
    else:
        mid = int(message_id) if message_id.isdigit() else None
    msg = fd.world.messages.get(mid or 0)
    if msg is None or msg.deleted or (message_id != "@original" and msg.interaction_id != state.id):
        raise ApiError(404, 10008, "Unknown Message")
    return msg


async def webhook_message_get(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    state = _by_token(fd, call, p["app_id"], p["token"])
    return Reply(200, _webhook_message(fd, state, p["message_id"]).data)


async def webhook_message_patch(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    state = _by_token(fd, call, p["app_id"], p["token"])
    msg = await edit_message(fd, _webhook_message(fd, state, p["message_id"]), body_dict(call), call=call)
    return Reply(200, msg.data)


async def webhook_message_delete(fd: FakeDiscord, call: RestCall, p: Params) -> Reply:
    state = _by_token(fd, call, p["app_id"], p["token"])
    await delete_message(fd, _webhook_message(fd, state, p["message_id"]))
    return Reply(204)


def interaction_routes(router: Router) -> None:
    router.add("POST", "/interactions/{interaction_id}/{token}/callback", callback, auth=False)
    router.add("POST", "/webhooks/{app_id}/{token}", followup, auth=False)
    for method, handler in (("GET", webhook_message_get), ("PATCH", webhook_message_patch),
                            ("DELETE", webhook_message_delete)):
        router.add(method, "/webhooks/{app_id}/{token}/messages/{message_id}", handler, auth=False)
