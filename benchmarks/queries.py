"""A fixed mix of speed-test queries drawn from the corpus itself (seeded, so every run
and every engine gets the same ones): single words, two and three words, quoted
phrases, and filtered queries."""

import random
import re

from chaptersearch.models import Episode

from .engines import BenchQuery

STOP = set(
    "a an and are as at be but by for from has have he her his i if in into is it its just "
    "know like me my no not of on or our really right she so some that the their them then "
    "there these they this to um uh was we well were what when which who will with would yeah "
    "you your going gonna about because been can could did do does don get got think very "
    "okay also more much want thing things kind sort".split()
)
TOKEN = re.compile(r"[A-Za-z][A-Za-z']{3,}")
TOKEN_ANY = re.compile(r"[A-Za-z0-9+#']+")

COMMON_WORD_QUERIES = [
    '"I don\'t know"',
    "go",
    "the zen of python",
    '"right now"',
    "well",
    "sort",
    "C++",
    "R",
    '"you know what I mean"',
    "what do you think",
    '"at the end of the day"',
    "it is what it is",
]
"""Queries of words said everywhere: the ones a stop list used to make unsearchable."""

MIX = {
    "one word": 300,
    "two words": 250,
    "three words": 200,
    "phrase": 150,
    "video filter": 50,
    "channel filter": 50,
}


def query_mix(episodes: list[Episode], total: int = 1000, seed: int = 7) -> list[BenchQuery]:
    """``total`` queries in the proportions of ``MIX``."""
    rng = random.Random(seed)
    cues = [(episode, cue.text) for episode in episodes for cue in episode.cues[::7]]
    words = [w.lower() for _, text in cues for w in TOKEN.findall(text) if w.lower() not in STOP]
    scale = total / sum(MIX.values())
    queries: list[BenchQuery] = []
    for kind, share in MIX.items():
        for _ in range(max(1, round(share * scale))):
            queries.append(_one(kind, rng, words, cues))
    common = max(1, round(50 * scale))
    for number in range(common):
        text = COMMON_WORD_QUERIES[number % len(COMMON_WORD_QUERIES)]
        queries.append(BenchQuery(text, tuple(TOKEN_ANY.findall(text)), kind="common words"))
    return queries


def _one(
    kind: str, rng: random.Random, words: list[str], cues: list[tuple[Episode, str]]
) -> BenchQuery:
    if kind == "phrase":
        while True:
            episode, text = rng.choice(cues)
            tokens = TOKEN.findall(text)
            if len(tokens) >= 3:
                start = rng.randrange(len(tokens) - 1)
                span = tuple(t.lower() for t in tokens[start : start + rng.choice((2, 3))])
                if len(span) >= 2:
                    return BenchQuery(f'"{" ".join(span)}"', span, phrase=True, kind=kind)
    size = {"one word": 1, "two words": 2, "three words": 3}.get(kind, rng.choice((1, 2)))
    chosen = tuple(rng.choice(words) for _ in range(size))
    text = " ".join(chosen)
    if kind == "video filter":
        episode, _ = rng.choice(cues)
        return BenchQuery(text, chosen, video=episode.id, kind=kind)
    if kind == "channel filter":
        episode, _ = rng.choice(cues)
        return BenchQuery(text, chosen, channel=episode.channel, kind=kind)
    return BenchQuery(text, chosen, kind=kind)
