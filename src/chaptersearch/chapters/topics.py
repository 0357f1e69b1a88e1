"""Chapters for an episode that has none: cut where the talk changes topic, title each
from what is said in it.

The cut is TextTiling (Hearst, 1997) over time instead of over sentences: at each
candidate moment the words of the stretch before are compared with the words of the
stretch after, and where the two share least the topic has most likely changed. Words
are weighted by how rare they are within the episode, so the host's "yeah" and "right"
weigh nothing and a name said in one stretch only weighs most. Two habits of spoken
shows add evidence: a question ("What is WASI?") and a spoken turn signal ("next up",
"let's talk about") often open a new topic. The deepest valleys win, no two closer
than ``MIN_CHAPTER`` seconds, about one per ``TARGET_CHAPTER`` seconds of talk, and
no chapter longer than ``MAX_CHAPTER``.

A title is the chapter's most distinctive phrase: the one- to three-word phrases said
in it, scored by how often they are said there against how widely they are said in the
rest of the episode, written as they were said.

Everything here is plain Python over counters: deterministic, and a few milliseconds
per episode hour, so ingest hardly slows.
"""

import bisect
import difflib
import functools
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..index.analysis import normalize
from ..models import Chapter, Cue, Episode
from ..timecode import format_clock

METHOD = "topics-2"
"""The version of the method, kept with each episode whose chapters it cut; change it
when the method changes so that ``rebuild`` cuts those episodes again."""
MIN_CHAPTER = 60.0
"""No chapter shorter than this: a minute is the least a listener would jump to."""
TARGET_CHAPTER = 180.0
"""About one cut per this many seconds of talk (chapters people publish: a median of
2.7 min on the Changelog shows; tuned on the benchmark's tuning part)."""
MAX_CHAPTER = 900.0
"""A stretch longer than this is cut at its best moment even if the valley is shallow."""
WINDOW = 200.0
"""Seconds of talk on each side of a candidate cut that are compared."""
PEAK_REACH = 12
"""How many units either side are searched for the peaks a valley is measured from."""
UNIT = 10.0
"""Short captions are grouped into units of at least this many seconds before cutting,
so candidate cuts are few even for 2-second auto captions."""
QUESTION_BONUS = 0.2
SIGNAL_BONUS = 0.12
"""What a question, or a spoken turn signal ("next up"), adds to a cut's depth score."""
TURN_BONUS = 0.3
"""What a change of speaker adds, where the transcript names speakers (tuned on the
benchmark's tuning part: F1 ±30 s 0.390 → 0.408; held out 0.364 → 0.367)."""
EARLY_SECONDS = 60.0
"""A chapter's first minute, where its topic is introduced: a phrase said there weighs
more in its title (titles sharing a word with the published one, tuning 19.9 % → 22.6 %,
held out 18.8 % → 20.4 %)."""

_WORD = re.compile(r"(?<![\w'’])[^\W\d_](?:[\w+#.'’-]*[\w+#])?")
"""A word starting with a letter (any script's: Pokémon stays whole), not the tail of a
number ("5th")."""
_SIGNAL = re.compile(
    r"^\W*(?:(?:all ?right|okay|ok|so|and|well|now)[,.!]?\s+)*"
    r"(?:next up|next (?:item|topic|one|thing)|up next|moving on"
    r"|let'?s (?:talk|move|get|jump|switch|dive)|speaking of"
    r"|what(?:'s| is) (?:your|our) (?:next|first|last)"
    r"|(?:our|my|the) (?:next|first|last) (?:item|topic|story|pick|one)|on to |onto )",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"\b(?:what|why|how|when|where|who|which|can|could|do|does|did|is|are|would|should)\b"
    r"[^?]{8,}\?\s*$",
    re.IGNORECASE,
)
_VERB_ENDINGS = ("ing", "ed", "ly", "s")
"""Endings of single words that are seldom a topic: verb forms, adverbs, plurals of
generic nouns."""
_JOINERS = frozenset({"of", "and", "the", "for", "to", "in"})
"""Small words that may stand inside a three-word title ("Python for data")."""

