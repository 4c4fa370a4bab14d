"""Pure normalisers from raw evidence to [0, 1], scalar and vectorised.

Signals: ``crm_value``, ``purchase_history`` (RFM), ``follower_reach`` and
``urgency`` (given, or from text through :class:`UrgencyLexicon`). Each is
written once against an ops namespace (:data:`SCALAR` for floats,
:data:`VECTOR` for numpy arrays) so the per-query and the frame paths cannot
drift apart.
"""

from prioritize.signals._formulas import (
    SIGNALS,
    crm_value,
    follower_reach,
    log_saturation,
    purchase_history,
)
from prioritize.signals._lexicon import (
    DEFAULT_PHRASES,
    DEFAULT_WORDS,
    UrgencyLexicon,
    text_urgency,
)
from prioritize.signals._ops import SCALAR, VECTOR, Ops
from prioritize.signals._params import PurchaseParams, SignalParams

__all__ = [
    "DEFAULT_PHRASES",
    "DEFAULT_WORDS",
    "SCALAR",
    "SIGNALS",
    "VECTOR",
    "Ops",
    "PurchaseParams",
    "SignalParams",
    "UrgencyLexicon",
    "crm_value",
    "follower_reach",
    "log_saturation",
    "purchase_history",
    "text_urgency",
]
