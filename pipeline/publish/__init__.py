"""Publish: the end of every door (command line, watcher, year run, web page) – the outputs of
a build, their manifest, the hand-over ZIP, and the period folder switched to them atomically.

    Output(path, document, format, subject, data, pages, copy)   one file of the set
    publish(target, outputs, unit, year, period, created)         → Published
    write_failure(target, report) → path                          a failed build's report, beside the set

Modules: outputs (Output, the manifest), folder (the period link, its sets, the unit's lock,
crash recovery), bundle (the reproducible ZIP and its .sha256).
"""
from .folder import Published, failure_report, publish, write_failure
from .outputs import Output, manifest

__all__ = ["Output", "Published", "failure_report", "manifest", "publish", "write_failure"]
