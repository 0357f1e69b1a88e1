"""Offline transcription of audio: the episodes that come with no transcript.

Nothing here is imported on the ``search`` path: the engine (faster-whisper, on
CTranslate2) and its weights are the optional ``transcribe`` extra.
"""
