"""Discord's documented limits for messages, embeds, components and application commands.

Each check yields Issues (path, code, message); `form_error` builds the 50035 "Invalid Form Body"
error exactly like Discord nests it: {"errors": {"embeds": {"0": {"title": {"_errors": [...]}}}}}.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from .util import ApiError

Path = tuple[object, ...]
Issue = tuple[Path, str, str]

COMPONENTS_V2 = 1 << 15
_NAME_RE = re.compile(r"^[-_\w]{1,32}$")
_EMBED_TEXT_LIMITS = {"title": 256, "description": 4096}


def _max_len(path: Path, value: Any, limit: int) -> Iterator[Issue]:
    if value is not None and len(str(value)) > limit:
        yield path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."


def _required(path: Path, value: Any) -> Iterator[Issue]:
    if value is None or str(value) == "":
        yield path, "BASE_TYPE_REQUIRED", "This field is required"


def message_issues(body: dict[str, Any], *, has_files: bool = False, creating: bool = True) -> list[Issue]:
    """Limits for a message create/edit body (content, embeds, components)."""
    issues: list[Issue] = list(_max_len(("content",), body.get("content"), 2000))
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        issues.append((("embeds",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in _EMBED_TEXT_LIMITS.items():
            issues += _max_len(("embeds", i, key), embed.get(key), limit)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            issues.append((("embeds", i, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        for j, fld in enumerate(fields):
            issues += _required(("embeds", i, "fields", j, "name"), fld.get("name"))
            issues += _required(("embeds", i, "fields", j, "value"), fld.get("value"))
            issues += _max_len(("embeds", i, "fields", j, "name"), fld.get("name"), 256)
            issues += _max_len(("embeds", i, "fields", j, "value"), fld.get("value"), 1024)
        footer, author = embed.get("footer") or {}, embed.get("author") or {}
        issues += _max_len(("embeds", i, "footer", "text"), footer.get("text"), 2048)
        issues += _max_len(("embeds", i, "author", "name"), author.get("name"), 256)
        parts = [embed.get("title"), embed.get("description"), footer.get("text"), author.get("name")]
        parts += [f.get("name") for f in fields] + [f.get("value") for f in fields]
        total += sum(len(str(p)) for p in parts if p)
    if total > 6000:
        issues.append((("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"))
    issues += component_issues(body.get("components") or [], v2=bool(int(body.get("flags") or 0) & COMPONENTS_V2))
    empty = not any(body.get(k) for k in ("content", "embeds", "components", "sticker_ids", "poll", "attachments"))
    if creating and empty and not has_files:
        issues.append(((), "EMPTY_MESSAGE", "Cannot send an empty message"))
    return issues


def _interactive(path: Path, comp: dict[str, Any]) -> Iterator[Issue]:
    """custom_id / label / url rules for buttons and selects."""
    ctype, style = comp.get("type"), comp.get("style")
    if ctype == 2 and style == 5:
        yield from _required(path + ("url",), comp.get("url"))
    elif ctype == 2 and style == 6:
        yield from _required(path + ("sku_id",), comp.get("sku_id"))
    else:
        yield from _required(path + ("custom_id",), comp.get("custom_id"))
    yield from _max_len(path + ("custom_id",), comp.get("custom_id"), 100)
    if ctype == 2:
        yield from _max_len(path + ("label",), comp.get("label"), 80)
    else:
        yield from _max_len(path + ("placeholder",), comp.get("placeholder"), 150)
        yield from select_issues(path, comp)


def _bad_length(path: Path, value: Any, low: int, high: int) -> Iterator[Issue]:
    if not isinstance(value, str) or not low <= len(value) <= high:
        yield path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."


def select_issues(path: Path, comp: dict[str, Any]) -> Iterator[Issue]:
    """A string select: 1-25 options, each label and value 1-100 characters, description at most 100,
    values unique, min_values 0-25, max_values 1-25 and at most the options (user/role/channel
    selects have no options)."""
    options = comp.get("options")
    if comp.get("type") == 3:
        options = options or []
        if not 1 <= len(options) <= 25:
            yield path + ("options",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length."
        seen: set[Any] = set()
        for k, option in enumerate(options):
            at = path + ("options", k)
            yield from _bad_length(at + ("label",), option.get("label"), 1, 100)
            yield from _bad_length(at + ("value",), option.get("value"), 1, 100)
            yield from _max_len(at + ("description",), option.get("description"), 100)
            if option.get("value") in seen:
                yield at + ("value",), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "Select option values must be unique"
            seen.add(option.get("value"))
    low, high = comp.get("min_values", 1), comp.get("max_values", 1)
    if not 0 <= low <= 25:
        yield path + ("min_values",), "NUMBER_TYPE_MAX", "int value should be less than or equal to 25."
    if not 1 <= high <= 25:
        yield path + ("max_values",), "NUMBER_TYPE_MAX", "int value should be less than or equal to 25."
    if options is not None and comp.get("type") == 3 and high > len(options):
        yield path + ("max_values",), "NUMBER_TYPE_MAX", f"int value should be less than or equal to {len(options)}."
    if low > high:
        yield path + ("min_values",), "SELECT_COMPONENT_MIN_VALUES_TOO_HIGH", "min_values is greater than max_values"


def autocomplete_issues(data: dict[str, Any]) -> list[Issue]:
    """An autocomplete result (callback type 8): at most 25 choices, each name 1-100 characters and a
    string value 1-100 characters (numbers for number options)."""
    choices = data.get("choices")
    issues: list[Issue] = []
    if not isinstance(choices, list):
        return [(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")]
    if len(choices) > 25:
        issues.append((("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    for j, choice in enumerate(choices):
        at: Path = ("data", "choices", j)
        issues += _bad_length(at + ("name",), choice.get("name"), 1, 100)
        value = choice.get("value")
        if isinstance(value, str):
            issues += _bad_length(at + ("value",), value, 1, 100)
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            issues.append((at + ("value",), "BASE_TYPE_REQUIRED", "This field is required"))
    return issues


def component_issues(components: list[dict[str, Any]], *, v2: bool = False) -> list[Issue]:
    """≤5 action rows, ≤5 buttons (or 1 select) per row, custom_id ≤100, label ≤80."""
    issues: list[Issue] = []
    if not v2 and len(components) > 5:
        issues.append((("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
    for i, row in enumerate(components):
        path: Path = ("components", i)
        if row.get("type") != 1:
            if not v2:
                issues.append((path + ("type",), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Top level must be action rows"))
            continue
        children = row.get("components") or []
        selects = [c for c in children if c.get("type") != 2]
        if len(children) > 5 or (selects and len(children) > 1) or not children:
            issues.append((path + ("components",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."))
        for j, comp in enumerate(children):
            issues += _interactive(path + ("components", j), comp)
    return issues


def _option_issues(path: Path, options: list[dict[str, Any]]) -> Iterator[Issue]:
    if len(options) > 25:
        yield path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
    seen_optional, names = False, set()
    kinds = {o.get("type") in (1, 2) for o in options}
    if len(kinds) > 1:
        yield path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-commands cannot be mixed with options"
    for i, opt in enumerate(options):
        p = path + (i,)
        yield from _name_issues(p + ("name",), opt.get("name"), lower=True)
        yield from _description_issues(p + ("description",), opt.get("description"))
        if opt.get("name") in names:
            yield p + ("name",), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique"
        names.add(opt.get("name"))
        if opt.get("type") in (1, 2):
            yield from _option_issues(p + ("options",), opt.get("options") or [])
            continue
        if opt.get("required"):
            if seen_optional:
                yield p + ("required",), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", \
                    "Required options must be placed before non-required options"
        else:
            seen_optional = True
        choices = opt.get("choices") or []
        if choices and opt.get("autocomplete"):
            yield p + ("autocomplete",), "AUTOCOMPLETE_CHOICES_INVALID", "Autocomplete cannot be set with choices"
        if len(choices) > 25:
            yield p + ("choices",), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
        for j, ch in enumerate(choices):
            yield from _max_len(p + ("choices", j, "name"), ch.get("name"), 100)
            yield from _required(p + ("choices", j, "name"), ch.get("name"))
            if isinstance(ch.get("value"), str):
                yield from _max_len(p + ("choices", j, "value"), ch.get("value"), 100)


def _name_issues(path: Path, name: Any, *, lower: bool) -> Iterator[Issue]:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        yield path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
    elif lower and name != name.lower():
        yield path, "APPLICATION_COMMAND_INVALID_NAME", "Command name must be lower case"


def _description_issues(path: Path, description: Any) -> Iterator[Issue]:
    if not isinstance(description, str) or not 1 <= len(description) <= 100:
        yield path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."


def command_issues(commands: list[dict[str, Any]]) -> list[Issue]:
    """Rules for a bulk overwrite (PUT .../commands)."""
    issues: list[Issue] = []
    seen: set[tuple[Any, Any]] = set()
    if sum(1 for c in commands if c.get("type", 1) == 1) > 100:
        issues.append(((), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."))
    for i, cmd in enumerate(commands):
        ctype = cmd.get("type", 1)
        if ctype == 1:
            issues += _name_issues((i, "name"), cmd.get("name"), lower=True)
            issues += _description_issues((i, "description"), cmd.get("description"))
            issues += _option_issues((i, "options"), cmd.get("options") or [])
        else:  # user / message context menus: any case and spaces, empty description
            name = cmd.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 32:
                issues.append(((i, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."))
            if cmd.get("description"):
                issues.append(((i, "description"), "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                               "Context menu commands cannot have description"))
        if (ctype, cmd.get("name")) in seen:
            issues.append(((i, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME",
                           "Application command names must be unique"))
        seen.add((ctype, cmd.get("name")))
    return issues


def form_error(issues: Sequence[Issue]) -> ApiError:
    """400 / 50035 Invalid Form Body, or 50006 for an empty message."""
    if len(issues) == 1 and issues[0][1] == "EMPTY_MESSAGE":
        return ApiError(400, 50006, "Cannot send an empty message")
    errors: dict[str, Any] = {}
    for path, code, message in issues:
        node = errors
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return ApiError(400, 50035, "Invalid Form Body", errors)


def describe(issues: Sequence[Issue]) -> str:
    return "; ".join(f"{'.'.join(map(str, p)) or '<root>'}: {c} ({m})" for p, c, m in issues)
