"""Collection functions (Microsoft's expression function reference, "Collection functions"), plus
`createArray` and `array` (listed with the conversion functions) and `chunk` (string and collection).

`item()` is a workflow function; it lives in `functions.workflow`.
"""

from __future__ import annotations

from typing import Any

from securescore.emulator.context import EvaluationContext
from securescore.emulator.errors import ExpressionError, cannot_run
from securescore.emulator.functions.registry import bad_arg, function, int_arg, opt, str_arg
from securescore.emulator.values import is_number, to_string, values_equal

Json = Any


def _collection(fn: str, args: list[Json], index: int, kinds: tuple[type, ...], expected: str) -> Any:
    value = args[index]
    if not isinstance(value, kinds):
        raise bad_arg(fn, index, expected, value)
    return value


@function("length", 1, 1)
def _length(args: list[Json], ctx: EvaluationContext) -> Json:
    return len(_collection("length", args, 0, (str, list), "a string or an array"))


@function("empty", 1, 1)
def _empty(args: list[Json], ctx: EvaluationContext) -> Json:
    if args[0] is None:
        return True
    return len(_collection("empty", args, 0, (str, list, dict), "a string, an array or an object")) == 0


@function("first", 1, 1)
def _first(args: list[Json], ctx: EvaluationContext) -> Json:
    collection = _collection("first", args, 0, (str, list), "a string or an array")
    return collection[0] if collection else None


@function("last", 1, 1)
def _last(args: list[Json], ctx: EvaluationContext) -> Json:
    collection = _collection("last", args, 0, (str, list), "a string or an array")
    return collection[-1] if collection else None


def _count_arg(fn: str, args: list[Json]) -> int:
    count = int_arg(fn, args, 1)
    if count < 0:
        raise ExpressionError(f"function '{fn}' expects a count of zero or more, got {count}")
    return count


@function("take", 2, 2)
def _take(args: list[Json], ctx: EvaluationContext) -> Json:
    collection = _collection("take", args, 0, (str, list), "a string or an array")
    return collection[: _count_arg("take", args)]


@function("skip", 2, 2)
def _skip(args: list[Json], ctx: EvaluationContext) -> Json:
    collection = _collection("skip", args, 0, (list,), "an array")
    return collection[_count_arg("skip", args) :]


@function("chunk", 2, 2)
def _chunk(args: list[Json], ctx: EvaluationContext) -> Json:
    collection = _collection("chunk", args, 0, (str, list), "a string or an array")
    size = int_arg("chunk", args, 1)
    if size < 1:
        raise ExpressionError(f"function 'chunk' expects a length of 1 or more, got {size}")
    return [collection[start : start + size] for start in range(0, len(collection), size)]


@function("reverse", 1, 1)
def _reverse(args: list[Json], ctx: EvaluationContext) -> Json:
    return list(reversed(_collection("reverse", args, 0, (list,), "an array")))


def _sort_key(fn: str, value: Json) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, value)
    if is_number(value):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    raise cannot_run(f"{fn}() on values of type {type(value).__name__}", "the reference sorts primitive values")


@function("sort", 1, 2)
def _sort(args: list[Json], ctx: EvaluationContext) -> Json:
    items = _collection("sort", args, 0, (list,), "an array")
    key_name = str_arg("sort", args, 1) if opt(args, 1) is not None else None
    if key_name is None:
        keys = [_sort_key("sort", item) for item in items]
    else:
        if not all(isinstance(item, dict) and key_name in item for item in items):
            raise ExpressionError(f"function 'sort': every item must be an object with the key '{key_name}'")
        keys = [_sort_key("sort", item[key_name]) for item in items]
    if len({kind for kind, _ in keys}) > 1:
        raise cannot_run("sort() on values of different types", "the reference does not say how they order")
    # Stable, ordinal for strings (an unverified choice; see docs/design.md).
    order = sorted(range(len(items)), key=lambda index: keys[index][1])
    return [items[index] for index in order]


@function("join", 2, 2)
def _join(args: list[Json], ctx: EvaluationContext) -> Json:
    items = _collection("join", args, 0, (list,), "an array")
    return str_arg("join", args, 1).join(to_string(item) for item in items)


@function("contains", 2, 2)
def _contains(args: list[Json], ctx: EvaluationContext) -> Json:
    collection, value = args
    if isinstance(collection, str):
        return str_arg("contains", args, 1) in collection  # case-sensitive (reference)
    if isinstance(collection, list):
        return any(values_equal(item, value) for item in collection)
    if isinstance(collection, dict):
        return str_arg("contains", args, 1) in collection  # a dictionary: find a key
    raise bad_arg("contains", 0, "a string, an array or an object", collection)


# The reference: "at least two items"; Microsoft's designer offers createArray(object_1, ...), and
# published templates call createArray() with none (Azure/Azure-Network-Security).
@function("createArray", 0, None)
def _create_array(args: list[Json], ctx: EvaluationContext) -> Json:
    return list(args)


@function("array", 1, 1)
def _array(args: list[Json], ctx: EvaluationContext) -> Json:
    return [args[0]]


def _same_kind_collections(fn: str, args: list[Json]) -> type:
    kind = list if isinstance(args[0], list) else dict
    for index, arg in enumerate(args):
        if not isinstance(arg, kind):
            raise bad_arg(fn, index, "an array" if kind is list else "an object", arg)
    return kind


def _append_unique(items: list[Json], value: Json) -> None:
    if not any(values_equal(item, value) for item in items):
        items.append(value)


def _equality_key(value: Json) -> Any:
    """A hashable key that two values `values_equal` calls equal always share (numbers and booleans
    all share one, null shares the empty string's), so union compares only within a key: linear,
    not quadratic, in the number of items (a management group's subscriptions are thousands)."""
    if value is None or isinstance(value, str):
        return ("s", value or "")
    if isinstance(value, list):
        return ("l", tuple(_equality_key(item) for item in value))
    if isinstance(value, dict):
        return ("d", tuple(sorted((str(k), _equality_key(v)) for k, v in value.items())))
    return ("n",)


@function("union", 2, None)
def _union(args: list[Json], ctx: EvaluationContext) -> Json:
    if _same_kind_collections("union", args) is dict:  # the last item with a name wins (reference)
        return {key: value for arg in args for key, value in arg.items()}
    merged: list[Json] = []
    seen: dict[Any, list[Json]] = {}
    for arg in args:
        for item in arg:
            bucket = seen.setdefault(_equality_key(item), [])
            if not any(values_equal(other, item) for other in bucket):
                bucket.append(item)
                merged.append(item)
    return merged


@function("intersection", 2, None)
def _intersection(args: list[Json], ctx: EvaluationContext) -> Json:
    first, rest = args[0], args[1:]
    if _same_kind_collections("intersection", args) is dict:
        return {
            key: rest[-1][key]
            for key, value in first.items()
            if all(key in other and values_equal(other[key], value) for other in rest)
        }
    common: list[Json] = []
    for item in first:
        if all(any(values_equal(item, other_item) for other_item in other) for other in rest):
            _append_unique(common, item)
    return common
