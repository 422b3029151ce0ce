"""Draft a scenario from the documents an analyst reads, offline (docs/draft.md).

:func:`~summitry.draft.documents.read_documents` numbers the paragraphs;
:func:`~summitry.draft.skeleton.draft` finds actors, issues and the passages that speak
to each actor on each issue, and writes a scenario skeleton whose numbers are left for
the analyst; :func:`~summitry.draft.check.suggest_evidence` does the same for an
existing scenario.
"""
