"""Drop folder: staff drop a unit's files into inbox/<unit>/, the pipeline builds it.

    inbox/<unit>/                 drop here: data files, a ZIP of them, or single changed files
    inbox/<unit>/KET-QUA.txt      receipt of the last good build (written by the pipeline)
    inbox/<unit>/LOI.txt, .html   why the last drop could not be built (removed after a success)
    inbox/<unit>/da-xu-ly/<time>/ every dropped file, moved here untouched when it was taken
    inbox/.lam-viec/<unit>/       the unit's data as dropped so far (seeded from data/<unit>/)
    inbox/.trang-thai/<unit>.json the journal: what was under way, to resume after a kill
    inbox/.nhat-ky.log            one line per event

A file is taken once its size and time have not changed for `settle` seconds and nothing in
its unit has changed for `debounce` seconds, so a burst of files becomes one build. Dropped
files are renamed into da-xu-ly/ (never copied-and-deleted, never overwritten); the work copy
is updated from there, then `build.build()` validates and publishes the period folder
atomically. Each step is recorded in the journal before it is done and is safe to repeat.
"""
from .loop import DEFAULT_INBOX, Watcher, run

__all__ = ["DEFAULT_INBOX", "Watcher", "run"]
