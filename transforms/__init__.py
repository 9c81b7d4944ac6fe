"""The AST passes of s2s, one per module, in pipeline order.

fence -> structure -> normal_form -> activity -> reverse (uses to_record) -> optimize

Each pass takes a gast ``FunctionDef`` and returns one (analyses return
facts instead); its module docstring says what holds before and after.
"""
