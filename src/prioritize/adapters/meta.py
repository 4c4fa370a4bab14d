"""Meta webhooks (Messenger, Instagram, WhatsApp Cloud API) -> queries.

``from_webhooks(payload_or_path)`` reads webhook bodies (mapped as below);
echoes of the page's own messages, delivery and read receipts, reactions and
other events are skipped and counted in ``frame.attrs["skipped"]``.

Reads the JSON bodies Meta POSTs to a webhook, one body or a list of bodies
(or JSON Lines, one body per line, as a webhook log stores them):

* Messenger (``"object": "page"``) and Instagram messaging
  (``"object": "instagram"``): ``entry[].messaging[]`` events, each with
  ``sender.id``, ``recipient.id``, ``timestamp`` (epoch milliseconds) and a
  ``message`` (``mid``, ``text``, ``attachments``, ``is_echo``), or a
  ``delivery``, ``read``, ``reaction``, ``postback``... event.
* Instagram comments (``"object": "instagram"``): ``entry[].changes[]`` with
  ``field`` ``"comments"`` (or ``"live_comments"``) and a ``value`` with
  ``id``, ``text`` and ``from`` (``id``, ``username``); the time is the
  entry's ``time`` (epoch seconds).
* WhatsApp Cloud API (``"object": "whatsapp_business_account"``):
  ``entry[].changes[].value`` with ``messages[]`` (``from``, ``id``,
  ``timestamp`` in epoch seconds as text, ``type`` and its object: ``text.body``,
  a media ``caption``, ``button.text``, ``interactive`` reply titles...),
  ``contacts[]`` and ``statuses[]``.

Mapping (one query per customer message, in payload order):

================  =============================================================
query column      from
================  =============================================================
``query_id``      ``"fbm-"`` + ``message.mid`` (Messenger), ``"igm-"`` +
                  ``message.mid`` (Instagram DM), ``"igc-"`` + comment ``id``,
                  ``"wa-"`` + message ``id`` (WhatsApp)
``customer_id``   ``"messenger:"`` + sender PSID, ``"igsid:"`` + sender IGSID,
                  ``"instagram:"`` + commenter ``username`` (a handle),
                  ``"phone:+"`` + WhatsApp ``from`` (the number: an identity key
                  that links to the same person's calls and SMS)
``received_at``   the event's ``timestamp`` (ms), the entry's ``time`` (comments),
                  the message's ``timestamp`` (s, WhatsApp)
``channel``       ``facebook``, ``instagram`` or ``whatsapp``
``is_public``     False for messages, True for comments
``text``          the message text (or caption, button or reply title); an
                  attachment without text is ``""``
``followers``     0 (webhooks do not carry them)
extras            ``platform`` (``messenger``, ``instagram``, ``whatsapp``),
                  ``message_type`` (``text``, ``image``, ``comment``, ...),
                  ``recipient_id`` (the page, Instagram account or phone number
                  id written to)
================  =============================================================

Skipped (counted in ``frame.attrs["skipped"]``): ``brand_reply`` (a message
the page itself sent, ``is_echo``; a comment by the account itself),
``not_a_message`` (delivery and read receipts, WhatsApp ``statuses``,
reactions, postbacks (button taps), WhatsApp ``system`` messages, opt-ins,
referrals, handovers and the other documented events) and ``duplicate`` (a
message id already read: Meta re-sends a webhook it thinks failed; the first
is kept). An event of no documented kind is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from prioritize._errors import InputError
from prioritize.adapters._common import CustomersArg, load_json
from prioritize.adapters._records import Rows, epoch_text, text_or_none
from prioritize.adapters._registry import register
from prioritize.models import Channel

__all__ = ["FORMAT", "OBJECTS", "SKIPPED_KINDS", "detect", "from_webhooks"]

#: The name of the format in the registry and on the command line.
FORMAT = "meta"
#: The webhook ``object`` values read, and their platform.
OBJECTS: Mapping[str, str] = {
    "page": "messenger",
    "instagram": "instagram",
    "whatsapp_business_account": "whatsapp",
}
#: What this reader skips: events that are not a customer's message.
SKIPPED_KINDS: tuple[str, ...] = ("brand_reply", "not_a_message", "duplicate")

_EXTRAS = ("platform", "message_type", "recipient_id")
_STATUS_EVENTS = frozenset({"delivery", "read"})
_OTHER_EVENTS = frozenset(
    {
        "optin",
        "referral",
        "account_linking",
        "policy_enforcement",
        "pass_thread_control",
        "take_thread_control",
        "request_thread_control",
        "app_roles",
        "game_play",
        "message_edit",
        "response_feedback",
    }
)
_COMMENT_FIELDS = frozenset({"comments", "live_comments"})
_PLATFORM_CHANNEL = {
    "messenger": Channel.FACEBOOK,
    "instagram": Channel.INSTAGRAM,
    "whatsapp": Channel.WHATSAPP,
}
_DM_PREFIX = {"messenger": ("fbm-", "messenger:"), "instagram": ("igm-", "igsid:")}
_MS = 1000.0


def _bodies(doc: Any) -> list[Any]:
    return list(doc) if isinstance(doc, list) else [doc]


def _is_body(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping)
        and isinstance(obj.get("object"), str)  # a list or an object is unhashable
        and obj.get("object") in OBJECTS
        and isinstance(obj.get("entry"), list)
    )


def detect(doc: Any) -> bool:
    """Whether a parsed JSON document is Meta webhook bodies (``object`` and ``entry``)."""
    bodies = _bodies(doc)
    return bool(bodies) and all(_is_body(b) for b in bodies)


def _messaging(rows: Rows, where: str, platform: str, event: Any) -> None:
    if not isinstance(event, Mapping):
        rows.problem(where, f"is a {type(event).__name__}, not a messaging event")
        return
    message = event.get("message")
    if not isinstance(message, Mapping):
        kinds = set(event) & (_STATUS_EVENTS | _OTHER_EVENTS | {"reaction", "postback"})
        if kinds:
            rows.skip("not_a_message", f"{where} ({sorted(kinds)[0]})")
        else:
            keys = sorted(k for k in event if k not in ("sender", "recipient", "timestamp"))
            rows.problem(where, f"has no message and no event of a documented kind (keys {keys})")
        return
    if message.get("is_echo") is True:
        rows.skip("brand_reply", f"{where} (echo)")
        return
    text = message.get("text")
    if text is None:
        text = ""  # an attachment (image, audio, sticker...) without text
    _direct(rows, where, platform, event, message, text, "text" if text else "attachment")


def _add(rows: Rows, label: str, origin: tuple[str, Any, Any], **row: Any) -> None:
    """Add a row with what every Meta row says: ``origin`` is (platform, message type,
    recipient id); an Instagram comment is public, a message is private."""
    platform, kind, recipient = origin
    rows.add(
        label,
        channel=_PLATFORM_CHANNEL[platform],
        is_public=kind == "comment",
        platform=platform,
        message_type=kind,
        recipient_id=text_or_none(recipient, blank=True),
        **row,
    )


def _direct(
    rows: Rows,
    where: str,
    platform: str,
    event: Mapping[str, Any],
    message: Any,
    text: Any,
    kind: str,
) -> None:
    sender, recipient = event.get("sender"), event.get("recipient")
    sender_id = sender.get("id") if isinstance(sender, Mapping) else None
    recipient_id = recipient.get("id") if isinstance(recipient, Mapping) else None
    mid = message.get("mid") if isinstance(message, Mapping) else None
    received = epoch_text(event.get("timestamp"), unit=_MS)
    if not rows.check(
        where,
        (
            ("message.mid", isinstance(mid, str) and mid),
            ("sender.id", isinstance(sender_id, str) and sender_id),
            ("timestamp (epoch milliseconds)", received is not None),
            ("text", isinstance(text, str)),
        ),
    ):
        return
    query_prefix, customer_prefix = _DM_PREFIX[platform]
    _add(
        rows,
        f"{where} (mid {mid})",
        (platform, kind, recipient_id),
        query_id=query_prefix + str(mid),
        customer_id=customer_prefix + str(sender_id),
        received_at=received,
        text=str(text),
    )


def _comment(rows: Rows, where: str, entry: Mapping[str, Any], value: Any) -> None:
    if not isinstance(value, Mapping):
        rows.problem(where, "value must be an object")
        return
    author = value.get("from")
    author = author if isinstance(author, Mapping) else {}
    if str(author.get("id")) == str(entry.get("id")):
        rows.skip("brand_reply", f"{where} (own comment)")  # the account answering
        return
    comment_id, username, text = value.get("id"), author.get("username"), value.get("text")
    received = epoch_text(entry.get("time"))
    if not rows.check(
        where,
        (
            ("value.id", isinstance(comment_id, str) and comment_id),
            ("value.from.username", isinstance(username, str) and username.strip()),
            ("value.text", isinstance(text, str)),
            ("entry time (epoch seconds)", received is not None),
        ),
    ):
        return
    _add(
        rows,
        f"{where} (comment {comment_id})",
        ("instagram", "comment", entry.get("id")),
        query_id=f"igc-{comment_id}",
        customer_id=f"instagram:{str(username).strip().lstrip('@').lower()}",
        received_at=received,
        text=text,
    )


def _whatsapp_text(message: Mapping[str, Any], kind: Any) -> Any:
    body = message.get(kind) if isinstance(kind, str) else None
    if kind == "text":
        return body.get("body") if isinstance(body, Mapping) else None
    if kind == "button":
        return body.get("text", "") if isinstance(body, Mapping) else None
    if kind == "interactive" and isinstance(body, Mapping):
        for reply in ("button_reply", "list_reply", "nfm_reply"):
            if isinstance(body.get(reply), Mapping):
                return body[reply].get("title", "") or ""
        return ""
    if isinstance(body, Mapping):
        caption = body.get("caption")
        return caption if isinstance(caption, str) else ""
    return ""


def _whatsapp(rows: Rows, where: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        rows.problem(where, "value must be an object")
        return
    if not any(key in value for key in ("messages", "statuses", "errors")):
        # a 'messages' change always carries one of these: an empty value is no known event
        rows.problem(where, "value has no 'messages', 'statuses' or 'errors'")
        return
    # `x or []` would read {} or "" as no messages: only a missing or null list is empty
    statuses = value.get("statuses")
    statuses = [] if statuses is None else statuses
    for pos, _ in enumerate(statuses if isinstance(statuses, list) else [statuses]):
        rows.skip("not_a_message", f"{where}.value.statuses[{pos}]")
    messages = value.get("messages")
    messages = [] if messages is None else messages
    if not isinstance(messages, list):
        rows.problem(where, "value.messages must be a list")
        return
    metadata = value.get("metadata")
    phone_id = metadata.get("phone_number_id") if isinstance(metadata, Mapping) else None
    for pos, message in enumerate(messages):
        label = f"{where}.value.messages[{pos}]"
        if not isinstance(message, Mapping):
            rows.problem(label, f"is a {type(message).__name__}, not a message")
            continue
        kind = message.get("type")
        if kind in ("reaction", "system"):
            rows.skip("not_a_message", f"{label} ({kind})")
            continue
        message_id, sender = message.get("id"), message.get("from")
        received = epoch_text(message.get("timestamp"))
        text = _whatsapp_text(message, kind)
        if not rows.check(
            label,
            (
                ("id", isinstance(message_id, str) and message_id),
                ("from (a phone number)", isinstance(sender, str) and sender.strip().isdigit()),
                ("timestamp (epoch seconds)", received is not None),
                ("type", isinstance(kind, str) and kind),
                (f"{kind}.body" if kind == "text" else str(kind), isinstance(text, str)),
            ),
        ):
            continue
        _add(
            rows,
            f"{label} ({message_id})",
            ("whatsapp", kind, phone_id),
            query_id=f"wa-{message_id}",
            customer_id=f"phone:+{str(sender).strip()}",
            received_at=received,
            text=text,
        )


def _entry(rows: Rows, where: str, platform: str, entry: Any) -> None:
    if not isinstance(entry, Mapping):
        rows.problem(where, f"is a {type(entry).__name__}, not an entry")
        return
    messaging = entry.get("messaging")
    changes = entry.get("changes")
    if messaging is None and changes is None and "standby" not in entry:
        rows.problem(where, "has neither 'messaging' nor 'changes'")
    for name, events in (("messaging", messaging), ("changes", changes)):
        if events is not None and not isinstance(events, list):  # else its messages vanish
            rows.problem(where, f"{name} must be a list; got {type(events).__name__}")
    for pos, event in enumerate(messaging if isinstance(messaging, list) else []):
        if platform == "whatsapp":
            rows.problem(f"{where}.messaging[{pos}]", "WhatsApp sends changes, not messaging")
        else:
            _messaging(rows, f"{where}.messaging[{pos}]", platform, event)
    for _ in entry.get("standby") or []:
        rows.skip("not_a_message", f"{where}.standby")  # another app holds the thread
    for pos, change in enumerate(changes if isinstance(changes, list) else []):
        label = f"{where}.changes[{pos}]"
        field = change.get("field") if isinstance(change, Mapping) else None
        if platform == "whatsapp" and field == "messages":
            _whatsapp(rows, label, change.get("value"))
        elif platform == "instagram" and field in _COMMENT_FIELDS:
            _comment(rows, label, entry, change.get("value"))
        else:
            rows.problem(
                label,
                f"field {field!r} is not read (a {platform} webhook's messages are "
                f"{'changes with field messages' if platform == 'whatsapp' else 'messaging events'}"
                f"{'' if platform != 'instagram' else ' and comments'})",
            )


def from_webhooks(
    payload: Any,
    *,
    customers: CustomersArg | None = None,
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Meta webhook bodies (parsed, or a path) -> a canonical query frame.

    Parameters
    ----------
    payload
        One webhook body (``{"object": ..., "entry": [...]}``), a list of
        bodies, or a path to a JSON / JSON Lines file of them; Messenger,
        Instagram and WhatsApp bodies may be mixed.
    customers
        CRM lookup by ``customer_id`` (see the module docstring); see
        :func:`~prioritize.adapters.join_customers`.
    keep
        ``{"duplicate"}`` reads re-sent messages again (their ids then repeat:
        an error); the other kinds hold no customer message.

    Returns
    -------
    pandas.DataFrame
        One row per customer message (see the module docstring); passes
        ``validate_frame``; ``frame.attrs["skipped"]`` counts the other events.

    Raises
    ------
    InputError
        A body that is not a webhook of the three objects, or an event named
        by its place (``body 0 entry[1].messaging[0]``) and field.
    SchemaError
        If a message id repeats (Meta retries a delivery it thinks failed:
        drop the repeats first).
    """
    rows = Rows("meta webhook", _EXTRAS, kinds=SKIPPED_KINDS, keep=keep, keepable=("duplicate",))
    for number, body in enumerate(_bodies(load_json(payload, "meta webhook"))):
        if not _is_body(body):
            got = body.get("object") if isinstance(body, Mapping) else type(body).__name__
            raise InputError(
                f"meta webhook: body {number} is not a webhook of {sorted(OBJECTS)} with an "
                f"'entry' list (object: {got!r})"
            )
        platform = OBJECTS[body["object"]]
        for pos, entry in enumerate(body["entry"]):
            _entry(rows, f"body {number} entry[{pos}]", platform, entry)
    return rows.frame(customers, field="timestamp")


register(
    FORMAT,
    "json",
    detect=detect,
    read=from_webhooks,
    expects="Meta webhook bodies: {'object': 'page' | 'instagram' | 'whatsapp_business_account', "
    "'entry': [...]}",
)
