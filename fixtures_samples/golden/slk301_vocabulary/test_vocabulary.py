import decimal
import logging
import socket
import sys
import warnings

import numpy as np
from scipy import stats

import app.config as config
from app import config as cfg


def test_numpy_errors():
    np.seterr(all="ignore")  # expect: SLK301


def test_print_options():
    np.set_printoptions(precision=3)  # expect: SLK301


def test_socket_timeout():
    socket.setdefaulttimeout(5)  # expect: SLK301


def test_recursion():
    sys.setrecursionlimit(10_000)  # expect: SLK301


def test_decimal_precision():
    decimal.getcontext().prec = 50  # expect: SLK301


def test_named_logger():
    logging.getLogger("app").setLevel(logging.DEBUG)  # expect: SLK301


def test_attribute_below_module():
    cfg.settings.PORT = 1  # expect: SLK301


def test_library_attribute():
    stats.levy_stable.pdf_default_method = "dni"  # expect: SLK301


def test_not_exception_safe():
    old = config.TIMEOUT
    config.TIMEOUT = 1  # expect: SLK301
    assert config.TIMEOUT == 1
    config.TIMEOUT = old


def test_exception_safe():
    old = config.TIMEOUT
    config.TIMEOUT = 1
    try:
        assert config.TIMEOUT == 1
    finally:
        config.TIMEOUT = old


def test_warnings_restored_by_pytest():
    warnings.simplefilter("error")
    warnings.showwarning = lambda *a, **k: None


def test_numpy_errstate():
    with np.errstate(all="ignore"):
        np.float64(1) / 0


def test_print_options_context():
    with np.printoptions(precision=2):
        pass


def test_local_logger_object():
    log = logging.Logger("private")
    log.setLevel(logging.DEBUG)