STOP_WORDS = frozenset(
    """a about above after again against all almost also although always am an and another any
    anybody anyone anything anyway are aren around as at back be became because become been
    before being below between both but by can cannot could couldn did didn do does doesn doing
    don done down during each either else enough even ever every everybody everyone everything
    few for from further get gets getting give go goes going gonna got gotta great guess guy guys
    had hadn has hasn have haven having he her here hers herself hey hi him himself his how i
    if in into is isn it its itself just kind kinda know knows let lets like likes little lot
    lots make makes many may maybe me mean might mine more most much must my myself need never
    new no nobody nor not nothing now of off oh ok okay on once one ones only or other others
    our ours ourselves out over own people pretty probably put quite rather re really right said
    same say saying says see seem seems she should shouldn so some somebody someone something
    sometimes sort still stuff such sure take talk talking tell than thank thanks that thats the
    their theirs them themselves then there these they thing things think thinking this those
    though through thought time times to too totally true try trying um uh under until up upon us
    use used using ve very want wanted wants was wasn way we well went were weren what whatever
    when where whether which while who whole whom why will with within without won work works
    would wouldn wow yeah yep yes yet you your yours yourself yourselves actually basically
    absolutely exactly definitely course good look looking feel feels bit bunch cool awesome
    nice fun big super ll d s t m isnt dont doesnt didnt cant wont im ive youre theyre weve
    thats theres whats lets youve id youd hes shes its gonna wanna yeah mhm hmm
    first second third last next year years day days week weeks today episode show podcast
    talked talks told call called calls come comes coming came start started end point part
    able else ago ahead along already anything awesome seen set enjoy find finding play
    played letting speaking real quick special favorite different ways online hanging
    happen happened happens kinds talk topic question questions answer idea ideas stuff
    person folks everybody somebody problem problems matter reason reasons example
    interesting important easy hard whole least best better worse bad huge small
    large long short old young high low early late easier harder one two three four five
    six seven eight nine ten twenty hundred thousand million billion half certain happy
    sad turn hit deeper details kind""".split()
)
"""Words that say nothing about a topic: function words and the fillers of talk."""


@dataclass
class _Unit:
    """A few consecutive captions, the grain at which cuts are considered."""

    start: float
    words: Counter[str]
    opens: float
    """Evidence that this unit opens a topic (a question, a spoken turn signal)."""


@functools.lru_cache(maxsize=100_000)
def topic_stem(token: str) -> str | None:
    """The stem of a token as written when it can carry a topic, else None."""
    lower = token.strip(".'’-").lower().replace("’", "'")
    if len(lower) < 2 or lower.isdigit() or lower in STOP_WORDS:
        return None
    if lower.split("'")[0] in STOP_WORDS:
        return None
    word = normalize(lower)
    return None if word in STOP_WORDS else word


def content_words(text: str) -> list[str]:
    """The stemmed words of ``text`` that can carry a topic."""
    stems = (topic_stem(match.group()) for match in _WORD.finditer(text))
    return [stem for stem in stems if stem is not None]


def _units(cues: Sequence[Cue]) -> list[_Unit]:
    units: list[_Unit] = []
    speaker: str | None = None
    for cue in cues:
        opens = 0.0
        if cue.speaker and speaker and cue.speaker != speaker:
            opens += TURN_BONUS
        speaker = cue.speaker or speaker
        if _SIGNAL.search(cue.text):
            opens += SIGNAL_BONUS
        if _QUESTION.search(cue.text):
            opens += QUESTION_BONUS
        if len(cue.text) < 20 and "break" in cue.text.lower():
            opens += SIGNAL_BONUS
        words = Counter(content_words(cue.text))
        if units and cue.start - units[-1].start < UNIT and not opens:
            units[-1].words.update(words)
        else:
            units.append(_Unit(cue.start, words, opens))
    return units


