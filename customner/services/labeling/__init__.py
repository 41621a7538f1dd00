"""Labeling in the Studio, one concern per module.

``label_store`` (saved labels, versions, audit) is the base; ``entity_types``, ``documents`` and ``overview`` build on
it; ``assistance`` (model suggestions, active learning) and ``guidance`` (how to improve a model) help the labeler.
"""
