FAKE_IDENTITY = {"name": "bot", "editcount": 0}


def can_edit_protected(identity):
    return identity["editcount"] >= 500


def test_power_user():
    identity = FAKE_IDENTITY
    identity["editcount"] = 500
    assert can_edit_protected(identity)


def test_new_user_is_limited():
    assert not can_edit_protected(FAKE_IDENTITY)