def _idf(units: list[_Unit]) -> dict[str, float]:
    document_frequency: Counter[str] = Counter()
    for unit in units:
        document_frequency.update(unit.words.keys())
    total = len(units)
    return {word: math.log((total + 1) / count) for word, count in document_frequency.items()}


class _Window:
    """The words of a stretch of talk, with its weighted dot product against the
    neighbouring stretch and its own squared norm kept up to date as units enter and
    leave, so moving the windows costs only the words that move."""

    def __init__(self, idf: dict[str, float]) -> None:
        self.idf = idf
        self.counts: dict[str, int] = {}
        self.square = 0.0
        self.dot = 0.0
        self.other: _Window = self

    def change(self, words: Counter[str], sign: int) -> None:
        counts = self.counts
        other = self.other.counts
        shared = 0.0
        for word, count in words.items():
            weight = self.idf[word] ** 2
            before = counts.get(word, 0)
            after = before + sign * count
            if after:
                counts[word] = after
            else:
                del counts[word]
            self.square += weight * (after * after - before * before)
            shared += weight * sign * count * other.get(word, 0)
        self.dot += shared
        self.other.dot = self.dot

    def cosine(self) -> float:
        if self.dot <= 1e-9 or self.square <= 1e-9 or self.other.square <= 1e-9:
            return 0.0
        return self.dot / math.sqrt(self.square * self.other.square)


def _similarities(units: list[_Unit], idf: dict[str, float]) -> list[float]:
    """How much the talk before each unit shares with the talk from it on (index 0 unused)."""
    similarities = [1.0] * len(units)
    left, right = _Window(idf), _Window(idf)
    left.other, right.other = right, left
    left_from = right_to = 0
    for index in range(1, len(units)):
        moment = units[index].start
        while right_to < len(units) and units[right_to].start < moment + WINDOW:
            right.change(units[right_to].words, +1)
            right_to += 1
        right.change(units[index - 1].words, -1)
        left.change(units[index - 1].words, +1)
        while units[left_from].start < moment - WINDOW:
            left.change(units[left_from].words, -1)
            left_from += 1
        similarities[index] = left.cosine()
    return similarities


def _depths(similarities: list[float]) -> list[float]:
    """TextTiling's depth score: how far each point of the smoothed curve lies below the
    highest points on either side."""
    smooth = similarities[:]
    for index in range(1, len(similarities) - 1):
        smooth[index] = sum(similarities[index - 1 : index + 2]) / 3
    depths = [0.0] * len(smooth)
    for index in range(1, len(smooth)):
        left_peak = max(smooth[max(0, index - PEAK_REACH) : index + 1])
        right_peak = max(smooth[index : index + PEAK_REACH + 1])
        depths[index] = (left_peak - smooth[index]) + (right_peak - smooth[index])
    return depths


def _scores(units: list[_Unit]) -> list[float]:
    """How likely a topic starts at each unit: the depth of its valley of shared words,
    plus what its first words say."""
    depths = _depths(_similarities(units, _idf(units)))
    return [depth + unit.opens for depth, unit in zip(depths, units, strict=True)]


def topic_scores(cues: Sequence[Cue]) -> list[tuple[float, float]]:
    """(moment, score) for each moment a topic could start, as ``cut_points`` ranks them."""
    units = _units(cues)
    if len(units) < 3:
        return [(unit.start, 0.0) for unit in units]
    return [(unit.start, score) for unit, score in zip(units, _scores(units), strict=True)]


