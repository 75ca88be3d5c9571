"""SLK001: a file that cannot be read or parsed is reported, never a crash."""

from sessionlint.rules.base import Example, Rule

RULES = [
    Rule(
        code="SLK001",
        name="parse-error",
        summary="a file cannot be decoded or parsed",
        fix="none",
        what="Reports a file that sessionlint cannot read as Python: a syntax error, bytes that are "
        "not valid in the file's declared encoding, a null byte, or syntax newer than the Python "
        "sessionlint runs on (for example 3.14 t-strings under Python 3.11).",
        why="A file that cannot be parsed cannot be checked: its fixtures and tests are invisible to "
        "every other rule, so a leak in it would go unnoticed. The rest of the run goes on.",
        example="def test_broken(:\n    pass",
        use_instead="def test_fixed():\n    pass",
        fix_safety="No fix: fix the syntax, or run sessionlint under a Python that knows the syntax.",
        references=("https://docs.python.org/3/reference/lexical_analysis.html#encoding-declarations",),
        valid=("def test_ok():\n    assert True\n",),
        invalid=(Example("def test_broken(:\n    pass\n"),),
    )
]
