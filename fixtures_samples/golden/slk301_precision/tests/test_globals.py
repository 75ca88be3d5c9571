"""Module globals: who reads them, who resets them."""

import pytest

progress = 0
seen = None
mode = "fast"
level = 1
shared = []


def count(step):
    global progress
    progress += step
    print(progress)


def test_counter_reset():
    global progress
    count(1)
    progress = 0  # the value the module starts with


def test_counter_set():
    global progress
    progress = 5  # expect: SLK301


def test_writer_with_closure():
    global seen
    seen = "a"

    def check():
        return seen == "a"

    assert check()


def test_reader_assigns_first():
    global seen
    seen = "b"
    assert seen == "b"


def test_exec_assigns_first():
    exec("seen = 'c'", globals())
    assert seen == "c"


def test_mode_set():
    global mode
    mode = "slow"  # expect: SLK301


def test_mode_read():
    assert mode == "fast"


@pytest.fixture(autouse=True, scope="module")
def default_level():
    global level
    level = 1


def test_level_set():
    global level
    level = 3


def test_level_read():
    assert level == 1
