"""Customer, Query and Channel: the objects helpdesk code builds per request."""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
)

from prioritize._internal.skills import Skills, skill_set

__all__ = [
    "CHANNEL_ALIASES",
    "PUBLIC_BY_DEFAULT",
    "Channel",
    "Customer",
    "Query",
    "channel_of",
    "public_by_default",
]


class Channel(StrEnum):
    """Where a query arrived. Plain strings are accepted wherever a channel is."""

    TWITTER = "twitter"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    LINKEDIN = "linkedin"
    REVIEW_SITE = "review_site"
    FORUM = "forum"
    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    WEB_FORM = "web_form"
    OTHER = "other"


#: Other names of channels, the one alias table: a name is looked up
#: case-insensitively with spaces, hyphens, underscores and dots ignored, so
#: ``"E-Mail"``, ``"web form"`` and ``"X.com"`` all resolve (see :func:`channel_of`).
CHANNEL_ALIASES: dict[str, Channel] = {
    "x": Channel.TWITTER,
    "xcom": Channel.TWITTER,
    "tweet": Channel.TWITTER,
    "fb": Channel.FACEBOOK,
    "messenger": Channel.FACEBOOK,
    "ig": Channel.INSTAGRAM,
    "insta": Channel.INSTAGRAM,
    "mail": Channel.EMAIL,
    "livechat": Channel.CHAT,
    "webchat": Channel.CHAT,
    "telephone": Channel.PHONE,
    "call": Channel.PHONE,
    "voice": Channel.PHONE,
    "textmessage": Channel.SMS,
    "web": Channel.WEB_FORM,
    "form": Channel.WEB_FORM,
    "contactform": Channel.WEB_FORM,
    "review": Channel.REVIEW_SITE,
    "reviews": Channel.REVIEW_SITE,
    "community": Channel.FORUM,
}
_SEPARATORS = str.maketrans("", "", " -_.")
_BY_KEY: dict[str, Channel] = {
    **{c.value.translate(_SEPARATORS): c for c in Channel},
    **CHANNEL_ALIASES,
}


def channel_of(name: str) -> Channel | None:
    """The channel a name means, or None: a channel's value or an alias of :data:`CHANNEL_ALIASES`.

    Case, surrounding spaces and the separators `` -_.`` are ignored:
    ``"Twitter"``, ``"x"``, ``"e-mail"``, ``"Web Form"`` and ``"web_form"`` all
    resolve. :class:`Query` and :func:`~prioritize.adapters.read_queries`
    accept channels through this function.

    Examples
    --------
    >>> from prioritize.models import channel_of
    >>> channel_of("E-Mail"), channel_of("X"), channel_of("pigeon")
    (<Channel.EMAIL: 'email'>, <Channel.TWITTER: 'twitter'>, None)
    """
    return _BY_KEY.get(name.strip().lower().translate(_SEPARATORS))


#: Channels on which a message is usually a public post: the ``is_public`` of a
#: query, a frame row or an adapter's record that does not say (see
#: :func:`public_by_default`).
PUBLIC_BY_DEFAULT = frozenset(
    {
        Channel.TWITTER,
        Channel.FACEBOOK,
        Channel.INSTAGRAM,
        Channel.TIKTOK,
        Channel.LINKEDIN,
        Channel.REVIEW_SITE,
        Channel.FORUM,
    }
)


def public_by_default(channel: Channel | str) -> bool:
    """Whether a query on ``channel`` is public when nothing says: the one default.

    :class:`Query`, :meth:`TriageQueue.push_frame <prioritize.TriageQueue.push_frame>`,
    :func:`~prioritize.simulate` and the adapters all decide through this
    function (:func:`~prioritize.models.public_flags` for a frame).
    """
    return isinstance(channel, str) and channel_of(channel) in PUBLIC_BY_DEFAULT


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            "must be timezone-aware (e.g. datetime(..., tzinfo=timezone.utc)); got a naive datetime"
        )
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
_FiniteNonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
#: Extra evidence carried on a customer or query, read by a policy's own signals
#: (``Policy.signals.custom``): name -> a boolean, an integer, a finite number or a
#: label. An integer stays an integer, so a group label read from it (``GroupShare``
#: in the live queue) is ``"3"`` as from an integer column of a frame, not ``"3.0"``.
Attributes = dict[
    Annotated[str, Field(min_length=1)],
    StrictBool | StrictInt | Annotated[float, Field(allow_inf_nan=False)] | str,
]