def cut_points(cues: Sequence[Cue], duration: float) -> list[float]:
    """The starts of the chapters after the first, in order: the best-scored moments,
    about one per ``TARGET_CHAPTER``, none within ``MIN_CHAPTER`` of another or of
    either end, and no chapter longer than ``MAX_CHAPTER``."""
    units = _units(cues)
    if len(units) < 3 or duration < 2 * MIN_CHAPTER:
        return []
    scores = _scores(units)
    wanted = max(1, round(duration / TARGET_CHAPTER) - 1)
    chosen: list[float] = []
    for index in sorted(range(1, len(units)), key=lambda index: (-scores[index], index)):
        if len(chosen) >= wanted:
            break
        moment = units[index].start
        if moment < MIN_CHAPTER or duration - moment < MIN_CHAPTER:
            continue
        if all(abs(moment - other) >= MIN_CHAPTER for other in chosen):
            chosen.append(moment)
    return _split_long(sorted(chosen), units, scores, duration)


def _split_long(
    chosen: list[float], units: list[_Unit], scores: list[float], duration: float
) -> list[float]:
    """Cut every chapter longer than ``MAX_CHAPTER`` at its best-scored moment."""
    starts = [unit.start for unit in units]
    result: list[float] = []
    for begin, end in pairwise([0.0, *chosen, duration]):
        while end - begin > MAX_CHAPTER:
            low = bisect.bisect_left(starts, begin + MIN_CHAPTER)
            high = bisect.bisect_right(starts, min(end - MIN_CHAPTER, begin + MAX_CHAPTER))
            if low >= high:
                break
            best = max(range(low, high), key=lambda index: (scores[index], -index))
            begin = starts[best]
            result.append(begin)
        if end < duration:
            result.append(end)
    return result


def topic_chapters(cues: Sequence[Cue], duration: float) -> list[Chapter]:
    """Chapters that tile ``[0, duration)``, cut where the topic changes and titled from
    what is said in each."""
    starts = [0.0, *cut_points(cues, duration)]
    ends = [*starts[1:], max(duration, starts[-1])]
    spans: list[list[Cue]] = [[] for _ in starts]
    chapter = 0
    for cue in cues:
        while chapter + 1 < len(starts) and cue.start >= starts[chapter + 1]:
            chapter += 1
        spans[chapter].append(cue)
    titles = titles_for(
        [" ".join(cue.text for cue in span) for span in spans],
        [
            " ".join(cue.text for cue in span if cue.start - start < EARLY_SECONDS)
            for span, start in zip(spans, starts, strict=True)
        ],
    )
    return [
        Chapter(
            title=title or f"{format_clock(start)}–{format_clock(end)}",
            start=start,
            end=end,
            source="generated",
        )
        for title, start, end in zip(titles, starts, ends, strict=True)
    ]


def cut_by(chapters: Sequence[Chapter]) -> str | None:
    """``METHOD`` when every chapter was made from the talk, else None."""
    return METHOD if all(chapter.source == "generated" for chapter in chapters) else None


def needs_cutting_again(episode: Episode) -> bool:
    """Whether an episode's chapters were made by an older method than this one."""
    return cut_by(episode.chapters) is not None and episode.chapters_cut_by != METHOD


def titles_for(texts: Sequence[str], openings: Sequence[str] | None = None) -> list[str]:
    """A short title for each of an episode's chapters: its most distinctive phrases
    (said at least twice when any is), those said in its ``openings`` (its first
    ``EARLY_SECONDS``, where a topic is introduced) weighing more; empty when nothing in
    it can be a title.

    The phrases of one chapter at a time are held: first to count in how many chapters
    each is said, then again to title it. Holding every chapter's at once had taken
    440 MB for a 55-hour episode, most of its memory."""
    spread: Counter[str] = Counter()
    for text in texts:
        spread.update({key for key, _, _ in _phrase_places(text)})
    titles: list[str] = []
    used: set[str] = set()
    for number, text in enumerate(texts):
        counted = _phrases(text)
        early = Counter(key for key, _, _ in _phrase_places(openings[number])) if openings else {}
        title = _best_title(counted, spread, len(texts), used, 2, early) or _best_title(
            counted, spread, len(texts), used, 1, early
        )
        titles.append(title)
        used.update(title.lower().split(" · "))
    return titles


