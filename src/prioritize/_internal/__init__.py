"""Shared plumbing: private, and at the bottom of the layers.

Frame readers (:mod:`.frames`), files (:mod:`.files`: atomic writes, bounded
text reads, table reads with one error type), time conversion (:mod:`.times`), argument and
seed checks (:mod:`.checks`), the bad-rows description (:mod:`.rows`), text
for durations (:mod:`.text`) and the constants several layers share
(:mod:`.constants`). Every subpackage may import these modules; they import
nothing from ``prioritize`` but :mod:`prioritize._errors`, so they sit below
:mod:`prioritize.models`. Nothing here is public API: names may change in
any release.
"""
