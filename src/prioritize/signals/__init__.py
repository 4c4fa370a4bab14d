"""The signal registry: normalisers from raw evidence to [0, 1], scalar and vectorised.

Built-in signals (:data:`BUILTIN`, names in :data:`SIGNALS`): ``crm_value``,
``purchase_history`` (RFM), ``follower_reach``, ``urgency`` (given, or from
text through :class:`UrgencyLexicon`) and ``negativity`` (``max(0, -tone_score)``,
given, or from text through :class:`ToneLexicon`). A policy may declare its own
(:class:`CustomSignal`: an input column or attribute and a normaliser from a
fixed menu: :class:`Identity`, :class:`Linear`, :class:`LogSaturating`,
:class:`Decay`, :class:`Boolean`, :class:`Tiers`). Each formula is written once against an ops
namespace (:data:`SCALAR` for floats, :data:`VECTOR` for numpy arrays) so the
per-query and the frame paths cannot drift apart.
"""

from prioritize.signals._formulas import (
    crm_value,
    follower_reach,
    half_life_decay,
    linear_clip,
    log_saturation,
    purchase_history,
)
from prioritize.signals._lexicon import (
    DEFAULT_PHRASES,
    DEFAULT_WORDS,
    MAX_TEXT_CHARS,
    UrgencyLexicon,
    text_urgency,
)
from prioritize.signals._normalisers import (
    Boolean,
    Decay,
    Domain,
    Identity,
    Linear,
    LogSaturating,
    Normaliser,
    Tiers,
)
from prioritize.signals._ops import SCALAR, VECTOR, Ops
from prioritize.signals._params import CustomSignal, PurchaseParams, SignalParams
from prioritize.signals._registry import BUILTIN, SIGNALS, Bound, Input, Signal, signals_of

# The policy's per-query path: its weighted sum written as code, compiled (not user API).
from prioritize.signals._registry import weighted_sum as weighted_sum
from prioritize.signals._source import Emitter as Emitter
from prioritize.signals._source import build as build
from prioritize.signals._tone import (
    DEFAULT_EMOTICONS,
    DEFAULT_TONE_PHRASES,
    DEFAULT_TONE_WORDS,
    ToneLexicon,
    ToneReading,
    normalise_text,
    text_tokens,
    text_tone,
)

__all__ = [
    "BUILTIN",
    "DEFAULT_EMOTICONS",
    "DEFAULT_PHRASES",
    "DEFAULT_TONE_PHRASES",
    "DEFAULT_TONE_WORDS",
    "DEFAULT_WORDS",
    "MAX_TEXT_CHARS",
    "SCALAR",
    "SIGNALS",
    "VECTOR",
    "Boolean",
    "Bound",
    "CustomSignal",
    "Decay",
    "Domain",
    "Identity",
    "Input",
    "Linear",
    "LogSaturating",
    "Normaliser",
    "Ops",
    "PurchaseParams",
    "Signal",
    "SignalParams",
    "Tiers",
    "ToneLexicon",
    "ToneReading",
    "UrgencyLexicon",
    "crm_value",
    "follower_reach",
    "half_life_decay",
    "linear_clip",
    "log_saturation",
    "normalise_text",
    "purchase_history",
    "signals_of",
    "text_tokens",
    "text_tone",
    "text_urgency",
]