@dataclass
class _Phrase:
    count: int
    written: Counter[str]
    words: int


def _phrases(text: str) -> dict[str, _Phrase]:
    """Every one- to three-word phrase of ``text`` that starts and ends with a content
    word, keyed by its stems, with how it was written."""
    found: dict[str, _Phrase] = {}
    for key, written, length in _phrase_places(text):
        phrase = found.get(key)
        if phrase is None:
            found[key] = _Phrase(1, Counter([written]), length)
        else:
            phrase.count += 1
            phrase.written[written] += 1
    return found


def _phrase_places(text: str) -> Iterator[tuple[str, str, int]]:
    """Each place a phrase is said: its key (stems), how it was written, its words."""
    tokens = [match.group().strip(".'’-") for match in _WORD.finditer(text)]
    stems = [topic_stem(token) for token in tokens]
    for begin, stem in enumerate(stems):
        if stem is None:
            continue
        for length in (1, 2, 3):
            end = begin + length
            if end > len(stems) or stems[end - 1] is None:
                continue
            if (
                length == 3
                and stems[begin + 1] is None
                and tokens[begin + 1].lower() not in _JOINERS
            ):
                continue
            key = " ".join(s or tokens[begin + i].lower() for i, s in enumerate(stems[begin:end]))
            yield key, " ".join(tokens[begin:end]), length


def _best_title(
    counted: dict[str, _Phrase],
    spread: Counter[str],
    chapters: int,
    used: set[str],
    least: int,
    early: Mapping[str, int],
) -> str:
    """Up to two phrases said at least ``least`` times, most said here and least
    elsewhere and early (``early``: how often in the chapter's first minute), longer
    phrases preferred, none inside another or already a title."""
    scored: list[tuple[float, str]] = []
    for key, phrase in counted.items():
        if phrase.count < least:
            continue
        rarity = math.log((chapters + 1) / spread[key]) + 0.3
        weight = phrase.count * rarity * (1.0 + 0.6 * (phrase.words - 1))
        weight *= 1.0 + 0.5 * min(early.get(key, 0), 3)
        written = _as_said(phrase.written)
        if sum(form[:1].isupper() for form in phrase.written.elements()) * 2 > phrase.count:
            weight *= 1.5  # mostly written with a capital: a name (Ansible, Pyodide)
        elif phrase.words == 1 and written.lower().endswith(_VERB_ENDINGS):
            weight *= 0.3  # "finding", "played", "really": rarely what a stretch is about
        elif phrase.words == 1:
            weight *= 0.6  # a lone common word ("turn", "hit") says less than a name
        scored.append((weight, key))
    scored.sort(key=lambda item: (-item[0], item[1]))
    picked: list[str] = []
    picked_keys: list[str] = []
    for _, key in scored:
        stems = key.split()
        if len(set(stems)) < len(stems):
            continue  # "GC GC GC": a stammer, not a phrase
        if any(set(stems) & set(other.split()) for other in picked_keys):
            continue
        written = _as_said(counted[key].written)
        if written.lower() in used or any(_alike(written, other) for other in picked):
            continue
        picked.append(written)
        picked_keys.append(key)
        if len(picked) == 2:
            break
    return " · ".join(picked)


def _alike(one: str, other: str) -> bool:
    """Two spellings of one word, as captions write a name ("GIL", "Gill")."""
    return difflib.SequenceMatcher(None, one.lower(), other.lower()).ratio() >= 0.75


def _as_said(written: Counter[str]) -> str:
    """The most common way a phrase was written, capitalised like a title."""
    form = sorted(written.items(), key=lambda item: (-item[1], item[0]))[0][0]
    return form[0].upper() + form[1:] if form[0].islower() else form
