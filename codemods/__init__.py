"""The codemod library: one module per codemod, run in the order each module's `ORDER` gives.

Modules whose name starts with `_` are shared helpers, not codemods.
"""
