import os

_tokens = {}
_regions = {}
_home = None
_state = None
_seen = {}
_names = {}


def token(name):
    try:
        return _tokens[name]
    except KeyError:
        pass
    _tokens[name] = os.environ.get(name.upper() + "_TOKEN")
    return _tokens[name]


def region(name):
    found = _regions.get(name)
    if found is None:
        found = _regions[name] = os.environ.get("REGION", "eu")
    return found


def home():
    global _home
    _home = _home or os.environ.get("HOME_DIR", "/")
    return _home


def state():
    # filled on every call: plain state, not a memo
    global _state
    _state = os.environ.get("APP_STATE")
    return _state


def seen(name):
    # the guard is about another global
    if name not in _names:
        _seen[name] = os.environ.get(name)
    return _seen.get(name)


def label(name):
    # a memo that reads nothing a test patches
    if name not in _names:
        _names[name] = name.title()
    return _names[name]
