"""Profile vectors to bytes and back, without pickle (stored in the database)."""

from __future__ import annotations

import io

import numpy as np
import scipy.sparse as sp

from recommender.ranking.profile import ProfileVectors
from recommender.ranking.scale import Scale


def _put_sparse(out: dict[str, np.ndarray], name: str, m: sp.csr_matrix | None) -> None:
    if m is not None:
        m = m.tocsr()
        out[f"{name}.data"], out[f"{name}.indices"], out[f"{name}.indptr"] = m.data, m.indices, m.indptr
        out[f"{name}.shape"] = np.array(m.shape)


def _get_sparse(data: dict[str, np.ndarray], name: str) -> sp.csr_matrix | None:
    if f"{name}.data" not in data:
        return None
    return sp.csr_matrix(
        (data[f"{name}.data"], data[f"{name}.indices"], data[f"{name}.indptr"]), shape=tuple(data[f"{name}.shape"])
    )


def _scales(values: np.ndarray) -> list[Scale]:
    return [Scale(float(m), float(s)) for m, s in values.reshape(-1, 2)]


def dumps(vec: ProfileVectors) -> bytes:
    """Serialise without pickle (stored in the database)."""
    out: dict[str, np.ndarray] = {
        "topics": np.array(vec.topics, dtype=str),
        "topic_scales": np.array([[s.mean, s.std] for s in vec.topic_scales], dtype=np.float64).reshape(-1, 2),
        "part_names": np.array(list(vec.part_scales), dtype=str),
        "part_scales": np.array([[s.mean, s.std] for s in vec.part_scales.values()], dtype=np.float64).reshape(-1, 2),
        "likes_scale": np.array([vec.likes_scale.mean, vec.likes_scale.std]),
        "negative_scale": np.array([vec.negative_scale.mean, vec.negative_scale.std]),
        "liked_rows": vec.liked_rows, "liked_coef": vec.liked_coef,
        "negative_rows": vec.negative_rows, "negative_coef": vec.negative_coef,
        "topic_offset": vec.topic_offset, "topic_gate": vec.topic_gate,
    }
    for name in ("latent", "semantic_latent", "semantic_subs", "topic_latent"):
        if getattr(vec, name) is not None:
            out[name] = getattr(vec, name)
    for name in ("topic_matrix", "colike", "topic_colike"):
        _put_sparse(out, name, getattr(vec, name))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **out)
    return buffer.getvalue()


def loads(blob: bytes) -> ProfileVectors:
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        data = {k: npz[k] for k in npz.files}
    likes, negative = data["likes_scale"], data["negative_scale"]
    return ProfileVectors(
        topics=[str(t) for t in data["topics"]],
        topic_matrix=_get_sparse(data, "topic_matrix"),
        topic_scales=_scales(data["topic_scales"]),
        topic_latent=data.get("topic_latent"),
        topic_colike=_get_sparse(data, "topic_colike"),
        topic_offset=data.get("topic_offset", np.zeros(len(data["topics"]), dtype=np.float32)),
        topic_gate=data.get("topic_gate", np.full(len(data["topics"]), np.inf, dtype=np.float32)),
        liked_rows=data["liked_rows"], liked_coef=data["liked_coef"],
        latent=data.get("latent"),
        semantic_latent=data.get("semantic_latent"),
        semantic_subs=data.get("semantic_subs"),
        colike=_get_sparse(data, "colike"),
        part_scales=dict(zip([str(n) for n in data["part_names"]], _scales(data["part_scales"]))),
        likes_scale=Scale(float(likes[0]), float(likes[1])),
        negative_rows=data["negative_rows"], negative_coef=data["negative_coef"],
        negative_scale=Scale(float(negative[0]), float(negative[1])),
    )