def _hash_fields(model: BaseModel) -> int:
    # Frozen models hash their fields; ``attributes`` is a dict, hashed as its items.
    return hash(
        tuple(frozenset(v.items()) if k == "attributes" else v for k, v in model.__dict__.items())
    )


class Customer(BaseModel):
    """What the brand knows about the author of a query.

    Parameters
    ----------
    customer_id
        The customer's id (a CRM id when known).
    followers
        Follower count on the channel they wrote from, when posting.
    lifetime_value
        CRM lifetime value in account currency.
    purchase_count, total_spend, days_since_last_purchase
        Purchase history; ``days_since_last_purchase=None`` means never bought.
    segment
        Optional free-text CRM segment, carried for grouping and reports.
    attributes
        Extra evidence by name (e.g. ``{"churn_risk": 0.8}``) for signals a
        policy declares itself; the frame twin is a column of that name.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str = Field(min_length=1)
    followers: int = Field(default=0, ge=0)
    lifetime_value: _FiniteNonNeg = 0.0
    purchase_count: int = Field(default=0, ge=0)
    total_spend: _FiniteNonNeg = 0.0
    days_since_last_purchase: _FiniteNonNeg | None = None
    segment: str | None = None
    attributes: Attributes = Field(default_factory=dict)

    __hash__ = _hash_fields

    @field_validator("days_since_last_purchase", mode="before")
    @classmethod
    def _nan_is_never(cls, value: Any) -> Any:
        # NaN is how a frame says "never bought"; accept it for symmetry.
        if isinstance(value, float) and math.isnan(value):
            return None
        return value


class Query(BaseModel):
    """One inbound message.

    Parameters
    ----------
    query_id, customer_id
        Ids; ``customer_id`` must match the :class:`Customer` it is scored with.
    received_at
        Arrival time; must be timezone-aware.
    channel
        A :class:`Channel`, its string value or another usual name of it,
        case-insensitively (``"Twitter"``, ``"x"``, ``"e-mail"``; see
        :func:`channel_of`).
    text
        The message; urgency is derived from it when ``urgency`` is None.
    urgency
        Urgency in [0, 1] when known (e.g. set by an agent or a classifier).
    is_public
        True for a public post rather than a private message. Not given (or
        None): :func:`public_by_default` of the channel.
    handle_minutes, patience_minutes
        Service time and patience, for replaying history in the simulator.
    skills
        Skills an agent needs to answer it: skill names (an iterable, or one
        comma-separated string), stripped and lower-cased; empty (default):
        anyone may answer. The frame twin is the ``skills`` column.
    attributes
        Extra evidence by name (e.g. ``{"sentiment": 0.1}``) for signals a
        policy declares itself; the frame twin is a column of that name.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    query_id: str = Field(min_length=1)
    customer_id: str = Field(min_length=1)
    received_at: AwareDatetime
    channel: Channel
    text: str = ""
    urgency: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    is_public: bool = Field(default=None, validate_default=True)
    handle_minutes: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    patience_minutes: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    skills: Skills = frozenset()
    attributes: Attributes = Field(default_factory=dict)

    __hash__ = _hash_fields

    @field_validator("skills", mode="before")
    @classmethod
    def _skill_names(cls, value: Any) -> Any:
        return skill_set(value)

    @field_validator("channel", mode="before")
    @classmethod
    def _channel_alias(cls, value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, Channel):
            return channel_of(value) or value  # unknown: pydantic names the channels
        return value

    @field_validator("is_public", mode="before")
    @classmethod
    def _public_by_channel(cls, value: Any, info: ValidationInfo) -> Any:
        # channel is declared (so validated) before is_public: it is in info.data if valid
        return public_by_default(info.data.get("channel", "")) if value is None else value
