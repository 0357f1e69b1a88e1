"""Fetch a video's transcript with youtube-transcript-api, and explain its failures.

Imported only by ``add`` for YouTube sources: searching never pays for requests or
youtube-transcript-api.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests
import youtube_transcript_api as yta
from youtube_transcript_api import YouTubeTranscriptApi

from ..errors import ChapterSearchError
from .transport import redact


class TranscriptUnavailable(ChapterSearchError):
    """YouTube gave no transcript for this video, for a reason the message explains."""


DEFAULT_LANGUAGES = ("en",)


@dataclass(frozen=True)
class TranscriptChoice:
    """Which transcript to take: languages in order of preference, and a translation."""

    languages: Sequence[str] | None = None
    """None means English, then whatever exists."""
    translate: str | None = None


def _matches(code: str, wanted: str) -> bool:
    """``en`` takes ``en-US`` and ``en-GB`` too; ``en-GB`` takes only itself."""
    code, wanted = code.lower(), wanted.lower()
    return code == wanted or ("-" not in wanted and code.split("-")[0] == wanted)


def _describe(transcript: Any) -> str:
    name = str(transcript.language)
    if transcript.is_generated and "auto-generated" not in name:
        name += ", auto-generated"
    return f"{transcript.language_code} ({name})"


def choose(transcripts: Sequence[Any], choice: TranscriptChoice, video_id: str) -> Any:
    """The first language in the preference list that exists, a manually made transcript
    before a generated one; with no list, English and then anything."""
    wanted = list(choice.languages or DEFAULT_LANGUAGES)
    for language in wanted:
        for generated in (False, True):
            for transcript in transcripts:
                if transcript.is_generated == generated and _matches(
                    transcript.language_code, language
                ):
                    return transcript
    if choice.languages is None and transcripts:
        return sorted(transcripts, key=lambda t: t.is_generated)[0]
    available = ", ".join(_describe(t) for t in transcripts) or "none"
    raise TranscriptUnavailable(
        f"{video_id}: no transcript in {', '.join(wanted)}; this video has: {available}. "
        "Choose one with --lang CODE"
    )


def fetch_transcript(
    video_id: str, session: requests.Session, choice: TranscriptChoice, proxy: str | None = None
) -> dict[str, Any]:
    """The raw snippets and what they are (language, generated, translated), as kept in
    the library."""
    api = YouTubeTranscriptApi(http_client=session)
    try:
        transcripts = list(api.list(video_id))
        transcript = choose(transcripts, choice, video_id)
        source_language = None
        if choice.translate:
            source_language = transcript.language_code
            transcript = transcript.translate(choice.translate)
        fetched = transcript.fetch()
    except yta.CouldNotRetrieveTranscript as error:
        raise TranscriptUnavailable(redact(explain(error, video_id, choice), proxy)) from None
    except requests.exceptions.RequestException as error:
        reason = redact(f"{type(error).__name__}: {error}", proxy)
        raise TranscriptUnavailable(
            f"{video_id}: YouTube did not answer after several tries ({reason}); try again later"
        ) from None
    return {
        "snippets": fetched.to_raw_data(),
        "language": fetched.language,
        "language_code": fetched.language_code,
        "is_generated": fetched.is_generated,
        "translated_from": source_language,
    }


PROXY_HINT = (
    "use --proxy URL (or set CHAPTERSEARCH_PROXY) to go through another address, or try again later"
)


def explain(error: Exception, video_id: str, choice: TranscriptChoice) -> str:
    """One line for the user: what happened to this video and what to do about it."""
    if isinstance(error, yta.IpBlocked):
        return f"{video_id}: YouTube is blocking requests from this IP address; {PROXY_HINT}"
    if isinstance(error, yta.RequestBlocked):
        return f"{video_id}: YouTube blocked the request as coming from a bot; {PROXY_HINT}"
    if isinstance(error, yta.TranscriptsDisabled):
        return (
            f"{video_id}: subtitles are disabled for this video; if you have a transcript "
            f"file, add it with: chaptersearch add FILE --url https://youtu.be/{video_id}"
        )
    if isinstance(error, yta.AgeRestricted):
        return (
            f"{video_id}: the video is age-restricted and YouTube gives its transcript only "
            "to signed-in users; add a transcript file instead"
        )
    if isinstance(error, yta.InvalidVideoId):
        return f"{video_id}: not a video id; give the 11-character id or the watch URL"
    if isinstance(error, yta.VideoUnavailable):
        return f"{video_id}: the video is unavailable (removed, private, or a mistyped id)"
    if isinstance(error, yta.VideoUnplayable):
        reason = getattr(error, "reason", None) or "no reason given"
        return f"{video_id}: YouTube says the video cannot be played ({reason})"
    if isinstance(error, yta.PoTokenRequired):
        return (
            f"{video_id}: YouTube now requires a proof-of-origin token for this video's "
            "captions; try again later or add a transcript file"
        )
    if isinstance(error, yta.NotTranslatable | yta.TranslationLanguageNotAvailable):
        return f"{video_id}: YouTube offers no translation to {choice.translate!r} for this video"
    if isinstance(error, yta.FailedToCreateConsentCookie):
        return f"{video_id}: could not get past YouTube's cookie consent page; {PROXY_HINT}"
    if isinstance(error, yta.YouTubeRequestFailed):
        return f"{video_id}: YouTube answered with an error after several tries; try again later"
    first_line = (str(error).strip().splitlines() or [""])[0]
    return f"{video_id}: could not fetch the transcript ({type(error).__name__}: {first_line})"
