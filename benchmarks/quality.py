"""Ranking quality: MRR@10, Recall@1 and Recall@10 of episodes, from ranked passages."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .corpus import TopicQuery
from .engines import BenchQuery, plain_query

DEPTH = 10


@dataclass(frozen=True)
class Quality:
    queries: int
    mrr: float
    recall_1: float
    recall_10: float


def episodes_in_order(passage_episodes: Sequence[str], depth: int = DEPTH) -> list[str]:
    """Episodes in the order their first passage ranks: what a user scanning hits sees."""
    seen: list[str] = []
    for episode in passage_episodes:
        if episode not in seen:
            seen.append(episode)
            if len(seen) == depth:
                break
    return seen


def evaluate(
    search: Callable[[BenchQuery], Sequence[str]], queries: Sequence[TopicQuery]
) -> Quality:
    reciprocal = hits_1 = hits_10 = 0.0
    for query in queries:
        ranked = episodes_in_order(search(plain_query(query.text)))
        if query.episode_id in ranked:
            rank = ranked.index(query.episode_id) + 1
            reciprocal += 1 / rank
            hits_1 += rank == 1
            hits_10 += 1
    count = max(1, len(queries))
    return Quality(len(queries), reciprocal / count, hits_1 / count, hits_10 / count)
