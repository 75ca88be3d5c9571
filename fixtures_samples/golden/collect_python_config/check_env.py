import os


class CheckEnvironment:
    def check_sets_home(self):
        os.environ["HOME"] = "/nowhere"  # expect: SLK301


class DescribeLocale:
    def it_sets_lang(self):
        os.environ["LANG"] = "C"  # expect: SLK301


def check_top_level():
    os.environ["TOP"] = "1"  # expect: SLK301


def test_not_collected_here():
    os.environ["IGNORED"] = "1"


class CheckDisabled:
    __test__ = False

    def check_skipped(self):
        os.environ["SKIPPED"] = "1"


class CheckWithInit:
    def __init__(self):
        self.x = 1

    def check_never_collected(self):
        os.environ["NEVER"] = "1"
